//! Solution to exercise 2 of the book's chapter "UDP and Unix sockets":
//! `examples/udp_echo.rs` with a handler that writes nothing. The client's `recv`
//! still returns, with an empty datagram: `DatagramRequestHandler.finish` sends
//! whatever `wfile` holds, even nothing.
//!
//! ```text
//! cargo run --example udp_unix_2 [PORT]        # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.socket(type=socket.SOCK_DGRAM); s.settimeout(5); s.sendto(b"hello", ("127.0.0.1", 9999)); print(s.recv(100))'
//! ```

use std::io::{self, Read};

use socketserver::{
    BaseRequestHandler, BaseServer, DatagramRequestHandler, KeyboardInterrupt, UdpServer,
};

#[path = "../support/mod.rs"]
mod support;

// ANCHOR: handler
/// Python: `class UpperHandler(socketserver.DatagramRequestHandler)`, whose `handle`
/// reads the datagram and writes nothing.
struct UpperHandler(DatagramRequestHandler);
socketserver::subclass!(UpperHandler(DatagramRequestHandler));

impl BaseRequestHandler for UpperHandler {
    /// Python: `self.rfile.read()`, and no `self.wfile.write(...)`: `finish` still
    /// sends `wfile`, now empty.
    fn handle(&mut self) -> io::Result<()> {
        let mut data = Vec::new();
        self.rfile.read_to_end(&mut data)?;
        Ok(())
    }
}
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(std::env::args().nth(1), 9999, "usage: udp_unix_2 [PORT]");
    let server = UdpServer::<UpperHandler>::new(("127.0.0.1", port));
    let server = support::or_exit(server, "udp_unix_2", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!("Serving a silent UDP handler on 127.0.0.1 port {port}. Talk to it with:");
    println!(
        "  python3 -c 'import socket; s = socket.socket(type=socket.SOCK_DGRAM); s.sendto(b\"hello\", (\"127.0.0.1\", {port})); print(s.recv(100))'"
    );
    println!("  (or nc -u 127.0.0.1 {port}, where you have nc)");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
