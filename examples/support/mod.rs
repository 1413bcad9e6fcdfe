//! What the small examples do with a newcomer's mistakes: a bad argument or a port
//! that is taken gets one clear line on stderr and an exit status, never a panic;
//! and Ctrl-C, which stops a server as `python -m http.server` stops.
//! Each example includes it with `#[path = "support/mod.rs"] mod support;` (a copy in
//! `examples/my_*.rs` can keep that line as it is).
#![allow(dead_code)] // each example uses what it needs of it

use std::fmt::Display;
use std::process::exit;
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use socketserver::BaseServer;

/// `argument` as a port, `default` when there is none; `usage` and exit status 2 when
/// it is not a port, as Python's `argparse` does.
pub fn port_argument(argument: Option<String>, default: u16, usage: &str) -> u16 {
    match argument.map_or(Ok(default), |p| p.parse()) {
        Ok(port) => port,
        Err(_) => usage_error(usage),
    }
}

/// Prints `usage` and exits with status 2.
pub fn usage_error(usage: &str) -> ! {
    eprintln!("{usage}");
    exit(2)
}

/// The server, or one line saying why it cannot serve on `address`, and exit status 1.
/// (Any error type: tiny_http's servers fail with a boxed one.)
pub fn or_exit<T, E: Display>(result: Result<T, E>, program: &str, address: impl Display) -> T {
    result.unwrap_or_else(|error| {
        // "Address already in use (os error 98)", whichever type carries it.
        let hint = if error.to_string().contains("already in use") {
            " (is another server running there? give another port as the first argument)"
        } else {
            ""
        };
        eprintln!("{program}: cannot serve on {address}: {error}{hint}");
        exit(1)
    })
}

/// Python's `except KeyboardInterrupt:` around `serve_forever`, as in
/// `http.server.test`: Ctrl-C makes a thread call `shutdown`, so `serve_forever`
/// returns and `main` can say "Keyboard interrupt received, exiting.". Call it before
/// the server starts a thread: SIGINT is blocked in the caller and in every thread
/// started after, and only the waiting thread takes it. (A `ThreadPoolMixIn` starts
/// its workers when it activates: block SIGINT before that, as `failure_2` does.) (On a blocking server,
/// `shutdown` then waits for the request being handled, where Python's
/// `KeyboardInterrupt` would interrupt it.)
pub fn shutdown_on_ctrl_c<S: BaseServer + Send + Sync + 'static>(server: &Arc<S>) {
    let ctrl_c = SigSet::from(Signal::SIGINT);
    let _ = ctrl_c.thread_block();
    let server = Arc::clone(server);
    std::thread::spawn(move || {
        let _ = ctrl_c.wait();
        server.shutdown();
    });
}
