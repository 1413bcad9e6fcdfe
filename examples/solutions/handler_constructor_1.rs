//! Solution to exercise 1 of the book's chapter "The handler constructor": an echo
//! handler with a write buffer (`wbufsize = 8192`), which must flush after each
//! line; `--no-flush` leaves the flush to `finish`, and the client waits.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handler_constructor_1 [PORT] [--no-flush]
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};

/// `--no-flush`: the exercise's first step, before the fix.
static NO_FLUSH: AtomicBool = AtomicBool::new(false);

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`, with `wbufsize`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for EchoHandler {
    const wbufsize: usize = 8192; // Python: wbufsize = 8192

    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?; // into the buffer, not onto the wire
            if !NO_FLUSH.load(Ordering::Relaxed) {
                self.wfile.flush()?; // self.wfile.flush(): now the client gets it
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    NO_FLUSH.store(args.iter().any(|a| a == "--no-flush"), Ordering::Relaxed);
    let port = match args.iter().find(|a| *a != "--no-flush") {
        None => Ok(9999),
        Some(p) => p.parse::<u16>(),
    };
    let Ok(port) = port else {
        eprintln!("usage: handler_constructor_1 [PORT] [--no-flush]");
        std::process::exit(2);
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("handler_constructor_1: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    let flush = if NO_FLUSH.load(Ordering::Relaxed) {
        "only in finish"
    } else {
        "after each line"
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}, wbufsize 8192, flushing {flush} ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("handler_constructor_1: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
