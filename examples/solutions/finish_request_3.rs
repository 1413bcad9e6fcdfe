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

use nix::sys::signal::{SigSet, Signal};
use socketserver::{
    BaseRequestHandler, BaseServer, Blocking, Request, SocketType, Stream, StreamRequestHandler,
    TcpServer,
};

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

impl BaseServer for LeakyServer {
    type RequestHandlerClass = EchoHandler;
    type SocketType = Stream;
    type MixIn = Blocking;
    fn base(&self) -> &TcpServer<EchoHandler> {
        &self.base
    }

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

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16, shut_wr: bool) -> io::Result<LeakyServer> {
    let mut base = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    base.server_bind()?;
    base.server_activate()?;
    Ok(LeakyServer { base, shut_wr })
}

fn main() {
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shut_wr = args.iter().any(|a| a == "--shut-wr");
    let port = match args.iter().find(|a| *a != "--shut-wr") {
        None => Ok(9999),
        Some(p) => p.parse::<u16>(),
    };
    let Ok(port) = port else {
        eprintln!("usage: finish_request_3 [PORT] [--shut-wr]");
        std::process::exit(2);
    };
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port, shut_wr) {
        Ok(server) => Arc::new(server),
        Err(error) => {
            eprintln!("finish_request_3: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    let how = if shut_wr { "with" } else { "without" };
    println!("Serving TCP echo on 127.0.0.1 port {port}, {how} SHUT_WR ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    if let Err(error) = server.serve_forever(0.5) {
        eprintln!("finish_request_3: {error}");
        std::process::exit(1);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
