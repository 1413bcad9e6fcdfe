//! Solution to exercise 3 of the book's chapter "BaseHTTPRequestHandler.handle and
//! keep-alive": `examples/http_get_post.rs` whose `do_GET` sends
//! `Connection: keep-alive`, on the default `protocol_version = "HTTP/1.0"`.
//!
//! ```text
//! cargo run --example http_handle_3 [PORT]        # default 8000, on 127.0.0.1
//! curl -v http://127.0.0.1:8000/one http://127.0.0.1:8000/two
//! ```
//!
//! `send_header("Connection", "keep-alive")` sets `close_connection` to false
//! whatever the versions say, so `handle` loops and curl reuses the connection.

use std::io::{self, Read, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class GetPostHandler(BaseHTTPRequestHandler)`.
struct GetPostHandler(BaseHttpRequest);
socketserver::subclass!(GetPostHandler(BaseHttpRequest));

impl BaseHttpRequestHandler for GetPostHandler {
    // ANCHOR: solution
    fn do_GET(&mut self) -> io::Result<()> {
        let body = format!("You asked for {}\n", self.path).into_bytes();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        // The one new line: it sets close_connection = false, on HTTP/1.0 too.
        self.send_header("Connection", "keep-alive");
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
    // ANCHOR_END: solution

    fn do_POST(&mut self) -> io::Result<()> {
        let length: u64 = self
            .headers
            .get("Content-Length")
            .unwrap_or("0")
            .trim()
            .parse()
            .unwrap_or(0);
        let mut data = Vec::new();
        (&mut self.rfile).take(length).read_to_end(&mut data)?;
        let body = [
            format!("You sent {} bytes: ", data.len()).as_bytes(),
            &data,
            b"\n",
        ]
        .concat();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(std::env::args().nth(1), 8000, "usage: http_handle_3 [PORT]");
    let server = HttpServer::<GetPostHandler>::new(("127.0.0.1", port));
    let server = support::or_exit(server, "http_handle_3", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP on 127.0.0.1 port {port}. Try:");
    println!("  curl -v http://127.0.0.1:{port}/one http://127.0.0.1:{port}/two");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
