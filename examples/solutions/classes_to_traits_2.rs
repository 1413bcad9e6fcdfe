//! Solution to exercise 2 of the book's chapter "Python classes, Rust traits": a
//! server subclass with an attribute of its own, `served`, whose `verify_request`
//! refuses every client after the third.
//!
//! ```text
//! cargo run --example classes_to_traits_2 [PORT]      # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); print(s.recv(100))'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class ThreeClients(socketserver.ThreadingTCPServer):
//!     served = 0
//!     def verify_request(self, request, client_address):
//!         self.served += 1
//!         return self.served <= 3
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use socketserver::SockAddr;
use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, Request, StreamRequestHandler,
    ThreadingTcpServer, address_repr,
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
/// Python: `class ThreeClients(socketserver.ThreadingTCPServer)`.
struct ThreeClients {
    base: ThreadingTcpServer<EchoHandler>,
    /// Python: `served = 0`. The server is shared (an `Arc`) by the loop, every
    /// request thread and the Ctrl-C thread, so its hooks get `&self`: a field they
    /// change must change through a shared reference. An atomic does.
    served: AtomicUsize,
}

socketserver::subclass!(ThreeClients { base: ThreadingTcpServer<EchoHandler> });

impl BaseServer for ThreeClients {
    // def verify_request(self, request, client_address):
    fn verify_request(&self, _request: &Request<Self>, client_address: &SockAddr) -> bool {
        let served = self.served.fetch_add(1, Ordering::SeqCst) + 1; // self.served += 1
        let verdict = if served <= 3 { "served" } else { "refused" };
        println!(
            "verify_request: client {served} from {}: {verdict}",
            address_repr(client_address)
        );
        served <= 3
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: classes_to_traits_2 [PORT]",
    );
    let mut base =
        ThreadingTcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    let bound = base.server_bind().and_then(|()| base.server_activate());
    support::or_exit(bound, "classes_to_traits_2", format!("127.0.0.1:{port}"));
    let server = Arc::new(ThreeClients {
        base,
        served: AtomicUsize::new(0),
    });
    println!("Serving TCP echo to three clients, on 127.0.0.1 port {port} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
