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

use nix::sys::signal::{SigSet, Signal};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};

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

/// Binds 127.0.0.1:`port` with `allow_reuse_address`, as `HTTPServer` does, so that a
/// restart does not wait for the last connection's TIME_WAIT.
fn bind(port: u16) -> io::Result<TcpServer<EchoHandler>> {
    let mut server = TcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    server.server_bind()?;
    server.server_activate()?;
    Ok(server)
}

fn main() {
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = args.first().map_or(Ok(9999), |p| p.parse::<u16>());
    let poll_interval = args.get(1).map_or(Ok(0.5), |p| p.parse::<f64>());
    let (Ok(port), Ok(poll_interval)) = (port, poll_interval) else {
        eprintln!("usage: serve_forever_2 [PORT] [POLL_INTERVAL]");
        std::process::exit(2);
    };
    if !(0.001..=3600.0).contains(&poll_interval) {
        eprintln!("serve_forever_2: POLL_INTERVAL is seconds, from 0.001 to 3600");
        std::process::exit(2);
    }
    // Ctrl-C is taken by the thread that waits for it: block it in every thread.
    let _ = SigSet::from(Signal::SIGINT).thread_block();
    let server = match bind(port) {
        Ok(server) => server.into_arc(),
        Err(error) => {
            eprintln!("serve_forever_2: cannot listen on 127.0.0.1 port {port}: {error}");
            std::process::exit(1);
        }
    };
    println!("Serving TCP echo on 127.0.0.1 port {port}, poll_interval={poll_interval:?}");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });

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
    if let Err(error) = served {
        eprintln!("serve_forever_2: {error}");
        std::process::exit(1);
    }
}
