//! Solution to exercise 2 of the book's chapter "ThreadingMixIn, daemon threads and
//! block_on_close": `examples/daemon_threads.rs` without the call to
//! `join_non_daemon_threads()`. Run it with `--no-block-on-close`: nobody waits for the
//! request thread any more, so the process ends mid-request, as Python's does only
//! with `daemon_threads = True`.
//!
//! ```text
//! cargo run --example threading_mixin_2 -- --no-block-on-close [PORT]   # default 9999
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 9999)); print(s.makefile().read(), end="")'
//! ```

use std::io::{self, Write};
use std::time::{Duration, Instant};

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
    let usage = "usage: threading_mixin_2 [--daemon-threads] [--no-block-on-close] [PORT]";
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
    support::or_exit(bound, "threading_mixin_2", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    println!(
        "Serving on 127.0.0.1 port {port}: daemon_threads={}, block_on_close={}. Connect with:",
        server.mixin.daemon_threads, server.mixin.block_on_close
    );
    println!(
        "  python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", {port})); print(s.makefile().read(), end=\"\")'"
    );

    // ANCHOR: solution
    server.handle_request()?; // one request, handed to a new thread
    let started = Instant::now();
    server.server_close();
    println!(
        "main: server_close() returned after {} ms",
        started.elapsed().as_millis()
    );
    // No join_non_daemon_threads() here: with block_on_close = false, nothing waits
    // for the request thread, and returning from `main` ends the process.
    println!("main: leaving after {} ms", started.elapsed().as_millis());
    Ok(())
    // ANCHOR_END: solution
}
