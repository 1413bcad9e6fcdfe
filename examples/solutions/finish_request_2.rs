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

use nix::sys::signal::{SigSet, Signal};
use socketserver::{
    BaseRequestHandler, BaseServer, Blocking, Stream, StreamRequestHandler, TcpServer,
};

// ANCHOR: server
/// Python: `class GreetingServer(socketserver.TCPServer)`, with a `greeting`.
struct GreetingServer {
    base: TcpServer<EchoHandler>,
    greeting: String,
}

impl BaseServer for GreetingServer {
    type RequestHandlerClass = EchoHandler;
    type SocketType = Stream;
    type MixIn = Blocking;
    fn base(&self) -> &TcpServer<EchoHandler> {
        &self.base
    }
}
// ANCHOR_END: server

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: handler
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        // self.wfile.write(self.server.greeting). The handler was given the server
        // `serve_forever` runs on: the GreetingServer, not the TcpServer inside it.
        // Clone the Arc first: `self.server` borrows `self`, `self.wfile` all of it.
        let server = Arc::clone(&self.server);
        if let Some(server) = server.downcast_ref::<GreetingServer>() {
            self.wfile.write_all(server.greeting.as_bytes())?;
        }
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handler

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16, greeting: &str) -> io::Result<GreetingServer> {
    let mut base = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    base.server_bind()?;
    base.server_activate()?;
    Ok(GreetingServer {
        base,
        greeting: greeting.to_string(),
    })
}

fn main() {
    socketserver::trace::init_from_env();
    let port = match std::env::args()
        .nth(1)
        .map_or(Ok(9999), |p| p.parse::<u16>())
    {
        Ok(port) => port,
        Err(_) => {
            eprintln!("usage: finish_request_2 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port, "Welcome to the echo server.\n") {
        Ok(server) => Arc::new(server),
        Err(error) => {
            eprintln!("finish_request_2: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo, with a greeting, on 127.0.0.1 port {port} ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("finish_request_2: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
