//! Keep-alive: a handler on `protocol_version = "HTTP/1.1"` answers several
//! requests on one connection, because every response says how long it is.
//!
//! ```text
//! cargo run --example http_keep_alive [PORT]      # default 8000, on 127.0.0.1
//! curl -v http://127.0.0.1:8000/one http://127.0.0.1:8000/two
//! ```
//!
//! curl's `Re-using existing connection` and the server's log, where the two
//! requests come from the same client port, show the one connection. The
//! Python it ports:
//!
//! ```text
//! class KeepAliveHandler(BaseHTTPRequestHandler):
//!     protocol_version = "HTTP/1.1"
//!
//!     def do_GET(self):
//!         body = f"{self.path} on connection from port {self.client_address[1]}\n".encode()
//!         self.send_response(200)
//!         self.send_header("Content-Type", "text/plain")
//!         self.send_header("Content-Length", str(len(body)))
//!         self.end_headers()
//!         self.wfile.write(body)
//!
//! with ThreadingHTTPServer(("127.0.0.1", 8000), KeepAliveHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, Write};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
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
// ANCHOR_END: handler

// ANCHOR: main
fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: http_keep_alive [PORT]\n\n\
        Answers several HTTP/1.1 requests on one connection, on 127.0.0.1 port PORT (8000 \
        by default), and says which connection each came on.";
    let port = support::port_argument(std::env::args().nth(1), 8000, usage);
    let server = ThreadingHttpServer::<KeepAliveHandler>::new(("127.0.0.1", port));
    let server =
        support::or_exit(server, "http_keep_alive", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP/1.1 on 127.0.0.1 port {port}. Try:");
    println!("  curl -v http://127.0.0.1:{port}/one http://127.0.0.1:{port}/two");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
// ANCHOR_END: main
