//! A Unix-socket echo server: Python's `socketserver.UnixStreamServer`, the TCP echo
//! server on a path instead of a port.
//!
//! ```text
//! cargo run --example unix_echo [PATH]       # default /tmp/socketserver-echo.sock
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! with socketserver.UnixStreamServer("/tmp/socketserver-echo.sock", EchoHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, UnixStreamServer};

#[path = "support/mod.rs"]
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
    support::exit_on_ctrl_c();
    socketserver::trace::init_from_env();
    let usage = "usage: unix_echo [PATH]   (default /tmp/socketserver-echo.sock)";
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&arguments, &[], usage);
    let path = match &arguments[..] {
        [] => PathBuf::from("/tmp/socketserver-echo.sock"),
        [path] => PathBuf::from(path),
        _ => support::usage_error(usage),
    };
    // Python leaves the socket file behind on close; a new server cannot bind over it.
    let _ = std::fs::remove_file(&path);
    // ANCHOR: main
    let server = UnixStreamServer::<EchoHandler>::new(path.clone());
    // ANCHOR_END: main
    let server = support::or_exit(server, "unix_echo", path.display()).into_arc();
    let path = path.display();
    println!("Serving Unix-socket echo on {path}. Talk to it with:");
    println!(
        "  python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"{path}\"); s.sendall(b\"hello\\n\"); print(s.recv(100))'"
    );
    println!("  (or nc -U {path}, where you have nc)");
    server.serve_forever(0.5)
}
