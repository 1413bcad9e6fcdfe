//! Solution to the proxy chapter's exercise 2: `examples/proxy.rs` keeping the
//! connection to the origin open between the requests of one client connection,
//! when they go to the same host and port.
//!
//! `forward` no longer sends `Connection: close` upstream, reads the origin's answer
//! exactly by its framing (`copy_body`), and keeps the connection for the handler's
//! next request unless the origin closes it (`Connection: close`, an HTTP/1.0
//! answer, a body that ends at the close). A kept connection the origin has closed
//! meanwhile is replaced once, for a request without a body.
//!
//! ```text
//! python3 examples/solutions/proxy_2_origin.py        # an origin that numbers its connections
//! cargo run --example proxy_2 -- [PORT]               # default 127.0.0.1:8080
//! curl -s -x http://127.0.0.1:8080 http://127.0.0.1:8000/a http://127.0.0.1:8000/b
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use nix::sys::signal::{SigSet, Signal};
use socket2::SockAddr;
use socketserver::http::server::message::{HttpMessage, parse_headers, readline};
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};
use socketserver::{BaseServer, Request, Stream, TcpServer, ThreadingMixIn};

#[path = "../support/mod.rs"]
mod support;

#[derive(Parser)]
#[command(name = "proxy_2")]
struct Args {
    /// bind to this address
    #[arg(short, long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: String,
    /// allow clients from this network (repeatable; default: loopback)
    #[arg(long, value_name = "CIDR")]
    allow: Vec<String>,
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
    allow: Vec<Cidr>,
    connect_timeout: Duration,
    upstream_timeout: Duration,
    idle_timeout: Duration,
}

impl BaseServer for ProxyServer {
    type RequestHandlerClass = ProxyHandler;
    type SocketType = Stream;
    type MixIn = ThreadingMixIn;

    fn base(&self) -> &TcpServer<ProxyHandler, Stream, ThreadingMixIn> {
        &self.base
    }

    /// Serve only the networks given by `--allow`.
    fn verify_request(&self, _request: &Request<Self>, client_address: &SockAddr) -> bool {
        client_address
            .as_socket()
            .is_some_and(|address| self.allow.iter().any(|net| net.contains(address.ip())))
    }
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

/// How a message's body is delimited.
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

fn framing(headers: &HttpMessage, is_response: bool) -> io::Result<Framing> {
    if let Some(coding) = headers.get("Transfer-Encoding") {
        if coding
            .to_ascii_lowercase()
            .split(',')
            .next_back()
            .map(str::trim)
            == Some("chunked")
        {
            return Ok(Framing::Chunked);
        }
        return if is_response {
            Ok(Framing::UntilClose)
        } else {
            Err(io::Error::other("unsupported transfer coding"))
        };
    }
    match headers.get("Content-Length") {
        Some(length) => length
            .trim()
            .parse()
            .map(Framing::Length)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length")),
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

/// Connects to `host:port` within `timeout`: any address it resolves to.
fn connect(host: &str, port: u16, timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        format!("{host} resolves to nothing"),
    );
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, timeout) {
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

// ANCHOR: handler
/// Python: `class ProxyHandler(BaseHTTPRequestHandler)`, with one attribute of its
/// own: `self.upstream`, the origin connection kept from the previous request.
struct ProxyHandler {
    base: BaseHttpRequest,
    upstream: Option<(String, u16, TcpStream)>,
}

impl From<BaseHttpRequest> for ProxyHandler {
    fn from(base: BaseHttpRequest) -> Self {
        ProxyHandler {
            base,
            upstream: None,
        }
    }
}

impl std::ops::Deref for ProxyHandler {
    type Target = BaseHttpRequest;
    fn deref(&self) -> &BaseHttpRequest {
        &self.base
    }
}

impl std::ops::DerefMut for ProxyHandler {
    fn deref_mut(&mut self) -> &mut BaseHttpRequest {
        &mut self.base
    }
}
// ANCHOR_END: handler

impl ProxyHandler {
    fn settings(&self) -> (Duration, Duration, Duration) {
        let server = self
            .server
            .downcast_ref::<ProxyServer>()
            .expect("a ProxyServer");
        (
            server.connect_timeout,
            server.upstream_timeout,
            server.idle_timeout,
        )
    }

    /// Connects upstream, or answers 502 (refused, unreachable) or 504 (too slow).
    fn connect_upstream(&mut self, host: &str, port: u16) -> io::Result<Option<TcpStream>> {
        let (connect_timeout, upstream_timeout, _) = self.settings();
        match connect(host, port, connect_timeout) {
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
        let Some((host, port, path)) = split_absolute(&self.path) else {
            let explain = "This is a proxy: send the request in absolute form \
                           (GET http://host/path HTTP/1.1), or CONNECT host:port";
            return self.send_error(400, Some("Not a proxy request"), Some(explain));
        };
        let request_framing = match framing(&self.headers, false) {
            Ok(framing) => framing,
            Err(_) => return self.send_error(501, Some("Unsupported transfer coding"), None),
        };
        // ANCHOR: solution
        // The connection kept from this client's previous request, if it goes to
        // the same origin; else a new one.
        let kept = self
            .upstream
            .take()
            .filter(|(h, p, _)| *h == host && *p == port);
        let mut reused = kept.is_some();
        let mut upstream = match kept {
            Some((_, _, stream)) => stream,
            None => match self.connect_upstream(&host, port)? {
                Some(stream) => stream,
                None => return Ok(()),
            },
        };
        // ANCHOR_END: solution

        // The request line and the end-to-end headers, then our own.
        let mut head = format!("{} {path} HTTP/1.1\r\n", self.command);
        let mut has_host = false;
        for (name, value) in end_to_end(&self.headers) {
            has_host |= name.eq_ignore_ascii_case("host");
            // Via is rebuilt below, Content-Length from the framing.
            if !name.eq_ignore_ascii_case("via") && !name.eq_ignore_ascii_case("content-length") {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if !has_host {
            head.push_str(&format!("Host: {host}:{port}\r\n"));
        }
        let via = self.headers.get_all("Via").join(", ");
        let version = self.request_version.trim_start_matches("HTTP/").to_string();
        let hop = format!("{version} socketserver-proxy");
        head.push_str(&format!(
            "Via: {}\r\n",
            if via.is_empty() {
                hop
            } else {
                format!("{via}, {hop}")
            }
        ));
        match request_framing {
            Framing::Length(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
            Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
            _ => {}
        }
        // ANCHOR: exchange
        head.push_str("\r\n"); // no `Connection: close`: HTTP/1.1 keeps the connection

        // A kept connection may have been closed by the origin since the last
        // request: a request without a body is then sent once more, on a new one.
        let retry = matches!(request_framing, Framing::None);
        let mut from_origin;
        let (version, code, reason, headers) = loop {
            if let Err(e) = send_request(&mut self.base.rfile, &upstream, &head, &request_framing) {
                if reused && retry {
                    reused = false;
                    match self.connect_upstream(&host, port)? {
                        Some(stream) => upstream = stream,
                        None => return Ok(()),
                    }
                    continue;
                }
                self.close_connection = true;
                return Err(e); // the client went away mid-body, or the origin did
            }
            // The answer: status line and headers within the upstream timeout.
            from_origin = BufReader::with_capacity(PIECE, upstream.try_clone()?);
            match read_response_head(&mut from_origin) {
                Ok(head) => break head,
                Err(e) if reused && retry && !is_timeout(&e) => {
                    reused = false;
                    match self.connect_upstream(&host, port)? {
                        Some(stream) => upstream = stream,
                        None => return Ok(()),
                    }
                }
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
            }
        };
        // ANCHOR_END: exchange
        let no_body =
            self.command == "HEAD" || (100..200).contains(&code) || code == 204 || code == 304;
        let response_framing = if no_body {
            Framing::None
        } else {
            framing(&headers, true)?
        };
        self.log_request(Some(code), None);
        self.send_response_only(code, Some(&reason));
        for (name, value) in end_to_end(&headers) {
            // A body's length is re-sent from its framing; a HEAD's or a 304's as it is.
            if no_body || !name.eq_ignore_ascii_case("content-length") {
                self.send_header(&name, &value);
            }
        }
        self.send_header("Via", "1.1 socketserver-proxy");
        // Re-frame a body of unknown length as chunks for an HTTP/1.1 client, and
        // keep its connection; an HTTP/1.0 client reads to the close.
        let chunk_out = matches!(response_framing, Framing::Chunked | Framing::UntilClose)
            && self.request_version.as_str() >= "HTTP/1.1";
        match response_framing {
            Framing::Length(length) => self.send_header("Content-Length", &length.to_string()),
            _ if chunk_out => self.send_header("Transfer-Encoding", "chunked"),
            Framing::None => {}
            _ => self.send_header("Connection", "close"),
        }
        self.end_headers()?;
        copy_body(
            &mut from_origin,
            &mut self.base.wfile,
            &response_framing,
            chunk_out,
        )?;
        // ANCHOR: keep
        // Kept for the next request if the origin keeps it too, and the answer
        // ended where its framing said (nothing more was read).
        let origin_closes = version != "HTTP/1.1"
            || headers
                .get_all("Connection")
                .iter()
                .any(|v| v.to_ascii_lowercase().contains("close"))
            || matches!(response_framing, Framing::UntilClose);
        if !origin_closes && from_origin.buffer().is_empty() {
            self.upstream = Some((host, port, upstream));
        }
        // ANCHOR_END: keep
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

        let (_, _, idle) = self.settings();
        let client: TcpStream = self.connection.try_clone()?.into();
        client.set_read_timeout(Some(idle))?;
        upstream.set_read_timeout(Some(idle))?;
        // Bytes the client sent after the CONNECT request are already in rfile.
        let early = self.rfile.buffer().to_vec();
        (&upstream).write_all(&early)?;
        let upstream_reader = upstream.try_clone()?;
        let client_writer = client.try_clone()?;
        let down = std::thread::spawn(move || pipe(&upstream_reader, &client_writer));
        let up = pipe(&client, &upstream);
        let down = down.join().unwrap_or(Ok(0));
        up.and(down).map(|_| ())
    }
    // ANCHOR_END: tunnel
}

/// Sends the request's head, then its body from the client as it arrives.
fn send_request(
    rfile: &mut impl BufRead,
    upstream: &TcpStream,
    head: &str,
    framing: &Framing,
) -> io::Result<()> {
    let mut to_origin = io::BufWriter::with_capacity(PIECE, upstream);
    to_origin.write_all(head.as_bytes())?;
    copy_body(
        rfile,
        &mut to_origin,
        framing,
        matches!(framing, Framing::Chunked),
    )?;
    Ok(())
}

/// Copies `from` to `to` until `from` ends, then passes the end on (half-close).
fn pipe(mut from: &TcpStream, mut to: &TcpStream) -> io::Result<u64> {
    let copied = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
    copied
}

/// Reads an answer's status line and headers: `(version, code, reason, headers)`.
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
    let headers = parse_headers(from).map_err(|e| match e {
        socketserver::http::server::HeaderError::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    })?;
    Ok((version.to_string(), code, reason, headers))
}

impl BaseHttpRequestHandler for ProxyHandler {
    const protocol_version: &'static str = "HTTP/1.1";
    const disable_nagle_algorithm: bool = true;

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
    socketserver::trace::init_from_env();
    let args = Args::parse();
    let allow = if args.allow.is_empty() {
        vec!["127.0.0.0/8".to_string(), "::1/128".to_string()]
    } else {
        args.allow
    };
    let allow = allow
        .iter()
        .map(|c| Cidr::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|error| {
            eprintln!("proxy_2: --allow: {error}");
            std::process::exit(2)
        });
    SigSet::from(Signal::SIGINT).thread_block()?;
    let where_ = format!("{}:{}", args.bind, args.port);
    let address: SocketAddr = support::or_exit(
        (args.bind.as_str(), args.port).to_socket_addrs(),
        "proxy_2",
        &where_,
    )
    .next()
    .expect("an address");
    let mut base = ThreadingHttpServer::<ProxyHandler>::with_bind_and_activate(address, false)?;
    base.request_queue_size = 128;
    let bound = base.server_bind().and_then(|()| base.server_activate());
    support::or_exit(bound, "proxy_2", address);
    let server = Arc::new(ProxyServer {
        base,
        allow,
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
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    server.serve_forever(0.5)?;
    println!("\nKeyboard interrupt received, exiting.");
    Ok(())
}
