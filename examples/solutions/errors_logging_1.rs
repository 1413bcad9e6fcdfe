//! Solution to exercise 1 of the book's chapter "Errors and logging":
//! `examples/http_get_post.rs` logging its refusals only, one line each.
//!
//! ```text
//! cargo run --example errors_logging_1 [PORT]     # default 8000, on 127.0.0.1
//! curl http://127.0.0.1:8000/hello                # answered: no log line
//! curl -X BREW http://127.0.0.1:8000/pot          # refused: one log line
//! ```
//!
//! Overriding `log_message` would silence everything, `log_error` the refusals;
//! `log_request` is the line `send_response` writes, for answers and refusals
//! alike.

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
    // def log_request(self, code='-', size='-'):
    //     pass
    // send_response calls it for every answer; send_error logs its own line
    // (log_error, "code 501, message ...") before it calls send_response.
    fn log_request(&self, _code: Option<u16>, _size: Option<u64>) {}
    // ANCHOR_END: solution

    fn do_GET(&mut self) -> io::Result<()> {
        let body = format!("You asked for {}\n", self.path).into_bytes();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }

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
    let port = support::port_argument(
        std::env::args().nth(1),
        8000,
        "usage: errors_logging_1 [PORT]",
    );
    let server = HttpServer::<GetPostHandler>::new(("127.0.0.1", port));
    let server =
        support::or_exit(server, "errors_logging_1", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP on 127.0.0.1 port {port}. Try:");
    println!("  curl http://127.0.0.1:{port}/hello");
    println!("  curl -X BREW http://127.0.0.1:{port}/pot");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
