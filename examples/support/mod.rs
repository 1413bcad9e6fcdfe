//! What the small examples do with a newcomer's mistakes: a bad argument or a port
//! that is taken gets one clear line on stderr and an exit status, never a panic.
//! Each example includes it with `#[path = "support/mod.rs"] mod support;` (a copy in
//! `examples/my_*.rs` can keep that line as it is).
#![allow(dead_code)] // each example uses what it needs of it

use std::fmt::Display;
use std::process::exit;

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
