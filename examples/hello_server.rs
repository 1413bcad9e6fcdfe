//! The smallest useful HTTP server on the port, tuned as the benchmark needs it:
//! `GET /` answers `Hello, world` on kept-alive HTTP/1.1 connections.
//!
//! ```text
//! cargo run --release --example hello_server [PORT] [--pool]   # default 8000, on 127.0.0.1
//! curl -i http://127.0.0.1:8000/
//! ```
//!
//! The same program as `examples/tiny_http_hello.rs` and `std_hello.rs`, for the
//! comparison in the book's tiny_http chapter and in `cargo bench --bench compare`.
//! Python's version:
//!
//! ```text
//! class Hello(BaseHTTPRequestHandler):
//!     protocol_version = "HTTP/1.1"
//!     disable_nagle_algorithm = True
//!     wbufsize = 8192
//!     def log_message(self, format, *args): pass
//!     def do_GET(self):
//!         self.send_response(200)
//!         self.send_header("Content-Type", "text/plain")
//!         self.send_header("Content-Length", "13")
//!         self.end_headers()
//!         self.wfile.write(b"Hello, world\n")
//!
//! class Server(ThreadingHTTPServer):
//!     request_queue_size = 128
//! ```

use std::fmt;
use std::io::{self, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt, MixIn, ThreadPoolMixIn, ThreadingMixIn};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
/// Python: `class Hello(BaseHTTPRequestHandler)`.
struct Hello(BaseHttpRequest);
socketserver::subclass!(Hello(BaseHttpRequest));

impl BaseHttpRequestHandler for Hello {
    /// Keep-alive.
    const protocol_version: &'static str = "HTTP/1.1";
    /// Send small writes at once: without it, the client's delayed ACK holds back
    /// each response (Nagle's algorithm).
    const disable_nagle_algorithm: bool = true;
    /// Collect the headers and the body, and send them in one write when
    /// `handle_one_request` flushes.
    const wbufsize: usize = 8192;

    /// No log line per request.
    fn log_message(&self, _message: fmt::Arguments<'_>) {}

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain");
        self.send_header("Content-Length", "13");
        self.end_headers()?;
        self.wfile.write_all(b"Hello, world\n")
    }
}
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: hello_server [PORT] [--pool]\n\n\
        Answers every HTTP request with Hello, world on 127.0.0.1 port PORT (8000 by \
        default), a thread per connection, or a pool of 16 workers with --pool.";
    support::check_flags(&args, &["--pool"], usage);
    let port = support::port_argument(
        args.iter().find(|a| !a.starts_with("--")).cloned(),
        8000,
        usage,
    );
    if args.iter().any(|a| a == "--pool") {
        serve::<ThreadPoolMixIn>(port) // a fixed set of workers instead of a thread each
    } else {
        serve::<ThreadingMixIn>(port)
    }
}

// ANCHOR: main
/// Serves on `port` with the mixin `M`: `ThreadingHTTPServer`'s, or a pool.
fn serve<M: MixIn>(port: u16) -> io::Result<()> {
    let mut server = HttpServer::<Hello, M>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.request_queue_size = 128; // Python's 5 stalls 100 clients connecting at once
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "hello_server", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!(
        "Serving hello on 127.0.0.1 port {}. Try:",
        server.server_port
    );
    println!("  curl -i http://127.0.0.1:{}/", server.server_port);
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
// ANCHOR_END: main
