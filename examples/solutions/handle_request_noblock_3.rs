//! Solution to exercise 3 of the book's chapter "_handle_request_noblock": a handler
//! that raises `SystemExit(3)`, and a `main` that turns it into exit status 3, as
//! Python's interpreter does.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handle_request_noblock_3 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"exit\n"); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};
use std::panic;
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, SystemExit, TcpServer};

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

// ANCHOR: handle
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            if line == b"exit\n" {
                panic::panic_any(SystemExit(3)); // raise SystemExit(3)
            }
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handle

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
            eprintln!("usage: handle_request_noblock_3 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("handle_request_noblock_3: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}; a line `exit` raises SystemExit(3) ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    // ANCHOR: main
    // Python prints no traceback for SystemExit: keep the panic hook quiet for it
    // (otherwise it prints "thread 'main' panicked at …" and "Box<dyn Any>").
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<SystemExit>() {
            default_hook(info);
        }
    }));
    // The interpreter's last step: SystemExit(n) becomes exit status n.
    let served = match panic::catch_unwind(|| server.serve_forever(0.5)) {
        Ok(served) => served,
        Err(payload) => match payload.downcast_ref::<SystemExit>() {
            Some(SystemExit(status)) => std::process::exit(*status),
            None => panic::resume_unwind(payload),
        },
    };
    // ANCHOR_END: main
    if let Err(error) = served {
        eprintln!("handle_request_noblock_3: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
