//! `KeyboardInterrupt`: Ctrl-C, raised in the main thread as Python raises it.
//!
//! Python: the `KeyboardInterrupt` exception, which CPython's SIGINT handler
//! (`signal.default_int_handler`, installed at startup) raises in the main thread.
//! It interrupts whatever the main thread waits on: the `select` in
//! `serve_forever`, or a read in a handler that runs on that thread. It is not an
//! `Exception`, so `handle_error` never sees it: the request is shut down and it
//! leaves `serve_forever`, and `with server:` closes the server on the way out.
//!
//! Rust has no exceptions and dies on SIGINT by default, so the port does it in
//! three steps: [`KeyboardInterrupt::install`] puts a handler in place that only
//! notes the Ctrl-C (and makes sure the main thread's blocking call returns
//! `EINTR`); the crate's own waits and socket I/O on the main thread turn that note
//! into an `io::Error` carrying [`KeyboardInterrupt`]; `serve_forever` and
//! `handle_request` return it, and `server_close` closes the server.

use std::error::Error;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicUsize, Ordering};

use nix::libc;

/// No Ctrl-C to deal with.
const IDLE: u8 = 0;
/// A Ctrl-C came, and nothing on the main thread has raised it yet.
const PENDING: u8 = 1;
/// A socket call on the main thread raised it; `serve_forever` has not returned it.
const RAISED: u8 = 2;
/// `serve_forever` or `handle_request` returned it: the program is on its way out
/// until it serves again.
const DELIVERED: u8 = 3;

/// Where the last Ctrl-C is: one of the four states above.
static STATE: AtomicU8 = AtomicU8::new(IDLE);
/// The thread that called `install` (a `pthread_t`): Python's main thread.
static MAIN_THREAD: AtomicUsize = AtomicUsize::new(0);
/// The process that called `install` (0: not installed). A forked child resets it.
static MAIN_PROCESS: AtomicI32 = AtomicI32::new(0);
/// The signal handler sent SIGINT on to the main thread: that copy only wakes it.
static FORWARDED: AtomicBool = AtomicBool::new(false);

// ANCHOR: KeyboardInterrupt
/// Python's `KeyboardInterrupt`: Ctrl-C (SIGINT), raised in the main thread.
///
/// After [`install`](Self::install), a Ctrl-C makes the crate's waits on the thread
/// that installed it fail with an `io::Error` whose inner error is this type
/// ([`is`](Self::is) tells): the `poll` of `serve_forever` and `handle_request`,
/// and the socket reads and writes of a handler running on that thread (`rfile`,
/// `wfile`, [`Connection`](crate::Connection)'s `recv` and `sendall`). As in
/// Python, `_handle_request_noblock` does not give it to `handle_error`: it shuts
/// the request down, and `serve_forever` returns it. Then `server_close()` closes
/// the server, as the end of `with server:` does: request threads are joined
/// (`block_on_close`), forked children reaped. (Dropping the last `Arc` does the
/// same, but a request thread holds one while it runs: call it.)
///
/// ```no_run
/// # use std::io;
/// # use socketserver::{BaseServer, KeyboardInterrupt, TcpServer, StreamRequestHandler};
/// # struct H(StreamRequestHandler);
/// # socketserver::subclass!(H(StreamRequestHandler));
/// # impl socketserver::BaseRequestHandler for H {}
/// fn main() -> io::Result<()> {
///     KeyboardInterrupt::install();
///     let server = TcpServer::<H>::new(("127.0.0.1", 9999))?.into_arc();
///     // with server:
///     //     try: server.serve_forever()
///     //     except KeyboardInterrupt: print("\nKeyboard interrupt received, exiting.")
///     match server.serve_forever(0.5) {
///         Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
///         other => other?,
///     }
///     server.server_close(); // the end of `with server:`
///     Ok(())
/// }
/// ```
///
/// Differs from CPython 3.11, where Rust has no equivalent:
/// - Python raises it between any two bytecodes; here only the crate's waits and
///   socket calls raise it. Code of your own that blocks on the main thread (a
///   `std` read, `sleep`, a lock) goes on: `std` retries what `EINTR` interrupts.
///   Call [`check`](Self::check) in a long loop of your own.
/// - Its `io::Error` has the kind `Other`, not `Interrupted`: `std`'s `read_line`,
///   `read_exact` and `write_all` retry an `Interrupted` error without a word.
/// - A handler cannot swallow it: when a handler drops the error (`let _ = …`),
///   `serve_forever` still returns it at the end of that request.
/// - A request thread is never interrupted (Python delivers signals to the main
///   thread only): the crate's request threads block SIGINT, and a SIGINT that
///   lands on any other thread is sent on to the main thread.
/// - A second Ctrl-C, while the first is not yet raised or after `serve_forever`
///   returned it (a `server_close` waiting for a request thread), ends the process
///   at once by SIGINT, as Python's second Ctrl-C during that wait does, without its
///   traceback. Serving again makes Ctrl-C raise again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KeyboardInterrupt;
// ANCHOR_END: KeyboardInterrupt

impl fmt::Display for KeyboardInterrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyboardInterrupt")
    }
}

impl Error for KeyboardInterrupt {}

impl From<KeyboardInterrupt> for io::Error {
    /// The error that carries it: kind `Other` (see [`KeyboardInterrupt`] for why
    /// not `Interrupted`), inner error `KeyboardInterrupt`.
    fn from(interrupt: KeyboardInterrupt) -> io::Error {
        io::Error::other(interrupt)
    }
}

// ANCHOR: install
impl KeyboardInterrupt {
    /// Makes Ctrl-C raise `KeyboardInterrupt` in the calling thread, from now on
    /// Python's main thread. Call it first in `main`.
    ///
    /// Python: CPython installs its SIGINT handler at startup
    /// (`signal.default_int_handler`). Not in Python: the call itself, because a
    /// Rust program dies on SIGINT unless it asks otherwise. The handler is a
    /// `sigaction` without `SA_RESTART`, so a blocking call of the main thread
    /// returns `EINTR`, and does only async-signal-safe work: it notes the Ctrl-C,
    /// sends the signal on to the main thread if it landed on another, and on a
    /// second Ctrl-C ends the process as SIGINT's default action does.
    pub fn install() {
        // SAFETY: pthread_self and getpid have no preconditions.
        let (thread, process) = unsafe { (libc::pthread_self(), libc::getpid()) };
        MAIN_THREAD.store(thread as usize, Ordering::SeqCst);
        MAIN_PROCESS.store(process, Ordering::SeqCst);
        STATE.store(IDLE, Ordering::SeqCst);
        FORWARDED.store(false, Ordering::SeqCst);
        let action = nix::sys::signal::SigAction::new(
            nix::sys::signal::SigHandler::Handler(on_sigint),
            nix::sys::signal::SaFlags::empty(), // no SA_RESTART: the wait returns EINTR
            nix::sys::signal::SigSet::empty(),
        );
        // SAFETY: the handler only does async-signal-safe work (see on_sigint).
        let _ = unsafe { nix::sys::signal::sigaction(nix::sys::signal::Signal::SIGINT, &action) };
    }

    /// True when `error` carries a `KeyboardInterrupt`: Python's
    /// `except KeyboardInterrupt:`.
    pub fn is(error: &io::Error) -> bool {
        error
            .get_ref()
            .is_some_and(|inner| inner.is::<KeyboardInterrupt>())
    }

    /// Raises a Ctrl-C that came and was not raised yet: returns the error, on the
    /// main thread; `Ok` otherwise, and always on other threads. For a long loop of
    /// your own on the main thread, which no socket call of the crate interrupts.
    ///
    /// Python: `PyErr_CheckSignals()`, what the interpreter does between bytecodes.
    pub fn check() -> io::Result<()> {
        if STATE.load(Ordering::SeqCst) == PENDING
            && on_main_thread()
            && STATE
                .compare_exchange(PENDING, RAISED, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            return Err(KeyboardInterrupt.into());
        }
        Ok(())
    }
}

/// The SIGINT handler. Only async-signal-safe calls: `pthread_self`, `getpid`,
/// `pthread_kill`, `signal`, `raise`, and atomics.
extern "C" fn on_sigint(_: libc::c_int) {
    // SAFETY: all of these are async-signal-safe (signal-safety(7)); errno is kept.
    unsafe {
        let errno = *libc::__errno_location();
        let main = MAIN_THREAD.load(Ordering::SeqCst);
        let on_main = libc::pthread_self() as usize == main;
        if on_main && FORWARDED.swap(false, Ordering::SeqCst) {
            // The copy sent on below: its work (EINTR on the main thread) is done.
        } else if STATE
            .compare_exchange(IDLE, PENDING, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // A second Ctrl-C: end now, as SIGINT's default action does, once this
            // handler returns (SIGINT is blocked until then).
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::raise(libc::SIGINT);
        } else if !on_main && MAIN_PROCESS.load(Ordering::SeqCst) == libc::getpid() {
            // It landed on another thread: wake the main thread's wait with EINTR.
            FORWARDED.store(true, Ordering::SeqCst);
            libc::pthread_kill(main as libc::pthread_t, libc::SIGINT);
        }
        *libc::__errno_location() = errno;
    }
}
// ANCHOR_END: install

/// True on the thread that installed the handler (in the process that did, or in a
/// forked child of it).
fn on_main_thread() -> bool {
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    MAIN_PROCESS.load(Ordering::SeqCst) != 0 && me == MAIN_THREAD.load(Ordering::SeqCst)
}

/// `op`, again when a signal interrupted it (`EINTR`), unless a Ctrl-C is to be
/// raised on this thread: the crate's socket calls, which Python's `socket` module
/// retries the same way (PEP 475) after running the signal handlers.
pub(crate) fn retry<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        KeyboardInterrupt::check()?;
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

/// `serve_forever` and `handle_request` start: a Ctrl-C raises again (one raised
/// before, by them or by `check`, has been dealt with). A Ctrl-C that came before
/// and was not raised is raised now.
pub(crate) fn start_serving() -> io::Result<()> {
    if on_main_thread() {
        for dealt_with in [RAISED, DELIVERED] {
            let _ = STATE.compare_exchange(dealt_with, IDLE, Ordering::SeqCst, Ordering::SeqCst);
        }
    }
    leave_serving()
}

/// Where `serve_forever` and `handle_request` look for a Ctrl-C: one that came
/// during their wait, or that a handler raised (and may have dropped). Returns it,
/// once; from then on a second Ctrl-C ends the process.
pub(crate) fn leave_serving() -> io::Result<()> {
    let state = STATE.load(Ordering::SeqCst);
    if (state == PENDING || state == RAISED)
        && on_main_thread()
        && STATE
            .compare_exchange(state, DELIVERED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    {
        return Err(KeyboardInterrupt.into());
    }
    Ok(())
}

/// A handler on the main thread returned a `KeyboardInterrupt` it made itself
/// (Python: `raise KeyboardInterrupt`): `serve_forever` returns it as a Ctrl-C.
pub(crate) fn raised_by_hand() {
    if on_main_thread() {
        let _ = STATE.compare_exchange(IDLE, RAISED, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// In a forked child: its one thread is its main thread, and no Ctrl-C has come to
/// it yet. Python's child inherits its handler the same way.
pub(crate) fn after_fork() {
    if MAIN_PROCESS.load(Ordering::SeqCst) == 0 {
        return;
    }
    // SAFETY: pthread_self and getpid have no preconditions.
    let (thread, process) = unsafe { (libc::pthread_self(), libc::getpid()) };
    MAIN_THREAD.store(thread as usize, Ordering::SeqCst);
    MAIN_PROCESS.store(process, Ordering::SeqCst);
    STATE.store(IDLE, Ordering::SeqCst);
    FORWARDED.store(false, Ordering::SeqCst);
}

/// On a request thread (ThreadingMixIn, a pool's worker): SIGINT is for the main
/// thread only, as in Python, so it never interrupts this one's reads.
pub(crate) fn block_on_this_thread() {
    if MAIN_PROCESS.load(Ordering::SeqCst) != 0 {
        let _ = nix::sys::signal::SigSet::from(nix::sys::signal::Signal::SIGINT).thread_block();
    }
}
