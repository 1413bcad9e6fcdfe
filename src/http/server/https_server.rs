//! `HTTPSServer` and `ThreadingHTTPSServer`: an `HTTPServer` whose socket speaks TLS.
//!
//! Python: `Lib/http/server.py` of CPython 3.14 (the classes are new in 3.14; the rest
//! of the port follows 3.11, whose `http.server` is otherwise the same here).

use std::borrow::{Borrow, BorrowMut};
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;

use super::HttpServer;
use crate::address::ToServerAddress;
use crate::base_server::{BaseServer, Blocking, FromServer, HandlerServer, MixIn, ServerBase};
use crate::connection::Connection;
use crate::handlers::{BaseRequestHandler, HandlerBase};
use crate::ssl::{self, Purpose, SslContext, Tls};
use crate::tcp_server::{TcpServer, class_bind_and_activate};
use crate::threading::ThreadingMixIn;

// ANCHOR: HttpsOptions
/// The keyword arguments of `HTTPSServer(...)`, with Python's names and defaults.
///
/// ```no_run
/// # use socketserver::http::server::HttpsOptions;
/// // certfile="cert.pem", keyfile="key.pem", password="somepass"
/// let options = HttpsOptions {
///     keyfile: Some("key.pem".into()),
///     password: Some("somepass".into()),
///     ..HttpsOptions::new("cert.pem")
/// };
/// ```
#[derive(Debug, Clone)]
pub struct HttpsOptions {
    /// The certificate chain, PEM (and the key, when there is no `keyfile`).
    /// Python: `certfile`, required.
    pub certfile: PathBuf,
    /// The private key, PEM. Python: `keyfile=None`.
    pub keyfile: Option<PathBuf>,
    /// The password of an encrypted key. Python: `password=None`.
    pub password: Option<Vec<u8>>,
    /// The protocols offered by ALPN; `None` is `["http/1.1"]`.
    /// Python: `alpn_protocols=None`.
    pub alpn_protocols: Option<Vec<String>>,
}

impl HttpsOptions {
    /// `certfile` alone, every other argument at Python's default.
    pub fn new(certfile: impl Into<PathBuf>) -> Self {
        HttpsOptions {
            certfile: certfile.into(),
            keyfile: None,
            password: None,
            alpn_protocols: None,
        }
    }
}
// ANCHOR_END: HttpsOptions

// ANCHOR: HttpsServer
/// Python 3.14: `http.server.HTTPSServer`, an `HTTPServer` whose socket is wrapped
/// in TLS when it starts listening, so that every connection speaks HTTPS.
///
/// It derefs to the [`HttpServer`] it is built on (`server_name`, `server_port`,
/// and through it `server_address`, `socket_type`, …). Its socket type is
/// [`Tls`]: `server.socket_type.handshake` decides where each handshake runs,
/// CPython's way by default (in `accept`, on the loop's thread; see
/// [`Handshake`](crate::ssl::Handshake)).
#[doc(alias = "HTTPSServer")]
pub struct HttpsServer<H, M: MixIn = Blocking> {
    base: HttpServer<H, M, Tls>,
    /// Python: `self.certfile`.
    pub certfile: PathBuf,
    /// Python: `self.keyfile`.
    pub keyfile: Option<PathBuf>,
    /// Python: `self.password`.
    pub password: Option<Vec<u8>>,
    /// Python: `self.alpn_protocols`, `["http/1.1"]` unless given.
    pub alpn_protocols: Vec<String>,
}

/// Python 3.14: `http.server.ThreadingHTTPSServer`, an `HTTPSServer` that handles
/// each request in a daemon thread. Each handshake still runs on the loop's thread
/// unless `socket_type.handshake` says otherwise.
#[doc(alias = "ThreadingHTTPSServer")]
pub type ThreadingHttpsServer<H> = HttpsServer<H, ThreadingMixIn>;
// ANCHOR_END: HttpsServer

impl<H, M> ServerBase for HttpsServer<H, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = Arc<Connection>>>,
    M: MixIn,
{
    type RequestHandlerClass = H;
    type SocketType = Tls;
    type MixIn = M;
    type Class = Self;

    fn base(&self) -> &TcpServer<H, Tls, M> {
        &self.base
    }
    fn base_mut(&mut self) -> &mut TcpServer<H, Tls, M> {
        &mut self.base
    }
    fn class(&self) -> &Self {
        self
    }
    fn class_mut(&mut self) -> &mut Self {
        self
    }
    fn server_bind<S: ServerBase<Class = Self>>(this: &mut S) -> io::Result<()> {
        HttpServer::<H, M, Tls>::server_bind(this)
    }
    fn server_activate<S: ServerBase<Class = Self>>(this: &S) -> io::Result<()> {
        HttpsServer::<H, M>::server_activate(this)
    }
}

/// Every hook with `HTTPServer`'s default but `server_activate`, which is
/// `HTTPSServer`'s.
impl<H, M> BaseServer for HttpsServer<H, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = Arc<Connection>>>,
    M: MixIn,
    HandlerServer<Self>: FromServer<Self>,
{
}

impl<H, M: MixIn> Deref for HttpsServer<H, M> {
    type Target = HttpServer<H, M, Tls>;
    fn deref(&self) -> &HttpServer<H, M, Tls> {
        &self.base
    }
}

impl<H, M: MixIn> DerefMut for HttpsServer<H, M> {
    fn deref_mut(&mut self) -> &mut HttpServer<H, M, Tls> {
        &mut self.base
    }
}

/// `HTTPSServer` is an `HTTPServer`: what `HttpServer::server_bind` sets.
impl<H, M: MixIn> Borrow<HttpServer<H, M, Tls>> for HttpsServer<H, M> {
    fn borrow(&self) -> &HttpServer<H, M, Tls> {
        &self.base
    }
}

impl<H, M: MixIn> BorrowMut<HttpServer<H, M, Tls>> for HttpsServer<H, M> {
    fn borrow_mut(&mut self) -> &mut HttpServer<H, M, Tls> {
        &mut self.base
    }
}

impl<H, M> HttpsServer<H, M>
where
    H: BaseRequestHandler<Target: HandlerBase<Request = Arc<Connection>>>,
    M: MixIn,
{
    /// Creates the server, binds it, starts listening and wraps its socket in TLS,
    /// reading the certificate and key then: a missing file or a bad key is this
    /// constructor's error.
    ///
    /// Python: `HTTPSServer(server_address, RequestHandlerClass, certfile=…)`.
    pub fn new(server_address: impl ToServerAddress, options: HttpsOptions) -> io::Result<Self> {
        Self::with_bind_and_activate(server_address, true, options)
    }

    // ANCHOR: https_server_constructor
    /// Stores the TLS arguments, then does what `HTTPServer`'s constructor does: bind
    /// and activate if `bind_and_activate` (activating reads the files), closing the
    /// socket if that fails.
    ///
    /// Python: `HTTPSServer.__init__(server_address, RequestHandlerClass,
    /// bind_and_activate=True, *, certfile, keyfile=None, password=None,
    /// alpn_protocols=None)`.
    pub fn with_bind_and_activate(
        server_address: impl ToServerAddress,
        bind_and_activate: bool,
        options: HttpsOptions,
    ) -> io::Result<Self> {
        let base = HttpServer::with_bind_and_activate(server_address, false)?;
        let server = HttpsServer {
            base,
            certfile: options.certfile,
            keyfile: options.keyfile,
            password: options.password,
            // Support by default HTTP/1.1
            alpn_protocols: options
                .alpn_protocols
                .unwrap_or_else(|| vec!["http/1.1".to_string()]),
        };
        if bind_and_activate {
            return class_bind_and_activate(server); // super().__init__(...)
        }
        Ok(server)
    }
    // ANCHOR_END: https_server_constructor

    /// Shares the server, ready for [`serve_forever`](BaseServer::serve_forever).
    pub fn into_arc(self) -> Arc<Self> {
        Arc::new(self)
    }
}

impl<H, M: MixIn> HttpsServer<H, M> {
    // ANCHOR: https_server_activate
    /// Listens, as every stream server does, then wraps the socket in TLS: from now
    /// on each accepted connection gets a TLS session (and, by default, its
    /// handshake, in `get_request`).
    ///
    /// Python: `HTTPSServer.server_activate()`, "Wrap the socket in SSLSocket". An
    /// override calls it as `HttpsServer::server_activate(self)`.
    pub fn server_activate<S>(this: &S) -> io::Result<()>
    where
        S: ServerBase,
        S::Class: Borrow<Self>,
    {
        TcpServer::server_activate(this)?; // super().server_activate()
        let class: &Self = this.class().borrow();
        let context = class._create_context()?;
        // self.socket = context.wrap_socket(self.socket, server_side=True)
        context.wrap_socket(&class.socket_type)
    }
    // ANCHOR_END: https_server_activate

    // ANCHOR: _create_context
    /// Python: `HTTPSServer._create_context()`, "Create a secure SSL context": the
    /// default server context, this server's certificate and key, its ALPN list.
    pub fn _create_context(&self) -> io::Result<SslContext> {
        let mut context = ssl::create_default_context(Purpose::ClientAuth);
        context.load_cert_chain(
            &self.certfile,
            self.keyfile.as_deref(),
            self.password.as_deref(),
        )?;
        context.set_alpn_protocols(&self.alpn_protocols)?;
        Ok(context)
    }
    // ANCHOR_END: _create_context
}
