//! A UDP echo server: Python's `socketserver.UDPServer` with a
//! `DatagramRequestHandler` that sends each datagram back in capitals.
//!
//! ```text
//! cargo run --example udp_echo [PORT]        # default 9999, on 127.0.0.1
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class UpperHandler(socketserver.DatagramRequestHandler):
//!     def handle(self):
//!         self.wfile.write(self.rfile.read().upper())
//!
//! with socketserver.UDPServer(("127.0.0.1", 9999), UpperHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, Read, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, DatagramRequestHandler, KeyboardInterrupt, UdpServer,
};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
/// Python: `class UpperHandler(socketserver.DatagramRequestHandler)`.
struct UpperHandler(DatagramRequestHandler);
socketserver::subclass!(UpperHandler(DatagramRequestHandler));

impl BaseRequestHandler for UpperHandler {
    /// Python: `self.wfile.write(self.rfile.read().upper())`; `finish` sends it.
    fn handle(&mut self) -> io::Result<()> {
        let mut data = Vec::new();
        self.rfile.read_to_end(&mut data)?;
        self.wfile.write_all(&data.to_ascii_uppercase())
    }
}
// ANCHOR_END: handler

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: udp_echo [PORT]\n\n\
        Sends every UDP datagram back in capitals, on 127.0.0.1 port PORT (9999 by default).";
    let port = support::port_argument(std::env::args().nth(1), 9999, usage);
    let server = UdpServer::<UpperHandler>::new(("127.0.0.1", port));
    let server = support::or_exit(server, "udp_echo", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!("Serving UDP echo on 127.0.0.1 port {port}. Talk to it with:");
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
