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
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};

// ANCHOR: solution
/// Python: `class PeerEchoHandler(socketserver.StreamRequestHandler)`, with an
/// attribute `peer` of its own.
struct PeerEchoHandler {
    base: StreamRequestHandler,
    peer: String,
}

/// `self.rfile`, `self.client_address`, … read through to the base class's struct.
impl Deref for PeerEchoHandler {
    type Target = StreamRequestHandler;
    fn deref(&self) -> &StreamRequestHandler {
        &self.base
    }
}

impl DerefMut for PeerEchoHandler {
    fn deref_mut(&mut self) -> &mut StreamRequestHandler {
        &mut self.base
    }
}

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

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<TcpServer<PeerEchoHandler>> {
    let mut server = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    server.server_bind()?;
    server.server_activate()?;
    Ok(server)
}

fn main() {
    socketserver::trace::init_from_env();
    let port = match std::env::args()
        .nth(1)
        .map_or(Ok(9999), |p| p.parse::<u16>())
    {
        Ok(port) => port,
        Err(_) => {
            eprintln!("usage: classes_to_traits_1 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("classes_to_traits_1: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo, with the client's address, on 127.0.0.1 port {port} ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("classes_to_traits_1: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
