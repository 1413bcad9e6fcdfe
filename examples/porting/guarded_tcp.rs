//! A line server that answers every line in capitals, to the addresses it allows
//! only; a line "boom" makes its handler fail. The port of
//! `examples/porting/guarded_tcp.py`, hook for hook.
//!
//! ```text
//! cargo run --example porting_guarded_tcp -- 9999 [ALLOWED ADDRESS ...]
//! nc 127.0.0.1 9999
//! ```

use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use socketserver::{
    BaseRequestHandler, BaseServer, HandlerError, Request, SockAddr, StreamRequestHandler,
    TcpServer,
};

// ANCHOR: server
// class GuardedServer(socketserver.TCPServer):
struct GuardedServer {
    base: TcpServer<UpperHandler>,
    allowed: Vec<String>,
    errors: AtomicUsize,
    reported: AtomicUsize,
}
socketserver::subclass!(GuardedServer { base: TcpServer<UpperHandler> });

impl BaseServer for GuardedServer {
    fn server_bind(&mut self) -> io::Result<()> {
        // self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket()?.set_reuse_address(true)?;
        TcpServer::server_bind(self) // super().server_bind()
    }

    fn verify_request(&self, _request: &Request<Self>, client_address: &SockAddr) -> bool {
        let host = client_address.as_socket().unwrap().ip().to_string(); // client_address[0]
        if self.allowed.contains(&host) {
            return true;
        }
        eprintln!("refused {host}");
        false
    }

    fn handle_error(&self, _: &Request<Self>, client_address: &SockAddr, error: &HandlerError) {
        self.errors.fetch_add(1, Relaxed);
        // error is sys.exc_info()[1], and prints as Python's last traceback line
        eprintln!("{}: {error}", client_address.as_socket().unwrap().ip());
    }

    fn service_actions(&self) {
        TcpServer::service_actions(self); // super().service_actions()
        let errors = self.errors.load(Relaxed);
        if self.reported.swap(errors, Relaxed) != errors {
            eprintln!("{errors} error(s) so far");
        }
    }
}
// ANCHOR_END: server

// ANCHOR: handler
// class UpperHandler(socketserver.StreamRequestHandler):
struct UpperHandler(StreamRequestHandler);
socketserver::subclass!(UpperHandler(StreamRequestHandler));

impl BaseRequestHandler for UpperHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        // for line in self.rfile:
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            if line.trim_ascii() == b"boom" {
                // raise ConnectionAbortedError("boom")
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "boom"));
            }
            self.wfile.write_all(&line.to_ascii_uppercase())?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handler

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect(); // sys.argv
    let port: u16 = argv.get(1).ok_or("usage: guarded_tcp PORT")?.parse()?;
    let allowed = match &argv[2..] {
        [] => vec!["127.0.0.1".to_string()], // sys.argv[2:] or ["127.0.0.1"]
        given => given.to_vec(),
    };
    // with GuardedServer(("127.0.0.1", port), UpperHandler, allowed) as server:
    let server = GuardedServer {
        base: TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?,
        allowed,
        errors: AtomicUsize::new(0),
        reported: AtomicUsize::new(0),
    }
    .bind_and_activate()? // TCPServer.__init__ calls our server_bind
    .__enter__();
    let port = server.server_address.as_socket().unwrap().port(); // server_address[1]
    println!("Serving on 127.0.0.1 port {port}");
    Ok(server.serve_forever(0.5)?)
}
// ANCHOR_END: main
