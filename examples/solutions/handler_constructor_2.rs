//! Solution to exercise 2 of the book's chapter "The handler constructor": an echo
//! handler with a five-second `timeout`; a client that says nothing is dropped.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handler_constructor_2 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};
use std::time::Duration;

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

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

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: handler_constructor_2 [PORT]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "handler_constructor_2", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}, timeout 5 s ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
