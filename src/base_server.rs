//! `BaseServer`: the loop, and every hook it calls.
//!
//! Python: `socketserver.BaseServer` (Lib/socketserver.py, lines 153-389).

use std::any::Any;
use std::fmt;
use std::io;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use socket2::SockAddr;

use crate::address::address_repr;
use crate::handlers::{BaseRequestHandler, HandlerBase};
use crate::interrupt::{self, KeyboardInterrupt};
use crate::tcp_server::{SocketType, TcpServer};
use crate::traced;

/// The request a server hands to its handler: a [`Connection`](crate::Connection)
/// for stream servers (with TLS on it for an HTTPS server), `(packet, socket)` for
/// datagram servers (Python: the `request` argument).
pub type Request<S> = <<S as ServerBase>::SocketType as SocketType>::Request;

// ANCHOR: ServerRef
/// The server of a handler that does not name its own: any server, as `dyn Any`.
/// `StreamRequestHandler` is `StreamRequestHandler<AnyServer>`.
pub type AnyServer = dyn Any + Send + Sync;

/// What a handler that does not name its server sees of it: Python's `self.server`,
/// as an `Arc<dyn Any>`. A handler that uses its server's fields names the server
/// instead (`StreamRequestHandler<MyServer>`), and `self.server` is an `Arc<MyServer>`.
pub type ServerRef = Arc<AnyServer>;
// ANCHOR_END: ServerRef

// ANCHOR: FromServer
/// How a server becomes its handler's `self.server`: the server itself, when the
/// handler names it (`StreamRequestHandler<MyServer>` on `MyServer`), or any server
/// as [`AnyServer`]. A handler that names another server than the one that runs it
/// is a compile error here, not a failed downcast at run time:
///
/// ```compile_fail
/// use std::sync::Mutex;
/// use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingTcpServer};
///
/// struct Counter {
///     base: ThreadingTcpServer<Count>,
///     count: Mutex<u64>,
/// }
/// socketserver::subclass!(Counter { base: ThreadingTcpServer<Count> });
/// impl BaseServer for Counter {}
///
/// struct Count(StreamRequestHandler<Counter>); // self.server is a Counter
/// socketserver::subclass!(Count(StreamRequestHandler<Counter>));
/// impl BaseRequestHandler for Count {}
///
/// // A plain ThreadingTcpServer cannot run it: "the trait bound `Counter:
/// // FromServer<TcpServer<Count, Stream, ThreadingMixIn>>` is not satisfied".
/// let server = ThreadingTcpServer::<Count>::new(("127.0.0.1", 0))?.into_arc();
/// server.serve_forever(0.5)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "this handler's server is `{Self}`, but `{S}` runs it",
    label = "the handler names `{Self}` as its server",
    note = "run the handler on the server it names, or name this one: `StreamRequestHandler<{S}>`",
    note = "a server generic over its base says `where HandlerServer<Self>: FromServer<Self>`"
)]
pub trait FromServer<S> {
    /// `server`, as the handler's `self.server`.
    fn from_server(server: Arc<S>) -> Arc<Self>;
}

impl<S: Any + Send + Sync> FromServer<S> for AnyServer {
    fn from_server(server: Arc<S>) -> Arc<Self> {
        server
    }
}

impl<S> FromServer<S> for S {
    fn from_server(server: Arc<S>) -> Arc<Self> {
        server
    }
}

/// The server a server's handler names: `S` in `StreamRequestHandler<S>`.
pub type HandlerServer<S> =
    <<<S as ServerBase>::RequestHandlerClass as Deref>::Target as HandlerBase>::Server;

/// The constructor arguments a server gives its handlers (`functools.partial`).
pub type HandlerArguments<H> = <<H as Deref>::Target as HandlerBase>::Arguments;

/// A server that can be its handler's `self.server`: every [`BaseServer`] is one
/// (it is a supertrait), so that a server runs only the handlers that name it, or
/// name none.
pub trait ServesHandler: ServerBase {
    /// This server, as its handler's `self.server`.
    fn handler_server(self: &Arc<Self>) -> Arc<HandlerServer<Self>>;
}

impl<S: ServerBase> ServesHandler for S
where
    HandlerServer<S>: FromServer<S>,
{
    fn handler_server(self: &Arc<Self>) -> Arc<HandlerServer<Self>> {
        FromServer::from_server(Arc::clone(self))
    }
}
// ANCHOR_END: FromServer

/// Python's `SystemExit`: raise it in a handler with
/// `std::panic::panic_any(SystemExit(status))`.
///
/// Like every `BaseException` that is not an `Exception`, it is not given to
/// `handle_error`: the request is shut down and the panic goes on up to the caller of
/// `serve_forever` or `handle_request` (or, on a request thread, ends that thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemExit(pub i32);

/// What went wrong while processing a request: Python's exception, as
/// `handle_error` sees it through `sys.exc_info()`.
pub enum HandlerError {
    /// A hook returned an error.
    Io(io::Error),
    /// A hook panicked.
    Panic {
        /// What `panic!` was given.
        payload: Box<dyn Any + Send>,
        /// Where it panicked, `file:line:column`: the last line of Python's traceback.
        location: Option<String>,
        /// The stack, when `RUST_BACKTRACE` asks for one (as `std` decides).
        backtrace: Option<String>,
    },
}

impl HandlerError {
    /// True for a [`SystemExit`] panic, which `handle_error` never sees.
    pub fn is_system_exit(&self) -> bool {
        matches!(self, HandlerError::Panic { payload, .. } if payload.is::<SystemExit>())
    }

    /// True for an error that carries a [`KeyboardInterrupt`] (Ctrl-C), which
    /// `handle_error` never sees either: Python's `KeyboardInterrupt` is not an
    /// `Exception`.
    pub fn is_keyboard_interrupt(&self) -> bool {
        matches!(self, HandlerError::Io(error) if KeyboardInterrupt::is(error))
    }
}

impl From<io::Error> for HandlerError {
    fn from(error: io::Error) -> Self {
        HandlerError::Io(error)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Io(e) => write!(f, "{:?}Error: {e}", e.kind()),
            HandlerError::Panic {
                payload,
                location,
                backtrace,
            } => {
                if let Some(exit) = payload.downcast_ref::<SystemExit>() {
                    return write!(f, "SystemExit: {}", exit.0);
                }
                write!(f, "panic")?;
                if let Some(location) = location {
                    write!(f, " at {location}")?;
                }
                if let Some(s) = payload.downcast_ref::<&str>() {
                    write!(f, ": {s}")?;
                } else if let Some(s) = payload.downcast_ref::<String>() {
                    write!(f, ": {s}")?;
                }
                if let Some(backtrace) = backtrace {
                    write!(f, "\nstack backtrace:\n{backtrace}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

// ANCHOR: catch
thread_local! {
    /// Inside `catch` on this thread: a panic is `handle_error`'s to report.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where the last caught panic happened, and its stack if asked for.
    static CAUGHT: std::cell::RefCell<(Option<String>, Option<String>)> =
        const { std::cell::RefCell::new((None, None)) };
}

/// Installs, once, a panic hook that stays silent for a panic `catch` will hand to
/// `handle_error` (keeping its location and, with `RUST_BACKTRACE`, its stack), and
/// prints every other panic as before. Python prints one traceback per failed
/// request, from `handle_error`; without this, the panic hook printed it first.
fn quiet_caught_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.get() {
                return previous(info);
            }
            let location = info.location().map(|l| l.to_string());
            let backtrace = std::backtrace::Backtrace::capture();
            let backtrace = (backtrace.status() == std::backtrace::BacktraceStatus::Captured)
                .then(|| backtrace.to_string());
            CAUGHT.set((location, backtrace));
        }));
    });
}

/// Runs `f`, turning a panic into a [`HandlerError`]: the Rust half of Python's
/// `try: ... except Exception:`.
pub(crate) fn catch(f: impl FnOnce() -> Result<(), HandlerError>) -> Result<(), HandlerError> {
    quiet_caught_panics();
    let outer = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(outer);
    match result {
        Ok(result) => result,
        Err(payload) => {
            let (location, backtrace) = CAUGHT.take();
            Err(HandlerError::Panic {
                payload,
                location,
                backtrace,
            })
        }
    }
}
// ANCHOR_END: catch

/// Python's private `__is_shut_down` event and `__shutdown_request` flag, which
/// `serve_forever` and `shutdown` use to talk across threads.
pub(crate) struct ShutdownState {
    /// `accept` failed for want of descriptors, and the log said so.
    out_of_descriptors: AtomicBool,
    shutdown_request: AtomicBool,
    is_shut_down: Mutex<bool>,
    changed: Condvar,
}

impl ShutdownState {
    pub(crate) fn new() -> Self {
        ShutdownState {
            out_of_descriptors: AtomicBool::new(false),
            shutdown_request: AtomicBool::new(false),
            // A new threading.Event is clear: shutdown() before serve_forever() waits.
            is_shut_down: Mutex::new(false),
            changed: Condvar::new(),
        }
    }

    fn set_is_shut_down(&self, value: bool) {
        *self.is_shut_down.lock().unwrap_or_else(|e| e.into_inner()) = value;
        self.changed.notify_all();
    }
}

/// Sets the shutdown state back on every way out of `serve_forever`, unwinding
/// included: Python's `finally:` clause.
struct ServeForeverFinally<'a>(&'a ShutdownState);

impl Drop for ServeForeverFinally<'_> {
    fn drop(&mut self) {
        self.0.shutdown_request.store(false, Ordering::SeqCst);
        self.0.set_is_shut_down(true);
    }
}

// ANCHOR: accept_backoff
/// How long the accept loop waits after `accept` failed for want of descriptors.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// After a failed `accept`: if the process (`EMFILE`) or the system (`ENFILE`) has no
/// descriptor left, say so once and wait [`ACCEPT_BACKOFF`], rather than polling a
/// socket that stays readable in a loop that would take a whole core.
fn accept_backoff(state: &ShutdownState, error: &io::Error) {
    let exhausted = matches!(
        error.raw_os_error(),
        Some(code) if code == nix::libc::EMFILE || code == nix::libc::ENFILE
    );
    if !exhausted {
        return;
    }
    if !state.out_of_descriptors.swap(true, Ordering::Relaxed) {
        eprintln!("socketserver: accept failed ({error}); backing off until descriptors free up");
    }
    std::thread::sleep(ACCEPT_BACKOFF);
}
// ANCHOR_END: accept_backoff

/// Waits until `fd` is readable or `timeout` passes (`None`: forever): one call of
/// Python's `selector.select(timeout)` on a `PollSelector` holding the server.
/// An interrupted wait (EINTR) counts as "nothing ready", as the loops retry anyway,
/// after they have looked for a Ctrl-C to raise.
pub(crate) fn wait_readable(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    let timeout = match timeout {
        None => PollTimeout::NONE,
        // Round up to whole milliseconds, so that 0.0001 s does not become a busy loop.
        Some(t) => {
            PollTimeout::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(PollTimeout::MAX)
        }
    };
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    match poll(&mut fds, timeout) {
        Ok(n) => Ok(n > 0),
        Err(Errno::EINTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The strategy for `process_request`: Python's mixins.
///
/// `ThreadingMixIn` and `ForkingMixIn` each override `process_request` (and a few more
/// hooks) of the server they are mixed into. Here the server's hooks ask its mixin type
/// `M`, so `TcpServer<H, Stream, ThreadingMixIn>` is Python's
/// `class ThreadingTCPServer(ThreadingMixIn, TCPServer)`. A mixin value lives in the
/// server (`server.mixin`) and holds the mixin's attributes and state.
pub trait MixIn: Default + Send + Sync + 'static {
    /// The mixin's override of the class attribute `BaseServer.timeout`, if any.
    const TIMEOUT: Option<Duration> = None;

    /// Python: the mixin's `process_request(request, client_address)`.
    fn process_request<S: BaseServer<MixIn = Self>>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError>;

    /// Python: the mixin's `service_actions()`; nothing by default.
    fn service_actions(&self) {}

    /// Python: the mixin's `handle_timeout()`; nothing by default.
    fn handle_timeout(&self) {}

    /// The mixin's half of `server_close()`, run after the socket is closed: join the
    /// threads, reap the children. Nothing by default.
    fn server_close(&self) {}
}

/// No mixin: every request is handled on the thread that runs the loop, one at a time.
///
/// Python: `BaseServer.process_request`, as a plain `TCPServer` or `UDPServer` runs it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Blocking;

impl MixIn for Blocking {
    // ANCHOR: process_request
    /// Python: `BaseServer.process_request(request, client_address)`:
    /// `finish_request`, then `shutdown_request`.
    fn process_request<S: BaseServer<MixIn = Self>>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        traced!(server.finish_request(request.clone(), client_address))?;
        traced!(server.shutdown_request(request));
        Ok(())
    }
    // ANCHOR_END: process_request
}

// ANCHOR: ServerBase
/// The class a server is built on: its attributes (the [`TcpServer`] underneath) and
/// the types Python's class decides: the handler class, stream or datagram, the
/// mixin. Implemented by the crate's server classes ([`TcpServer`] and its aliases,
/// [`HttpServer`](crate::http::server::HttpServer),
/// [`HttpsServer`](crate::http::server::HttpsServer)) and, through [`Subclass`], by
/// every struct that derefs to one of them.
///
/// It also holds the two hooks whose bodies differ between the crate's classes,
/// `server_bind` (`HTTPServer` records its name after binding) and
/// `server_activate` (`HTTPSServer` wraps the socket in TLS after listening), so
/// that a subclass that does not override them gets its class's.
pub trait ServerBase: Send + Sync + 'static {
    /// Python: the `RequestHandlerClass` given to the constructor.
    type RequestHandlerClass: BaseRequestHandler<
        Target: HandlerBase<Request = <Self::SocketType as SocketType>::Request>,
    >;
    /// Stream or datagram: what `TCPServer` or `UDPServer` contributes.
    type SocketType: SocketType;
    /// The mixin that decides how `process_request` runs.
    type MixIn: MixIn;
    /// The crate's class this server is, or is a subclass of: `TcpServer<…>`,
    /// `HttpServer<…>` or `HttpsServer<…>`.
    type Class: ServerBase<
            RequestHandlerClass = Self::RequestHandlerClass,
            SocketType = Self::SocketType,
            MixIn = Self::MixIn,
        >;

    /// The `TcpServer` this server is built on: its socket, addresses and attributes.
    fn base(&self) -> &TcpServer<Self::RequestHandlerClass, Self::SocketType, Self::MixIn>;
    /// The same, to change before binding (`server_bind` records the real address).
    fn base_mut(
        &mut self,
    ) -> &mut TcpServer<Self::RequestHandlerClass, Self::SocketType, Self::MixIn>;
    /// The crate's class, with its own attributes (`HttpsServer::certfile`).
    fn class(&self) -> &Self::Class;
    /// The same, to change (`HttpServer::server_name`).
    fn class_mut(&mut self) -> &mut Self::Class;

    /// The class's `server_bind` body, run on `this`, the most-derived server.
    fn server_bind<S: ServerBase<Class = Self::Class>>(this: &mut S) -> io::Result<()>;

    /// The class's `server_activate` body, run on `this`, the most-derived server.
    fn server_activate<S: ServerBase<Class = Self::Class>>(this: &S) -> io::Result<()>;
}

/// Marks a struct as a Python subclass of the server class it derefs to: it then is
/// a [`ServerBase`] with that class's attributes and types, and implements
/// [`BaseServer`] with only the hooks it overrides. [`subclass!`](crate::subclass)
/// writes it; a struct with fields of its own writes `Deref`, `DerefMut` and
/// `impl Subclass for MyServer {}` by hand.
pub trait Subclass: std::ops::DerefMut {}

impl<T> ServerBase for T
where
    T: Subclass<Target: ServerBase> + Send + Sync + 'static,
{
    type RequestHandlerClass = <T::Target as ServerBase>::RequestHandlerClass;
    type SocketType = <T::Target as ServerBase>::SocketType;
    type MixIn = <T::Target as ServerBase>::MixIn;
    type Class = <T::Target as ServerBase>::Class;

    fn base(&self) -> &TcpServer<Self::RequestHandlerClass, Self::SocketType, Self::MixIn> {
        (**self).base()
    }
    fn base_mut(
        &mut self,
    ) -> &mut TcpServer<Self::RequestHandlerClass, Self::SocketType, Self::MixIn> {
        (**self).base_mut()
    }
    fn class(&self) -> &Self::Class {
        (**self).class()
    }
    fn class_mut(&mut self) -> &mut Self::Class {
        (**self).class_mut()
    }
    fn server_bind<S: ServerBase<Class = Self::Class>>(this: &mut S) -> io::Result<()> {
        <T::Target as ServerBase>::server_bind(this)
    }
    fn server_activate<S: ServerBase<Class = Self::Class>>(this: &S) -> io::Result<()> {
        <T::Target as ServerBase>::server_activate(this)
    }
}
// ANCHOR_END: ServerBase

/// Python: `socketserver.BaseServer`, the server loop and its hooks.
///
/// The template methods ([`serve_forever`](Self::serve_forever),
/// [`handle_request`](Self::handle_request),
/// [`_handle_request_noblock`](Self::_handle_request_noblock)) call the hooks on
/// `self`, so a type that overrides a hook changes what the loop does, as a Python
/// subclass does. [`TcpServer`] implements it with every default. To override a hook,
/// wrap a server in your own type, mark it a [`subclass!`](crate::subclass) of the
/// server it wraps, and write the hook:
///
/// ```no_run
/// use socketserver::{BaseServer, Request, SockAddr, ThreadingTcpServer};
/// # use socketserver::{BaseRequestHandler, StreamRequestHandler};
/// # struct Echo(StreamRequestHandler);
/// # socketserver::subclass!(Echo(StreamRequestHandler));
/// # impl BaseRequestHandler for Echo {}
///
/// // class LoopbackOnly(socketserver.ThreadingTCPServer):
/// struct LoopbackOnly(ThreadingTcpServer<Echo>);
/// socketserver::subclass!(LoopbackOnly(ThreadingTcpServer<Echo>));
///
/// impl BaseServer for LoopbackOnly {
///     // def verify_request(self, request, client_address):
///     fn verify_request(&self, _request: &Request<Self>, client_address: &SockAddr) -> bool {
///         client_address.as_socket().is_some_and(|a| a.ip().is_loopback())
///     }
/// }
/// ```
///
/// ## `super()`
///
/// Every hook's body is an associated function of the class that defines it in
/// Python, generic over the server it runs on: the hook's default calls it, and so
/// can an override, as Python 2 wrote `TCPServer.shutdown_request(self, request)`:
///
/// ```text
/// def shutdown_request(self, request):         fn shutdown_request(&self, request: Request<Self>) {
///     self.shutdown_called += 1                     self.shutdown_called.fetch_add(1, SeqCst);
///     super().shutdown_request(request)             TcpServer::shutdown_request(self, request)
///                                               }
/// ```
///
/// `self` stays your server inside the body, so the hooks it calls
/// (`self.close_request(request)`) are your overrides, as in Python. The bodies of
/// `BaseServer` and `TCPServer` are on [`TcpServer`] (and so on its aliases:
/// `ThreadingTcpServer::process_request(self, …)` runs the mixin's, as `super()`
/// does in a subclass of `ThreadingTCPServer`); `HTTPServer`'s `server_bind` is
/// [`HttpServer::server_bind`](crate::http::server::HttpServer::server_bind).
/// Calling the trait instead, `BaseServer::shutdown_request(self, request)`, is
/// calling your own override again.
///
/// ## Choosing the server class at run time
///
/// Python picks a class with a value, `ServerClass = ThreadingTCPServer if threading
/// else TCPServer`. A Rust type exists only at compile time, and `BaseServer` is not
/// dyn-compatible (`Arc<dyn BaseServer>` is error E0038: the trait has associated
/// types and generic bodies). Put everything after the choice in a function generic
/// over the server (or over its mixin), and let the flag pick which copy runs:
///
/// ```no_run
/// use std::io;
/// use socketserver::{BaseServer, TcpServer, ThreadingTcpServer};
/// # use socketserver::{BaseRequestHandler, StreamRequestHandler};
/// # struct Echo(StreamRequestHandler);
/// # socketserver::subclass!(Echo(StreamRequestHandler));
/// # impl BaseRequestHandler for Echo {}
///
/// fn serve<S: BaseServer>(server: S) -> io::Result<()> {
///     std::sync::Arc::new(server).serve_forever(0.5)
/// }
///
/// fn main() -> io::Result<()> {
///     let address = ("127.0.0.1", 9999);
///     if std::env::args().any(|a| a == "--threading") {
///         serve(ThreadingTcpServer::<Echo>::new(address)?)
///     } else {
///         serve(TcpServer::<Echo>::new(address)?)
///     }
/// }
/// ```
///
/// `examples/blocking_threading_forking.rs` does this for three classes.
///
/// Methods that hand `self` to another thread take `self: &Arc<Self>`: Python's `self`
/// is a shared, reference-counted object, and Rust says so. Build a server, set its
/// attributes, then share it with `Arc::new` (or [`TcpServer::into_arc`]).
pub trait BaseServer: ServerBase + ServesHandler + Sized {
    // ANCHOR: server_bind_hook
    /// Binds the socket to `server_address`. Called by the constructor.
    ///
    /// Python: `TCPServer.server_bind()` (and `HTTPServer.server_bind()`): the body
    /// is the class's ([`TcpServer::server_bind`],
    /// [`HttpServer::server_bind`](crate::http::server::HttpServer::server_bind)).
    fn server_bind(&mut self) -> io::Result<()> {
        <Self as ServerBase>::server_bind(self)
    }
    // ANCHOR_END: server_bind_hook

    /// Python: `TCPServer.server_activate()`: `listen` (nothing for datagrams);
    /// `HTTPSServer.server_activate()` then wraps the socket in TLS. Called by the
    /// constructor, after `server_bind`. The body is the class's
    /// ([`TcpServer::server_activate`],
    /// [`HttpsServer::server_activate`](crate::http::server::HttpsServer::server_activate)).
    fn server_activate(&self) -> io::Result<()> {
        <Self as ServerBase>::server_activate(self)
    }

    // ANCHOR: bind_and_activate_method
    /// Binds and activates a server that was built unbound
    /// (`with_bind_and_activate(address, false)`), with this server's own
    /// `server_bind` and `server_activate`; if either fails, this server's
    /// `server_close`, and the error.
    ///
    /// Python: what `TCPServer.__init__` does last, `self.server_bind();
    /// self.server_activate()`, which runs a subclass's overrides because `self` is the
    /// subclass. A wrapper is built around an unbound base, then bound as itself:
    /// `MyServer { base: TcpServer::with_bind_and_activate(address, false)?, .. }.bind_and_activate()`.
    fn bind_and_activate(mut self) -> io::Result<Self> {
        // try: self.server_bind(); self.server_activate()
        // except: self.server_close(); raise
        match self.server_bind().and_then(|()| self.server_activate()) {
            Ok(()) => Ok(self),
            Err(error) => {
                self.server_close();
                Err(error)
            }
        }
    }
    // ANCHOR_END: bind_and_activate_method

    // ANCHOR: serve_forever
    /// Handles one request at a time until [`shutdown`](Self::shutdown).
    ///
    /// Polls for `shutdown` every `poll_interval` seconds and calls
    /// [`service_actions`](Self::service_actions) on every turn. Ignores
    /// `self.timeout`: that is for `handle_request`.
    ///
    /// Python: `BaseServer.serve_forever(poll_interval=0.5)`. Returns an error where
    /// Python would raise one from the selector (the socket was closed under it),
    /// and, after [`KeyboardInterrupt::install`], one that carries a
    /// [`KeyboardInterrupt`] on Ctrl-C, where Python raises it out of the `select`
    /// or out of a handler running on this thread: the request it interrupted is
    /// shut down first. Called again, it serves again.
    ///
    /// Differs from CPython 3.11: an attribute read when the socket is bound
    /// (`allow_reuse_address`, `allow_reuse_port`) but set only after binding has no
    /// effect, which Python never says; here `serve_forever` refuses to start and
    /// says how to set it in time.
    fn serve_forever(self: &Arc<Self>, poll_interval: f64) -> io::Result<()> {
        self.base().bind_time_attributes_in_effect()?;
        let _span = crate::__span!("serve_forever").entered();
        let state = &self.base().state;
        state.set_is_shut_down(false);
        let _finally = ServeForeverFinally(state);
        let socket = self.base().socket()?;
        let poll_interval = Duration::from_secs_f64(poll_interval);
        interrupt::start_serving()?;
        // XXX (in Python too): consider using another file descriptor or connecting
        // to the socket to wake this up instead of polling.
        while !state.shutdown_request.load(Ordering::SeqCst) {
            let ready = wait_readable(socket.as_fd(), Some(poll_interval))?;
            interrupt::leave_serving()?; // Ctrl-C: KeyboardInterrupt out of select()
            // bpo-35017: shutdown() called during select(), exit immediately.
            if state.shutdown_request.load(Ordering::SeqCst) {
                break;
            }
            if ready {
                traced!(self._handle_request_noblock());
                interrupt::leave_serving()?; // raised in the handler
            }
            traced!(self.service_actions());
        }
        Ok(())
    }
    // ANCHOR_END: serve_forever

    // ANCHOR: shutdown
    /// Stops the `serve_forever` loop and waits until it has stopped.
    ///
    /// Call it from another thread: called on the thread running `serve_forever`, it
    /// waits forever, as in Python. It returns within one `poll_interval`. Called
    /// before `serve_forever` starts, it waits for that loop to start and stop.
    ///
    /// Python: `BaseServer.shutdown()`.
    fn shutdown(&self) {
        let state = &self.base().state;
        state.shutdown_request.store(true, Ordering::SeqCst);
        let mut is_shut_down = state.is_shut_down.lock().unwrap_or_else(|e| e.into_inner());
        while !*is_shut_down {
            is_shut_down = state
                .changed
                .wait(is_shut_down)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
    // ANCHOR_END: shutdown

    /// Called by `serve_forever` on every turn of its loop, request or not.
    /// Python: `BaseServer.service_actions()`. Body: [`TcpServer::service_actions`].
    fn service_actions(&self) {
        TcpServer::service_actions(self)
    }

    // ANCHOR: handle_request
    /// Handles one request, waiting at most `self.timeout` for it
    /// (then calls [`handle_timeout`](Self::handle_timeout)).
    ///
    /// Python: `BaseServer.handle_request()`. Python also honours a timeout set on the
    /// listening socket; ours never has one. Ctrl-C, after
    /// [`KeyboardInterrupt::install`], returns an error that carries a
    /// [`KeyboardInterrupt`], as `serve_forever` does.
    ///
    /// Differs from CPython 3.11: as `serve_forever`, it refuses to start when
    /// `allow_reuse_address` or `allow_reuse_port` was set after binding.
    fn handle_request(self: &Arc<Self>) -> io::Result<()> {
        self.base().bind_time_attributes_in_effect()?;
        let _span = crate::__span!("handle_request").entered();
        let mut timeout = self.base().timeout;
        let deadline = timeout.map(|t| Instant::now() + t);
        let socket = self.base().socket()?;
        interrupt::start_serving()?;
        loop {
            let ready = wait_readable(socket.as_fd(), timeout)?;
            interrupt::leave_serving()?; // Ctrl-C: KeyboardInterrupt out of select()
            if ready {
                traced!(self._handle_request_noblock());
                return interrupt::leave_serving(); // raised in the handler
            }
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    traced!(self.handle_timeout());
                    return Ok(());
                }
                timeout = Some(left);
            }
        }
    }
    // ANCHOR_END: handle_request

    // ANCHOR: _handle_request_noblock
    /// Gets one request and processes it, assuming the socket is readable.
    ///
    /// A failed `get_request` is ignored. A request that `verify_request` refuses is
    /// shut down. An error or panic from `process_request` goes to `handle_error`,
    /// then the request is shut down, and the server goes on. A [`SystemExit`] panic
    /// shuts the request down and goes on unwinding. A [`KeyboardInterrupt`] error
    /// (Ctrl-C in a handler on this thread) shuts the request down without
    /// `handle_error`, and `serve_forever` returns it.
    ///
    /// Python: `BaseServer._handle_request_noblock()`.
    ///
    /// Differs from CPython 3.11: when `accept` fails for want of descriptors
    /// (`EMFILE`, `ENFILE`), the connection stays in the backlog and the socket stays
    /// readable, so CPython's loop spins at full speed until a descriptor frees up.
    /// The port waits a moment (`accept_backoff`) before it tries again, and says so
    /// once on stderr until an `accept` succeeds again.
    fn _handle_request_noblock(self: &Arc<Self>) {
        let (request, client_address) = match traced!(self.get_request()) {
            Ok(pair) => {
                self.base()
                    .state
                    .out_of_descriptors
                    .store(false, Ordering::Relaxed);
                pair
            }
            Err(error) => {
                accept_backoff(&self.base().state, &error);
                return;
            }
        };
        if traced!(self.verify_request(&request, &client_address)) {
            let result =
                catch(|| traced!(self.process_request(request.clone(), client_address.clone())));
            match result {
                Ok(()) => {}
                Err(error) if error.is_system_exit() => {
                    traced!(self.shutdown_request(request));
                    if let HandlerError::Panic { payload, .. } = error {
                        panic::resume_unwind(payload);
                    }
                }
                // Not an Exception either: the caller of serve_forever gets it.
                Err(error) if error.is_keyboard_interrupt() => {
                    interrupt::raised_by_hand();
                    traced!(self.shutdown_request(request));
                }
                Err(error) => {
                    traced!(self.handle_error(&request, &client_address, &error));
                    traced!(self.shutdown_request(request));
                }
            }
        } else {
            traced!(self.shutdown_request(request));
        }
    }
    // ANCHOR_END: _handle_request_noblock

    /// Called by `handle_request` when `self.timeout` passes with no request.
    /// Python: `BaseServer.handle_timeout()`. Body: [`TcpServer::handle_timeout`].
    fn handle_timeout(&self) {
        TcpServer::handle_timeout(self)
    }

    /// Takes the next request from the socket. Python: `TCPServer.get_request()`.
    /// Body: [`TcpServer::get_request`].
    fn get_request(&self) -> io::Result<(Request<Self>, SockAddr)> {
        TcpServer::get_request(self)
    }

    /// Decides whether to process a request. Python:
    /// `BaseServer.verify_request(request, client_address)`. Body:
    /// [`TcpServer::verify_request`].
    fn verify_request(&self, request: &Request<Self>, client_address: &SockAddr) -> bool {
        TcpServer::verify_request(self, request, client_address)
    }

    /// Processes one request, as the mixin decides. Python:
    /// `BaseServer.process_request(request, client_address)` and the mixins'
    /// overrides. Body: [`TcpServer::process_request`].
    fn process_request(
        self: &Arc<Self>,
        request: Request<Self>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        TcpServer::process_request(self, request, client_address)
    }

    /// Closes the server. Python: `TCPServer.server_close()` and the mixins'
    /// overrides. Body: [`TcpServer::server_close`].
    fn server_close(&self) {
        TcpServer::server_close(self)
    }

    /// Constructs the handler, which does all the work. Python:
    /// `BaseServer.finish_request(request, client_address)`. Body:
    /// [`TcpServer::finish_request`].
    fn finish_request(
        self: &Arc<Self>,
        request: Request<Self>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        TcpServer::finish_request(self, request, client_address)
    }

    /// Ends one request, then `close_request`. Python:
    /// `TCPServer.shutdown_request(request)`. Body: [`TcpServer::shutdown_request`].
    fn shutdown_request(&self, request: Request<Self>) {
        TcpServer::shutdown_request(self, request)
    }

    /// Closes one request. Python: `TCPServer.close_request(request)`. Body:
    /// [`TcpServer::close_request`].
    fn close_request(&self, request: Request<Self>) {
        TcpServer::close_request(self, request)
    }

    /// Reports an error from processing a request. Python:
    /// `BaseServer.handle_error(request, client_address)`. Body:
    /// [`TcpServer::handle_error`].
    fn handle_error(
        &self,
        request: &Request<Self>,
        client_address: &SockAddr,
        error: &HandlerError,
    ) {
        TcpServer::handle_error(self, request, client_address, error)
    }

    /// The listening socket's descriptor, -1 once closed.
    ///
    /// Python: `TCPServer.fileno()`.
    fn fileno(&self) -> RawFd {
        self.base().socket().map(|s| s.as_raw_fd()).unwrap_or(-1)
    }

    // ANCHOR: __enter__
    /// Shares the server and closes it with this server's own `server_close` when the
    /// returned [`With`] goes out of scope: Python's `with MyServer(...) as server:`,
    /// where the block is the guard's scope.
    ///
    /// Python: `BaseServer.__enter__()` (returns `self`) and `__exit__()` (calls
    /// `self.server_close()`, a subclass's override included). Dropping a server
    /// without it closes only what the crate's class closes: a wrapper's override of
    /// `server_close` runs only through the guard, or a call.
    fn __enter__(self) -> With<Self> {
        With(Arc::new(self))
    }
    // ANCHOR_END: __enter__
}

/// The server inside a `with` block: derefs to the shared server (`Arc<S>`), and
/// calls its `server_close` (the server's own override, if it has one) when dropped.
/// Made by [`BaseServer::__enter__`].
///
/// Python: the `as server` of `with MyServer(...) as server:`; dropping it is
/// `__exit__`.
pub struct With<S: BaseServer>(Arc<S>);

impl<S: BaseServer> std::ops::Deref for With<S> {
    type Target = Arc<S>;
    fn deref(&self) -> &Arc<S> {
        &self.0
    }
}

impl<S: BaseServer> Drop for With<S> {
    /// Python: `BaseServer.__exit__()`: `self.server_close()`.
    fn drop(&mut self) {
        self.0.server_close();
    }
}

/// The bodies of `BaseServer`'s hooks (and of `TCPServer`'s `get_request`,
/// `shutdown_request` and `close_request`), run on `this`, the most-derived server:
/// what the hooks' defaults call, and what an override calls for Python's `super()`.
/// Generic over `this`, so the hooks a body calls are `this`'s overrides.
impl<H, K: SocketType, M: MixIn> TcpServer<H, K, M> {
    // ANCHOR: service_actions
    /// Called by `serve_forever` on every turn of its loop, request or not.
    /// Nothing here; [`ForkingMixIn`](crate::ForkingMixIn) reaps its children.
    ///
    /// Python: `BaseServer.service_actions()`.
    pub fn service_actions<S>(this: &S)
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        this.base().mixin.service_actions();
    }
    // ANCHOR_END: service_actions

    // ANCHOR: handle_timeout
    /// Called by `handle_request` when `self.timeout` passes with no request.
    /// Nothing here; [`ForkingMixIn`](crate::ForkingMixIn) reaps its children.
    ///
    /// Python: `BaseServer.handle_timeout()`.
    pub fn handle_timeout<S>(this: &S)
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        this.base().mixin.handle_timeout();
    }
    // ANCHOR_END: handle_timeout

    // ANCHOR: get_request
    /// Takes the next request from the socket: `accept()` for a stream server,
    /// `recvfrom(max_packet_size)` for a datagram server.
    ///
    /// Python: `TCPServer.get_request()` and `UDPServer.get_request()`.
    pub fn get_request<S>(this: &S) -> io::Result<(Request<S>, SockAddr)>
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let base = this.base();
        base.socket_type.get_request(&base.socket()?)
    }
    // ANCHOR_END: get_request

    // ANCHOR: verify_request
    /// Decides whether to process a request; `true` here. Override it to refuse
    /// clients: a refused request is shut down, never processed.
    ///
    /// Python: `BaseServer.verify_request(request, client_address)`.
    pub fn verify_request<S>(this: &S, request: &Request<S>, client_address: &SockAddr) -> bool
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let _ = (this, request, client_address);
        true
    }
    // ANCHOR_END: verify_request

    // ANCHOR: process_request_dispatch
    /// Processes one request: by default `finish_request` then `shutdown_request` on
    /// this thread; the mixin decides ([`Blocking`], [`ThreadingMixIn`](crate::ThreadingMixIn),
    /// [`ForkingMixIn`](crate::ForkingMixIn)).
    ///
    /// Python: `BaseServer.process_request(request, client_address)`, which the
    /// mixins override: `ThreadingTcpServer::process_request(self, …)` is
    /// `super().process_request(…)` in a subclass of `ThreadingTCPServer`.
    pub fn process_request<S>(
        this: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError>
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        M::process_request(this, request, client_address)
    }
    // ANCHOR_END: process_request_dispatch

    // ANCHOR: finish_request
    /// Finishes one request by constructing the handler: the handler's constructor
    /// does all the work (`setup`, `handle`, `finish`).
    ///
    /// Python: `BaseServer.finish_request(request, client_address)`, that is
    /// `self.RequestHandlerClass(request, client_address, self)`.
    pub fn finish_request<S>(
        this: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError>
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
        H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    {
        let server = S::handler_server(this);
        let arguments = this.base().handler_arguments();
        traced!(
            "__init__",
            H::__init__(request, client_address, server, arguments)
        )?;
        Ok(())
    }
    // ANCHOR_END: finish_request

    // ANCHOR: shutdown_request
    /// Ends one request: a stream socket is shut down for writing (the client sees
    /// the end of the reply), then `close_request`. A datagram request has nothing to
    /// shut down.
    ///
    /// Python: `TCPServer.shutdown_request(request)` and `UDPServer.shutdown_request`.
    pub fn shutdown_request<S>(this: &S, request: Request<S>)
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        K::shutdown_request(&request);
        traced!(this.close_request(request));
    }

    /// Closes one request. A stream request's socket closes when its last reference
    /// goes, which is here unless a worker still holds one; a datagram request shares
    /// the server's socket, which stays open.
    ///
    /// Python: `TCPServer.close_request(request)` (`request.close()`) and
    /// `UDPServer.close_request` (nothing).
    pub fn close_request<S>(this: &S, request: Request<S>)
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let _ = this;
        drop(request);
    }
    // ANCHOR_END: shutdown_request

    // ANCHOR: handle_error
    /// Reports an error (or panic) from processing a request, then lets the server go
    /// on: a line of 40 dashes, the client address, the error, 40 dashes, on stderr.
    ///
    /// Python: `BaseServer.handle_error(request, client_address)`, which prints the
    /// traceback; Rust has the error value: for a panic, its message and location,
    /// and its stack when `RUST_BACKTRACE=1` (the panic hook stays silent for a
    /// panic that reaches here, so each failure is reported once, here).
    pub fn handle_error<S>(
        this: &S,
        request: &Request<S>,
        client_address: &SockAddr,
        error: &HandlerError,
    ) where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let _ = (this, request);
        let dashes = "-".repeat(40);
        eprintln!(
            "{dashes}\nException occurred during processing of request from {}\n{error}\n{dashes}",
            address_repr(client_address)
        );
    }
    // ANCHOR_END: handle_error
}
