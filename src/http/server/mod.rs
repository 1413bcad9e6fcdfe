//! The `http.server` module: `HTTPServer`, `ThreadingHTTPServer`,
//! `BaseHTTPRequestHandler` and `SimpleHTTPRequestHandler`.
//!
//! Python: `Lib/http/server.py` (CGI aside: see the book's differences appendix).
//! Beside the classes, the pieces of other standard modules that decide its bytes:
//! the headers type ([`message`], Python's `http.client.HTTPMessage`), [`builtins`],
//! [`urllib_parse`], [`email_utils`] and [`mimetypes`].

use std::any::Any;
use std::borrow::BorrowMut;
use std::io;
use std::ops::{Deref, DerefMut};

use crate::address::ToServerAddress;
use crate::base_server::{BaseServer, Blocking, FromServer, HandlerServer, MixIn, ServerBase};
use crate::handlers::{BaseRequestHandler, HandlerBase};
use crate::tcp_server::{SocketType, Stream, TcpServer, class_bind_and_activate};
use crate::threading::ThreadingMixIn;

mod base_handler;
pub mod builtins;
pub mod email_utils;
mod https_server;
pub mod message;
pub mod mimetypes;
mod simple_handler;
pub mod urllib_parse;

pub use base_handler::{
    __version__, BaseHttpRequest, BaseHttpRequestHandler, DEFAULT_ERROR_CONTENT_TYPE,
    DEFAULT_ERROR_MESSAGE, HttpHandlerBase, no_such_method,
};
pub use https_server::{HttpsOptions, HttpsServer, ThreadingHttpsServer};
pub use message::{HeaderError, HttpMessage, parse_headers};
pub use simple_handler::{
    HeadFile, SimpleHttpArguments, SimpleHttpMethods, SimpleHttpRequest, SimpleHttpRequestHandler,
};

// ANCHOR: HttpServer
/// Python: `http.server.HTTPServer`, a `TCPServer` that reuses its address and
/// records its host name and port.
///
/// `M` is the mixin: [`Blocking`] here, [`ThreadingMixIn`] in
/// [`ThreadingHttpServer`]. `K` is the socket type: [`Stream`], or
/// [`Tls`](crate::ssl::Tls) under an [`HttpsServer`]. It derefs to the
/// [`TcpServer`] it is built on, for Python's inherited attributes
/// (`server_address`, `timeout`, `mixin`, …).
#[doc(alias = "HTTPServer")]
pub struct HttpServer<H, M: MixIn = Blocking, K: SocketType = Stream> {
    base: TcpServer<H, K, M>,
    /// The server's fully qualified host name. Python: `server_name`.
    pub server_name: String,
    /// The port bound. Python: `server_port`.
    pub server_port: u16,
}
// ANCHOR_END: HttpServer

/// Python: `http.server.ThreadingHTTPServer`, an `HTTPServer` that handles each
/// request in a daemon thread.
#[doc(alias = "ThreadingHTTPServer")]
pub type ThreadingHttpServer<H> = HttpServer<H, ThreadingMixIn>;

/// An `HTTPServer` whose requests wait for one of a fixed number of workers (not in
/// Python; see [`ThreadPoolMixIn`](crate::ThreadPoolMixIn)).
pub type ThreadPoolHttpServer<H> = HttpServer<H, crate::ThreadPoolMixIn>;

impl<H, M, K> ServerBase for HttpServer<H, M, K>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    M: MixIn,
    K: SocketType,
{
    type RequestHandlerClass = H;
    type SocketType = K;
    type MixIn = M;
    type Class = Self;

    fn base(&self) -> &TcpServer<H, K, M> {
        &self.base
    }
    fn base_mut(&mut self) -> &mut TcpServer<H, K, M> {
        &mut self.base
    }
    fn class(&self) -> &Self {
        self
    }
    fn class_mut(&mut self) -> &mut Self {
        self
    }
    fn server_bind<S: ServerBase<Class = Self>>(this: &mut S) -> io::Result<()> {
        HttpServer::<H, M, K>::server_bind(this)
    }
    fn server_activate<S: ServerBase<Class = Self>>(this: &S) -> io::Result<()> {
        TcpServer::server_activate(this)
    }
}

/// Every hook with `TCPServer`'s default but `server_bind`, which is `HTTPServer`'s.
impl<H, M, K> BaseServer for HttpServer<H, M, K>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    M: MixIn,
    K: SocketType,
    HandlerServer<Self>: FromServer<Self>,
{
}

impl<H, M: MixIn, K: SocketType> Deref for HttpServer<H, M, K> {
    type Target = TcpServer<H, K, M>;
    fn deref(&self) -> &TcpServer<H, K, M> {
        &self.base
    }
}

impl<H, M: MixIn, K: SocketType> DerefMut for HttpServer<H, M, K> {
    fn deref_mut(&mut self) -> &mut TcpServer<H, K, M> {
        &mut self.base
    }
}

impl<H, M, K> HttpServer<H, M, K>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = K::Request>>,
    M: MixIn,
    K: SocketType,
{
    /// Creates the server, binds it to `server_address` and starts listening.
    ///
    /// Python: `HTTPServer(server_address, RequestHandlerClass)`.
    pub fn new(server_address: impl ToServerAddress) -> io::Result<Self> {
        Self::with_bind_and_activate(server_address, true)
    }

    // ANCHOR: http_server_constructor
    /// Creates the server with Python's class attributes: `allow_reuse_address`
    /// true, and for [`ThreadingHttpServer`], `daemon_threads` true. Binds and
    /// activates it if `bind_and_activate`, closing the socket if that fails.
    ///
    /// Python: `HTTPServer.__init__(server_address, RequestHandlerClass,
    /// bind_and_activate=True)`.
    pub fn with_bind_and_activate(
        server_address: impl ToServerAddress,
        bind_and_activate: bool,
    ) -> io::Result<Self> {
        let mut base = TcpServer::with_bind_and_activate(server_address, false)?;
        base.allow_reuse_address = true; // Seems to make sense in testing environment
        // class ThreadingHTTPServer(socketserver.ThreadingMixIn, HTTPServer):
        //     daemon_threads = True
        if let Some(threading) = (&mut base.mixin as &mut dyn Any).downcast_mut::<ThreadingMixIn>()
        {
            threading.daemon_threads = true;
        }
        let server = HttpServer {
            base,
            server_name: String::new(),
            server_port: 0,
        };
        if bind_and_activate {
            return class_bind_and_activate(server);
        }
        Ok(server)
    }
    // ANCHOR_END: http_server_constructor

    /// Shares the server, ready for [`serve_forever`](BaseServer::serve_forever).
    pub fn into_arc(self) -> std::sync::Arc<Self> {
        std::sync::Arc::new(self)
    }
}

impl<H, M: MixIn, K: SocketType> HttpServer<H, M, K> {
    // ANCHOR: http_server_bind
    /// Binds as `TcpServer` does, then records `server_name` and `server_port`.
    ///
    /// Python: `HTTPServer.server_bind()`. An override calls it as
    /// `HttpServer::server_bind(self)`; so does a subclass of
    /// [`HttpsServer`], which inherits it.
    pub fn server_bind<S>(this: &mut S) -> io::Result<()>
    where
        S: ServerBase,
        S::Class: BorrowMut<Self>,
    {
        TcpServer::server_bind(this)?; // socketserver.TCPServer.server_bind(self)
        let address = this.base().server_address.as_socket();
        let (host, port) = address.map_or((String::new(), 0), |a| (a.ip().to_string(), a.port()));
        let class: &mut Self = this.class_mut().borrow_mut();
        class.server_name = builtins::getfqdn(&host);
        class.server_port = port;
        Ok(())
    }
    // ANCHOR_END: http_server_bind
}

// ANCHOR: _get_best_family
/// The address to serve on: the first that `getaddrinfo(host, port, SOCK_STREAM,
/// AI_PASSIVE)` lists, so no host means every interface (`0.0.0.0` or `::`,
/// whichever this system lists first) and a name resolves as the system resolves it.
///
/// Python: `http.server._get_best_family(*address)`, which `python -m http.server`
/// uses; the family comes with the address.
pub fn _get_best_family(host: Option<&str>, port: u16) -> io::Result<std::net::SocketAddr> {
    use nix::libc;
    use std::ffi::CString;

    let host = host.map(CString::new).transpose()?;
    let service = CString::new(port.to_string())?;
    // SAFETY: getaddrinfo reads the two strings and the hints and fills `list`,
    // which is read, then freed, before returning.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_socktype = libc::SOCK_STREAM;
        hints.ai_flags = libc::AI_PASSIVE;
        let mut list: *mut libc::addrinfo = std::ptr::null_mut();
        let host_ptr = host.as_ref().map_or(std::ptr::null(), |h| h.as_ptr());
        let status = libc::getaddrinfo(host_ptr, service.as_ptr(), &hints, &mut list);
        if status != 0 || list.is_null() {
            let message = std::ffi::CStr::from_ptr(libc::gai_strerror(status));
            return Err(io::Error::other(format!(
                "[Errno {status}] {}",
                message.to_string_lossy()
            )));
        }
        let first = &*list;
        let address = socket2::SockAddr::try_init(|storage, len| {
            std::ptr::copy_nonoverlapping(
                first.ai_addr.cast::<u8>(),
                storage.cast::<u8>(),
                first.ai_addrlen as usize,
            );
            *len = first.ai_addrlen;
            Ok(())
        });
        libc::freeaddrinfo(list);
        address?
            .1
            .as_socket()
            .ok_or_else(|| io::Error::other("getaddrinfo gave no IP address"))
    }
}
// ANCHOR_END: _get_best_family
