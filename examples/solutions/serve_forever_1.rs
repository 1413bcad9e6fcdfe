//! Solution to exercise 1 of the book's chapter "serve_forever and shutdown": the
//! TCP echo server with a `poll_interval` of 2.0 seconds instead of 0.5.
//!
//! ```text
//! SOCKETSERVER_TRACE=all cargo run --example serve_forever_1 [PORT]   # default 9999
//! ```
//!
//! Left idle, it prints `service_actions` every two seconds instead of twice a
//! second; a client is still served at once.

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: serve_forever_1 [PORT]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "serve_forever_1", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}, polling every 2.0 s ...");
    // ANCHOR: solution
    match server.serve_forever(2.0) /* was 0.5 */ {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
    // ANCHOR_END: solution
}
