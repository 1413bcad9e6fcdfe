//! Solution to exercise 4 of the book's chapter "Python classes, Rust traits": a
//! server that says how each request ends, its `shutdown_request` calling `super()`
//! (or, with `--inner`, the inner server's method, which is not the same thing).
//!
//! ```text
//! cargo run --example classes_to_traits_4 [--inner] [PORT]   # default 9999, on 127.0.0.1
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); s.sendall(b"hello\n"); s.shutdown(socket.SHUT_WR); print(s.recv(100))'
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! class Telling(socketserver.TCPServer):
//!     def shutdown_request(self, request):
//!         print("shutdown_request")
//!         super().shutdown_request(request)
//!
//!     def close_request(self, request):
//!         print("close_request")
//!         super().close_request(request)
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, Request, StreamRequestHandler, TcpServer,
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
/// Python: `class Telling(socketserver.TCPServer)`.
struct Telling {
    base: TcpServer<EchoHandler>,
    /// `--inner`: call the inner server's method instead of super.
    inner: bool,
}
socketserver::subclass!(Telling { base: TcpServer<EchoHandler> });

impl BaseServer for Telling {
    fn shutdown_request(&self, request: Request<Self>) {
        println!("shutdown_request");
        if self.inner {
            self.base.shutdown_request(request); // the body, run on the inner server
        } else {
            TcpServer::shutdown_request(self, request); // super().shutdown_request(request)
        }
    }

    fn close_request(&self, request: Request<Self>) {
        println!("close_request");
        TcpServer::close_request(self, request) // super().close_request(request)
    }
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: classes_to_traits_4 [--inner] [PORT]";
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&arguments, &["--inner"], usage);
    let inner = arguments.iter().any(|a| a == "--inner");
    let mut ports = arguments.into_iter().filter(|a| a != "--inner");
    let (port, extra) = (ports.next(), ports.next());
    if extra.is_some() {
        support::usage_error(usage);
    }
    let port = support::port_argument(port, 9999, usage);
    let mut base = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true;
    let bound = base.server_bind().and_then(|()| base.server_activate());
    support::or_exit(bound, "classes_to_traits_4", format!("127.0.0.1:{port}"));
    let server = std::sync::Arc::new(Telling { base, inner });
    let how = if inner {
        "the inner server's"
    } else {
        "super()"
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}, shutdown_request calling {how} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
