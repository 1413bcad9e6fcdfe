//! Solution to exercise 1 of the book's chapter "The handler constructor": an echo
//! handler with a write buffer (`wbufsize = 8192`), which must flush after each
//! line; `--no-flush` leaves the flush to `finish`, and the client waits.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handler_constructor_1 [PORT] [--no-flush]
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

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

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    NO_FLUSH.store(args.iter().any(|a| a == "--no-flush"), Ordering::Relaxed);
    let port = support::port_argument(
        args.iter().find(|a| *a != "--no-flush").cloned(),
        9999,
        "usage: handler_constructor_1 [PORT] [--no-flush]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "handler_constructor_1", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    let flush = if NO_FLUSH.load(Ordering::Relaxed) {
        "only in finish"
    } else {
        "after each line"
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}, wbufsize 8192, flushing {flush} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
