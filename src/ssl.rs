//! The `ssl` module, as much of it as `HTTPSServer` needs: a server-side context
//! ([`SslContext`]) loaded from PEM files, and [`Tls`], the socket type of a server
//! whose connections speak TLS.
//!
//! Python: `Lib/ssl.py` over OpenSSL; here over `rustls` (with its `ring` provider).
//! What differs, and why, is listed on each item and in the book's differences
//! appendix.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use pkcs8::EncryptedPrivateKeyInfo;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use socket2::{SockAddr, Socket, Type};

use crate::connection::Connection;
use crate::tcp_server::SocketType;

/// What a context is for. Python: `ssl.Purpose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// A context that authenticates clients, that is, a server's context.
    /// Python: `ssl.Purpose.CLIENT_AUTH`. (`SERVER_AUTH`, a client's context, is not
    /// ported: the crate has servers only.)
    ClientAuth,
}

// ANCHOR: SSLError
/// An error of the TLS layer: a certificate or key that cannot be used.
///
/// Python: `ssl.SSLError`, whose text is OpenSSL's: `[SSL] PEM lib (_ssl.c:3926)`,
/// `[X509: KEY_VALUES_MISMATCH] key values mismatch (_ssl.c:3926)`. The port keeps
/// the first part, word for word, and puts in the parentheses what went wrong
/// where Python puts the line of C that noticed it.
#[doc(alias = "SSLError")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslError {
    /// OpenSSL's library and reason code, as Python shows them: `SSL`,
    /// `X509: KEY_VALUES_MISMATCH`.
    pub library: &'static str,
    /// OpenSSL's reason: `PEM lib`, `key values mismatch`.
    pub reason: &'static str,
    /// What the port found wrong, and in which file.
    pub detail: String,
}

impl SslError {
    fn pem(detail: String) -> io::Error {
        SslError {
            library: "SSL",
            reason: "PEM lib",
            detail,
        }
        .into()
    }
}

impl fmt::Display for SslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {} ({})", self.library, self.reason, self.detail)
    }
}

impl std::error::Error for SslError {}

/// An `SslError` is an `OSError` in Python: here an `io::Error` of kind
/// `InvalidData` that carries it (`error.get_ref()` downcasts to it).
impl From<SslError> for io::Error {
    fn from(error: SslError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }
}
// ANCHOR_END: SSLError

// ANCHOR: SSLContext
/// A server's TLS settings: its certificate chain and key, and the protocols it
/// offers through ALPN.
///
/// Python: `ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)`, as
/// [`create_default_context(Purpose::ClientAuth)`](create_default_context) makes it:
/// TLS 1.2 and 1.3, no client certificate asked for. Underneath, a
/// `rustls::ServerConfig` with the `ring` provider.
#[doc(alias = "SSLContext")]
#[derive(Clone)]
pub struct SslContext {
    /// The configuration with the certificate, once `load_cert_chain` has run.
    config: Option<ServerConfig>,
    alpn_protocols: Vec<Vec<u8>>,
}
// ANCHOR_END: SSLContext

impl fmt::Debug for SslContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SslContext")
            .field("certificate_loaded", &self.config.is_some())
            .field("alpn_protocols", &self.alpn_protocols)
            .finish()
    }
}

// ANCHOR: create_default_context
/// A context with the default settings for `purpose`: for
/// [`Purpose::ClientAuth`], a server's, with TLS 1.2 and 1.3 and no client
/// certificates. Load its certificate with
/// [`load_cert_chain`](SslContext::load_cert_chain).
///
/// Python: `ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)`.
pub fn create_default_context(purpose: Purpose) -> SslContext {
    match purpose {
        Purpose::ClientAuth => SslContext {
            config: None,
            alpn_protocols: Vec::new(),
        },
    }
}
// ANCHOR_END: create_default_context

impl SslContext {
    // ANCHOR: load_cert_chain
    /// Loads the certificate chain from `certfile` (PEM: the server's certificate
    /// first, then the ones that signed it) and the private key from `keyfile`, or
    /// from `certfile` when there is no `keyfile`. A key in an `ENCRYPTED PRIVATE
    /// KEY` block is decrypted with `password`.
    ///
    /// Python: `SSLContext.load_cert_chain(certfile, keyfile=None, password=None)`,
    /// with its errors: a file that cannot be read is an `OSError`
    /// (`[Errno 2] No such file or directory`), a certificate or key that cannot be
    /// read is `[SSL] PEM lib`, a key that is not the certificate's is
    /// `[X509: KEY_VALUES_MISMATCH] key values mismatch`.
    ///
    /// Differs from CPython: a key encrypted the traditional OpenSSL way (a
    /// `Proc-Type: 4,ENCRYPTED` header in an `RSA PRIVATE KEY` or `EC PRIVATE KEY`
    /// block) is refused with a message that says so (`openssl pkcs8 -topk8`
    /// converts it); an encrypted key without a password is refused, where OpenSSL
    /// would ask for the pass phrase on the terminal; the key types are those
    /// `rustls` signs with (RSA, ECDSA P-256 and P-384, Ed25519).
    pub fn load_cert_chain(
        &mut self,
        certfile: impl AsRef<Path>,
        keyfile: Option<&Path>,
        password: Option<&[u8]>,
    ) -> io::Result<()> {
        let certfile = certfile.as_ref();
        let cert_pem = read_file(certfile)?;
        let cert_chain = load_certificates(certfile, &cert_pem)?;
        let (keyfile, key_pem) = match keyfile {
            Some(keyfile) => (keyfile, read_file(keyfile)?),
            None => (certfile, cert_pem),
        };
        let key = load_private_key(keyfile, &key_pem, password)?;
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(io::Error::other)?
                .with_no_client_auth()
                .with_single_cert(cert_chain, key)
                .map_err(|error| match error {
                    rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                        SslError {
                            library: "X509: KEY_VALUES_MISMATCH",
                            reason: "key values mismatch",
                            detail: format!(
                                "the private key in {} is not the key of the certificate in {}",
                                keyfile.display(),
                                certfile.display()
                            ),
                        }
                        .into()
                    }
                    error => SslError::pem(format!("{}: {error}", keyfile.display())),
                })?;
        self.config = Some(config);
        Ok(())
    }
    // ANCHOR_END: load_cert_chain

    /// Offers these protocols, in order of preference, to a client that asks by
    /// ALPN (`"http/1.1"`, `"h2"`).
    ///
    /// Python: `SSLContext.set_alpn_protocols(alpn_protocols)`, which refuses a name
    /// of more than 255 bytes (`ValueError`; here `InvalidInput`).
    ///
    /// Differs from OpenSSL: when a client offers protocols and none is on this
    /// list, `rustls` ends the handshake (`no_application_protocol`), where Python's
    /// server goes on with no protocol chosen.
    pub fn set_alpn_protocols<P: AsRef<str>>(&mut self, alpn_protocols: &[P]) -> io::Result<()> {
        let mut protocols = Vec::with_capacity(alpn_protocols.len());
        for protocol in alpn_protocols {
            let protocol = protocol.as_ref().as_bytes();
            if protocol.is_empty() || protocol.len() > 255 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "ALPN protocols must be 1 to 255 in length: {:?}",
                        String::from_utf8_lossy(protocol)
                    ),
                ));
            }
            protocols.push(protocol.to_vec());
        }
        self.alpn_protocols = protocols;
        Ok(())
    }

    /// The `rustls` configuration this context stands for; an error before
    /// `load_cert_chain` (Python's context would fail each handshake instead).
    pub fn server_config(&self) -> io::Result<Arc<ServerConfig>> {
        let mut config = self.config.clone().ok_or_else(|| SslError {
            library: "SSL",
            reason: "no certificate assigned",
            detail: "call load_cert_chain first".into(),
        })?;
        config.alpn_protocols = self.alpn_protocols.clone();
        Ok(Arc::new(config))
    }

    // ANCHOR: wrap_socket
    /// Puts TLS on a server's listening socket: every connection it accepts from
    /// now on speaks TLS with this context's certificate.
    ///
    /// Python: `context.wrap_socket(sock, server_side=True)`, which returns the
    /// listening `SSLSocket` that `HTTPSServer.server_activate` puts in
    /// `self.socket`. Here the server keeps its socket, and its socket type,
    /// [`Tls`], keeps the context: `context.wrap_socket(&server.socket_type)`.
    pub fn wrap_socket(&self, listener: &Tls) -> io::Result<()> {
        let config = self.server_config()?;
        *listener.config.write().unwrap_or_else(|e| e.into_inner()) = Some(config);
        Ok(())
    }
    // ANCHOR_END: wrap_socket
}

/// Reads a whole file, its errors worded as Python's `OSError`s are:
/// `[Errno 2] No such file or directory: 'cert.pem'`, with the same kind.
fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| match error.raw_os_error() {
        Some(code) => io::Error::new(
            error.kind(),
            format!(
                "[Errno {code}] {}: '{}'",
                nix::errno::Errno::from_raw(code).desc(),
                path.display()
            ),
        ),
        None => error,
    })
}

/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block of a PEM file.
struct PemBlock<'a> {
    label: &'a str,
    /// The block, its two marker lines included.
    text: &'a [u8],
    /// It has RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`): a traditional
    /// OpenSSL-encrypted key.
    encrypted_headers: bool,
}

/// The blocks of a PEM file, in order; text around them is skipped, as OpenSSL
/// skips it.
fn pem_blocks(pem: &[u8]) -> Vec<PemBlock<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<(&str, usize, bool)> = None;
    let mut offset = 0;
    for line in pem.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let text = std::str::from_utf8(line).unwrap_or("").trim_end();
        if let Some(label) = text
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        {
            open = Some((label, start, false));
        } else if let Some(label) = text
            .strip_prefix("-----END ")
            .and_then(|rest| rest.strip_suffix("-----"))
        {
            if let Some((begun, from, encrypted_headers)) = open.take() {
                if begun == label {
                    blocks.push(PemBlock {
                        label,
                        text: &pem[from..offset],
                        encrypted_headers,
                    });
                }
            }
        } else if let Some((_, _, encrypted_headers)) = open.as_mut() {
            if text.starts_with("Proc-Type:") && text.contains("ENCRYPTED") {
                *encrypted_headers = true;
            }
        }
    }
    blocks
}

/// The `CERTIFICATE` blocks of `certfile`: the chain, the server's own first.
fn load_certificates(certfile: &Path, pem: &[u8]) -> io::Result<Vec<CertificateDer<'static>>> {
    let mut chain = Vec::new();
    for block in pem_blocks(pem) {
        if block.label == "CERTIFICATE" {
            let certificate = CertificateDer::from_pem_slice(block.text).map_err(|error| {
                SslError::pem(format!(
                    "{}: a certificate that cannot be read: {error}",
                    certfile.display()
                ))
            })?;
            chain.push(certificate);
        }
    }
    if chain.is_empty() {
        return Err(SslError::pem(format!(
            "{}: no certificate in it (a PEM block `-----BEGIN CERTIFICATE-----`)",
            certfile.display()
        )));
    }
    Ok(chain)
}

// ANCHOR: load_private_key
/// The first private key of `keyfile`, decrypted with `password` if it is an
/// `ENCRYPTED PRIVATE KEY` (PKCS#8, PBES2: what `openssl pkcs8 -topk8`, `openssl
/// genpkey -aes256` and CPython's test keys are).
fn load_private_key(
    keyfile: &Path,
    pem: &[u8],
    password: Option<&[u8]>,
) -> io::Result<PrivateKeyDer<'static>> {
    let name = keyfile.display();
    for block in pem_blocks(pem) {
        match block.label {
            "ENCRYPTED PRIVATE KEY" => {
                let Some(password) = password else {
                    return Err(SslError::pem(format!(
                        "{name}: the private key is encrypted, and no password was given"
                    )));
                };
                let text = std::str::from_utf8(block.text).unwrap_or("");
                let (_, document) = pkcs8::Document::from_pem(text).map_err(|error| {
                    SslError::pem(format!(
                        "{name}: an encrypted private key that cannot be read: {error}"
                    ))
                })?;
                let encrypted =
                    EncryptedPrivateKeyInfo::try_from(document.as_bytes()).map_err(|error| {
                        SslError::pem(format!(
                            "{name}: an encrypted private key that cannot be read: {error}"
                        ))
                    })?;
                let key = encrypted.decrypt(password).map_err(|error| match error {
                    pkcs8::Error::EncryptedPrivateKey(
                        pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed,
                    )
                    | pkcs8::Error::Asn1(_)
                    | pkcs8::Error::KeyMalformed => SslError::pem(format!(
                        "{name}: the private key cannot be decrypted with this password"
                    )),
                    error => SslError::pem(format!(
                        "{name}: the private key is encrypted in a way this port does not read ({error})"
                    )),
                })?;
                return Ok(PrivatePkcs8KeyDer::from(key.as_bytes().to_vec()).into());
            }
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" if block.encrypted_headers => {
                return Err(SslError::pem(format!(
                    "{name}: the private key is encrypted the traditional OpenSSL way \
                     (Proc-Type: 4,ENCRYPTED), which this port does not read; \
                     `openssl pkcs8 -topk8 -in OLD -out NEW` converts it to an \
                     ENCRYPTED PRIVATE KEY"
                )));
            }
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                return PrivateKeyDer::from_pem_slice(block.text).map_err(|error| {
                    SslError::pem(format!(
                        "{name}: a private key that cannot be read: {error}"
                    ))
                });
            }
            _ => {}
        }
    }
    Err(SslError::pem(format!("{name}: no private key in it")))
}
// ANCHOR_END: load_private_key

// ANCHOR: Handshake
/// Where a TLS connection's handshake runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Handshake {
    /// In `get_request`, on the thread that runs `serve_forever`, before the
    /// connection goes to `process_request`, with no time limit: CPython 3.14's
    /// `HTTPSServer`, whose `accept()` is `SSLSocket.accept()` with
    /// `do_handshake_on_connect=True`. One client that connects and sends nothing
    /// stalls every other client until it gives up, on a `ThreadingHTTPSServer`
    /// too: no request thread exists yet.
    #[default]
    InAccept,
    /// In the handler's `setup`, on the request's thread (the mixin's), within
    /// this time from its start, however slowly the client's bytes come;
    /// `get_request` returns as soon as `accept` does. A silent client then holds
    /// up only its own thread, and not for longer than the deadline. Not in
    /// CPython; [`Handshake::in_setup`] gives it a 10-second deadline.
    ///
    /// The deadline is the server's, not the handler's `timeout` (`None` for every
    /// `http.server` handler, which would leave the handshake unbounded). On a
    /// server with no mixin, `setup` runs on the loop's thread too: there the
    /// deadline bounds the stall, and only a thread per request removes it. A
    /// handshake that fails in `setup` is the request's error, and so reaches
    /// `handle_error`, where a failure in `accept` is silent.
    InSetup(Duration),
}

impl Handshake {
    /// The fixed shape with its usual deadline:
    /// `Handshake::InSetup(Duration::from_secs(10))`.
    pub const fn in_setup() -> Handshake {
        Handshake::InSetup(Duration::from_secs(10))
    }
}
// ANCHOR_END: Handshake

// ANCHOR: Tls
/// `SOCK_STREAM` with TLS on every connection: what a server's socket becomes once
/// a context has wrapped it ([`SslContext::wrap_socket`]).
///
/// Python: the listening `ssl.SSLSocket` of a 3.14 `HTTPSServer`. Its
/// `get_request` accepts, wraps the connection in TLS and, by default, performs
/// the handshake right there ([`Handshake::InAccept`]); set
/// `server.socket_type.handshake = Handshake::in_setup()` to leave it to the
/// request's thread.
///
/// [`HttpsServer`](crate::http::server::HttpsServer) wraps its socket itself.
/// Any other stream server can speak TLS the same way: a `TcpServer` with `Tls`
/// for its socket type, wrapped by a context once it listens.
///
/// ```no_run
/// use std::io::{self, BufRead, Write};
/// use std::path::Path;
/// use socketserver::ssl::{self, Handshake, Purpose, Tls};
/// use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingMixIn, TcpServer};
///
/// struct Echo(StreamRequestHandler);
/// socketserver::subclass!(Echo(StreamRequestHandler));
/// impl BaseRequestHandler for Echo {
///     fn handle(&mut self) -> io::Result<()> {
///         let mut line = Vec::new();
///         self.rfile.read_until(b'\n', &mut line)?; // decrypted
///         self.wfile.write_all(&line) //                encrypted
///     }
/// }
///
/// fn main() -> io::Result<()> {
///     let mut context = ssl::create_default_context(Purpose::ClientAuth);
///     context.load_cert_chain("cert.pem", Some(Path::new("key.pem")), None)?;
///     let mut server = TcpServer::<Echo, Tls, ThreadingMixIn>::new(("127.0.0.1", 8443))?;
///     context.wrap_socket(&server.socket_type)?;
///     server.socket_type.handshake = Handshake::in_setup();
///     server.into_arc().serve_forever(0.5)
/// }
/// ```
#[derive(Default)]
pub struct Tls {
    /// Where each connection's handshake runs. Python: always in `accept`.
    pub handshake: Handshake,
    config: RwLock<Option<Arc<ServerConfig>>>,
}
// ANCHOR_END: Tls

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("handshake", &self.handshake)
            .field("wrapped", &self.config().is_some())
            .finish()
    }
}

impl Tls {
    /// The configuration [`SslContext::wrap_socket`] gave it; `None` before.
    pub fn config(&self) -> Option<Arc<ServerConfig>> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl SocketType for Tls {
    const TYPE: Type = Type::STREAM;
    /// A [`Connection`] with TLS on it, shared as [`Stream`](crate::Stream)'s is.
    type Request = Arc<Connection>;

    /// `listen`, as for [`Stream`](crate::Stream): TLS comes on top, when the
    /// server's `server_activate` wraps the socket.
    fn server_activate(socket: &Socket, request_queue_size: i32) -> io::Result<()> {
        socket.listen(request_queue_size)
    }

    // ANCHOR: tls_get_request
    /// Accepts a connection and wraps it in TLS; with [`Handshake::InAccept`], also
    /// performs the handshake, here, waiting as long as the client takes. A failed
    /// handshake closes the connection and is this call's error, which
    /// `_handle_request_noblock` ignores.
    ///
    /// Python: `SSLSocket.accept()`: `newsock, addr = super().accept()`, then
    /// `self.context.wrap_socket(newsock, do_handshake_on_connect=True,
    /// server_side=True)`, whose `do_handshake()` raises `SSLError` (an
    /// `OSError`) when the handshake fails.
    fn get_request(&self, socket: &Arc<Socket>) -> io::Result<(Arc<Connection>, SockAddr)> {
        let (socket, client_address) = socket.accept()?;
        let config = self.config().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "no TLS context: wrap the socket first (SslContext::wrap_socket, which \
                 HttpsServer::server_activate calls)",
            )
        })?;
        let connection = Connection::wrap(socket, config)?;
        match self.handshake {
            Handshake::InAccept => connection.do_handshake()?,
            Handshake::InSetup(timeout) => connection.defer_handshake(timeout),
        }
        Ok((Arc::new(connection), client_address))
    }
    // ANCHOR_END: tls_get_request

    // ANCHOR: tls_shutdown_request
    /// Sends the TLS `close_notify` (without waiting), then shuts the socket down
    /// for writing, as [`Stream`](crate::Stream) does.
    ///
    /// Python: `TCPServer.shutdown_request(request)` calls `request.shutdown(SHUT_WR)`,
    /// and `SSLSocket.shutdown()` drops the TLS session without a `close_notify`.
    /// Differs: the port says goodbye in TLS first, so a careful client can tell the
    /// end of a response that has no length from a connection cut short.
    fn shutdown_request(request: &Arc<Connection>) {
        request.close_notify();
        let _ = request.shutdown(std::net::Shutdown::Write);
    }
    // ANCHOR_END: tls_shutdown_request
}
