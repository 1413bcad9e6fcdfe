//! Solution to exercise 2 of the book's chapter "serve_forever and shutdown": another
//! thread calls `shutdown` 3.2 seconds in, and `main` measures when `serve_forever`
//! returns.
//!
//! ```text
//! cargo run --example serve_forever_2 [PORT] [POLL_INTERVAL]   # default 9999 0.5
//! cargo run --example serve_forever_2 -- 9999 5.0
//! ```
//!
//! `serve_forever` returns at the end of the turn in which `shutdown` was called:
//! after 3500 ms with a `poll_interval` of 0.5, after 5000 ms with 5.0.

use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, TcpServer,
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

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let mut args = std::env::args().skip(1);
    let usage = "usage: serve_forever_2 [PORT] [POLL_INTERVAL]";
    let port = support::port_argument(args.next(), 9999, usage);
    let poll_interval: f64 = args
        .next()
        .map_or(Ok(0.5), |p| p.parse())
        .unwrap_or_else(|_| support::usage_error(usage));
    if !(0.001..=3600.0).contains(&poll_interval) {
        support::usage_error("serve_forever_2: POLL_INTERVAL is seconds, from 0.001 to 3600");
    }
    let mut server = TcpServer::<EchoHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "serve_forever_2", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo on 127.0.0.1 port {port}, poll_interval={poll_interval:?}");

    // ANCHOR: solution
    let started = Instant::now();
    let server_for_thread = Arc::clone(&server);
    std::thread::spawn(move || {
        // 3.2 s, not 3: with a poll_interval of 0.5, 3 s would fall on the end of a turn.
        std::thread::sleep(Duration::from_millis(3200));
        println!(
            "shutdown() called at {:.1} s",
            started.elapsed().as_secs_f64()
        );
        server_for_thread.shutdown();
    });
    let served = server.serve_forever(poll_interval);
    println!(
        "serve_forever returned after {} ms",
        started.elapsed().as_millis()
    );
    // ANCHOR_END: solution
    match served {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
