//! Solution to exercise 2 of the book's chapter "ForkingMixIn, and composing mixins":
//! the forking server of `examples/blocking_threading_forking.rs` with
//! `max_children = 1`. While one child is alive, the parent waits in
//! `collect_children` (`waitpid(-1, 0)`, called from `service_actions`) and accepts
//! nobody: a second client connects (the kernel's backlog takes it) but gets its
//! answer only when the first leaves.
//!
//! ```text
//! cargo run --example forking_mixin_2 [PORT]      # default 9999, on 127.0.0.1
//! ```

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use socketserver::{
    BaseRequestHandler, BaseServer, ForkingTcpServer, KeyboardInterrupt, StreamRequestHandler,
};

#[path = "../support/mod.rs"]
mod support;

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
            let reply = format!("{who}: {}\n", line.trim_end());
            self.wfile.write_all(reply.as_bytes())?;
            line.clear();
        }
        Ok(())
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let usage = "usage: forking_mixin_2 [PORT]";
    let port = support::port_argument(std::env::args().nth(1), 9999, usage);
    // ANCHOR: solution
    let server = ForkingTcpServer::<WhoHandler>::with_bind_and_activate(("127.0.0.1", port), false)
        .and_then(|mut server| {
            server.mixin.max_children = 1; // Python: max_children = 1
            // Restartable at once on the same port, as HTTPServer is.
            server.allow_reuse_address = true;
            server.server_bind()?;
            server.server_activate()?;
            Ok(server)
        });
    // ANCHOR_END: solution
    let server = support::or_exit(server, "forking_mixin_2", format!("127.0.0.1:{port}"));
    println!(
        "Serving ForkingTCPServer on 127.0.0.1 port {port} (pid {}), max_children = 1.",
        std::process::id()
    );
    let server = Arc::new(server);
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
