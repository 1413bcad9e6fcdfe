//! Solution to exercise 1 of the book's chapter "Python classes, Rust traits": a
//! handler with a field of its own, `peer`, computed once when the handler is built,
//! with the three impls that `subclass!` cannot write for a struct of two fields.
//!
//! ```text
//! cargo run --example classes_to_traits_1 [PORT]      # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); s.shutdown(socket.SHUT_WR); print(s.makefile("rb").read())'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class PeerEchoHandler(socketserver.StreamRequestHandler):
//!     def setup(self):
//!         super().setup()
//!         self.peer = "%s:%d" % self.client_address
//!     def handle(self):
//!         for line in self.rfile:
//!             self.wfile.write(self.peer.encode() + b" says " + line)
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

// ANCHOR: solution
/// Python: `class PeerEchoHandler(socketserver.StreamRequestHandler)`, with an
/// attribute `peer` of its own.
struct PeerEchoHandler {
    base: StreamRequestHandler,
    peer: String,
}

// `self.rfile`, `self.client_address`, … read through to the base class's struct.
socketserver::subclass!(PeerEchoHandler {
    base: StreamRequestHandler
});

/// How the server builds the handler. Python adds `self.peer` in `setup`; a Rust
/// struct has every field from the start, so it is computed here, from the base.
impl From<StreamRequestHandler> for PeerEchoHandler {
    fn from(base: StreamRequestHandler) -> Self {
        let peer = match base.client_address.as_socket() {
            Some(address) => address.to_string(),
            None => "?".to_string(),
        };
        PeerEchoHandler { base, peer }
    }
}

impl BaseRequestHandler for PeerEchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            // `self.wfile` borrows all of `self` mutably: format with `peer` first.
            let answer = [format!("{} says ", self.peer).as_bytes(), &line].concat();
            self.wfile.write_all(&answer)?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: classes_to_traits_1 [PORT]",
    );
    let mut server =
        TcpServer::<PeerEchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "classes_to_traits_1", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo, with the client's address, on 127.0.0.1 port {port} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
