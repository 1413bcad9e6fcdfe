//! What the small examples do with a newcomer's mistakes: `--help` prints the usage
//! line and what the program is for, a bad argument or a port that is taken gets one
//! clear line on stderr and an exit status; never a panic. Each example includes it
//! with `#[path = "support/mod.rs"] mod support;` (a copy in `examples/my_*.rs` can
//! keep that line as it is).
//!
//! Ctrl-C is the crate's: `socketserver::KeyboardInterrupt::install()` first in
//! `main`, and `serve_forever` returns the error that says so. Only the programs
//! whose server is not the crate's use [`exit_on_ctrl_c`] here.
#![allow(dead_code)] // each example uses what it needs of it

use std::fmt::Display;
use std::os::fd::BorrowedFd;
use std::process::exit;
use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::unistd::{getpid, write};

/// `argument` as a port, `default` when there is none; as Python's `argparse` does,
/// `-h`/`--help` prints `usage` and exits with status 0, and anything else that is not
/// a port prints its usage line and exits with status 2.
///
/// `usage` is the usage line (`usage: tcp_echo [PORT]`), then, after a blank line,
/// what the program is for, which only `--help` prints.
pub fn port_argument(argument: Option<String>, default: u16, usage: &str) -> u16 {
    check_flags(argument.as_slice(), &[], usage);
    match argument.map_or(Ok(default), |p| p.parse()) {
        Ok(port) => port,
        Err(_) => usage_error(usage),
    }
}

/// `-h`/`--help` among `arguments`: `usage` on stdout and exit status 0. Any other
/// argument starting with `-` that is not in `known`: the usage line and exit status 2.
pub fn check_flags(arguments: &[String], known: &[&str], usage: &str) {
    for argument in arguments {
        if argument == "-h" || argument == "--help" {
            println!("{usage}");
            exit(0);
        }
    }
    if arguments
        .iter()
        .any(|a| a.starts_with('-') && a.parse::<u16>().is_err() && !known.contains(&a.as_str()))
    {
        usage_error(usage);
    }
}

/// The positional arguments of `arguments`: those that are not flags, nor the value
/// after a flag in `with_value`.
pub fn positionals<'a>(arguments: &'a [String], with_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for argument in arguments {
        if std::mem::take(&mut skip) {
            continue;
        }
        if with_value.contains(&argument.as_str()) {
            skip = true;
        } else if !argument.starts_with('-') || argument.parse::<u16>().is_ok() {
            out.push(argument.as_str());
        }
    }
    out
}

/// The one optional positional argument, a port (`default` without one); anything
/// else there is a usage error, as `argparse` makes it.
pub fn port_among(arguments: &[String], with_value: &[&str], default: u16, usage: &str) -> u16 {
    match positionals(arguments, with_value)[..] {
        [] => default,
        [port] => port.parse().unwrap_or_else(|_| usage_error(usage)),
        _ => usage_error(usage),
    }
}

/// Prints the usage line of `usage` (its first line) and exits with status 2.
pub fn usage_error(usage: &str) -> ! {
    eprintln!("{}", usage.lines().next().unwrap_or(usage));
    exit(2)
}

/// The server, or one line saying why it cannot serve on `address`, and exit status 1.
/// (Any error type: tiny_http's servers fail with a boxed one.)
pub fn or_exit<T, E: Display>(result: Result<T, E>, program: &str, address: impl Display) -> T {
    result.unwrap_or_else(|error| {
        // "Address already in use (os error 98)", whichever type carries it.
        let hint = if error.to_string().contains("already in use") {
            format!(
                " (is another server running there? choose another port with {program}'s \
                 PORT argument: `{program} --help`)"
            )
        } else {
            String::new()
        };
        eprintln!("{program}: cannot serve on {address}: {error}{hint}");
        exit(1)
    })
}

/// The process that called [`exit_on_ctrl_c`].
static MAIN_PROCESS: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C (SIGINT): `\nKeyboard interrupt received, exiting.` and exit status 0.
/// Only what is safe in a signal handler: `getpid`, `write`, `_exit`.
extern "C" fn on_ctrl_c(_: nix::libc::c_int) {
    if getpid().as_raw() == MAIN_PROCESS.load(Ordering::Relaxed) {
        // SAFETY: descriptor 1 is the process's stdout, open for its whole life.
        let stdout = unsafe { BorrowedFd::borrow_raw(1) };
        let _ = write(stdout, b"\nKeyboard interrupt received, exiting.\n");
    }
    // SAFETY: _exit ends the process at once, running nothing else.
    unsafe { nix::libc::_exit(0) }
}

/// Ctrl-C ends the program at once with `python -m http.server`'s line, whatever
/// its threads are doing; a forked child ends without a word. Call it first in
/// `main`.
///
/// For the programs whose main thread does not wait in the crate's `serve_forever`,
/// where `socketserver::KeyboardInterrupt` has nothing to interrupt: the `std` and
/// tiny_http servers (their accept loops retry `EINTR` inside `std`), and the short
/// runs that serve on a thread of their own and end by themselves. A crate server
/// calls `KeyboardInterrupt::install()` instead, and closes before it exits.
pub fn exit_on_ctrl_c() {
    MAIN_PROCESS.store(getpid().as_raw(), Ordering::Relaxed);
    let action = SigAction::new(
        SigHandler::Handler(on_ctrl_c),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only calls async-signal-safe functions.
    let _ = unsafe { sigaction(Signal::SIGINT, &action) };
}
