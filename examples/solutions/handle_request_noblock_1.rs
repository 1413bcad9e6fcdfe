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

use nix::sys::signal::{SigSet, Signal};
use socket2::SockAddr;
use socketserver::{
    BaseRequestHandler, BaseServer, Blocking, Request, Stream, StreamRequestHandler, TcpServer,
};

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

impl BaseServer for RefuseAll {
    type RequestHandlerClass = EchoHandler;
    type SocketType = Stream;
    type MixIn = Blocking;
    fn base(&self) -> &TcpServer<EchoHandler> {
        &self.0
    }

    // def verify_request(self, request, client_address): return False
    fn verify_request(&self, _request: &Request<Self>, _client_address: &SockAddr) -> bool {
        false
    }
}
// ANCHOR_END: solution

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<RefuseAll> {
    let mut server = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    server.server_bind()?;
    server.server_activate()?;
    Ok(RefuseAll(server))
}

fn main() {
    socketserver::trace::init_from_env();
    let port = match std::env::args()
        .nth(1)
        .map_or(Ok(9999), |p| p.parse::<u16>())
    {
        Ok(port) => port,
        Err(_) => {
            eprintln!("usage: handle_request_noblock_1 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => Arc::new(server),
        Err(error) => {
            eprintln!("handle_request_noblock_1: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Refusing every client on 127.0.0.1 port {port} ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("handle_request_noblock_1: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
