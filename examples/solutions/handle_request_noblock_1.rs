//! Solution to exercise 1 of the book's chapter "_handle_request_noblock": a server
//! whose `verify_request` refuses every client.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handle_request_noblock_1 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); print(s.recv(100))'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class RefuseAll(socketserver.TCPServer):
//!     def verify_request(self, request, client_address):
//!         return False
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use socketserver::SockAddr;
use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, Request, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}

// ANCHOR: solution
/// Python: `class RefuseAll(socketserver.TCPServer)`.
struct RefuseAll(TcpServer<EchoHandler>);
socketserver::subclass!(RefuseAll(TcpServer<EchoHandler>));

impl BaseServer for RefuseAll {
    // def verify_request(self, request, client_address): return False
    fn verify_request(&self, _request: &Request<Self>, _client_address: &SockAddr) -> bool {
        false
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: handle_request_noblock_1 [PORT]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(
        bound,
        "handle_request_noblock_1",
        format!("127.0.0.1:{port}"),
    );
    let server = Arc::new(RefuseAll(server));
    println!("Refusing every client on 127.0.0.1 port {port} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
