//! Solution to the proxy chapter's exercise 3: `examples/proxy.rs` logging, when a
//! `CONNECT` tunnel closes, the bytes it carried in each direction, in the access
//! log's format.
//!
//! ```text
//! cargo run --example http_server -- --bind 127.0.0.1 --directory book/demo   # the origin
//! cargo run --example proxy_3 -- [PORT]                                      # default 127.0.0.1:8080
//! curl -p -x http://127.0.0.1:8080 http://127.0.0.1:8000/hello.txt
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use socketserver::SockAddr;
use socketserver::http::server::message::{HttpMessage, parse_headers, readline};
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};
use socketserver::{BaseServer, KeyboardInterrupt, Request};

#[path = "../support/mod.rs"]
mod support;

#[derive(Parser)]
#[command(name = "proxy_3")]
struct Args {
    /// bind to this address
    #[arg(short, long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: String,
    /// allow clients from this network (repeatable; default: loopback)
    #[arg(long, value_name = "CIDR")]
    allow: Vec<String>,
    /// reach only destinations in this network (repeatable; default: any); a host
    /// name other than localhost is then refused without being looked up
    #[arg(long, value_name = "CIDR")]
    upstream: Vec<String>,
    /// seconds to wait for an upstream connection
    #[arg(long, default_value_t = 10.0)]
    connect_timeout: f64,
    /// seconds to wait for an upstream answer, and for each read of a body
    #[arg(long, default_value_t = 30.0)]
    upstream_timeout: f64,
    /// seconds a tunnel may stay silent in both directions
    #[arg(long, default_value_t = 300.0)]
    idle_timeout: f64,
    /// bind to this port
    #[arg(default_value_t = 8080)]
    port: u16,
}

/// A network in CIDR notation: `127.0.0.0/8`, `::1/128`.
#[derive(Clone, Copy)]
struct Cidr {
    network: IpAddr,
    prefix: u32,
}

impl Cidr {
    fn parse(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("bad address in {text}"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            bits
        } else {
            prefix
                .parse()
                .map_err(|_| format!("bad prefix in {text}"))?
        };
        if prefix > bits {
            return Err(format!("prefix too long in {text}"));
        }
        Ok(Cidr { network, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        let (a, n, bits) = match (address, self.network) {
            (IpAddr::V4(a), IpAddr::V4(n)) => {
                (u128::from(u32::from(a)), u128::from(u32::from(n)), 32)
            }
            (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
            (IpAddr::V6(a), IpAddr::V4(_)) => match a.to_ipv4_mapped() {
                Some(v4) => return self.contains(IpAddr::V4(v4)),
                None => return false,
            },
            _ => return false,
        };
        let shift = bits - self.prefix;
        shift >= bits || (a >> shift) == (n >> shift)
    }
}

// ANCHOR: ProxyServer
/// A `ThreadingHTTPServer` with the proxy's settings, and the one hook it overrides.
struct ProxyServer {
    base: ThreadingHttpServer<ProxyHandler>,
    /// Who may use the proxy (`--allow`), checked in `verify_request`.
    allow: Vec<Cidr>,
    /// Where it may go (`--upstream`; empty: anywhere), checked by `destination`.
    upstream: Vec<Cidr>,
    connect_timeout: Duration,
    upstream_timeout: Duration,
    idle_timeout: Duration,
}

socketserver::subclass!(ProxyServer { base: ThreadingHttpServer<ProxyHandler> });

impl BaseServer for ProxyServer {
    /// Serve only the networks given by `--allow`.
    fn verify_request(&self, _request: &Request<Self>, client_address: &SockAddr) -> bool {
        client_address
            .as_socket()
            .is_some_and(|address| self.allow.iter().any(|net| net.contains(address.ip())))
    }
}

impl ProxyServer {
    // ANCHOR: destination
    /// The addresses the proxy may connect to for `host`: where a proxy decides where
    /// it may go, as `verify_request` decides who may use it. With no `--upstream`,
    /// wherever `host` resolves. With a list, an IP address in it, or `localhost`'s
    /// addresses in it; any other name is refused unresolved, so a name the proxy is
    /// asked for is never looked up. Empty: refuse (403).
    fn destination(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if self.upstream.is_empty() {
            return Ok((host, port).to_socket_addrs()?.collect());
        }
        let allowed =
            |address: &SocketAddr| self.upstream.iter().any(|net| net.contains(address.ip()));
        let addresses: Vec<SocketAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else if host.eq_ignore_ascii_case("localhost") {
            (host, port).to_socket_addrs()?.collect()
        } else {
            Vec::new()
        };
        Ok(addresses.into_iter().filter(allowed).collect())
    }
    // ANCHOR_END: destination
}
// ANCHOR_END: ProxyServer

/// Headers that belong to one connection and are not passed on (RFC 9110, 7.6.1),
/// beside those that `Connection` names.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The headers to pass on: all but the hop-by-hop ones.
fn end_to_end(headers: &HttpMessage) -> Vec<(String, String)> {
    let named: Vec<String> = headers
        .get_all("Connection")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    headers
        .items()
        .iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            !HOP_BY_HOP.contains(&name.as_str()) && !named.contains(&name)
        })
        .cloned()
        .collect()
}

/// How a message's body is delimited (RFC 9112, 6.3).
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// Why a message's framing cannot be used: an answer for the client.
struct BadFraming {
    /// 400 for a malformed request (501 for a coding we cannot pass on); for an
    /// answer from the origin the proxy sends 502 instead.
    code: u16,
    message: &'static str,
}

/// The framing of a request (`is_response` false) or an answer, as RFC 9112, 6.3
/// orders it: `Transfer-Encoding` overrides `Content-Length`; then one
/// `Content-Length` (repeated values must agree); then nothing (a request) or the
/// connection's end (an answer).
fn framing(headers: &HttpMessage, is_response: bool) -> Result<Framing, BadFraming> {
    let codings: Vec<String> = headers
        .get_all("Transfer-Encoding")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    if !codings.is_empty() {
        if codings.last().map(String::as_str) != Some("chunked") {
            // An answer then ends with the connection; a request cannot be delimited.
            return if is_response {
                Ok(Framing::UntilClose)
            } else {
                Err(BadFraming {
                    code: 400,
                    message: "Transfer-Encoding must end with chunked",
                })
            };
        }
        if codings.len() > 1 {
            // Re-chunked, a body would lose its other codings: not passed on.
            return Err(BadFraming {
                code: 501,
                message: "Unsupported transfer coding",
            });
        }
        return Ok(Framing::Chunked);
    }
    let lengths: Vec<&str> = headers
        .get_all("Content-Length")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    match lengths.first() {
        Some(first) => match first.parse() {
            Ok(length) if lengths.iter().all(|l| l == first) => Ok(Framing::Length(length)),
            _ => Err(BadFraming {
                code: 400,
                message: "Bad Content-Length",
            }),
        },
        None if is_response => Ok(Framing::UntilClose),
        None => Ok(Framing::None),
    }
}

/// The most of a body held in memory at once.
const PIECE: usize = 64 * 1024;

/// Copies a body from `from` to `to` as it arrives, in pieces of at most 64 KiB:
/// `Length` and `UntilClose` bodies as they are, `Chunked` ones chunk by chunk,
/// re-framed as chunks on the way out when `chunk_out`.
fn copy_body(
    from: &mut impl BufRead,
    to: &mut impl Write,
    framing: &Framing,
    chunk_out: bool,
) -> io::Result<u64> {
    let mut buffer = vec![0; PIECE];
    let mut total = 0;
    let send = |to: &mut dyn Write, data: &[u8]| -> io::Result<()> {
        if chunk_out {
            write!(to, "{:x}\r\n", data.len())?;
            to.write_all(data)?;
            to.write_all(b"\r\n")
        } else {
            to.write_all(data)
        }
    };
    match framing {
        Framing::None => {}
        Framing::Length(length) => {
            let mut left = *length;
            while left > 0 {
                let n = from.read(&mut buffer[..left.min(PIECE as u64) as usize])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                send(to, &buffer[..n])?;
                left -= n as u64;
                total += n as u64;
            }
        }
        Framing::UntilClose => loop {
            let n = from.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            send(to, &buffer[..n])?;
            total += n as u64;
        },
        Framing::Chunked => loop {
            let line = readline(from, 1024)?;
            let size = std::str::from_utf8(&line)
                .ok()
                .and_then(|l| u64::from_str_radix(l.trim().split(';').next()?.trim(), 16).ok())
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // The trailer, up to its blank line, is dropped.
                while !matches!(readline(from, 65536)?.as_slice(), b"\r\n" | b"\n" | b"") {}
                break;
            }
            let mut left = size;
            while left > 0 {
                let n = from.read(&mut buffer[..left.min(PIECE as u64) as usize])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                send(to, &buffer[..n])?;
                left -= n as u64;
                total += n as u64;
            }
            readline(from, 1024)?; // the CRLF after the chunk
        },
    }
    if chunk_out {
        to.write_all(b"0\r\n\r\n")?;
    }
    to.flush()?;
    Ok(total)
}

/// The writer to the origin. Once the origin stops taking bytes (it answered early
/// and closed), it keeps the error and takes the rest without sending it, so that the
/// client's body is still read to its end.
struct UntilRefused<W> {
    inner: W,
    error: Option<io::Error>,
}

impl<W> UntilRefused<W> {
    fn new(inner: W) -> Self {
        UntilRefused { inner, error: None }
    }
}

impl<W: Write> Write for UntilRefused<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none() {
            if let Err(e) = self.inner.write_all(buf) {
                self.error = Some(e);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.error.is_none() {
            if let Err(e) = self.inner.flush() {
                self.error = Some(e);
            }
        }
        Ok(())
    }
}

/// Connects to the first of `addresses` that answers within `timeout`.
fn connect(addresses: &[SocketAddr], timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "resolves to nothing");
    for address in addresses {
        match TcpStream::connect_timeout(address, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// `http://host[:port]/path?query` → `(host, port, /path?query)`.
fn split_absolute(url: &str) -> Option<(String, u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("HTTP://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = split_authority(authority, 80)?;
    Some((host, port, path.to_string()))
}

/// `host:port` (or `[v6]:port`), with a default port.
fn split_authority(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let authority = authority.rsplit('@').next()?;
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after
            .strip_prefix(':')
            .map_or(Some(default_port), |p| p.parse().ok())?;
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None if !authority.is_empty() => Some((authority.to_string(), default_port)),
        None => None,
    }
}

/// Python: `class ProxyHandler(BaseHTTPRequestHandler)`.
struct ProxyHandler(BaseHttpRequest);
socketserver::subclass!(ProxyHandler(BaseHttpRequest));

impl ProxyHandler {
    fn proxy(&self) -> &ProxyServer {
        self.server
            .downcast_ref::<ProxyServer>()
            .expect("a ProxyServer")
    }

    /// Where an absolute-form request goes: `(host, port, path)`, or an error sent to
    /// the client (400 for a request that is not for a proxy, or that cannot be
    /// delimited; 501 for a coding we cannot pass on).
    fn target(&mut self) -> io::Result<Option<(String, u16, String, Framing)>> {
        let Some((host, port, path)) = split_absolute(&self.path) else {
            let explain = "This is a proxy: send the request in absolute form \
                           (GET http://host/path HTTP/1.1), or CONNECT host:port";
            self.send_error(400, Some("Not a proxy request"), Some(explain))?;
            return Ok(None);
        };
        match framing(&self.headers, false) {
            Ok(framing) => Ok(Some((host, port, path, framing))),
            Err(bad) => {
                self.send_error(bad.code, Some(bad.message), None)?;
                Ok(None)
            }
        }
    }

    /// The addresses `--upstream` lets the proxy reach for `host`, or a 403 sent to
    /// the client (502 when the name does not resolve).
    fn allowed_addresses(&mut self, host: &str, port: u16) -> io::Result<Option<Vec<SocketAddr>>> {
        match self.proxy().destination(host, port) {
            Ok(addresses) if !addresses.is_empty() => Ok(Some(addresses)),
            Ok(_) => {
                let explain = format!("This proxy does not reach {host}:{port}.");
                self.send_error(403, Some("Destination not allowed"), Some(&explain))?;
                Ok(None)
            }
            Err(e) => {
                let explain = format!("Cannot resolve {host}: {e}");
                self.send_error(502, None, Some(&explain))?;
                Ok(None)
            }
        }
    }

    /// Connects upstream, or answers 403 (not allowed), 502 (refused, unreachable)
    /// or 504 (too slow).
    fn connect_upstream(&mut self, host: &str, port: u16) -> io::Result<Option<TcpStream>> {
        let Some(addresses) = self.allowed_addresses(host, port)? else {
            return Ok(None);
        };
        let (connect_timeout, upstream_timeout) = {
            let proxy = self.proxy();
            (proxy.connect_timeout, proxy.upstream_timeout)
        };
        match connect(&addresses, connect_timeout) {
            Ok(stream) => {
                stream.set_read_timeout(Some(upstream_timeout))?;
                stream.set_write_timeout(Some(upstream_timeout))?;
                stream.set_nodelay(true)?;
                Ok(Some(stream))
            }
            Err(e) if is_timeout(&e) => {
                self.send_error(
                    504,
                    None,
                    Some(&format!("No connection to {host}:{port} in time")),
                )?;
                Ok(None)
            }
            Err(e) => {
                self.send_error(
                    502,
                    None,
                    Some(&format!("Cannot connect to {host}:{port}: {e}")),
                )?;
                Ok(None)
            }
        }
    }

    // ANCHOR: forward
    /// Forwards the request to the origin its absolute URL names, and streams the
    /// answer back. Python's `do_GET`, `do_POST`, … all call it.
    fn forward(&mut self) -> io::Result<()> {
        let Some((host, port, path, request_framing)) = self.target()? else {
            return Ok(());
        };
        // Both Transfer-Encoding and Content-Length: the chunks decide, and the
        // connection closes after the answer (RFC 9112, 6.1), as a request smuggled
        // through a disagreeing server would otherwise follow.
        if self.headers.get("Transfer-Encoding").is_some()
            && self.headers.get("Content-Length").is_some()
        {
            self.close_connection = true;
        }
        let Some(upstream) = self.connect_upstream(&host, port)? else {
            return Ok(());
        };

        // The request line and the end-to-end headers, then our own. `Expect` is
        // not passed on: `handle_expect_100` has answered it already.
        let mut head = format!("{} {path} HTTP/1.1\r\n", self.command);
        let mut has_host = false;
        for (name, value) in end_to_end(&self.headers) {
            has_host |= name.eq_ignore_ascii_case("host");
            // Via is rebuilt below, Content-Length from the framing.
            if !["via", "content-length", "expect"].contains(&name.to_ascii_lowercase().as_str()) {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if !has_host {
            head.push_str(&format!("Host: {host}:{port}\r\n"));
        }
        let version = self.request_version.trim_start_matches("HTTP/");
        head.push_str(&format!("Via: {}\r\n", via(&self.headers, version)));
        match request_framing {
            Framing::Length(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
            Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
            _ => {}
        }
        head.push_str("Connection: close\r\n\r\n");

        let mut to_origin = io::BufWriter::with_capacity(64 * 1024, UntilRefused::new(&upstream));
        let read = to_origin.write_all(head.as_bytes()).and_then(|()| {
            copy_body(
                &mut self.rfile,
                &mut to_origin,
                &request_framing,
                matches!(request_framing, Framing::Chunked),
            )
        });
        let refused = to_origin.into_inner().ok().and_then(|origin| origin.error);
        // A body not forwarded whole closes the client's connection: the client went
        // away mid-body (`read`), or the origin answered early (a 413, a 501) and
        // stopped reading (`refused`). Then the client's body was still read to its
        // end, so that the client reads the origin's answer rather than a reset.
        if let Err(e) = read {
            self.close_connection = true;
            return Err(e);
        }
        if refused.is_some() {
            self.close_connection = true;
        }

        // The answer: interim ones first (RFC 9110, 15.2), then the final one.
        let mut from_origin = BufReader::with_capacity(64 * 1024, &upstream);
        let (version, code, reason, headers) = loop {
            let (version, code, reason, headers) = match read_response_head(&mut from_origin) {
                Ok(head) => head,
                Err(_) if refused.is_some() => return Err(refused.unwrap()),
                Err(e) if is_timeout(&e) => {
                    return self.send_error(
                        504,
                        None,
                        Some(&format!("{host}:{port} did not answer in time")),
                    );
                }
                Err(e) => {
                    return self.send_error(
                        502,
                        None,
                        Some(&format!("Bad answer from {host}:{port}: {e}")),
                    );
                }
            };
            if !(100..200).contains(&code) || code == 101 {
                break (version, code, reason, headers);
            }
            // A 100 is not passed on: a client that asked has had ours. Other interim
            // answers (102, 103) go to a client that can take them.
            if code != 100 && self.request_version.as_str() >= "HTTP/1.1" {
                self.send_response_only(code, Some(&reason));
                for (name, value) in end_to_end(&headers) {
                    self.send_header(&name, &value);
                }
                self.end_headers()?;
            }
        };
        if code == 101 {
            // We passed no Upgrade on, so no origin may switch protocols.
            return self.send_error(502, None, Some("The origin switched protocols"));
        }
        let no_body = self.command == "HEAD" || code == 204 || code == 304;
        let response_framing = if no_body {
            Framing::None
        } else {
            match framing(&headers, true) {
                Ok(framing) => framing,
                Err(bad) => {
                    let explain = format!("{host}:{port} answered with {}", bad.message);
                    return self.send_error(502, None, Some(&explain));
                }
            }
        };
        self.log_request(Some(code), None);
        self.send_response_only(code, Some(&reason));
        for (name, value) in end_to_end(&headers) {
            // A body's length is re-sent from its framing; a HEAD's or a 304's as it is.
            let name_lower = name.to_ascii_lowercase();
            if name_lower != "via" && (no_body || name_lower != "content-length") {
                self.send_header(&name, &value);
            }
        }
        self.send_header("Via", &via(&headers, &version));
        // Re-frame a body of unknown length as chunks for an HTTP/1.1 client, and
        // keep its connection; an HTTP/1.0 client reads to the close.
        let chunk_out = matches!(response_framing, Framing::Chunked | Framing::UntilClose)
            && self.request_version.as_str() >= "HTTP/1.1";
        match response_framing {
            Framing::Length(length) => self.send_header("Content-Length", &length.to_string()),
            _ if chunk_out => self.send_header("Transfer-Encoding", "chunked"),
            Framing::UntilClose => self.close_connection = true,
            _ => {}
        }
        if self.close_connection {
            self.send_header("Connection", "close");
        }
        self.end_headers()?;
        let this = &mut self.0;
        copy_body(
            &mut from_origin,
            &mut this.wfile,
            &response_framing,
            chunk_out,
        )?;
        Ok(())
    }
    // ANCHOR_END: forward

    // ANCHOR: tunnel
    /// `CONNECT host:port`: connect, answer `200 Connection established`, then copy
    /// bytes both ways until both sides have closed, passing each half-close on.
    fn tunnel(&mut self) -> io::Result<()> {
        let Some((host, port)) = split_authority(&self.path, 443) else {
            return self.send_error(400, Some("CONNECT needs host:port"), None);
        };
        let Some(upstream) = self.connect_upstream(&host, port)? else {
            return Ok(());
        };
        self.send_response(200, Some("Connection established"));
        self.end_headers()?;
        self.close_connection = true;

        let idle = self.proxy().idle_timeout;
        let client: TcpStream = self.connection.try_clone()?.into();
        client.set_read_timeout(Some(idle))?;
        upstream.set_read_timeout(Some(idle))?;
        // Bytes the client sent after the CONNECT request are already in rfile.
        let early = self.rfile.buffer().to_vec();
        (&upstream).write_all(&early)?;
        let upstream_reader = upstream.try_clone()?;
        let client_writer = client.try_clone()?;
        // ANCHOR: solution
        let down = std::thread::spawn(move || pipe(&upstream_reader, &client_writer));
        let (up, up_result) = pipe(&client, &upstream);
        let (down, down_result) = down.join().unwrap_or((0, Ok(())));
        // What each direction carried, counted even when it ended in an error.
        let up = early.len() as u64 + up;
        self.log_message(format_args!(
            "\"{}\" tunnel closed: {up} bytes up, {down} bytes down",
            self.requestline
        ));
        // ANCHOR_END: solution
        up_result.and(down_result)
    }
    // ANCHOR_END: tunnel
}

// ANCHOR: pipe
/// Copies `from` to `to` until `from` ends, then passes the end on (half-close).
/// Returns the bytes copied, and how the copy ended: `io::copy` would lose the
/// count on an error.
fn pipe(mut from: &TcpStream, mut to: &TcpStream) -> (u64, io::Result<()>) {
    let mut buffer = vec![0; PIECE];
    let mut copied = 0;
    let result = loop {
        match from.read(&mut buffer) {
            Ok(0) => break Ok(()),
            Ok(n) => match to.write_all(&buffer[..n]) {
                Ok(()) => copied += n as u64,
                Err(e) => break Err(e),
            },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    let _ = to.shutdown(Shutdown::Write);
    (copied, result)
}
// ANCHOR_END: pipe

/// `Via` for the next hop: what the message carried, then this proxy, with the
/// protocol version of the hop it came over (`1.0` from an HTTP/1.0 client or origin).
fn via(headers: &HttpMessage, version: &str) -> String {
    let mut hops = headers.get_all("Via");
    let ours = format!("{version} socketserver-proxy");
    hops.push(&ours);
    hops.join(", ")
}

/// Reads an answer's status line and headers: `(version, code, reason, headers)`,
/// the version without its `HTTP/`.
fn read_response_head(from: &mut impl BufRead) -> io::Result<(String, u16, String, HttpMessage)> {
    let line = readline(from, 65537)?;
    if line.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "closed without an answer",
        ));
    }
    let line = String::from_utf8_lossy(&line);
    let mut words = line.trim_end().splitn(3, ' ');
    let (version, code) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let code: u16 = code
        .parse()
        .ok()
        .filter(|_| version.starts_with("HTTP/"))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad status line {line:?}"),
            )
        })?;
    let reason = words.next().unwrap_or("").to_string();
    let version = version.trim_start_matches("HTTP/").to_string();
    let headers = parse_headers(from).map_err(|e| match e {
        socketserver::http::server::HeaderError::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    })?;
    Ok((version, code, reason, headers))
}

impl BaseHttpRequestHandler for ProxyHandler {
    const protocol_version: &'static str = "HTTP/1.1";
    const disable_nagle_algorithm: bool = true;

    // ANCHOR: handle_expect_100
    /// `Expect: 100-continue`: refuse at once what the request line and headers
    /// already decide (not for a proxy, a bad framing, a destination not allowed),
    /// so that the client never sends a body for nothing; otherwise answer `100
    /// Continue` ourselves, as CPython's handler does for any HTTP/1.1 handler, and
    /// do not pass the expectation on (`forward` drops it, and any 100 the origin
    /// still sends): the client gets one `100 Continue`, and its body at once flows
    /// through to the origin.
    fn handle_expect_100(&mut self) -> io::Result<bool> {
        if self.command != "CONNECT" {
            let Some((host, port, _, _)) = self.target()? else {
                return Ok(false);
            };
            if self.allowed_addresses(&host, port)?.is_none() {
                return Ok(false);
            }
        }
        // Python: return super().handle_expect_100()
        BaseHttpRequest::handle_expect_100(self)
    }
    // ANCHOR_END: handle_expect_100

    /// Every method is forwarded, `CONNECT` tunnels: Python would write
    /// `do_GET = do_HEAD = do_POST = … = forward` and `do_CONNECT = tunnel`.
    fn call_do_method(&mut self, command: &str) -> io::Result<()> {
        if command == "CONNECT" {
            self.tunnel()
        } else {
            self.forward()
        }
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args = Args::parse();
    let allow = if args.allow.is_empty() {
        vec!["127.0.0.0/8".to_string(), "::1/128".to_string()]
    } else {
        args.allow
    };
    let networks = |option: &str, cidrs: &[String]| -> Vec<Cidr> {
        cidrs
            .iter()
            .map(|c| Cidr::parse(c))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|error| {
                eprintln!("proxy_3: {option}: {error}");
                std::process::exit(2)
            })
    };
    let allow = networks("--allow", &allow);
    let upstream = networks("--upstream", &args.upstream);
    let where_ = format!("{}:{}", args.bind, args.port);
    let address: SocketAddr = support::or_exit(
        (args.bind.as_str(), args.port).to_socket_addrs(),
        "proxy_3",
        &where_,
    )
    .next()
    .expect("an address");
    let mut base = ThreadingHttpServer::<ProxyHandler>::with_bind_and_activate(address, false)?;
    base.request_queue_size = 128;
    let bound = base.server_bind().and_then(|()| base.server_activate());
    support::or_exit(bound, "proxy_3", address);
    let server = Arc::new(ProxyServer {
        base,
        allow,
        upstream,
        connect_timeout: Duration::from_secs_f64(args.connect_timeout),
        upstream_timeout: Duration::from_secs_f64(args.upstream_timeout),
        idle_timeout: Duration::from_secs_f64(args.idle_timeout),
    });
    let bound = server
        .base
        .server_address
        .as_socket()
        .expect("an IP address");
    println!(
        "Serving HTTP proxy on {} port {} ...",
        bound.ip(),
        bound.port()
    );
    println!("  curl -x http://{bound} http://127.0.0.1:8000/");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
