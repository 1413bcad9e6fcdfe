//! Solution to exercise 3 of the book's chapter "serve_forever and shutdown": a
//! handler that stops its own server, on a `ThreadingTcpServer`, where that works.
//!
//! ```text
//! cargo run --example serve_forever_3 [PORT]      # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\nshutdown\n"); s.shutdown(socket.SHUT_WR); print(s.makefile("rb").read())'
//! ```
//!
//! On a plain `TcpServer` the same handler waits forever: `shutdown` waits for the
//! loop to end, and the loop waits for the handler to return.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingTcpServer};

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            if line == b"shutdown\n" {
                // Python: self.server.shutdown(). Clone the Arc first: `self.server`
                // borrows `self`, and writing to `self.wfile` needs all of it.
                let server = Arc::clone(&self.server);
                if let Some(server) = server.downcast_ref::<ThreadingTcpServer<EchoHandler>>() {
                    server.shutdown(); // returns once the loop on `main` has stopped
                    self.wfile.write_all(b"shutdown() returned\n")?;
                }
            } else {
                self.wfile.write_all(&line)?;
            }
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: solution

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<ThreadingTcpServer<EchoHandler>> {
    let mut server = ThreadingTcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
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
            eprintln!("usage: serve_forever_3 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("serve_forever_3: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}; send a line `shutdown` to stop it");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    // ANCHOR: main
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("serve_forever_3: {error}");
        std::process::exit(1);
    }
    println!("serve_forever returned");
    server.server_close(); // waits for the request thread (block_on_close)
    println!("server_close returned: the request thread has finished");
    // ANCHOR_END: main
}
