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
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, HandlerBase, StreamRequestHandler, TcpServer};

/// Python: `class HooksHandler(socketserver.StreamRequestHandler)`.
struct HooksHandler(StreamRequestHandler);
socketserver::subclass!(HooksHandler(StreamRequestHandler));

// ANCHOR: solution
impl BaseRequestHandler for HooksHandler {
    fn setup(&mut self) -> io::Result<()> {
        // super().setup(): there is no super(); the default body is this call.
        HandlerBase::setup::<Self>(&mut **self)?;
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
        HandlerBase::finish(&mut **self) // super().finish(): flush wfile
    }
}
// ANCHOR_END: solution

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<TcpServer<HooksHandler>> {
    let mut server = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    server.server_bind()?;
    server.server_activate()?;
    Ok(server)
}

fn main() {
    socketserver::trace::init_from_env();
    let port = match std::env::args()
        .nth(1)
        .map_or(Ok(9999), |p| p.parse::<u16>())
    {
        Ok(port) => port,
        Err(_) => {
            eprintln!("usage: handler_constructor_3 [PORT]");
            std::process::exit(2);
        }
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("handler_constructor_3: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!(
        "Serving TCP echo on 127.0.0.1 port {port}; setup and finish say so, `boom` fails ..."
    );
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("handler_constructor_3: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
