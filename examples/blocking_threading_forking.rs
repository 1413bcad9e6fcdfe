//! The same server run blocking, threading and forking, to see the difference with
//! two clients at once.
//!
//! ```text
//! cargo run --example blocking_threading_forking -- blocking  [PORT]   # TCPServer
//! cargo run --example blocking_threading_forking -- threading [PORT]   # ThreadingTCPServer
//! cargo run --example blocking_threading_forking -- forking   [PORT]   # ForkingTCPServer
//! ```
//!
//! Open two terminals and run `curl telnet://127.0.0.1:9999` (or `nc 127.0.0.1 9999`)
//! in each. Type a line in the first,
//! then in the second. The blocking server answers the second client only once the
//! first has left; the threading server answers both at once from two threads of one
//! process; the forking server from two processes.

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, ForkingTcpServer, KeyboardInterrupt, MixIn, Stream,
    StreamRequestHandler, TcpServer, ThreadingTcpServer,
};

#[path = "support/mod.rs"]
mod support;

// ANCHOR: handler
/// Answers each line with the process and thread that handled it.
struct WhoHandler(StreamRequestHandler);
socketserver::subclass!(WhoHandler(StreamRequestHandler));

impl BaseRequestHandler for WhoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = String::new();
        while self.rfile.read_line(&mut line)? > 0 {
            let thread = std::thread::current();
            let who = format!(
                "pid {} thread {:?}",
                std::process::id(),
                thread.name().unwrap_or("?")
            );
            // One write, one segment: self.wfile.write(f"{who}: {line}".encode())
            let reply = format!("{who}: {}\n", line.trim_end());
            self.wfile.write_all(reply.as_bytes())?;
            line.clear();
        }
        Ok(())
    }
}
// ANCHOR_END: handler

// ANCHOR: serve
/// Says where, and serves until Ctrl-C: the same lines for every kind of server, as
/// in Python, where only the class name changes. Leaving, the server closes: the
/// threading server waits for its request threads, the forking server for its
/// children (which get the terminal's Ctrl-C too).
fn serve<S: BaseServer>(server: S, kind: &str) -> io::Result<()> {
    let port = server.base().server_address.as_socket().unwrap().port();
    println!(
        "Serving {kind} on 127.0.0.1 port {port} (pid {}). In two terminals:",
        std::process::id()
    );
    println!(
        "  curl telnet://127.0.0.1:{port}   (type lines, Ctrl-C to leave; or nc 127.0.0.1 {port})"
    );
    let server = std::sync::Arc::new(server);
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}

/// Sets `allow_reuse_address` before binding, as `HTTPServer` does, so that the next
/// kind of server can take the port at once (see "Running the code"); then binds and
/// activates, or says in one line why it cannot.
fn bind<M: MixIn>(mut server: TcpServer<WhoHandler, Stream, M>) -> TcpServer<WhoHandler, Stream, M>
where
    TcpServer<WhoHandler, Stream, M>: BaseServer,
{
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    let address = format!(
        "127.0.0.1:{}",
        server.server_address.as_socket().unwrap().port()
    );
    support::or_exit(bound, "blocking_threading_forking", address);
    server
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: blocking_threading_forking blocking|threading|forking [PORT]\n\n\
        Answers each line with the process and thread that handled it, on 127.0.0.1 port \
        PORT (9999 by default): connect two clients to see how each server takes them.";
    let args: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&args, &[], usage);
    let mut args = args.into_iter();
    let kind = args.next().unwrap_or_else(|| support::usage_error(usage));
    let port = support::port_argument(args.next(), 9999, usage);
    let address = ("127.0.0.1", port);
    match kind.as_str() {
        "blocking" => serve(
            bind(TcpServer::<WhoHandler>::with_bind_and_activate(
                address, false,
            )?),
            "TCPServer",
        ),
        "threading" => serve(
            bind(ThreadingTcpServer::<WhoHandler>::with_bind_and_activate(
                address, false,
            )?),
            "ThreadingTCPServer",
        ),
        "forking" => serve(
            bind(ForkingTcpServer::<WhoHandler>::with_bind_and_activate(
                address, false,
            )?),
            "ForkingTCPServer",
        ),
        _ => support::usage_error(usage),
    }
}
// ANCHOR_END: serve
