//! A TCP echo server: Python's `socketserver.TCPServer` with a
//! `StreamRequestHandler` that sends every line back.
//!
//! ```text
//! cargo run --example tcp_echo [PORT]        # default 9999, on 127.0.0.1
//! SOCKETSERVER_TRACE=1 cargo run --example tcp_echo   # watch the call chain
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class EchoHandler(socketserver.StreamRequestHandler):
//!     def handle(self):
//!         for line in self.rfile:
//!             self.wfile.write(line)
//!
//! with socketserver.TCPServer(("127.0.0.1", 9999), EchoHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

impl BaseRequestHandler for EchoHandler {
    /// Python: `def handle(self): for line in self.rfile: self.wfile.write(line)`.
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: tcp_echo [PORT]\n\n\
        Echoes every line a TCP client sends back to it, on 127.0.0.1 port PORT (9999 by default).";
    let port = support::port_argument(std::env::args().nth(1), 9999, usage);
    // ANCHOR: main
    // Python: TCPServer(address, EchoHandler, bind_and_activate=False), then
    // allow_reuse_address = True (as HTTPServer sets it) before binding: a restart
    // on the same port works at once (see "Running the code").
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "tcp_echo", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!("Serving TCP echo on 127.0.0.1 port {port}. Talk to it with:");
    println!(
        "  curl telnet://127.0.0.1:{port}   (type lines, Ctrl-C to leave; or nc 127.0.0.1 {port})"
    );
    println!(
        "  python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", {port})); s.sendall(b\"hello\\n\"); print(s.recv(100))'"
    );
    // try: server.serve_forever() / except KeyboardInterrupt:
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
    // ANCHOR_END: main
}
