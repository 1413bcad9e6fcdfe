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

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, ThreadingTcpServer,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
// The handler names its server, so `self.server` is an `Arc<ThreadingTcpServer<…>>`.
struct EchoHandler(StreamRequestHandler<ThreadingTcpServer<EchoHandler>>);
socketserver::subclass!(EchoHandler(StreamRequestHandler<ThreadingTcpServer<EchoHandler>>));

// ANCHOR: solution
impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            if line == b"shutdown\n" {
                // Python: self.server.shutdown()
                self.server.shutdown(); // returns once the loop on `main` has stopped
                self.wfile.write_all(b"shutdown() returned\n")?;
            } else {
                self.wfile.write_all(&line)?;
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
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: serve_forever_3 [PORT]",
    );
    let mut server =
        ThreadingTcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "serve_forever_3", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}; send a line `shutdown` to stop it");
    // ANCHOR: main
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => {
            println!("\nKeyboard interrupt received, exiting.");
            server.server_close(); // the end of `with server:`: waits for the thread too
            return Ok(());
        }
        other => other?,
    }
    println!("serve_forever returned");
    server.server_close(); // waits for the request thread (block_on_close)
    println!("server_close returned: the request thread has finished");
    // ANCHOR_END: main
    Ok(())
}
