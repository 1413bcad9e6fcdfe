//! Solution to the tiny_http chapter's exercise 1: `examples/hello_server.rs` with
//! the two settings the benchmark needs taken away, `wbufsize = 0` and
//! `disable_nagle_algorithm = false`. Every response but the first then waits about
//! 40 ms for the client's delayed acknowledgement.
//!
//! ```text
//! cargo run --example tiny_http_1 [PORT]        # default 8000, on 127.0.0.1
//! python3 -c 'import http.client, time; c = http.client.HTTPConnection("127.0.0.1", 8000); t = time.time(); [c.request("GET", "/") or c.getresponse().read() for _ in range(100)]; print(round((time.time() - t) * 10, 2), "ms per request")'
//! ```

use std::fmt;
use std::io::{self, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class Hello(BaseHTTPRequestHandler)`.
struct Hello(BaseHttpRequest);
socketserver::subclass!(Hello(BaseHttpRequest));

// ANCHOR: solution
impl BaseHttpRequestHandler for Hello {
    const protocol_version: &'static str = "HTTP/1.1";
    /// Python's default: Nagle's algorithm stays on.
    const disable_nagle_algorithm: bool = false;
    /// Python's default: `wfile` is unbuffered, so `end_headers` sends the headers
    /// and `write_all` the body, in two writes.
    const wbufsize: usize = 0;

    fn log_message(&self, _message: fmt::Arguments<'_>) {}

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain");
        self.send_header("Content-Length", "13");
        self.end_headers()?;
        self.wfile.write_all(b"Hello, world\n")
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(std::env::args().nth(1), 8000, "usage: tiny_http_1 [PORT]");
    let mut server =
        ThreadingHttpServer::<Hello>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.request_queue_size = 128; // Python's 5 stalls 100 clients connecting at once
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "tiny_http_1", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving hello on 127.0.0.1 port {port}, Nagle on, wbufsize 0. Try:");
    println!("  curl -i http://127.0.0.1:{port}/");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
