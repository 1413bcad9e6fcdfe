//! The same server run blocking, threading and forking, to see the difference with
//! two clients at once.
//!
//! ```text
//! cargo run --example blocking_threading_forking -- blocking  [PORT]   # TCPServer
//! cargo run --example blocking_threading_forking -- threading [PORT]   # ThreadingTCPServer
//! cargo run --example blocking_threading_forking -- forking   [PORT]   # ForkingTCPServer
//! ```
//!
//! Open two terminals and run `nc 127.0.0.1 9999` in each. Type a line in the first,
//! then in the second. The blocking server answers the second client only once the
//! first has left; the threading server answers both at once from two threads of one
//! process; the forking server from two processes.

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, ForkingTcpServer, StreamRequestHandler, TcpServer,
    ThreadingTcpServer,
};

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
/// Binds, says where, and serves until killed: the same three lines for every kind
/// of server, as in Python, where only the class name changes.
fn serve<S: BaseServer>(server: S, kind: &str) -> io::Result<()> {
    let port = server.base().server_address.as_socket().unwrap().port();
    println!(
        "Serving {kind} on 127.0.0.1 port {port} (pid {}). In two terminals:",
        std::process::id()
    );
    println!("  nc 127.0.0.1 {port}");
    std::sync::Arc::new(server).serve_forever(0.5)
}

fn main() -> io::Result<()> {
    socketserver::trace::init_from_env();
    let mut args = std::env::args().skip(1);
    let usage = "usage: blocking_threading_forking blocking|threading|forking [PORT]";
    let kind = args.next().expect(usage);
    let port: u16 = args.next().map_or(Ok(9999), |p| p.parse()).expect(usage);
    let address = ("127.0.0.1", port);
    match kind.as_str() {
        "blocking" => serve(TcpServer::<WhoHandler>::new(address)?, "TCPServer"),
        "threading" => serve(
            ThreadingTcpServer::<WhoHandler>::new(address)?,
            "ThreadingTCPServer",
        ),
        "forking" => serve(
            ForkingTcpServer::<WhoHandler>::new(address)?,
            "ForkingTCPServer",
        ),
        _ => panic!("{usage}"),
    }
}
// ANCHOR_END: serve
