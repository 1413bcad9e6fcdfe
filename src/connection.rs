//! `Connection`: one accepted stream connection, plain or with TLS: what a stream
//! server hands its handler as `request`.
//!
//! Python: the socket object that `socket.accept()` returns, or, on an `HTTPSServer`
//! (3.14), the `ssl.SSLSocket` that `SSLSocket.accept()` returns (Lib/ssl.py,
//! `SSLSocket.accept`): the same object to the handler, whose `makefile()` reads and
//! writes through TLS when there is TLS.

use std::io::{self, Read, Write};
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection};
use socket2::Socket;

use crate::interrupt;

// ANCHOR: Connection
/// A connected stream socket, with a TLS session on it or not.
///
/// Python: a `socket.socket` from `accept()`, or an `ssl.SSLSocket` on an HTTPS
/// server. It derefs to the [`Socket`], so its options and addresses read as in
/// Python (`self.connection.set_read_timeout(…)`, `self.request.local_addr()`).
///
/// Bytes go through the connection, never through the socket beneath it: `recv`,
/// `send`, `sendall`, and `Read`/`Write` for `&Connection` (what `rfile` and `wfile`
/// use) encrypt and decrypt when there is TLS, as an `SSLSocket`'s do. Reading the
/// socket itself (`connection.socket()`) would read TLS records.
///
/// One TLS session serves one thread at a time: a read that waits holds it, so a
/// handler that reads on one thread while another writes works on a plain
/// connection only.
///
/// A read or write that a signal interrupts (`EINTR`) is tried again, as Python's
/// socket methods do (PEP 475), unless it runs on the main thread after a Ctrl-C:
/// then it fails with an error that carries a
/// [`KeyboardInterrupt`](crate::KeyboardInterrupt), as Python's raises it.
pub struct Connection {
    socket: Socket,
    tls: Option<Mutex<TlsSession>>,
}

/// The TLS half of a connection: Python's `SSLSocket._sslobj`.
struct TlsSession {
    session: ServerConnection,
    /// The handshake is still to be done, within this long once it starts
    /// ([`Handshake::InSetup`](crate::ssl::Handshake::InSetup)).
    handshake_timeout: Option<Duration>,
}
// ANCHOR_END: Connection

impl Connection {
    /// A plain connection: Python's socket object.
    pub fn new(socket: Socket) -> Self {
        Connection { socket, tls: None }
    }

    /// A connection with a server-side TLS session on it, its handshake not done:
    /// Python's `context.wrap_socket(sock, server_side=True,
    /// do_handshake_on_connect=False)`. Call [`do_handshake`](Self::do_handshake),
    /// or let the first read or write do it.
    pub fn wrap(socket: Socket, config: Arc<ServerConfig>) -> io::Result<Self> {
        let session = ServerConnection::new(config).map_err(io::Error::other)?;
        Ok(Connection {
            socket,
            tls: Some(Mutex::new(TlsSession {
                session,
                handshake_timeout: None,
            })),
        })
    }

    /// The socket beneath. Its bytes are TLS records when [`is_tls`](Self::is_tls).
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// True when the connection has TLS on it. Python: `isinstance(sock, ssl.SSLSocket)`.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    fn session(&self) -> Option<MutexGuard<'_, TlsSession>> {
        self.tls
            .as_ref()
            .map(|tls| tls.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Leaves the handshake to whoever first calls [`do_handshake`](Self::do_handshake)
    /// (the handler's `setup`), bounded by `timeout` from then on.
    pub(crate) fn defer_handshake(&self, timeout: Duration) {
        if let Some(mut tls) = self.session() {
            tls.handshake_timeout = Some(timeout);
        }
    }

    /// True while a TLS handshake is still to be done.
    pub fn handshake_pending(&self) -> bool {
        self.session()
            .is_some_and(|tls| tls.session.is_handshaking())
    }

    // ANCHOR: do_handshake
    /// Performs the TLS handshake, if there is TLS and it is not done yet; nothing
    /// otherwise. It waits as long as the client takes, unless the server deferred
    /// it with a timeout ([`Handshake::InSetup`](crate::ssl::Handshake::InSetup)):
    /// then the whole handshake must be over within that time, however slowly the
    /// client's bytes come, or it fails with `TimedOut`.
    ///
    /// Python: `SSLSocket.do_handshake()`, which `SSLSocket.accept()` calls when
    /// `do_handshake_on_connect` (the default). A failed handshake sends the client
    /// its alert and returns the error (Python: `ssl.SSLError`, an `OSError`).
    pub fn do_handshake(&self) -> io::Result<()> {
        let Some(mut tls) = self.session() else {
            return Ok(());
        };
        if !tls.session.is_handshaking() {
            return Ok(());
        }
        let _span = crate::__span!("do_handshake").entered();
        let deadline = tls.handshake_timeout.map(|t| Instant::now() + t);
        let saved = match deadline {
            Some(_) => Some((self.socket.read_timeout()?, self.socket.write_timeout()?)),
            None => None,
        };
        let result = handshake(&mut tls.session, &self.socket, deadline);
        if let Some((read, write)) = saved {
            self.socket.set_read_timeout(read)?;
            self.socket.set_write_timeout(write)?;
        }
        result
    }
    // ANCHOR_END: do_handshake

    /// The protocol that ALPN chose, e.g. `b"http/1.1"`; `None` without TLS or when
    /// the client offered none. Python: `SSLSocket.selected_alpn_protocol()`.
    pub fn selected_alpn_protocol(&self) -> Option<Vec<u8>> {
        self.session()?.session.alpn_protocol().map(<[u8]>::to_vec)
    }

    /// The TLS version in use, as Python names it (`"TLSv1.3"`, `"TLSv1.2"`);
    /// `None` without TLS or before the handshake. Python: `SSLSocket.version()`.
    pub fn version(&self) -> Option<&'static str> {
        match self.session()?.session.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            _ => None,
        }
    }

    // ANCHOR: tls_io
    /// Reads what is there, at most `buf.len()` bytes; 0 at the end of the stream.
    /// Python: `recv(bufsize)`.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_with(buf, |_| Ok(()))
    }

    /// Sends what the socket takes of `buf` (all of it, over TLS) and says how much.
    /// Python: `send(data)`.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match self.session() {
            None => interrupt::retry(|| (&self.socket).write(buf)),
            Some(mut tls) => {
                write_all(&mut tls.session, &self.socket, buf)?;
                Ok(buf.len())
            }
        }
    }

    /// Sends all of `buf`. Python: `sendall(data)`.
    pub fn sendall(&self, buf: &[u8]) -> io::Result<()> {
        match self.session() {
            // Not `write_all`, which retries EINTR without looking for a Ctrl-C.
            None => {
                let mut rest = buf;
                while !rest.is_empty() {
                    match interrupt::retry(|| (&self.socket).write(rest))? {
                        0 => return Err(io::ErrorKind::WriteZero.into()),
                        n => rest = &rest[n..],
                    }
                }
                Ok(())
            }
            Some(mut tls) => write_all(&mut tls.session, &self.socket, buf),
        }
    }

    /// Reads as `recv` does, calling `before_each_read` with the socket before every
    /// read from it, so that a caller with a deadline can shorten the socket's
    /// timeout each time (one TLS record may take several reads).
    pub(crate) fn read_with(
        &self,
        buf: &mut [u8],
        mut before_each_read: impl FnMut(&Socket) -> io::Result<()>,
    ) -> io::Result<usize> {
        let Some(mut tls) = self.session() else {
            return interrupt::retry(|| {
                before_each_read(&self.socket)?;
                (&self.socket).read(buf)
            });
        };
        let tls = &mut tls.session;
        if tls.is_handshaking() {
            handshake(tls, &self.socket, None)?;
        }
        loop {
            match tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The client closed the TCP connection without a TLS close_notify:
                // Python's default `suppress_ragged_eofs=True` reads it as the end.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            flush(tls, &self.socket)?;
            let read = interrupt::retry(|| {
                before_each_read(&self.socket)?;
                tls.read_tls(&mut &self.socket)
            })?;
            if read == 0 {
                // The end of the TCP stream: the reader now says so.
                continue;
            }
            process_new_packets(tls, &self.socket)?;
        }
    }
    // ANCHOR_END: tls_io

    // ANCHOR: close_notify
    /// Tells the client, if this is TLS, that nothing more will come
    /// (`close_notify`), without waiting: a client that reads nothing more loses
    /// nothing but that alert. Called by [`Tls`](crate::ssl::Tls)'s
    /// `shutdown_request` before the socket is shut down.
    ///
    /// Not what Python 3.14 does: `SSLSocket.shutdown(how)` drops the TLS session and
    /// shuts the socket down with no `close_notify`, so a client cannot tell the end
    /// of a response from a cut connection. Python: `SSLSocket.unwrap()` sends it.
    pub fn close_notify(&self) {
        let Some(mut tls) = self.session() else {
            return;
        };
        if tls.session.is_handshaking() {
            return;
        }
        tls.session.send_close_notify();
        let mut nonblocking = NonBlocking(&self.socket);
        while tls.session.wants_write() {
            if !matches!(tls.session.write_tls(&mut nonblocking), Ok(n) if n > 0) {
                break;
            }
        }
    }
    // ANCHOR_END: close_notify
}

impl Deref for Connection {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.socket
    }
}

impl AsFd for Connection {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl AsRawFd for Connection {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("fd", &self.socket.as_raw_fd())
            .field("tls", &self.is_tls())
            .finish()
    }
}

impl Read for &Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }
}

impl Write for &Connection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sendall(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sends what the TLS session has queued (records, alerts).
fn flush(tls: &mut ServerConnection, socket: &Socket) -> io::Result<()> {
    while tls.wants_write() {
        if interrupt::retry(|| tls.write_tls(&mut &*socket))? == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
    }
    Ok(())
}

/// Decrypts what `read_tls` brought; on a TLS error, sends the client its alert (as
/// far as the socket takes it) and returns the error.
fn process_new_packets(tls: &mut ServerConnection, socket: &Socket) -> io::Result<()> {
    if let Err(error) = tls.process_new_packets() {
        let _ = flush(tls, socket);
        return Err(io::Error::new(io::ErrorKind::InvalidData, error));
    }
    Ok(())
}

/// Encrypts and sends all of `buf`, after the handshake if it is still to be done.
fn write_all(tls: &mut ServerConnection, socket: &Socket, mut buf: &[u8]) -> io::Result<()> {
    if tls.is_handshaking() {
        handshake(tls, socket, None)?;
    }
    while !buf.is_empty() {
        let n = tls.writer().write(buf)?;
        buf = &buf[n..];
        flush(tls, socket)?;
        if n == 0 {
            // Nothing taken, nothing queued: the session has closed its sending side.
            return Err(io::ErrorKind::WriteZero.into());
        }
    }
    Ok(())
}

/// The handshake loop: send what the session wants sent, read what it wants read,
/// until it is done, failed, or past `deadline` (each read and write of the socket
/// waits at most until then).
fn handshake(
    tls: &mut ServerConnection,
    socket: &Socket,
    deadline: Option<Instant>,
) -> io::Result<()> {
    let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "the handshake operation timed out");
    let bound = |socket: &Socket| -> io::Result<()> {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            socket.set_read_timeout(Some(left))?;
            socket.set_write_timeout(Some(left))?;
        }
        Ok(())
    };
    let on_timeout = |e: io::Error| match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut if deadline.is_some() => timed_out(),
        _ => e,
    };
    while tls.is_handshaking() {
        if tls.wants_write() {
            bound(socket)?;
            interrupt::retry(|| tls.write_tls(&mut &*socket)).map_err(on_timeout)?;
        } else if tls.wants_read() {
            bound(socket)?;
            if interrupt::retry(|| tls.read_tls(&mut &*socket)).map_err(on_timeout)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "EOF occurred in violation of protocol (the client left during the handshake)",
                ));
            }
            process_new_packets(tls, socket)?;
        } else {
            return Err(io::Error::other("the TLS handshake stalled"));
        }
    }
    // TLS 1.3 sends its session tickets right after the handshake.
    bound(socket)?;
    flush(tls, socket).map_err(on_timeout)
}

/// The socket, written without waiting (`MSG_DONTWAIT`): for the last alert.
struct NonBlocking<'a>(&'a Socket);

impl Write for NonBlocking<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send_with_flags(buf, nix::libc::MSG_DONTWAIT)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
