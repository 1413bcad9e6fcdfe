//! Solution to exercise 1 of the book's chapter "ThreadingMixIn, daemon threads and
//! block_on_close": `examples/daemon_threads.rs` with `main` sleeping 350 ms before it
//! leaves, so that a daemon request thread has time to send some of its lines.
//!
//! ```text
//! cargo run --example threading_mixin_1 -- --daemon-threads [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); print(s.makefile().read(), end="")'
//! ```
//!
//! The request thread writes line N about (N - 1) x 100 ms after it starts. Without
//! the sleep, `main` returns microseconds after `handle_request` started the thread,
//! and the process usually ends before the first line is written. With it, the
//! client gets the four lines written at 0, 100, 200 and 300 ms; the thread dies in
//! the sleep before the fifth.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use socketserver::threading::join_non_daemon_threads;
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingTcpServer};

#[path = "../support/mod.rs"]
mod support;

/// A slow request: ten lines, one every 100 ms (the sleep stands for real work).
struct SlowHandler(StreamRequestHandler);
socketserver::subclass!(SlowHandler(StreamRequestHandler));

impl BaseRequestHandler for SlowHandler {
    fn handle(&mut self) -> io::Result<()> {
        for i in 1..=10 {
            // One write per line, as Python's `self.wfile.write(…)`: `writeln!`
            // would send the pieces of its format one by one.
            self.wfile
                .write_all(format!("line {i} of 10\n").as_bytes())?;
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

fn main() -> io::Result<()> {
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let usage = "usage: threading_mixin_1 [--daemon-threads] [--no-block-on-close] [PORT]";
    support::check_flags(&args, &["--daemon-threads", "--no-block-on-close"], usage);
    let port = support::port_argument(
        args.iter().find(|a| !a.starts_with("--")).cloned(),
        9999,
        usage,
    );

    let mut server =
        ThreadingTcpServer::<SlowHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.mixin.daemon_threads = flag("--daemon-threads");
    server.mixin.block_on_close = !flag("--no-block-on-close");
    // Restartable at once on the same port, as HTTPServer is (see "Running the code").
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "threading_mixin_1", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!(
        "Serving on 127.0.0.1 port {port}: daemon_threads={}, block_on_close={}. Connect with:",
        server.mixin.daemon_threads, server.mixin.block_on_close
    );
    println!(
        "  python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", {port})); print(s.makefile().read(), end=\"\")'"
    );

    server.handle_request()?; // one request, handed to a new thread
    let started = Instant::now();
    server.server_close();
    println!(
        "main: server_close() returned after {} ms",
        started.elapsed().as_millis()
    );
    if !server.mixin.daemon_threads {
        join_non_daemon_threads(); // what Python's interpreter does at exit
    }
    // ANCHOR: solution
    // Give the request thread 350 ms before the process ends: it writes lines 1 to 4
    // (at 0, 100, 200 and 300 ms) and is asleep before line 5 when `main` returns.
    std::thread::sleep(Duration::from_millis(350));
    println!("main: slept 350 ms, leaving");
    Ok(())
    // ANCHOR_END: solution
}
