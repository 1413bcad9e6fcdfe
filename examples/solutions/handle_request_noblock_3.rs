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

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, SystemExit, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

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

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: handle_request_noblock_3 [PORT]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(
        bound,
        "handle_request_noblock_3",
        format!("127.0.0.1:{port}"),
    );
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}; a line `exit` raises SystemExit(3) ...");
    // ANCHOR: main
    // The interpreter's last step: SystemExit(n) becomes exit status n.
    let served = match panic::catch_unwind(|| server.serve_forever(0.5)) {
        Ok(served) => served,
        Err(payload) => match payload.downcast_ref::<SystemExit>() {
            Some(SystemExit(status)) => std::process::exit(*status),
            None => panic::resume_unwind(payload),
        },
    };
    // ANCHOR_END: main
    match served {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
