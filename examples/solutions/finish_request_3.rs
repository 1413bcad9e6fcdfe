//! Solution to exercise 3 of the book's chapter "finish_request": a server whose
//! `shutdown_request` leaks a clone of the connection and skips `SHUT_WR`, so the
//! client never sees the end of the reply; `--shut-wr` puts the `SHUT_WR` back.
//!
//! ```text
//! cargo run --example finish_request_3 [PORT] [--shut-wr]   # default 9999, on 127.0.0.1
//! ```
//!
//! Each connection served without `--shut-wr` leaks one descriptor: an experiment,
//! not a server to keep running.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, Request, SocketType, Stream,
    StreamRequestHandler, TcpServer,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
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

// ANCHOR: solution
/// A `TcpServer` whose `shutdown_request` keeps the descriptor open.
struct LeakyServer {
    base: TcpServer<EchoHandler>,
    /// `--shut-wr`: send `SHUT_WR` first, as `TCPServer.shutdown_request` does.
    shut_wr: bool,
}

socketserver::subclass!(LeakyServer { base: TcpServer<EchoHandler> });

impl BaseServer for LeakyServer {
    fn shutdown_request(&self, request: Request<Self>) {
        if self.shut_wr {
            Stream::shutdown_request(&request); // request.shutdown(socket.SHUT_WR)
        }
        // Another reference to the socket that is never dropped, as a file from
        // `makefile` that nobody closes would be in Python.
        std::mem::forget(Arc::clone(&request));
        self.close_request(request); // drops this reference: the descriptor stays open
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shut_wr = args.iter().any(|a| a == "--shut-wr");
    let port = support::port_argument(
        args.iter().find(|a| *a != "--shut-wr").cloned(),
        9999,
        "usage: finish_request_3 [PORT] [--shut-wr]",
    );
    let mut base = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    let bound = base.server_bind().and_then(|()| base.server_activate());
    support::or_exit(bound, "finish_request_3", format!("127.0.0.1:{port}"));
    let server = Arc::new(LeakyServer { base, shut_wr });
    let how = if shut_wr { "with" } else { "without" };
    println!("Serving TCP echo on 127.0.0.1 port {port}, {how} SHUT_WR ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
