//! Solution to exercise 2 of the book's chapter "_handle_request_noblock": a handler
//! that fails on the line `boom` (an error) and on the line `panic` (a panic); the
//! server reports each with `handle_error` and goes on.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handle_request_noblock_2 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\nboom\n"); print(s.makefile("rb").read())'
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

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

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: handle_request_noblock_2 [PORT]",
    );
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(
        bound,
        "handle_request_noblock_2",
        format!("127.0.0.1:{port}"),
    );
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}; a line `boom` or `panic` fails ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
