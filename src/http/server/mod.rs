//! The `http.server` module: `HTTPServer`, `ThreadingHTTPServer`,
//! `BaseHTTPRequestHandler` and `SimpleHTTPRequestHandler`.
//!
//! Python: `Lib/http/server.py` (CGI aside: see the book's differences appendix).
//! Beside the classes, the pieces of other standard modules that decide its bytes:
//! the headers type ([`message`], Python's `http.client.HTTPMessage`), [`builtins`],
//! [`urllib_parse`], [`email_utils`] and [`mimetypes`].

use std::any::Any;
use std::io;
use std::ops::{Deref, DerefMut};

use crate::address::ToServerAddress;
use crate::base_server::{BaseServer, Blocking, MixIn, ServerBase, bind_and_activate_or_close};
use crate::handlers::{BaseRequestHandler, HandlerBase};
use crate::tcp_server::{SocketType, Stream, TcpServer};
use crate::threading::ThreadingMixIn;

mod base_handler;
pub mod builtins;
pub mod email_utils;
pub mod message;
pub mod mimetypes;
mod simple_handler;
pub mod urllib_parse;

pub use base_handler::{
    __version__, BaseHttpRequest, BaseHttpRequestHandler, DEFAULT_ERROR_CONTENT_TYPE,
    DEFAULT_ERROR_MESSAGE, HttpHandlerBase, no_such_method,
};
pub use message::{HeaderError, HttpMessage, parse_headers};
pub use simple_handler::{
    HeadFile, SimpleHttpMethods, SimpleHttpRequest, SimpleHttpRequestHandler,
};

// ANCHOR: HttpServer
/// Python: `http.server.HTTPServer`, a `TCPServer` that reuses its address and
/// records its host name and port.
///
/// `M` is the mixin: [`Blocking`] here, [`ThreadingMixIn`] in
/// [`ThreadingHttpServer`]. It derefs to the [`TcpServer`] it is built on, for
/// Python's inherited attributes (`server_address`, `timeout`, `mixin`, …).
#[doc(alias = "HTTPServer")]
pub struct HttpServer<H, M: MixIn = Blocking> {
    base: TcpServer<H, Stream, M>,
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

impl<H, M> ServerBase for HttpServer<H, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = <Stream as SocketType>::Request>>,
    M: MixIn,
{
    type RequestHandlerClass = H;
    type SocketType = Stream;
    type MixIn = M;
    type Class = Self;

    fn base(&self) -> &TcpServer<H, Stream, M> {
        &self.base
    }
    fn base_mut(&mut self) -> &mut TcpServer<H, Stream, M> {
        &mut self.base
    }
    fn class_mut(&mut self) -> &mut Self {
        self
    }
    fn server_bind<S: BaseServer<Class = Self>>(this: &mut S) -> io::Result<()> {
        HttpServer::server_bind(this)
    }
}

/// Every hook with `TCPServer`'s default but `server_bind`, which is `HTTPServer`'s.
impl<H, M> BaseServer for HttpServer<H, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = <Stream as SocketType>::Request>>,
    M: MixIn,
{
}

impl<H, M: MixIn> Deref for HttpServer<H, M> {
    type Target = TcpServer<H, Stream, M>;
    fn deref(&self) -> &TcpServer<H, Stream, M> {
        &self.base
    }
}

impl<H, M: MixIn> DerefMut for HttpServer<H, M> {
    fn deref_mut(&mut self) -> &mut TcpServer<H, Stream, M> {
        &mut self.base
    }
}

impl<H, M> HttpServer<H, M>
where
    Self: BaseServer,
    TcpServer<H, Stream, M>: BaseServer,
    M: MixIn,
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
        let mut server = HttpServer {
            base,
            server_name: String::new(),
            server_port: 0,
        };
        if bind_and_activate {
            bind_and_activate_or_close(&mut server)?;
        }
        Ok(server)
    }
    // ANCHOR_END: http_server_constructor

    // ANCHOR: http_server_bind
    /// Binds as `TcpServer` does, then records `server_name` and `server_port`.
    ///
    /// Python: `HTTPServer.server_bind()`. An override calls it as
    /// `HttpServer::server_bind(self)`.
    pub fn server_bind<S: BaseServer<Class = Self>>(this: &mut S) -> io::Result<()> {
        TcpServer::server_bind(this)?; // socketserver.TCPServer.server_bind(self)
        let address = this.base().server_address.as_socket();
        let (host, port) = address.map_or((String::new(), 0), |a| (a.ip().to_string(), a.port()));
        let class = this.class_mut();
        class.server_name = builtins::getfqdn(&host);
        class.server_port = port;
        Ok(())
    }
    // ANCHOR_END: http_server_bind

    /// Shares the server, ready for [`serve_forever`](BaseServer::serve_forever).
    pub fn into_arc(self) -> std::sync::Arc<Self> {
        std::sync::Arc::new(self)
    }
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
