//! Solution to exercise 2 of the book's chapter "_handle_request_noblock": a handler
//! that fails on the line `boom` (an error) and on the line `panic` (a panic); the
//! server reports each with `handle_error` and goes on.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handle_request_noblock_2 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\nboom\n"); print(s.makefile("rb").read())'
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            match line.as_slice() {
                b"boom\n" => return Err(io::Error::other("boom")), // raise OSError("boom")
                b"panic\n" => panic!("panic"),                     // raise Exception("panic")
                _ => self.wfile.write_all(&line)?,
            }
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: solution

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<TcpServer<EchoHandler>> {
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
            eprintln!("usage: handle_request_noblock_2 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("handle_request_noblock_2: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}; a line `boom` or `panic` fails ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("handle_request_noblock_2: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
