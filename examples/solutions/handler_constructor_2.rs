//! Solution to exercise 2 of the book's chapter "The handler constructor": an echo
//! handler with a five-second `timeout`; a client that says nothing is dropped.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handler_constructor_2 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`, with `timeout`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for EchoHandler {
    const timeout: Option<Duration> = Some(Duration::from_secs(5)); // timeout = 5

    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        // After five silent seconds, read_until fails, and `?` returns the error.
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
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
            eprintln!("usage: handler_constructor_2 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("handler_constructor_2: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}, timeout 5 s ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("handler_constructor_2: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
