//! Solution to exercise 3 of the book's chapter "UDP and Unix sockets":
//! `examples/unix_echo.rs`'s handler served by `ThreadingUnixStreamServer`, so that
//! two clients can talk to it at once. Two lines change: the type on the line that
//! builds the server, and the `use` line that imports it.
//!
//! ```text
//! cargo run --example udp_unix_3 [PATH]       # default /tmp/socketserver-threading-echo.sock
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! with socketserver.ThreadingUnixStreamServer(
//!         "/tmp/socketserver-threading-echo.sock", EchoHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

// ANCHOR: use
use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler,
    ThreadingUnixStreamServer,
};
// ANCHOR_END: use

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`, as in `tcp_echo`.
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
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/socketserver-threading-echo.sock".into()),
    );
    // Python leaves the socket file behind on close; a new server cannot bind over it.
    let _ = std::fs::remove_file(&path);
    // ANCHOR: main
    let server = ThreadingUnixStreamServer::<EchoHandler>::new(path.clone());
    // ANCHOR_END: main
    let server = support::or_exit(server, "udp_unix_3", path.display()).into_arc();
    let path = path.display();
    println!("Serving threading Unix-socket echo on {path}. Talk to it with:");
    println!(
        "  python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"{path}\"); s.sendall(b\"hello\\n\"); print(s.recv(100))'"
    );
    println!("  (or nc -U {path}, where you have nc)");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
