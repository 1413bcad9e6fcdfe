//! Solution to exercise 3 of the book's chapter "ThreadingMixIn, daemon threads and
//! block_on_close": a handler that panics in `handle`, served by `ThreadingTcpServer`.
//! The panic is caught on the request thread by `process_request_thread`, which calls
//! `handle_error` (its report appears in the server's terminal) and shuts the
//! connection down; the loop on the main thread never sees it and goes on serving.
//!
//! ```text
//! cargo run --example threading_mixin_3 [PORT]      # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"panic\n"); print(s.recv(100))'
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); print(s.recv(100))'
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, ThreadingTcpServer,
};

#[path = "../support/mod.rs"]
mod support;

// ANCHOR: solution
/// An echo handler that panics when a client sends the line `panic`.
struct PanickyHandler(StreamRequestHandler);
socketserver::subclass!(PanickyHandler(StreamRequestHandler));

impl BaseRequestHandler for PanickyHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = String::new();
        while self.rfile.read_line(&mut line)? > 0 {
            if line.trim_end() == "panic" {
                panic!("the client asked for it");
            }
            self.wfile.write_all(line.as_bytes())?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: threading_mixin_3 [PORT]";
    let port = support::port_argument(std::env::args().nth(1), 9999, usage);
    let mut server =
        ThreadingTcpServer::<PanickyHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true; // restartable at once, as HTTPServer is
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "threading_mixin_3", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving a panicking echo on 127.0.0.1 port {port} (send the line `panic`) ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
