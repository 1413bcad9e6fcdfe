//! `TCPServer`: a server with a socket. Every concrete server is built on it.
//!
//! Python: `socketserver.TCPServer` (Lib/socketserver.py, lines 391-519).

use std::any::Any;
use std::io;
use std::marker::PhantomData;
use std::net::Shutdown;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};

use crate::address::ToServerAddress;
use crate::base_server::{
    BaseServer, Blocking, FromServer, HandlerArguments, HandlerServer, MixIn, ServerBase,
    ShutdownState,
};
use crate::connection::Connection;
use crate::handlers::{BaseRequestHandler, HandlerBase};

/// What a stream or datagram server does differently: the hooks that Python's
/// `UDPServer` overrides of `TCPServer`, and the request they produce.
///
/// A value of it is the server's `socket_type` attribute: [`Stream`] (`SOCK_STREAM`),
/// [`Datagram`](crate::Datagram) (`SOCK_DGRAM`, with `max_packet_size`), or
/// [`Tls`](crate::ssl::Tls) (`SOCK_STREAM` with TLS on each connection: Python 3.14's
/// listening `SSLSocket`).
pub trait SocketType: Default + Send + Sync + 'static {
    /// The socket type to create: Python's class attribute `socket_type`.
    const TYPE: Type;
    /// What `get_request` returns and the handler receives as `request`.
    type Request: Clone + Send + 'static;

    /// The socket-level half of `server_activate`: `listen` for streams, nothing for
    /// datagrams.
    fn server_activate(socket: &Socket, request_queue_size: i32) -> io::Result<()>;

    /// Python: `get_request()`, returning the request and the client's address.
    fn get_request(&self, socket: &Arc<Socket>) -> io::Result<(Self::Request, SockAddr)>;

    /// The socket-level half of `shutdown_request`, before `close_request`.
    fn shutdown_request(request: &Self::Request);
}

/// `SOCK_STREAM`: the requests are connections.
///
/// Python: the stream behaviour of `TCPServer` (and `UnixStreamServer`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stream;

impl SocketType for Stream {
    const TYPE: Type = Type::STREAM;
    /// The connection, shared between the handler and the server (which shuts it
    /// down when the handler is done), as a Python socket object is. A plain one
    /// here; [`Tls`](crate::ssl::Tls) gives the same type with TLS on it.
    type Request = Arc<Connection>;

    // ANCHOR: stream_server_activate
    /// Python: `TCPServer.server_activate()`: `self.socket.listen(self.request_queue_size)`.
    fn server_activate(socket: &Socket, request_queue_size: i32) -> io::Result<()> {
        socket.listen(request_queue_size)
    }
    // ANCHOR_END: stream_server_activate

    // ANCHOR: stream_get_request
    /// Python: `TCPServer.get_request()`: `return self.socket.accept()`.
    fn get_request(&self, socket: &Arc<Socket>) -> io::Result<(Arc<Connection>, SockAddr)> {
        let (connection, client_address) = socket.accept()?;
        Ok((Arc::new(Connection::new(connection)), client_address))
    }
    // ANCHOR_END: stream_get_request

    // ANCHOR: stream_shutdown_request
    /// Python: the first half of `TCPServer.shutdown_request(request)`:
    /// `request.shutdown(socket.SHUT_WR)`, ignoring the error (ENOTCONN on some
    /// systems when the client has gone).
    fn shutdown_request(request: &Arc<Connection>) {
        let _ = request.shutdown(Shutdown::Write);
    }
    // ANCHOR_END: stream_shutdown_request
}

/// Python: `socketserver.TCPServer`, a server on a socket, and the base of every
/// concrete server.
///
/// `H` is the `RequestHandlerClass`. `K` is the socket type ([`Stream`] here;
/// [`UdpServer`](crate::UdpServer) uses [`Datagram`](crate::Datagram)). `M` is the
/// mixin ([`Blocking`] here: one request at a time, as Python's plain `TCPServer`).
///
/// Python's class attributes are fields with Python's defaults. Those read at bind
/// time (`allow_reuse_address`, `allow_reuse_port`, `request_queue_size`) must be set
/// before binding: construct with
/// [`with_bind_and_activate(addr, false)`](Self::with_bind_and_activate), set them, then
/// call [`server_bind`](Self::server_bind) and
/// [`server_activate`](BaseServer::server_activate), as in Python, or both at once
/// with [`bind_and_activate`](BaseServer::bind_and_activate). One set after binding
/// has no effect, and `serve_forever` says so.
#[doc(alias = "TCPServer")]
pub struct TcpServer<H, K: SocketType = Stream, M: MixIn = Blocking> {
    /// The address the server is bound to; after binding, the real one (a port 0
    /// becomes the port the system chose). Python: `server_address`.
    pub server_address: SockAddr,
    /// The socket family, taken from the address. Python: `address_family`, a class
    /// attribute (`AF_INET`) that an IPv6 or Unix server must override.
    pub address_family: Domain,
    /// The socket type and what goes with it. Python: `socket_type` (with
    /// `UDPServer.max_packet_size`).
    pub socket_type: K,
    /// The `listen` backlog. Python: `request_queue_size = 5`.
    pub request_queue_size: i32,
    /// Set `SO_REUSEADDR` before binding. Python: `allow_reuse_address = False`.
    pub allow_reuse_address: bool,
    /// Set `SO_REUSEPORT` before binding. Python: `allow_reuse_port = False` (3.11).
    pub allow_reuse_port: bool,
    /// How long `handle_request` waits; `None` waits forever. Python: `timeout = None`
    /// (`ForkingMixIn` makes it 300 seconds).
    pub timeout: Option<Duration>,
    /// The mixin's attributes and state (`daemon_threads`, `max_children`, …).
    pub mixin: M,
    /// What [`handler_arguments`](Self::handler_arguments) gives: a
    /// `HandlerArguments<H>`, boxed so that the struct needs no bound on `H`.
    handler_arguments: Box<dyn Any + Send + Sync + RefUnwindSafe + UnwindSafe>,
    socket: RwLock<Option<Arc<Socket>>>,
    pub(crate) state: ShutdownState,
    _handler: PhantomData<fn() -> H>,
}

impl<H, K, M> ServerBase for TcpServer<H, K, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    K: SocketType,
    M: MixIn,
{
    type RequestHandlerClass = H;
    type SocketType = K;
    type MixIn = M;
    type Class = Self;

    fn base(&self) -> &Self {
        self
    }
    fn base_mut(&mut self) -> &mut Self {
        self
    }
    fn class(&self) -> &Self {
        self
    }
    fn class_mut(&mut self) -> &mut Self {
        self
    }
    fn server_bind<S: ServerBase<Class = Self>>(this: &mut S) -> io::Result<()> {
        TcpServer::server_bind(this)
    }
    fn server_activate<S: ServerBase<Class = Self>>(this: &S) -> io::Result<()> {
        TcpServer::server_activate(this)
    }
}

/// Every hook with its default: `TCPServer` itself, for a handler that names no
/// server, or names this one.
impl<H, K, M> BaseServer for TcpServer<H, K, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    K: SocketType,
    M: MixIn,
    HandlerServer<Self>: FromServer<Self>,
{
}

impl<H, K, M> TcpServer<H, K, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    K: SocketType,
    M: MixIn,
{
    /// Creates the server, binds it to `server_address` and starts listening.
    ///
    /// Python: `TCPServer(server_address, RequestHandlerClass)`.
    pub fn new(server_address: impl ToServerAddress) -> io::Result<Self> {
        Self::with_bind_and_activate(server_address, true)
    }

    // ANCHOR: constructor
    /// Creates the server's socket; binds and activates it if `bind_and_activate`.
    /// If binding or activating fails, the socket is closed before the error returns.
    ///
    /// Python: `TCPServer.__init__(server_address, RequestHandlerClass,
    /// bind_and_activate=True)`.
    pub fn with_bind_and_activate(
        server_address: impl ToServerAddress,
        bind_and_activate: bool,
    ) -> io::Result<Self> {
        let server_address = server_address.to_server_address()?;
        let address_family = server_address.domain();
        let socket = Socket::new(address_family, K::TYPE, None)?;
        let server = TcpServer {
            server_address,
            address_family,
            socket_type: K::default(),
            request_queue_size: 5,
            allow_reuse_address: false,
            allow_reuse_port: false,
            timeout: M::TIMEOUT,
            mixin: M::default(),
            handler_arguments: Box::new(HandlerArguments::<H>::default()),
            socket: RwLock::new(Some(Arc::new(socket))),
            state: ShutdownState::new(),
            _handler: PhantomData,
        };
        if bind_and_activate {
            return class_bind_and_activate(server);
        }
        Ok(server)
    }
    // ANCHOR_END: constructor
}

/// The constructor's last step, `self.server_bind(); self.server_activate()`, for
/// one of the crate's classes, which has no overrides: the class's bodies. If one
/// fails, the server is dropped, which closes it (`server_close`), and the error
/// returns. A subclass runs its own hooks with [`BaseServer::bind_and_activate`].
pub(crate) fn class_bind_and_activate<S: ServerBase<Class = S>>(mut server: S) -> io::Result<S> {
    <S as ServerBase>::server_bind(&mut server)?;
    <S as ServerBase>::server_activate(&server)?;
    Ok(server)
}

impl<H, K: SocketType, M: MixIn> TcpServer<H, K, M> {
    // ANCHOR: server_bind
    /// Binds the socket, setting `SO_REUSEADDR`/`SO_REUSEPORT` first if asked, and
    /// records the address actually bound.
    ///
    /// Python: `TCPServer.server_bind()`. An override calls it as
    /// `TcpServer::server_bind(self)`.
    pub fn server_bind<S>(this: &mut S) -> io::Result<()>
    where
        S: ServerBase<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let base = this.base_mut();
        let socket = base.socket()?;
        if base.allow_reuse_address {
            socket.set_reuse_address(true)?;
        }
        if base.allow_reuse_port {
            socket.set_reuse_port(true)?;
        }
        socket.bind(&base.server_address)?;
        base.server_address = socket.local_addr()?;
        Ok(())
    }
    // ANCHOR_END: server_bind

    // ANCHOR: server_activate
    /// Python: `TCPServer.server_activate()`: `self.socket.listen(request_queue_size)`;
    /// `UDPServer` does nothing. Called by the constructor, after `server_bind`.
    pub fn server_activate<S>(this: &S) -> io::Result<()>
    where
        S: ServerBase<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let base = this.base();
        K::server_activate(&*base.socket()?, base.request_queue_size)
    }
    // ANCHOR_END: server_activate

    /// Closes the server: the socket, then the mixin's part (join request threads,
    /// reap children). Called by `Drop` too, as Python's `with server:` calls it.
    ///
    /// Python: `TCPServer.server_close()` with the mixins' overrides, which call it
    /// first (`super().server_close()`) and then wait for their workers.
    pub fn server_close<S>(this: &S)
    where
        S: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    {
        let _span = crate::__span!("server_close").entered();
        this.base().close_socket();
        this.base().mixin.server_close();
    }

    /// An error when `allow_reuse_address` or `allow_reuse_port` is set but the
    /// socket does not have the option: it was set after `server_bind`, too late to
    /// matter. Python ignores such an attribute without a word.
    pub(crate) fn bind_time_attributes_in_effect(&self) -> io::Result<()> {
        let socket = self.socket()?;
        let too_late = |attribute: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{attribute} was set after the socket was bound, so it has no effect: \
                     construct the server with with_bind_and_activate(address, false), \
                     set it, then call bind_and_activate()"
                ),
            )
        };
        if self.allow_reuse_address && !socket.reuse_address()? {
            return Err(too_late("allow_reuse_address"));
        }
        if self.allow_reuse_port && !socket.reuse_port()? {
            return Err(too_late("allow_reuse_port"));
        }
        Ok(())
    }

    /// The server's socket. Python: the `socket` attribute; here an error once
    /// `server_close` has closed it.
    pub fn socket(&self) -> io::Result<Arc<Socket>> {
        self.socket
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| io::Error::from_raw_os_error(nix::libc::EBADF))
    }

    /// Closes the listening socket (its descriptor is freed once no request still
    /// holds it). Python: `TCPServer.server_close()`: `self.socket.close()`.
    pub(crate) fn close_socket(&self) {
        self.socket
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Moves the configured server into an `Arc`, ready to be shared with the threads
    /// that serve it and the one that will call `shutdown`.
    pub fn into_arc(self) -> Arc<Self> {
        Arc::new(self)
    }

    // ANCHOR: handler_arguments
    /// The keyword arguments every handler this server makes is constructed with:
    /// Python's `functools.partial(Handler, directory=…)` given as the
    /// `RequestHandlerClass`. `()` unless the handler's class takes some
    /// ([`SimpleHttpArguments`](crate::http::server::SimpleHttpArguments)).
    pub fn handler_arguments(&self) -> &HandlerArguments<H>
    where
        H: BaseRequestHandler,
    {
        let arguments: &dyn Any = &*self.handler_arguments;
        arguments
            .downcast_ref()
            .expect("the constructor stores the handler's arguments")
    }

    /// The same, to set: `server.handler_arguments_mut().directory = Some(path)`.
    pub fn handler_arguments_mut(&mut self) -> &mut HandlerArguments<H>
    where
        H: BaseRequestHandler,
    {
        let arguments: &mut dyn Any = &mut *self.handler_arguments;
        arguments
            .downcast_mut()
            .expect("the constructor stores the handler's arguments")
    }
    // ANCHOR_END: handler_arguments
}

/// Python: `with server: ...` calls `server_close()` on the way out. Here, dropping
/// the last reference to the server does what `server_close` does.
impl<H, K: SocketType, M: MixIn> Drop for TcpServer<H, K, M> {
    fn drop(&mut self) {
        self.close_socket();
        self.mixin.server_close();
    }
}
