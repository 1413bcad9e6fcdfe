//! The request handler classes: `BaseRequestHandler`, `StreamRequestHandler`,
//! `DatagramRequestHandler`.
//!
//! Python: Lib/socketserver.py, lines 731-852.
//!
//! A Python handler class holds attributes (`request`, `rfile`, …) and methods
//! (`setup`, `handle`, …) in one object, and a subclass inherits both. Rust splits the
//! two: the attributes of each Python class are a struct ([`StreamRequestHandler`],
//! [`DatagramRequestHandler`], [`BaseRequest`]), and the methods are the trait
//! [`BaseRequestHandler`]. Your handler wraps the struct of the class it "subclasses",
//! derefs to it (so `self.rfile` reads as in Python), and implements the trait.

use std::borrow::BorrowMut;
use std::io::{self, BufReader, Cursor, Read, Write};
use std::ops::DerefMut;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{SockAddr, Socket};

use crate::base_server::AnyServer;
use crate::connection::Connection;
use crate::traced;

/// The attributes of a handler class, and what that class does in `setup` and
/// `finish`: implemented by [`BaseRequest`], [`StreamRequestHandler`] and
/// [`DatagramRequestHandler`].
pub trait HandlerBase: Sized + Send + 'static {
    /// The request this class handles: a connection or a `(packet, socket)` pair.
    type Request: Send + 'static;

    /// The server the handler sees as `self.server`: the `S` of
    /// `StreamRequestHandler<S>`, [`AnyServer`] unless the handler names its server.
    type Server: ?Sized + Send + Sync + 'static;

    /// The keyword arguments of the class's constructor that a server gives every
    /// handler it makes (Python: `functools.partial(Handler, directory=…)`): the
    /// server's `handler_arguments`. `()` for a class that takes none.
    type Arguments: Default + Send + Sync + RefUnwindSafe + UnwindSafe + 'static;

    /// Stores the constructor's arguments (and, for streams, opens `rfile` and `wfile`
    /// with the buffer sizes that `H` asks for).
    fn new<H: BaseRequestHandler>(
        request: Self::Request,
        client_address: SockAddr,
        server: Arc<Self::Server>,
        arguments: &Self::Arguments,
    ) -> Self;

    /// This class's `setup()`, run on `this`, the handler (the most derived class),
    /// so that the body reads `H`'s class attributes. By default
    /// [`BaseRequest::setup`] (`pass`). The trait method
    /// [`BaseRequestHandler::setup`] calls it.
    fn setup<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        BaseRequest::setup(this)
    }

    /// This class's `finish()`, run on `this`, the handler. By default
    /// [`BaseRequest::finish`] (`pass`). The trait method
    /// [`BaseRequestHandler::finish`] calls it.
    fn finish<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        BaseRequest::finish(this)
    }
}

/// Python: `socketserver.BaseRequestHandler`, the hooks a request goes through.
///
/// The server constructs one handler per request (see [`__init__`](Self::__init__)),
/// which calls [`setup`](Self::setup), then [`handle`](Self::handle), then, whatever
/// `handle` did, [`finish`](Self::finish). The defaults of `setup` and `finish` are
/// those of the class your handler derefs to; `handle` does nothing until you write it.
///
/// The class attributes of `StreamRequestHandler` are associated constants, with
/// Python's names and defaults; override them as a Python subclass would.
///
/// # `super()`
///
/// Each hook's base body is an associated function of the struct of the class that
/// defines it in Python, taking your handler where Python's body has `self`:
/// [`StreamRequestHandler::setup`], [`StreamRequestHandler::finish`],
/// [`DatagramRequestHandler::finish`], [`BaseRequest::handle`], …. An override
/// calls it for `super().setup()`, as Python 2 wrote
/// `StreamRequestHandler.setup(self)`:
///
/// ```text
/// def setup(self):                          fn setup(&mut self) -> io::Result<()> {
///     super().setup()                           StreamRequestHandler::setup(self)?;
///     self.lines = 0                            self.lines = 0;
///                                               Ok(())
///                                           }
/// ```
///
/// The body reads your class attributes (`H::timeout`) and calls your hooks, as
/// Python's `self` does. Do not write `BaseRequestHandler::setup(self)`: that trait
/// path is your override itself, which would call itself forever.
///
/// # `self.server`
///
/// A handler that uses its server's own fields names the server in the struct it
/// wraps, and `self.server` is an `Arc` of that server, checked at compile time
/// (Python: `self.server.lines`, an `AttributeError` at the first request if the
/// server has none). A handler that names no server runs on any, and its
/// `self.server` is a [`ServerRef`](crate::ServerRef). To hold a guard while
/// writing the reply (`with self.server.lock:`), clone the `Arc` first:
///
/// ```no_run
/// use std::io::{self, BufRead, Write};
/// use std::sync::{Arc, Mutex};
/// use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingTcpServer};
///
/// // class Counter(socketserver.ThreadingTCPServer): lines = 0, with a lock
/// struct Counter {
///     base: ThreadingTcpServer<CountLines>,
///     lines: Mutex<u64>,
/// }
/// socketserver::subclass!(Counter { base: ThreadingTcpServer<CountLines> });
/// impl BaseServer for Counter {}
///
/// struct CountLines(StreamRequestHandler<Counter>);
/// socketserver::subclass!(CountLines(StreamRequestHandler<Counter>));
/// impl BaseRequestHandler for CountLines {
///     fn handle(&mut self) -> io::Result<()> {
///         let server = Arc::clone(&self.server); // a guard of it outlives `self`'s borrow
///         let mut line = String::new();
///         while self.rfile.read_line(&mut line)? > 0 {
///             let mut lines = server.lines.lock().unwrap(); // with self.server.lock:
///             *lines += 1;
///             writeln!(self.wfile, "{lines}")?;
///             line.clear();
///         }
///         Ok(())
///     }
/// }
///
/// # fn main() -> io::Result<()> {
/// let base = ThreadingTcpServer::with_bind_and_activate(("127.0.0.1", 9999), false)?;
/// let server = Counter { base, lines: Mutex::new(0) }.bind_and_activate()?.__enter__();
/// server.serve_forever(0.5)
/// # }
/// ```
///
/// A handler with state of its own names the field that holds its base in
/// [`subclass!`](crate::subclass), and writes `From`, its constructor, by hand:
///
/// ```no_run
/// use std::io::{self, BufRead, Write};
/// use socketserver::{BaseRequestHandler, StreamRequestHandler};
///
/// // class CountingHandler(StreamRequestHandler):
/// struct CountingHandler {
///     base: StreamRequestHandler,
///     lines: usize,
/// }
/// socketserver::subclass!(CountingHandler { base: StreamRequestHandler });
/// impl From<StreamRequestHandler> for CountingHandler {
///     fn from(base: StreamRequestHandler) -> Self { CountingHandler { base, lines: 0 } }
/// }
/// impl BaseRequestHandler for CountingHandler {
///     fn handle(&mut self) -> io::Result<()> {
///         let mut line = String::new();
///         while self.rfile.read_line(&mut line)? > 0 {
///             self.lines += 1;
///             line.clear();
///         }
///         // `self.wfile` borrows all of `self` through DerefMut: read fields first.
///         let lines = self.lines;
///         writeln!(self.wfile, "{lines} lines")
///     }
/// }
/// ```
#[allow(non_upper_case_globals)]
pub trait BaseRequestHandler:
    DerefMut<Target: HandlerBase> + From<Self::Target> + Send + 'static
{
    // ANCHOR: class_attributes
    /// Read buffer of `rfile`: -1 for the default (8192 bytes), 0 for none (every read
    /// asks the socket for one byte), or a size. Python: `StreamRequestHandler.rbufsize = -1`.
    const rbufsize: isize = -1;
    /// Write buffer of `wfile`: 0 means every write is sent at once; otherwise writes
    /// wait in a buffer of that size until it fills or is flushed.
    /// Python: `StreamRequestHandler.wbufsize = 0`.
    const wbufsize: usize = 0;
    /// A read and write timeout for the connection; `None` waits forever.
    /// Python: `StreamRequestHandler.timeout = None`.
    const timeout: Option<Duration> = None;
    /// Set `TCP_NODELAY` on the connection (no Nagle delay for small writes).
    /// Python: `StreamRequestHandler.disable_nagle_algorithm = False`.
    const disable_nagle_algorithm: bool = false;
    // ANCHOR_END: class_attributes

    // ANCHOR: hooks
    /// Runs before `handle`: for streams, the connection's timeout and `TCP_NODELAY`.
    /// Python: `setup()`. The default is the body of the class your handler derefs
    /// to: [`StreamRequestHandler::setup`], [`DatagramRequestHandler::setup`] or
    /// [`BaseRequest::setup`]. An override calls that for `super().setup()`.
    fn setup(&mut self) -> io::Result<()> {
        <Self::Target as HandlerBase>::setup(self)
    }

    /// Does the work of the request. Nothing by default: [`BaseRequest::handle`].
    /// Python: `handle()`.
    fn handle(&mut self) -> io::Result<()> {
        BaseRequest::handle(self)
    }

    /// Runs after `handle`, even when `handle` failed: for streams, flush `wfile`;
    /// for datagrams, send the reply. Python: `finish()`. The default is the body of
    /// the class your handler derefs to: [`StreamRequestHandler::finish`],
    /// [`DatagramRequestHandler::finish`] or [`BaseRequest::finish`].
    fn finish(&mut self) -> io::Result<()> {
        <Self::Target as HandlerBase>::finish(self)
    }
    // ANCHOR_END: hooks

    // ANCHOR: __init__
    /// Handles one request: the handler's constructor, as the server calls it.
    ///
    /// Stores the arguments, calls `setup`; if that worked, `handle`, then `finish`
    /// whatever `handle` did (Python's `try`/`finally`: a panic in `handle` still
    /// runs `finish`, then goes on). An error from `finish` wins over one from
    /// `handle`, as an exception raised in `finally` does.
    ///
    /// Python: `BaseRequestHandler.__init__(request, client_address, server)`.
    fn __init__(
        request: <Self::Target as HandlerBase>::Request,
        client_address: SockAddr,
        server: Arc<<Self::Target as HandlerBase>::Server>,
        arguments: &<Self::Target as HandlerBase>::Arguments,
    ) -> io::Result<()> {
        let target = Self::Target::new::<Self>(request, client_address, server, arguments);
        let mut this = Self::from(target);
        traced!(this.setup())?;
        let handled = panic::catch_unwind(AssertUnwindSafe(|| traced!(this.handle())));
        let finished = traced!(this.finish());
        match handled {
            Err(payload) => panic::resume_unwind(payload),
            Ok(handled) => finished.and(handled),
        }
    }
    // ANCHOR_END: __init__
}

/// The attributes of a plain `BaseRequestHandler`: the request as the server got it.
/// Wrap it to handle raw requests yourself (`self.request.recv(…)`).
///
/// Python: the attributes `BaseRequestHandler.__init__` stores.
pub struct BaseRequest<R, S: ?Sized = AnyServer> {
    /// The request: a [`Connection`], or `(packet, socket)`. Python: `self.request`.
    pub request: R,
    /// The client's address. Python: `self.client_address`.
    pub client_address: SockAddr,
    /// The server. Python: `self.server`.
    pub server: Arc<S>,
}

impl<R: Send + 'static, S: ?Sized + Send + Sync + 'static> HandlerBase for BaseRequest<R, S> {
    type Request = R;
    type Server = S;
    type Arguments = ();

    fn new<H: BaseRequestHandler>(
        request: R,
        client_address: SockAddr,
        server: Arc<S>,
        (): &(),
    ) -> Self {
        BaseRequest {
            request,
            client_address,
            server,
        }
    }
}

/// The bodies of `BaseRequestHandler`'s hooks, which do nothing. They take any
/// handler, whatever class it wraps, as Python's `BaseRequestHandler.setup(self)`
/// does; they are on `BaseRequest<()>` only so that `BaseRequest::setup(self)` needs
/// no type argument.
impl BaseRequest<()> {
    /// Python: `BaseRequestHandler.setup()`: `pass`. An override calls it as
    /// `super().setup()`: `BaseRequest::setup(self)`.
    pub fn setup<H: BaseRequestHandler>(this: &mut H) -> io::Result<()> {
        let _ = this;
        Ok(())
    }

    /// Python: `BaseRequestHandler.handle()`: `pass`. An override calls it as
    /// `super().handle()`: `BaseRequest::handle(self)`.
    pub fn handle<H: BaseRequestHandler>(this: &mut H) -> io::Result<()> {
        let _ = this;
        Ok(())
    }

    /// Python: `BaseRequestHandler.finish()`: `pass`. An override calls it as
    /// `super().finish()`: `BaseRequest::finish(self)`.
    pub fn finish<H: BaseRequestHandler>(this: &mut H) -> io::Result<()> {
        let _ = this;
        Ok(())
    }
}

/// A stream connection as a raw, unbuffered file: what `rfile` reads from. Over TLS
/// it reads what the TLS session decrypts.
///
/// Python: `socket.SocketIO`, which `socket.makefile()` wraps in a buffer (an
/// `SSLSocket`'s `recv_into` decrypts).
#[doc(alias = "SocketIO")]
pub struct SocketIo {
    socket: Arc<Connection>,
    bytes_read: u64,
    /// When reading must be over, and the read timeout to restore after it.
    deadline: Option<(Instant, Option<Duration>)>,
}

impl SocketIo {
    /// A raw file on `socket`.
    pub fn new(socket: Arc<Connection>) -> Self {
        SocketIo {
            socket,
            bytes_read: 0,
            deadline: None,
        }
    }

    // ANCHOR: set_deadline
    /// Sets a deadline for every read from now on (`None` removes it and restores the
    /// socket's read timeout). A read that would end after the deadline fails with
    /// `TimedOut`, however the bytes trickle in: a per-read timeout cannot do that.
    /// Over TLS every read of the socket is bounded, one record may take several.
    /// `BaseHttpRequestHandler::request_header_timeout` uses it.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        match (deadline, self.deadline.take()) {
            (Some(deadline), Some((_, base))) => self.deadline = Some((deadline, base)),
            (Some(deadline), None) => self.deadline = Some((deadline, self.socket.read_timeout()?)),
            (None, Some((_, base))) => self.socket.set_read_timeout(base)?,
            (None, None) => {}
        }
        Ok(())
    }
    // ANCHOR_END: set_deadline

    /// How many bytes have been read from the socket so far (some may still wait
    /// in the buffer around it). `BaseHttpRequestHandler` uses it to see whether a
    /// handler read the request's body.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

// ANCHOR: deadline_read
impl Read for SocketIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let deadline = self.deadline;
        let n = self.socket.read_with(buf, |socket| {
            if let Some((deadline, base)) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
                }
                socket.set_read_timeout(Some(base.map_or(left, |b| b.min(left))))?;
            }
            Ok(())
        })?;
        self.bytes_read += n as u64;
        Ok(n)
    }
}
// ANCHOR_END: deadline_read

impl Write for SocketIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.socket).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// ANCHOR: SocketWriter
/// The writer behind `wfile`: with no buffer (`wbufsize = 0`) every `write` sends all
/// its bytes before it returns; with a buffer, writes collect until it is full or
/// flushed. Over TLS the bytes are encrypted on the way.
///
/// Python: `socketserver._SocketWriter` (`wbufsize = 0`) or
/// `socket.makefile('wb', wbufsize)`.
#[doc(alias = "_SocketWriter")]
pub struct SocketWriter {
    socket: Arc<Connection>,
    buffer: Vec<u8>,
    capacity: usize,
}

impl SocketWriter {
    /// A writer on `socket` with a buffer of `capacity` bytes (0: none).
    pub fn new(socket: Arc<Connection>, capacity: usize) -> Self {
        SocketWriter {
            socket,
            buffer: Vec::with_capacity(capacity),
            capacity,
        }
    }

    /// The socket's descriptor. Python: `_SocketWriter.fileno()`.
    pub fn fileno(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        let result = (&*self.socket).write_all(&self.buffer);
        self.buffer.clear();
        result
    }
}

impl Write for SocketWriter {
    /// Python: `_SocketWriter.write(b)`: `self._sock.sendall(b)`, then the whole
    /// length, however the kernel split the sending.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.capacity == 0 {
            (&*self.socket).write_all(buf)?;
            return Ok(buf.len());
        }
        if self.buffer.len() + buf.len() > self.capacity {
            self.send_buffer()?;
        }
        if buf.len() >= self.capacity {
            (&*self.socket).write_all(buf)?;
        } else {
            self.buffer.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.send_buffer()
    }
}
// ANCHOR_END: SocketWriter

// ANCHOR: StreamRequestHandler
/// The attributes of Python's `StreamRequestHandler`: the connection and two files
/// on it. Your stream handler wraps it and derefs to it.
///
/// Python: `socketserver.StreamRequestHandler`.
pub struct StreamRequestHandler<S: ?Sized = AnyServer> {
    /// The connection (plain, or TLS on an HTTPS server). Python: `self.request`.
    pub request: Arc<Connection>,
    /// The client's address. Python: `self.client_address`.
    pub client_address: SockAddr,
    /// The server. Python: `self.server`.
    pub server: Arc<S>,
    /// The same connection as `request`. Python: `self.connection`.
    pub connection: Arc<Connection>,
    /// Reads from the client, buffered by `rbufsize`. Python: `self.rfile`.
    pub rfile: BufReader<SocketIo>,
    /// Writes to the client, buffered by `wbufsize`. Python: `self.wfile`.
    pub wfile: SocketWriter,
}
// ANCHOR_END: StreamRequestHandler

impl<S: ?Sized + Send + Sync + 'static> HandlerBase for StreamRequestHandler<S> {
    type Request = Arc<Connection>;
    type Server = S;
    type Arguments = ();

    // ANCHOR: stream_new
    /// Stores the arguments and opens `rfile` and `wfile`. Python opens the files in
    /// `setup`; a Rust struct has all its fields from the start.
    fn new<H: BaseRequestHandler>(
        request: Arc<Connection>,
        client_address: SockAddr,
        server: Arc<S>,
        (): &(),
    ) -> Self {
        let rbufsize = match H::rbufsize {
            size if size < 0 => 8192, // io.DEFAULT_BUFFER_SIZE
            0 => 1,                   // unbuffered: never read past what was asked for
            size => size as usize,
        };
        StreamRequestHandler {
            connection: Arc::clone(&request),
            rfile: BufReader::with_capacity(rbufsize, SocketIo::new(Arc::clone(&request))),
            wfile: SocketWriter::new(Arc::clone(&request), H::wbufsize),
            request,
            client_address,
            server,
        }
    }
    // ANCHOR_END: stream_new

    fn setup<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::setup(this)
    }

    fn finish<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::finish(this)
    }
}

impl StreamRequestHandler {
    // ANCHOR: stream_setup
    /// Python: `StreamRequestHandler.setup()`: the timeout, then `TCP_NODELAY`, with
    /// the class attributes of `H`, the handler (the most derived class). An
    /// override calls it as `super().setup()`: `StreamRequestHandler::setup(self)`,
    /// an HTTP handler too.
    ///
    /// Not in Python: on a TLS connection whose server left the handshake to the
    /// request ([`Handshake::InSetup`](crate::ssl::Handshake::InSetup)), the
    /// handshake, here, on the request's thread, within the server's deadline.
    /// CPython 3.14 shakes hands in `accept`, before any handler exists.
    pub fn setup<H, S: ?Sized>(this: &mut H) -> io::Result<()>
    where
        H: BaseRequestHandler<Target: BorrowMut<StreamRequestHandler<S>>>,
    {
        let connection = &(**this).borrow_mut().connection;
        if let Some(timeout) = H::timeout {
            connection.set_read_timeout(Some(timeout))?;
            connection.set_write_timeout(Some(timeout))?;
        }
        if H::disable_nagle_algorithm {
            connection.set_nodelay(true)?;
        }
        connection.do_handshake() // nothing unless a TLS handshake is still to do
    }
    // ANCHOR_END: stream_setup

    // ANCHOR: stream_finish
    /// Python: `StreamRequestHandler.finish()`: flush `wfile`, ignoring a socket
    /// error (the client may be gone). The socket itself is closed by the server's
    /// `shutdown_request`. An override calls it as `super().finish()`:
    /// `StreamRequestHandler::finish(self)`.
    pub fn finish<H, S: ?Sized>(this: &mut H) -> io::Result<()>
    where
        H: BaseRequestHandler<Target: BorrowMut<StreamRequestHandler<S>>>,
    {
        let _ = (**this).borrow_mut().wfile.flush();
        Ok(())
    }
    // ANCHOR_END: stream_finish
}

/// The attributes of Python's `DatagramRequestHandler`: the packet, the socket to
/// answer on, and two in-memory files. Whatever `handle` writes to `wfile` is sent
/// back as one datagram by `finish`, even if it is empty.
///
/// Python: `socketserver.DatagramRequestHandler`.
pub struct DatagramRequestHandler<S: ?Sized = AnyServer> {
    /// `(packet, socket)`. Python: `self.request`.
    pub request: (Vec<u8>, Arc<Socket>),
    /// The client's address. Python: `self.client_address`.
    pub client_address: SockAddr,
    /// The server. Python: `self.server`.
    pub server: Arc<S>,
    /// The datagram's bytes. Python: `self.packet`.
    pub packet: Vec<u8>,
    /// The server's socket. Python: `self.socket`.
    pub socket: Arc<Socket>,
    /// Reads the packet. Python: `self.rfile = io.BytesIO(self.packet)`.
    pub rfile: Cursor<Vec<u8>>,
    /// Collects the reply. Python: `self.wfile = io.BytesIO()`.
    pub wfile: Vec<u8>,
}

impl<S: ?Sized + Send + Sync + 'static> HandlerBase for DatagramRequestHandler<S> {
    type Request = (Vec<u8>, Arc<Socket>);
    type Server = S;
    type Arguments = ();

    /// Python: `DatagramRequestHandler.setup()`, done at construction.
    fn new<H: BaseRequestHandler>(
        request: Self::Request,
        client_address: SockAddr,
        server: Arc<S>,
        (): &(),
    ) -> Self {
        let (packet, socket) = request.clone();
        DatagramRequestHandler {
            rfile: Cursor::new(packet.clone()),
            wfile: Vec::new(),
            request,
            client_address,
            server,
            packet,
            socket,
        }
    }

    fn setup<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        DatagramRequestHandler::setup(this)
    }

    fn finish<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        DatagramRequestHandler::finish(this)
    }
}

impl DatagramRequestHandler {
    /// Python: `DatagramRequestHandler.setup()`, which unpacks `request` into
    /// `packet` and `socket` and opens `rfile` and `wfile`: here `new` did all that,
    /// as a struct has its fields from the start, so nothing is left to do. An
    /// override calls it as `super().setup()`: `DatagramRequestHandler::setup(self)`.
    pub fn setup<H, S: ?Sized>(this: &mut H) -> io::Result<()>
    where
        H: BaseRequestHandler<Target: BorrowMut<DatagramRequestHandler<S>>>,
    {
        let _ = this;
        Ok(())
    }

    // ANCHOR: datagram_finish
    /// Python: `DatagramRequestHandler.finish()`:
    /// `self.socket.sendto(self.wfile.getvalue(), self.client_address)`. An override
    /// calls it as `super().finish()`: `DatagramRequestHandler::finish(self)`.
    pub fn finish<H, S: ?Sized>(this: &mut H) -> io::Result<()>
    where
        H: BaseRequestHandler<Target: BorrowMut<DatagramRequestHandler<S>>>,
    {
        let this = (**this).borrow_mut();
        this.socket.send_to(&this.wfile, &this.client_address)?;
        Ok(())
    }
    // ANCHOR_END: datagram_finish
}
