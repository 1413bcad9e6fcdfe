//! Solution to exercise 1 of the book's chapter "ForkingMixIn, and composing mixins":
//! the forking server of `examples/blocking_threading_forking.rs` with
//! `serve_forever`'s `poll_interval` raised from 0.5 to 10 seconds, so that a child
//! that has exited stays a zombie until the loop's next turn.
//!
//! ```text
//! cargo run --example forking_mixin_1 [PORT]      # default 9999, on 127.0.0.1
//! ```
//!
//! A child that has exited is a zombie (`Z`) until its parent reaps it with
//! `waitpid`. `ForkingMixIn` reaps in `collect_children`, which `service_actions`
//! calls once per turn of `serve_forever`: after each request, or after
//! `poll_interval` with none. With 10 seconds, the zombie lasts until the next client
//! connects, or 10 seconds.

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
    let usage = "usage: forking_mixin_1 [PORT]";
    let port = support::port_argument(std::env::args().nth(1), 9999, usage);
    let server = ForkingTcpServer::<WhoHandler>::with_bind_and_activate(("127.0.0.1", port), false)
        .and_then(|mut server| {
            // Restartable at once on the same port, as HTTPServer is.
            server.allow_reuse_address = true;
            server.server_bind()?;
            server.server_activate()?;
            Ok(server)
        });
    let server = support::or_exit(server, "forking_mixin_1", format!("127.0.0.1:{port}"));
    println!(
        "Serving ForkingTCPServer on 127.0.0.1 port {port} (pid {}), poll_interval 10 s.",
        std::process::id()
    );
    // ANCHOR: solution
    // One turn of the loop, and so one service_actions and one collect_children,
    // per request or per 10 seconds.
    let server = Arc::new(server);
    match server.serve_forever(10.0) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
    // ANCHOR_END: solution
}
