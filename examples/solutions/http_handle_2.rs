//! Solution to exercise 2 of the book's chapter "BaseHTTPRequestHandler.handle and
//! keep-alive": `examples/http_keep_alive.rs` on a plain `HttpServer`, no mixin.
//! One client that keeps its connection open makes every other client wait.
//!
//! ```text
//! cargo run --example http_handle_2 [PORT]        # default 8000, on 127.0.0.1
//! curl telnet://127.0.0.1:8000                    # type GET / HTTP/1.1, Enter, Enter
//! curl http://127.0.0.1:8000/two                  # elsewhere: waits for the first
//! ```

use std::io::{self, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class KeepAliveHandler(BaseHTTPRequestHandler)`.
struct KeepAliveHandler(BaseHttpRequest);
socketserver::subclass!(KeepAliveHandler(BaseHttpRequest));

impl BaseHttpRequestHandler for KeepAliveHandler {
    const protocol_version: &'static str = "HTTP/1.1";

    fn do_GET(&mut self) -> io::Result<()> {
        let client_port = self.client_address.as_socket().map_or(0, |a| a.port());
        let body = format!("{} on connection from port {client_port}\n", self.path).into_bytes();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(std::env::args().nth(1), 8000, "usage: http_handle_2 [PORT]");
    // ANCHOR: solution
    // with HTTPServer(("127.0.0.1", 8000), KeepAliveHandler) as server:
    // no ThreadingMixIn, so handle() runs on the thread that runs serve_forever.
    let server = HttpServer::<KeepAliveHandler>::new(("127.0.0.1", port));
    // ANCHOR_END: solution
    let server = support::or_exit(server, "http_handle_2", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP/1.1 on 127.0.0.1 port {port}, one connection at a time. Try:");
    println!("  curl telnet://127.0.0.1:{port}    (type GET / HTTP/1.1 and Enter twice)");
    println!("  curl http://127.0.0.1:{port}/two  (in another terminal: it waits)");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
