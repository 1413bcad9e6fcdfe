//! Solution to exercise 2 of the book's chapter "finish_request": a server type of
//! its own with a `greeting` field, which every handler writes before echoing.
//!
//! ```text
//! cargo run --example finish_request_2 [PORT]      # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); s.shutdown(socket.SHUT_WR); print(s.makefile("rb").read())'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class GreetingServer(socketserver.TCPServer):
//!     greeting = b"Welcome to the echo server.\n"
//!
//! class EchoHandler(socketserver.StreamRequestHandler):
//!     def handle(self):
//!         self.wfile.write(self.server.greeting)
//!         for line in self.rfile:
//!             self.wfile.write(line)
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

// ANCHOR: server
/// Python: `class GreetingServer(socketserver.TCPServer)`, with a `greeting`.
struct GreetingServer {
    base: TcpServer<EchoHandler>,
    greeting: String,
}

socketserver::subclass!(GreetingServer { base: TcpServer<EchoHandler> });
impl BaseServer for GreetingServer {}
// ANCHOR_END: server

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`, naming the
/// server it runs on, so that `self.server` is an `Arc<GreetingServer>`.
struct EchoHandler(StreamRequestHandler<GreetingServer>);
socketserver::subclass!(EchoHandler(StreamRequestHandler<GreetingServer>));

// ANCHOR: handler
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        // self.wfile.write(self.server.greeting). Clone the Arc first: `self.server`
        // borrows `self`, and `self.wfile` needs all of it.
        let server = Arc::clone(&self.server);
        self.wfile.write_all(server.greeting.as_bytes())?;
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: finish_request_2 [PORT]",
    );
    let mut base = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    let server = GreetingServer {
        base,
        greeting: "Welcome to the echo server.\n".to_string(),
    };
    // TCPServer.__init__'s server_bind() and server_activate(), run on the subclass
    let server = server.bind_and_activate();
    let server = Arc::new(support::or_exit(
        server,
        "finish_request_2",
        format!("127.0.0.1:{port}"),
    ));
    println!("Serving TCP echo, with a greeting, on 127.0.0.1 port {port} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
