//! A `BaseHTTPRequestHandler` with `do_GET` and `do_POST`: the smallest web
//! application, one method per HTTP verb.
//!
//! ```text
//! cargo run --example http_get_post [PORT]        # default 8000, on 127.0.0.1
//! curl http://127.0.0.1:8000/hello
//! curl --data 'name=World' http://127.0.0.1:8000/greet
//! ```
//!
//! The Python it ports, line for line:
//!
//! ```text
//! class GetPostHandler(BaseHTTPRequestHandler):
//!     def do_GET(self):
//!         body = f"You asked for {self.path}\n".encode()
//!         self.send_response(200)
//!         self.send_header("Content-Type", "text/plain; charset=utf-8")
//!         self.send_header("Content-Length", str(len(body)))
//!         self.end_headers()
//!         self.wfile.write(body)
//!
//!     def do_POST(self):
//!         length = int(self.headers.get("Content-Length", 0))
//!         data = self.rfile.read(length)
//!         body = b"You sent " + str(len(data)).encode() + b" bytes: " + data + b"\n"
//!         self.send_response(200)
//!         self.send_header("Content-Type", "text/plain; charset=utf-8")
//!         self.send_header("Content-Length", str(len(body)))
//!         self.end_headers()
//!         self.wfile.write(body)
//!
//! with HTTPServer(("127.0.0.1", 8000), GetPostHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, Read, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
/// Python: `class GetPostHandler(BaseHTTPRequestHandler)`.
struct GetPostHandler(BaseHttpRequest);
socketserver::subclass!(GetPostHandler(BaseHttpRequest));

impl BaseHttpRequestHandler for GetPostHandler {
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
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: http_get_post [PORT]\n\n\
        A web application of two methods on 127.0.0.1 port PORT (8000 by default): GET \
        says which path you asked for, POST echoes the body you sent.";
    let port = support::port_argument(std::env::args().nth(1), 8000, usage);
    // ANCHOR: main
    let server = HttpServer::<GetPostHandler>::new(("127.0.0.1", port));
    let server = support::or_exit(server, "http_get_post", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP on 127.0.0.1 port {port}. Try:");
    println!("  curl http://127.0.0.1:{port}/hello");
    println!("  curl --data 'name=World' http://127.0.0.1:{port}/greet");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
    // ANCHOR_END: main
}
