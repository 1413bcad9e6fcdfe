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

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, UnixStreamServer,
};

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
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: unix_echo [PATH]\n\n\
        Echoes every line a client sends back to it, on the Unix socket PATH \
        (/tmp/socketserver-echo.sock by default).";
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&arguments, &[], usage);
    let path = match &arguments[..] {
        [] => PathBuf::from("/tmp/socketserver-echo.sock"),
        [path] => PathBuf::from(path),
        _ => support::usage_error(usage),
    };
    // A server that still answers there keeps its path.
    if std::os::unix::net::UnixStream::connect(&path).is_ok() {
        eprintln!(
            "unix_echo: cannot serve on {}: a server is running there (choose another path \
             with unix_echo's PATH argument: `unix_echo --help`)",
            path.display()
        );
        std::process::exit(1);
    }
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
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
