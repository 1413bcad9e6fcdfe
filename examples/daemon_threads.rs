//! What happens to request threads when the main thread leaves: `daemon_threads` and
//! `block_on_close` on a `ThreadingTCPServer`.
//!
//! ```text
//! cargo run --example daemon_threads -- [--daemon-threads] [--no-block-on-close] [PORT]
//! ```
//!
//! The server takes one request and then its main thread leaves: it calls
//! `server_close()` and returns from `main`. The request is slow: it sends a line
//! every 100 ms, ten lines in all. Connect with the python3 client it prints, and count
//! them.
//!
//! - default (`daemon_threads = False`, `block_on_close = True`): `server_close` waits
//!   for the request thread; you get all ten lines.
//! - `--daemon-threads`: nobody waits for a daemon thread; `main` returns and the
//!   process ends mid-request, almost always before the request thread has written
//!   anything: you usually get no line (87 of 92 runs here), rarely one.
//! - `--no-block-on-close`: `server_close` returns at once, but the thread is not a
//!   daemon, and Python's interpreter waits for such threads before it exits. Rust
//!   does not, so `main` calls `join_non_daemon_threads()` to do what Python does; you
//!   get all ten lines.
//!
//! The notes this project grew from wrote, in Python 2, `t.setDaemon(1)` on each
//! request thread; Python 3 writes `t.daemon = True`, and `ThreadingMixIn` does it
//! for you from `daemon_threads`.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use socketserver::threading::join_non_daemon_threads;
use socketserver::{
    BaseRequestHandler, BaseServer, KeyboardInterrupt, StreamRequestHandler, ThreadingTcpServer,
};

#[path = "support/mod.rs"]
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
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let usage = "usage: daemon_threads [--daemon-threads] [--no-block-on-close] [PORT]\n\n\
        Takes one slow request on 127.0.0.1 port PORT (9999 by default), then leaves, \
        to show whether the request thread gets to finish.";
    support::check_flags(&args, &["--daemon-threads", "--no-block-on-close"], usage);
    let port = support::port_argument(
        args.iter().find(|a| !a.starts_with("--")).cloned(),
        9999,
        usage,
    );

    // ANCHOR: configure
    let mut server =
        ThreadingTcpServer::<SlowHandler>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.mixin.daemon_threads = flag("--daemon-threads");
    server.mixin.block_on_close = !flag("--no-block-on-close");
    // ANCHOR_END: configure
    // Restartable at once on the same port, as HTTPServer is (see "Running the code").
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "daemon_threads", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!(
        "Serving on 127.0.0.1 port {port}: daemon_threads={}, block_on_close={}. Connect with:",
        server.mixin.daemon_threads, server.mixin.block_on_close
    );
    println!(
        "  python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", {port})); print(s.makefile().read(), end=\"\")'"
    );

    // ANCHOR: leave
    // One request, handed to a new thread (Ctrl-C while waiting for it: leave).
    match server.handle_request() {
        Err(e) if KeyboardInterrupt::is(&e) => {
            println!("\nKeyboard interrupt received, exiting.");
            return Ok(());
        }
        other => other?,
    }
    let started = Instant::now();
    server.server_close();
    println!(
        "main: server_close() returned after {} ms",
        started.elapsed().as_millis()
    );
    if !server.mixin.daemon_threads {
        join_non_daemon_threads(); // what Python's interpreter does at exit
    }
    println!("main: leaving after {} ms", started.elapsed().as_millis());
    Ok(())
    // ANCHOR_END: leave
}
