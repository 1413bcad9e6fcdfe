//! Solution to exercise 3 of the book's chapter "The handler constructor": `setup`
//! and `finish` overridden to write to the client, and `handle` failing on the line
//! `boom`, to see which hooks run when.
//!
//! ```text
//! SOCKETSERVER_TRACE=1 cargo run --example handler_constructor_3 [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hi\nboom\n"); s.shutdown(socket.SHUT_WR); print(s.makefile("rb").read())'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class HooksHandler(socketserver.StreamRequestHandler):
//!     def setup(self):
//!         super().setup()
//!         self.wfile.write(b"setup\n")
//!     def handle(self):
//!         for line in self.rfile:
//!             if line == b"boom\n":
//!                 raise OSError("boom")
//!             self.wfile.write(line)
//!     def finish(self):
//!         self.wfile.write(b"finish\n")
//!         super().finish()
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class HooksHandler(socketserver.StreamRequestHandler)`.
struct HooksHandler(StreamRequestHandler);
socketserver::subclass!(HooksHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for HooksHandler {
    fn setup(&mut self) -> io::Result<()> {
        StreamRequestHandler::setup(self)?; // super().setup()
        self.wfile.write_all(b"setup\n")
    }

    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            if line == b"boom\n" {
                return Err(io::Error::other("boom")); // raise OSError("boom")
            }
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.wfile.write_all(b"finish\n")?;
        StreamRequestHandler::finish(self) // super().finish(): flush wfile
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        9999,
        "usage: handler_constructor_3 [PORT]",
    );
    let mut server = TcpServer::<HooksHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "handler_constructor_3", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!(
        "Serving TCP echo on 127.0.0.1 port {port}; setup and finish say so, `boom` fails ..."
    );
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
