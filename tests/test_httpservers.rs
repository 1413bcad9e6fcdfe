//! CPython 3.11's `Lib/test/test_httpservers.py`, case by case, with the Python test's
//! name in snake case. `test_get` is in two classes: those two carry their class's
//! name without `TestCase` (`request_handler_logging_test_get`,
//! `simple_http_server_test_get`). The CGI cases and the others that cannot apply in
//! Rust are listed in `tests/NOT_PORTED.md`.
//!
//! Python talks to the servers with `http.client`; here a client writes the bytes
//! `http.client` writes (request line, `Host`, `Accept-Encoding: identity`, the
//! headers, a blank line) over a `TcpStream` and parses the response itself. Python's
//! socketless handler (a `BytesIO` for `rfile` and `wfile`) is a handler on one end of
//! a socket pair, the test on the other; a `SOCK_SEQPACKET` pair turns every write of
//! the handler into one packet, so the tests that count writes count packets.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::ops::{Deref, DerefMut};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

use socket2::{Domain, SockAddr, Socket, Type};
use socketserver::http::server::{
    _get_best_family, BaseHttpRequest, BaseHttpRequestHandler, HttpHandlerBase, HttpServer,
    SimpleHttpMethods, SimpleHttpRequest, no_such_method,
};
use socketserver::{BaseServer, Connection, HandlerBase};

/// Bounds every read of a client, and of a socketless handler.
const TIMEOUT: Duration = Duration::from_secs(10);

// --- helpers ------------------------------------------------------------------------

/// A fresh path under the temporary directory: pid and a counter.
fn unique_path(stem: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("{stem}.{}.{n}", std::process::id()))
}

/// Bytes decoded as latin-1, as `http.client` decodes a response's head.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Python: `output.readlines()`: the lines, each with its `\n`.
fn readlines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `time.gmtime(seconds)` from the C library, to check the port's own calendar.
fn gmtime(seconds: i64) -> nix::libc::tm {
    let t = seconds as nix::libc::time_t;
    // SAFETY: gmtime_r only writes the `tm` it is given; a zeroed tm is valid.
    let mut tm: nix::libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !nix::libc::gmtime_r(&t, &mut tm).is_null() };
    assert!(ok, "gmtime_r({seconds})");
    tm
}

/// The "old code" of `test_date_time_string`, which is also
/// `email.utils.formatdate(seconds, usegmt=True)`:
/// `"%s, %02d %3s %4d %02d:%02d:%02d GMT"` over `time.gmtime`.
fn http_date(seconds: i64) -> String {
    const WEEKDAYNAME: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]; // tm_wday
    const MONTHNAME: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let tm = gmtime(seconds);
    format!(
        "{}, {:02} {:>3} {:>4} {:02}:{:02}:{:02} GMT",
        WEEKDAYNAME[tm.tm_wday as usize],
        tm.tm_mday,
        MONTHNAME[tm.tm_mon as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

fn epoch_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// What `http.client` sends for `putrequest(method, url)` with `_http_vsn_str =
/// version`, the given `putheader`s, and `endheaders()`: `Host` and
/// `Accept-Encoding: identity` first, as it adds them for HTTP/1.1.
fn http_client_request(
    method: &str,
    url: &str,
    version: &str,
    host: &str,
    headers: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut request = format!("{method} {url} {version}\r\n").into_bytes();
    request.extend_from_slice(format!("Host: {host}\r\nAccept-Encoding: identity\r\n").as_bytes());
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// A response as `http.client.HTTPResponse` reads it.
#[derive(Debug)]
struct Response {
    /// `HTTP/1.0` or `HTTP/1.1`: Python's `response.version` 10 or 11.
    version: String,
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// Python: `response.getheader(name)`, the first of that name, any case.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A connection to a test server.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, request: &[u8]) {
        self.reader.get_mut().write_all(request).unwrap();
    }

    fn line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        (&mut self.reader)
            .take(65537)
            .read_until(b'\n', &mut line)
            .unwrap();
        line
    }

    /// Reads one response: status line, headers, and the body that `http.client`
    /// would read for `method`: none for HEAD, 1xx, 204 and 304, else
    /// `Content-Length` bytes, else up to the end of the connection.
    fn response(&mut self, method: &str) -> Response {
        let status_line = latin1(&self.line());
        let status_line = status_line.trim_end_matches(['\r', '\n']);
        let mut words = status_line.splitn(3, ' ');
        let version = words.next().unwrap_or("").to_string();
        assert!(
            version.starts_with("HTTP/1."),
            "bad status line {status_line:?}"
        );
        let status: u16 = words.next().unwrap_or("").parse().unwrap();
        let reason = words.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        for _ in 0..=100 {
            let line = latin1(&self.line());
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("a header line");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut response = Response {
            version,
            status,
            reason,
            headers,
            body: Vec::new(),
        };
        let no_body =
            method == "HEAD" || (100..200).contains(&status) || [204, 304].contains(&status);
        if !no_body {
            assert!(response.header("Transfer-Encoding").is_none());
            match response.header("Content-Length") {
                Some(length) => {
                    let mut body = vec![0; length.parse().unwrap()];
                    self.reader.read_exact(&mut body).unwrap();
                    response.body = body;
                }
                None => {
                    self.reader.read_to_end(&mut response.body).unwrap();
                }
            }
        }
        response
    }
}

/// Python's `TestServerThread`: `serve_forever(0.05)` on a thread; dropping it is
/// `stop()`: `shutdown()`, join, `server_close()`.
struct Serving<S: BaseServer> {
    server: Arc<S>,
    thread: Option<JoinHandle<io::Result<()>>>,
    port: u16,
}

impl<S: BaseServer> Serving<S> {
    fn start(server: S) -> Self {
        let port = server.base().server_address.as_socket().unwrap().port();
        let server = Arc::new(server);
        let serving = Arc::clone(&server);
        let thread = thread::spawn(move || serving.serve_forever(0.05));
        Serving {
            server,
            thread: Some(thread),
            port,
        }
    }

    fn connect(&self) -> Client {
        Client::connect(self.port)
    }
}

impl<S: BaseServer> Drop for Serving<S> {
    fn drop(&mut self) {
        self.server.shutdown();
        let joined = self.thread.take().unwrap().join();
        self.server.server_close();
        if !thread::panicking() {
            joined.unwrap().unwrap();
        }
    }
}

// --- BaseHTTPServerTestCase ---------------------------------------------------------

/// Python: `BaseHTTPServerTestCase.request_handler`.
struct BaseServerHandler(BaseHttpRequest);
socketserver::subclass!(BaseServerHandler(BaseHttpRequest));

impl BaseServerHandler {
    /// Python: `send_error(int(self.path[1:]))`.
    fn send_error_from_path(&mut self) -> io::Result<()> {
        let code = self.path[1..].parse().map_err(io::Error::other)?;
        self.send_error(code, None, None)
    }
}

impl BaseHttpRequestHandler for BaseServerHandler {
    const protocol_version: &'static str = "HTTP/1.1";
    const default_request_version: &'static str = "HTTP/1.1";

    /// Python: `NoLogRequestHandler.log_message`.
    fn log_message(&self, _message: fmt::Arguments<'_>) {}

    fn do_method(&mut self, command: &str) -> io::Result<()> {
        match command {
            "TEST" => {
                self.send_response(204, None);
                self.send_header("Content-Type", "text/html");
                self.send_header("Connection", "close");
                self.end_headers()
            }
            "KEEP" => {
                self.send_response(204, None);
                self.send_header("Content-Type", "text/html");
                self.send_header("Connection", "keep-alive");
                self.end_headers()
            }
            "KEYERROR" => self.send_error(999, None, None),
            "NOTFOUND" => self.send_error(404, None, None),
            "EXPLAINERROR" => self.send_error(
                999,
                Some("Short Message"),
                Some("This is a long \n explanation"),
            ),
            "CUSTOM" => {
                self.send_response(999, None);
                self.send_header("Content-Type", "text/html");
                self.send_header("Connection", "close");
                self.end_headers()
            }
            "LATINONEHEADER" => {
                self.send_response(999, None);
                self.send_header("X-Special", "Dängerous Mind");
                self.send_header("Connection", "close");
                self.end_headers()?;
                let body = self
                    .headers
                    .get("x-special-incoming")
                    .ok_or_else(|| io::Error::other("KeyError: 'x-special-incoming'"))?
                    .as_bytes()
                    .to_vec();
                self.wfile.write_all(&body)
            }
            "SEND_ERROR" => self.send_error_from_path(),
            _ => Err(no_such_method(command)),
        }
    }

    fn do_HEAD(&mut self) -> io::Result<()> {
        self.send_error_from_path()
    }
}

fn base_http_server() -> Serving<HttpServer<BaseServerHandler>> {
    Serving::start(HttpServer::<BaseServerHandler>::new(("127.0.0.1", 0)).unwrap())
}

/// `con.putrequest(method, '/')` with `con._http_vsn_str = version`, the headers,
/// `endheaders()` and `getresponse()`, on a new connection.
fn base_request(
    serving: &Serving<HttpServer<BaseServerHandler>>,
    method: &str,
    version: &str,
    headers: &[(&str, &[u8])],
) -> Response {
    let host = format!("127.0.0.1:{}", serving.port);
    let mut client = serving.connect();
    client.send(&http_client_request(method, "/", version, &host, headers));
    client.response(method)
}

#[test]
fn test_command() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/1.1", &[]);
    assert_eq!(res.status, 501);
}

#[test]
fn test_request_line_trimming() {
    let serving = base_http_server();
    let res = base_request(&serving, "XYZBOGUS", "HTTP/1.1\n", &[]);
    assert_eq!(res.status, 501);
}

#[test]
fn test_version_bogus() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "FUBAR", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_version_digits() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/9.9.9", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_version_signs_and_underscores() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/-9_9_9.+9_9_9", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_major_version_number_too_long() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/909876543210.0", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_minor_version_number_too_long() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/1.909876543210", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_version_none_get() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "", &[]);
    assert_eq!(res.status, 501);
}

/// Test that a valid method is rejected when not HTTP/1.x
#[test]
fn test_version_none() {
    let serving = base_http_server();
    let res = base_request(&serving, "CUSTOM", "", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_version_invalid() {
    let serving = base_http_server();
    // con._http_vsn = 99: http.client adds no Host and no Accept-Encoding.
    let mut client = serving.connect();
    client.send(b"GET / HTTP/9.9\r\n\r\n");
    let res = client.response("GET");
    assert_eq!(res.status, 505);
}

#[test]
fn test_send_blank() {
    let serving = base_http_server();
    // putrequest('', ''): http.client sends the url '' as '/', so the line is ' / '.
    let res = base_request(&serving, "", "", &[]);
    assert_eq!(res.status, 400);
}

#[test]
fn test_header_close() {
    let serving = base_http_server();
    let res = base_request(&serving, "GET", "HTTP/1.1", &[("Connection", b"close")]);
    assert_eq!(res.status, 501);
}

#[test]
fn test_header_keep_alive() {
    let serving = base_http_server();
    let res = base_request(
        &serving,
        "GET",
        "HTTP/1.1",
        &[("Connection", b"keep-alive")],
    );
    assert_eq!(res.status, 501);
}

#[test]
fn test_handler() {
    let serving = base_http_server();
    let res = base_request(&serving, "TEST", "HTTP/1.1", &[]);
    assert_eq!(res.status, 204);
}

#[test]
fn test_return_header_keep_alive() {
    let serving = base_http_server();
    let host = format!("127.0.0.1:{}", serving.port);
    let mut con = serving.connect();
    con.send(&http_client_request("KEEP", "/", "HTTP/1.1", &host, &[]));
    let res = con.response("KEEP");
    assert_eq!(res.header("Connection"), Some("keep-alive"));
    // The same connection serves a second request.
    con.send(&http_client_request("TEST", "/", "HTTP/1.1", &host, &[]));
    let res = con.response("TEST");
    assert_eq!(res.status, 204);
    assert_eq!(res.header("Connection"), Some("close"));
}

#[test]
fn test_internal_key_error() {
    let serving = base_http_server();
    let res = base_request(&serving, "KEYERROR", "HTTP/1.1", &[]);
    assert_eq!(res.status, 999);
}

#[test]
fn test_return_custom_status() {
    let serving = base_http_server();
    let res = base_request(&serving, "CUSTOM", "HTTP/1.1", &[]);
    assert_eq!(res.status, 999);
}

#[test]
fn test_return_explain_error() {
    let serving = base_http_server();
    let res = base_request(&serving, "EXPLAINERROR", "HTTP/1.1", &[]);
    assert_eq!(res.status, 999);
    let length: usize = res.header("Content-Length").unwrap().parse().unwrap();
    assert_ne!(length, 0);
}

#[test]
fn test_latin1_header() {
    let serving = base_http_server();
    // http.client encodes a header value as latin-1: 'Ärger mit Unicode'.
    let res = base_request(
        &serving,
        "LATINONEHEADER",
        "HTTP/1.1",
        &[("X-Special-Incoming", b"\xc4rger mit Unicode")],
    );
    assert_eq!(res.header("X-Special"), Some("Dängerous Mind"));
    assert_eq!(res.body, "Ärger mit Unicode".as_bytes());
}

/// Issue #16088: standard error responses should have a content-length
#[test]
fn test_error_content_length() {
    let serving = base_http_server();
    let res = base_request(&serving, "NOTFOUND", "HTTP/1.1", &[]);
    assert_eq!(res.status, 404);
    let length: usize = res.header("Content-Length").unwrap().parse().unwrap();
    assert_eq!(length, res.body.len());
}

#[test]
fn test_send_error() {
    let serving = base_http_server();
    let allow_transfer_encoding_codes = [304, 205];
    for code in [204, 304, 102, 205, 101] {
        let host = format!("127.0.0.1:{}", serving.port);
        let mut con = serving.connect();
        let url = format!("/{code}");
        con.send(&http_client_request(
            "SEND_ERROR",
            &url,
            "HTTP/1.1",
            &host,
            &[],
        ));
        let res = con.response("SEND_ERROR");
        assert_eq!(res.status, code);
        assert_eq!(res.header("Content-Length"), None, "{code}");
        assert_eq!(res.header("Content-Type"), None, "{code}");
        if !allow_transfer_encoding_codes.contains(&code) {
            assert_eq!(res.header("Transfer-Encoding"), None, "{code}");
        }
        // Nothing follows the headers (http.client reads to the end for a 205).
        let mut data = res.body;
        con.reader.read_to_end(&mut data).unwrap();
        assert_eq!(data, b"", "{code}");
    }
}

#[test]
fn test_head_via_send_error() {
    let serving = base_http_server();
    let allow_transfer_encoding_codes = [304, 205];
    for code in [200, 204, 304, 205, 101] {
        let host = format!("127.0.0.1:{}", serving.port);
        let mut con = serving.connect();
        let url = format!("/{code}");
        con.send(&http_client_request("HEAD", &url, "HTTP/1.1", &host, &[]));
        let res = con.response("HEAD");
        assert_eq!(res.status, code);
        if code == 200 {
            let length: usize = res.header("Content-Length").unwrap().parse().unwrap();
            assert!(length > 0);
            assert!(res.header("Content-Type").unwrap().contains("text/html"));
        } else {
            assert_eq!(res.header("Content-Length"), None, "{code}");
            assert_eq!(res.header("Content-Type"), None, "{code}");
        }
        if !allow_transfer_encoding_codes.contains(&code) {
            assert_eq!(res.header("Transfer-Encoding"), None, "{code}");
        }
        // No body follows, even though a 200 announces one.
        let mut data = Vec::new();
        con.reader.read_to_end(&mut data).unwrap();
        assert_eq!(data, b"", "{code}");
    }
}

// --- RequestHandlerLoggingTestCase --------------------------------------------------

/// `examples/http_server`, built once (a no-op when `cargo test` already did).
fn http_server_example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| common::example("http_server"))
}

/// `python -m http.server 0 -b 127.0.0.1 -d DIR -p HTTP/1.1` as a child process,
/// whose stderr is the request log. Killed when dropped.
struct LoggingServer {
    child: Child,
    port: u16,
    directory: PathBuf,
}

impl LoggingServer {
    fn start() -> LoggingServer {
        let directory = unique_path("test_httpservers_log");
        std::fs::create_dir(&directory).unwrap();
        std::fs::write(directory.join("test"), b"logged").unwrap();
        let mut child = Command::new(http_server_example())
            .args(["0", "-b", "127.0.0.1", "-p", "HTTP/1.1", "-d"])
            .arg(&directory)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let mut server = LoggingServer {
            child,
            port: 0,
            directory,
        };
        let banner = lines.recv_timeout(TIMEOUT).expect("no banner in time");
        // Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ...
        server.port = banner
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("bad banner {banner:?}"));
        server
    }

    /// Sends one request with `http.client`'s bytes and reads the response.
    fn request(&self, method: &str, url: &str) -> Response {
        let host = format!("127.0.0.1:{}", self.port);
        let mut client = Client::connect(self.port);
        client.send(&http_client_request(method, url, "HTTP/1.1", &host, &[]));
        client.response(method)
    }

    /// Kills the server and returns what it logged. Every line was written before
    /// the response it logs was sent, so it is all there.
    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        stderr
    }
}

impl Drop for LoggingServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

#[test]
fn request_handler_logging_test_get() {
    let server = LoggingServer::start();
    let res = server.request("GET", "/");
    assert_eq!(res.status, 200);
    let err = server.stop();
    assert!(err.ends_with("\"GET / HTTP/1.1\" 200 -\n"), "{err:?}");
    assert!(err.starts_with("127.0.0.1 - - ["), "{err:?}");
}

/// Python's handler answers `ERROR /` with `send_error(404, 'File not found')`; the
/// example (`SimpleHTTPRequestHandler`) says the same of a missing file.
#[test]
fn test_err() {
    let server = LoggingServer::start();
    let res = server.request("GET", "/nope");
    assert_eq!(res.status, 404);
    let err = server.stop();
    let lines: Vec<&str> = err.split('\n').collect();
    assert!(
        lines[0].ends_with("code 404, message File not found"),
        "{err:?}"
    );
    assert!(
        lines[1].ends_with("\"GET /nope HTTP/1.1\" 404 -"),
        "{err:?}"
    );
}

// --- SimpleHTTPServerTestCase -------------------------------------------------------

/// Python: `SimpleHTTPServerTestCase.request_handler` (`NoLogRequestHandler`,
/// `SimpleHTTPRequestHandler`), serving its server's directory instead of the
/// current one (tests share the process, and its current directory).
struct SimpleNoLog(SimpleHttpRequest);

impl From<SimpleHttpRequest> for SimpleNoLog {
    fn from(mut base: SimpleHttpRequest) -> Self {
        if let Some(server) = base.server.downcast_ref::<DirServer>() {
            base.directory = server.directory.clone();
        }
        SimpleNoLog(base)
    }
}

impl Deref for SimpleNoLog {
    type Target = SimpleHttpRequest;
    fn deref(&self) -> &SimpleHttpRequest {
        &self.0
    }
}

impl DerefMut for SimpleNoLog {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest {
        &mut self.0
    }
}

impl BaseHttpRequestHandler for SimpleNoLog {
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}
impl SimpleHttpMethods for SimpleNoLog {}

/// An `HTTPServer` that tells its handlers which directory to serve.
struct DirServer {
    base: HttpServer<SimpleNoLog>,
    directory: PathBuf,
}

socketserver::subclass!(DirServer { base: HttpServer<SimpleNoLog> });
impl BaseServer for DirServer {}

/// Python's `SimpleHTTPServerTestCase.setUp`: the server serves `root` (Python: the
/// system's temporary directory, its current directory), in which `tempdir` holds
/// `test`.
struct SimpleFixture {
    serving: Serving<DirServer>,
    root: PathBuf,
    tempdir: PathBuf,
    tempdir_name: String,
    base_url: String,
    data: &'static [u8],
    last_modif_seconds: i64,
    last_modif_header: String,
}

impl SimpleFixture {
    fn new() -> SimpleFixture {
        let root = unique_path("test_httpservers");
        std::fs::create_dir(&root).unwrap();
        let tempdir_name = format!("tmp{}", root.extension().unwrap().to_str().unwrap());
        let tempdir = root.join(&tempdir_name);
        std::fs::create_dir(&tempdir).unwrap();
        let data: &[u8] = b"We are the knights who say Ni!";
        let tempname = tempdir.join("test");
        std::fs::write(&tempname, data).unwrap();
        let mtime = std::fs::metadata(&tempname).unwrap().modified().unwrap();
        // compute last modification datetime for browser cache tests
        let last_modif_seconds = epoch_seconds(mtime);
        let server = DirServer {
            base: HttpServer::new(("127.0.0.1", 0)).unwrap(),
            directory: root.clone(),
        };
        SimpleFixture {
            serving: Serving::start(server),
            root,
            base_url: format!("/{tempdir_name}"),
            tempdir,
            tempdir_name,
            data,
            last_modif_seconds,
            last_modif_header: http_date(last_modif_seconds),
        }
    }

    /// Python: `self.request(uri, method, headers=headers)`, on a new connection.
    fn request_with(&self, uri: &str, method: &str, headers: &[(&str, &[u8])]) -> Exchange {
        let host = match uri.strip_prefix("https://") {
            Some(rest) => rest.split('/').next().unwrap().to_string(),
            None => format!("127.0.0.1:{}", self.serving.port),
        };
        let mut client = self.serving.connect();
        client.send(&http_client_request(
            method, uri, "HTTP/1.1", &host, headers,
        ));
        let response = client.response(method);
        Exchange { response, client }
    }

    fn request(&self, uri: &str) -> Exchange {
        self.request_with(uri, "GET", &[])
    }
}

impl Drop for SimpleFixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A response and the connection it came on.
struct Exchange {
    response: Response,
    client: Client,
}

/// Python: `check_status_and_reason(response, status, data=None)`: the status, a
/// reason, the body, an HTTP/1.0 response with no `Connection` but `close`, and
/// nothing after the body but the end of the connection. Returns the response.
fn check_status_and_reason(exchange: Exchange, status: u16, data: Option<&[u8]>) -> Response {
    let Exchange {
        response,
        mut client,
    } = exchange;
    assert_eq!(response.status, status, "{response:?}");
    assert!(!response.reason.is_empty(), "{response:?}");
    if let Some(data) = data {
        assert_eq!(response.body, data);
    }
    // Ensure the server has not set up a persistent connection, and has
    // not sent any extra data
    assert_eq!(response.version, "HTTP/1.0");
    assert_eq!(response.header("Connection").unwrap_or("close"), "close");
    let mut rest = [0; 30];
    let n = client
        .reader
        .read(&mut rest)
        .expect("Connection should be closed");
    assert_eq!(&rest[..n], b"", "Connection should be closed");
    response
}

/// Python: `os_helper.TESTFN_UNDECODABLE` on Linux with UTF-8 file names:
/// `TESTFN_ASCII + b'\xe7w\xf0'`.
#[test]
fn test_undecodable_filename() {
    let fx = SimpleFixture::new();
    let pid = std::process::id();
    let undecodable = [format!("@test_{pid}_tmp").as_bytes(), b"\xe7w\xf0"].concat();
    let filename = [undecodable.as_slice(), b".txt"].concat();
    std::fs::write(
        fx.tempdir.join(std::ffi::OsStr::from_bytes(&filename)),
        &undecodable,
    )
    .unwrap();
    let response = fx.request(&format!("{}/", fx.base_url));
    let body = check_status_and_reason(response, 200, None).body;
    // urllib.parse.quote(filename, errors='surrogatepass'): each undecodable byte is
    // a lone surrogate U+DCxx, which surrogatepass encodes as three UTF-8 bytes.
    let quotedname = format!("%40test_{pid}_tmp%ED%B3%A7w%ED%B3%B0.txt");
    let href = format!("href=\"{quotedname}\"");
    assert!(contains(&body, href.as_bytes()), "{}", latin1(&body));
    let text = [b">".as_slice(), &filename, b"<"].concat();
    assert!(contains(&body, &text), "{}", latin1(&body));
    let response = fx.request(&format!("{}/{quotedname}", fx.base_url));
    check_status_and_reason(response, 200, Some(&undecodable));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn test_undecodable_parameter() {
    let fx = SimpleFixture::new();
    // sanity check using a valid parameter
    let response = fx.request(&format!("{}/?x=123", fx.base_url)).response;
    let expected = format!("listing for {}/?x=123", fx.base_url);
    assert!(
        contains(&response.body, expected.as_bytes()),
        "{}",
        latin1(&response.body)
    );
    // now the bogus encoding
    let response = fx.request(&format!("{}/?x=%bb", fx.base_url)).response;
    let expected = format!("listing for {}/?x=\u{fffd}", fx.base_url);
    assert!(
        contains(&response.body, expected.as_bytes()),
        "{}",
        latin1(&response.body)
    );
}

/// Ensure //evil.co/..%2f../../X does not put //evil.co/ in Location.
///
/// //netloc/ in a Location header is a redirect to a new host.
/// https://github.com/python/cpython/issues/87389
///
/// This checks that a path resolving to a directory on our server cannot
/// resolve into a redirect to another server.
#[test]
fn test_get_dir_redirect_location_domain_injection_bug() {
    let fx = SimpleFixture::new();
    std::fs::create_dir(fx.tempdir.join("existing_directory")).unwrap();
    let url = format!(
        "/python.org/..%2f..%2f..%2f..%2f..%2f../%0a%0d/../{}/existing_directory",
        fx.tempdir_name
    );
    let expected_location = format!("{url}/"); // /python.org.../ single slash single prefix, trailing slash
    // Canonicalizes to /tmp/tempdir_name/existing_directory which does
    // exist and is a dir, triggering the 301 redirect logic.
    let response = check_status_and_reason(fx.request(&url), 301, None);
    assert_eq!(
        response.header("Location"),
        Some(expected_location.as_str()),
        "non-attack failed!"
    );

    // //python.org... multi-slash prefix, no trailing slash
    let attack_url = format!("/{url}");
    let response = check_status_and_reason(fx.request(&attack_url), 301, None);
    let location = response.header("Location").unwrap();
    assert!(!location.starts_with("//"), "{location}");
    assert_eq!(
        location, expected_location,
        "Expected Location header to start with a single / and end with a / as this is a \
         directory redirect."
    );

    // ///python.org... triple-slash prefix, no trailing slash
    let attack3_url = format!("//{url}");
    let response = check_status_and_reason(fx.request(&attack3_url), 301, None);
    assert_eq!(
        response.header("Location"),
        Some(expected_location.as_str())
    );

    // If the second word in the http request (Request-URI for the http
    // method) is a full URI, we don't worry about it, as that'll be parsed
    // and reassembled as a full URI within BaseHTTPRequestHandler.send_head
    // so no errant scheme-less //netloc//evil.co/ domain mixup can happen.
    let attack_scheme_netloc_2slash_url = format!("https://pypi.org/{url}");
    let response = check_status_and_reason(fx.request(&attack_scheme_netloc_2slash_url), 301, None);
    let location = response.header("Location").unwrap();
    // We're just ensuring that the scheme and domain make it through, if
    // there are or aren't multiple slashes at the start of the path that
    // follows that isn't important in this Location: header.
    assert!(location.starts_with("https://pypi.org/"), "{location}");
}

/// Restores a directory's permissions when dropped.
struct RestoreMode<'a>(&'a Path);

impl Drop for RestoreMode<'_> {
    fn drop(&mut self) {
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn simple_http_server_test_get() {
    let fx = SimpleFixture::new();
    let base_url = &fx.base_url;
    //constructs the path relative to the root directory of the HTTPServer
    let response = fx.request(&format!("{base_url}/test"));
    check_status_and_reason(response, 200, Some(fx.data));
    // check for trailing "/" which should return 404. See Issue17324
    let response = fx.request(&format!("{base_url}/test/"));
    check_status_and_reason(response, 404, None);
    let response = fx.request(&format!("{base_url}/"));
    check_status_and_reason(response, 200, None);
    let response = check_status_and_reason(fx.request(base_url), 301, None);
    assert_eq!(response.header("Content-Length"), Some("0"));
    let response = fx.request(&format!("{base_url}/?hi=2"));
    check_status_and_reason(response, 200, None);
    let response = check_status_and_reason(fx.request(&format!("{base_url}?hi=1")), 301, None);
    assert_eq!(
        response.header("Location"),
        Some(format!("{base_url}/?hi=1").as_str())
    );
    let response = fx.request("/ThisDoesNotExist");
    check_status_and_reason(response, 404, None);
    let response = fx.request("/ThisDoesNotExist/");
    check_status_and_reason(response, 404, None);

    std::fs::create_dir_all(fx.tempdir.join("spam").join("index.html")).unwrap();
    let response = fx.request(&format!("{base_url}/spam/"));
    check_status_and_reason(response, 200, None);

    let data = b"Dummy index file\r\n";
    std::fs::write(fx.tempdir.join("index.html"), data).unwrap();
    let response = fx.request(&format!("{base_url}/"));
    check_status_and_reason(response, 200, Some(data));

    // filesystem permissions are ignored by root on Unix.
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { nix::libc::geteuid() } != 0 {
        std::fs::set_permissions(&fx.tempdir, std::fs::Permissions::from_mode(0o000)).unwrap();
        let _restore = RestoreMode(&fx.tempdir);
        let response = fx.request(&format!("{base_url}/"));
        check_status_and_reason(response, 404, None);
    }
}

#[test]
fn test_head() {
    let fx = SimpleFixture::new();
    let response = fx.request_with(&format!("{}/test", fx.base_url), "HEAD", &[]);
    let response = check_status_and_reason(response, 200, None);
    assert_eq!(response.body, b"");
    assert_eq!(
        response.header("content-length"),
        Some(fx.data.len().to_string().as_str())
    );
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
}

/// Check that when a request to /test is sent with the request header
/// If-Modified-Since set to date of last modification, the server returns
/// status code 304, not 200
#[test]
fn test_browser_cache() {
    let fx = SimpleFixture::new();
    let url = format!("{}/test", fx.base_url);
    let headers: &[(&str, &[u8])] = &[("If-Modified-Since", fx.last_modif_header.as_bytes())];
    let response = fx.request_with(&url, "GET", headers);
    check_status_and_reason(response, 304, None);

    // one hour after last modification : must return 304
    let new_dt = http_date(fx.last_modif_seconds + 3600);
    let response = fx.request_with(&url, "GET", &[("If-Modified-Since", new_dt.as_bytes())]);
    check_status_and_reason(response, 304, None);
}

#[test]
fn test_browser_cache_file_changed() {
    let fx = SimpleFixture::new();
    // with If-Modified-Since earlier than Last-Modified, must return 200
    // build datetime object : 365 days before last modification
    let old_dt = http_date(fx.last_modif_seconds - 365 * 86_400);
    let url = format!("{}/test", fx.base_url);
    let response = fx.request_with(&url, "GET", &[("If-Modified-Since", old_dt.as_bytes())]);
    check_status_and_reason(response, 200, None);
}

#[test]
fn test_browser_cache_with_if_none_match_header() {
    let fx = SimpleFixture::new();
    // if If-None-Match header is present, ignore If-Modified-Since
    let url = format!("{}/test", fx.base_url);
    let headers: &[(&str, &[u8])] = &[
        ("If-Modified-Since", fx.last_modif_header.as_bytes()),
        ("If-None-Match", b"*"),
    ];
    let response = fx.request_with(&url, "GET", headers);
    check_status_and_reason(response, 200, None);
}

#[test]
fn test_invalid_requests() {
    let fx = SimpleFixture::new();
    let response = fx.request_with("/", "FOO", &[]);
    check_status_and_reason(response, 501, None);
    // requests must be case sensitive,so this should fail too
    let response = fx.request_with("/", "custom", &[]);
    check_status_and_reason(response, 501, None);
    let response = fx.request_with("/", "GETs", &[]);
    check_status_and_reason(response, 501, None);
}

/// Checks that the datetime returned in Last-Modified response header
/// is the actual datetime of last modification, rounded to the second
#[test]
fn test_last_modified() {
    let fx = SimpleFixture::new();
    let response = fx.request(&format!("{}/test", fx.base_url));
    let response = check_status_and_reason(response, 200, Some(fx.data));
    assert_eq!(
        response.header("Last-modified"),
        Some(fx.last_modif_header.as_str())
    );
}

#[test]
fn test_path_without_leading_slash() {
    let fx = SimpleFixture::new();
    let name = &fx.tempdir_name;
    let response = fx.request(&format!("{name}/test"));
    check_status_and_reason(response, 200, Some(fx.data));
    let response = fx.request(&format!("{name}/test/"));
    check_status_and_reason(response, 404, None);
    let response = fx.request(&format!("{name}/"));
    check_status_and_reason(response, 200, None);
    let response = fx.request(name);
    check_status_and_reason(response, 301, None);
    let response = fx.request(&format!("{name}/?hi=2"));
    check_status_and_reason(response, 200, None);
    let response = check_status_and_reason(fx.request(&format!("{name}?hi=1")), 301, None);
    assert_eq!(
        response.header("Location"),
        Some(format!("{name}/?hi=1").as_str())
    );
}

#[test]
fn test_html_escape_filename() {
    let fx = SimpleFixture::new();
    let filename = "<test&>.txt";
    std::fs::write(fx.tempdir.join(filename), b"").unwrap();
    let response = fx.request(&format!("{}/", fx.base_url));
    let response = check_status_and_reason(response, 200, None);
    // response.headers.get_content_charset()
    let enc = response
        .header("Content-Type")
        .and_then(|t| t.split(';').find_map(|p| p.trim().strip_prefix("charset=")))
        .map(str::to_lowercase);
    assert_eq!(enc.as_deref(), Some("utf-8"));
    let html_text = ">&lt;test&amp;&gt;.txt<"; // '>%s<' % html.escape(filename, quote=False)
    assert!(
        contains(&response.body, html_text.as_bytes()),
        "{}",
        latin1(&response.body)
    );
}

// --- BaseHTTPRequestHandlerTestCase -------------------------------------------------

/// Python: `SocketlessRequestHandler` (`REJECT` false) and
/// `RejectingSocketlessRequestHandler` (`REJECT` true): a `SimpleHTTPRequestHandler`
/// with `protocol_version = "HTTP/1.1"`, a `do_GET` that records its call, and no log.
struct Socketless<const REJECT: bool> {
    base: SimpleHttpRequest,
    get_called: bool,
}

type SocketlessRequestHandler = Socketless<false>;
type RejectingSocketlessRequestHandler = Socketless<true>;

impl<const REJECT: bool> Deref for Socketless<REJECT> {
    type Target = SimpleHttpRequest;
    fn deref(&self) -> &SimpleHttpRequest {
        &self.base
    }
}

impl<const REJECT: bool> DerefMut for Socketless<REJECT> {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest {
        &mut self.base
    }
}

impl<const REJECT: bool> From<SimpleHttpRequest> for Socketless<REJECT> {
    fn from(base: SimpleHttpRequest) -> Self {
        Socketless {
            base,
            get_called: false,
        }
    }
}

/// The methods both socketless handlers have.
macro_rules! socketless_methods {
    () => {
        const protocol_version: &'static str = "HTTP/1.1";

        fn do_GET(&mut self) -> io::Result<()> {
            self.get_called = true;
            self.send_response(200, None);
            self.send_header("Content-Type", "text/html");
            self.end_headers()?;
            self.wfile.write_all(b"<html><body>Data</body></html>\r\n")
        }

        fn log_message(&self, _message: fmt::Arguments<'_>) {}
    };
}

impl BaseHttpRequestHandler for SocketlessRequestHandler {
    socketless_methods!();
}

impl BaseHttpRequestHandler for RejectingSocketlessRequestHandler {
    socketless_methods!();

    fn handle_expect_100(&mut self) -> io::Result<bool> {
        self.send_error(417, None, None)?;
        Ok(false)
    }
}

impl SimpleHttpMethods for SocketlessRequestHandler {}
impl SimpleHttpMethods for RejectingSocketlessRequestHandler {}

/// A handler on one end of a socket pair of type `ty` (the client's address is
/// `('127.0.0.1', 1337)`, the server is nobody), and the other end.
fn socketless<H>(ty: Type) -> (H, Socket)
where
    H: BaseHttpRequestHandler<Target: HandlerBase<Server = socketserver::AnyServer>>,
{
    let (client, server) = Socket::pair(Domain::UNIX, ty, None).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    server.set_read_timeout(Some(TIMEOUT)).unwrap();
    let address = SockAddr::from("127.0.0.1:1337".parse::<SocketAddr>().unwrap());
    let base = <H::Target as HandlerBase>::new::<H>(
        Arc::new(Connection::new(server)),
        address,
        Arc::new(()),
        &Default::default(),
    );
    (H::from(base), client)
}

/// Python: `send_typical_request(message)`: `message` is what the handler reads,
/// `handle_one_request()` runs once, and its output comes back as lines.
fn send_typical_request<H>(message: &[u8]) -> (H, Vec<Vec<u8>>)
where
    H: BaseHttpRequestHandler<Target: HandlerBase<Server = socketserver::AnyServer>>,
{
    let (handler, client) = socketless::<H>(Type::STREAM);
    let worker = thread::spawn(move || {
        let mut handler = handler;
        let handled = handler.handle_one_request();
        // The end of the output: what Python's BytesIO has when the call returns.
        let this = (*handler).base_http();
        this.request.shutdown(Shutdown::Write).unwrap();
        (handler, handled)
    });
    (&client).write_all(message).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut output = Vec::new();
    (&client).read_to_end(&mut output).unwrap();
    let (handler, handled) = worker.join().unwrap();
    handled.unwrap();
    (handler, readlines(&output))
}

/// Every packet the handler sent, up to the end of its output.
fn packets(client: &Socket) -> Vec<Vec<u8>> {
    let mut packets = Vec::new();
    for _ in 0..1000 {
        let mut buf = vec![0; 1 << 17];
        let n = (&*client).read(&mut buf).unwrap();
        if n == 0 {
            return packets;
        }
        buf.truncate(n);
        packets.push(buf);
    }
    panic!("no end of output after 1000 packets");
}

/// True if the handler has written nothing yet: a write to a socket pair is readable
/// on the other end as soon as it returns.
fn nothing_written(client: &Socket) -> bool {
    client.set_nonblocking(true).unwrap();
    let read = (&*client).read(&mut [0; 1024]);
    client.set_nonblocking(false).unwrap();
    matches!(read, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

/// Python: `verify_http_server_response`: `HTTP/1.[0-9]+ 200 OK` in the line.
fn verify_http_server_response(response: &[u8]) {
    let text = latin1(response);
    let found = text.match_indices("HTTP/1.").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        digits > 0 && rest[digits..].starts_with(" 200 OK")
    });
    assert!(found, "{text:?}");
}

/// Python: `verify_expected_headers`: exactly one `Server`, `Date` and
/// `Content-Type` line.
fn verify_expected_headers(headers: &[Vec<u8>]) {
    for field_name in [b"Server: ".as_slice(), b"Date: ", b"Content-Type: "] {
        let count = headers.iter().filter(|h| h.starts_with(field_name)).count();
        assert_eq!(count, 1, "{}: {headers:?}", latin1(field_name));
    }
}

/// Python's log lines of `test_unprintable_not_logged`, written by the default
/// `log_message` to the real stderr of a child process (this test binary again).
const LOG_CHILD: &str = "TEST_HTTPSERVERS_LOG_CHILD";

/// A handler with every default: `BaseHTTPRequestHandler.log_message` itself.
struct PlainHandler(BaseHttpRequest);
socketserver::subclass!(PlainHandler(BaseHttpRequest));
impl BaseHttpRequestHandler for PlainHandler {}

#[test]
fn test_unprintable_not_logged() {
    if std::env::var_os(LOG_CHILD).is_some() {
        // The child: log as Python's test does, to this process's stderr.
        let (handler, _client) = socketless::<PlainHandler>(Type::STREAM);
        handler.log_message(format_args!("/foo"));
        handler.log_message(format_args!("/\x1bbar\x00\x1b"));
        handler.log_message(format_args!("/spam {}.", "a"));
        handler.log_message(format_args!("/spam {}.", "\x1b\x7f\u{9f}\u{a0}beans"));
        handler.log_message(format_args!("\"GET /foo\\b\"ar\x07 HTTP/1.0\""));
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "test_unprintable_not_logged",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOG_CHILD, "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = output.stderr;
    assert!(!stderr.contains(&0x1b)); // non-printable chars are caught.
    assert!(!stderr.contains(&0x00)); // non-printable chars are caught.
    let stderr = String::from_utf8(stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("127.0.0.1 - - ["))
        .collect();
    assert_eq!(lines.len(), 5, "{stderr:?}");
    assert!(lines[0].contains("/foo"));
    assert!(lines[1].contains(r"/\x1bbar\x00\x1b"), "{}", lines[1]);
    assert!(lines[2].contains("/spam a."));
    assert!(
        lines[3].contains("/spam \\x1b\\x7f\\x9f\u{a0}beans."),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains(r#""GET /foo\\b"ar\x07 HTTP/1.0""#),
        "{}",
        lines[4]
    );
}

#[test]
fn test_http_1_1() {
    let (handler, result) =
        send_typical_request::<SocketlessRequestHandler>(b"GET / HTTP/1.1\r\n\r\n");
    verify_http_server_response(&result[0]);
    verify_expected_headers(&result[1..result.len() - 1]);
    assert!(handler.get_called);
    assert_eq!(
        result.last().unwrap(),
        b"<html><body>Data</body></html>\r\n"
    );
    assert_eq!(handler.requestline, "GET / HTTP/1.1");
    assert_eq!(handler.command, "GET");
    assert_eq!(handler.path, "/");
    assert_eq!(handler.request_version, "HTTP/1.1");
    assert!(handler.headers.items().is_empty());
}

#[test]
fn test_http_1_0() {
    let (handler, result) =
        send_typical_request::<SocketlessRequestHandler>(b"GET / HTTP/1.0\r\n\r\n");
    verify_http_server_response(&result[0]);
    verify_expected_headers(&result[1..result.len() - 1]);
    assert!(handler.get_called);
    assert_eq!(
        result.last().unwrap(),
        b"<html><body>Data</body></html>\r\n"
    );
    assert_eq!(handler.requestline, "GET / HTTP/1.0");
    assert_eq!(handler.command, "GET");
    assert_eq!(handler.path, "/");
    assert_eq!(handler.request_version, "HTTP/1.0");
    assert!(handler.headers.items().is_empty());
}

#[test]
fn test_http_0_9() {
    let (handler, result) =
        send_typical_request::<SocketlessRequestHandler>(b"GET / HTTP/0.9\r\n\r\n");
    assert_eq!(result.len(), 1);
    assert_eq!(result[0], b"<html><body>Data</body></html>\r\n");
    assert!(handler.get_called);
}

#[test]
fn test_extra_space() {
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(
        b"GET /spaced out HTTP/1.1\r\nHost: dummy\r\n\r\n",
    );
    assert!(result[0].starts_with(b"HTTP/1.1 400 "), "{result:?}");
    let end = result.iter().position(|l| l == b"\r\n").unwrap();
    verify_expected_headers(&result[1..end]);
    assert!(!handler.get_called);
}

#[test]
fn test_with_continue_1_0() {
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(
        b"GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
    );
    verify_http_server_response(&result[0]);
    verify_expected_headers(&result[1..result.len() - 1]);
    assert!(handler.get_called);
    assert_eq!(
        result.last().unwrap(),
        b"<html><body>Data</body></html>\r\n"
    );
    assert_eq!(handler.requestline, "GET / HTTP/1.0");
    assert_eq!(handler.command, "GET");
    assert_eq!(handler.path, "/");
    assert_eq!(handler.request_version, "HTTP/1.0");
    let headers = [("Expect".to_string(), "100-continue".to_string())];
    assert_eq!(handler.headers.items(), headers);
}

#[test]
fn test_with_continue_1_1() {
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(
        b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
    );
    assert_eq!(result[0], b"HTTP/1.1 100 Continue\r\n");
    assert_eq!(result[1], b"\r\n");
    assert_eq!(result[2], b"HTTP/1.1 200 OK\r\n");
    verify_expected_headers(&result[2..result.len() - 1]);
    assert!(handler.get_called);
    assert_eq!(
        result.last().unwrap(),
        b"<html><body>Data</body></html>\r\n"
    );
    assert_eq!(handler.requestline, "GET / HTTP/1.1");
    assert_eq!(handler.command, "GET");
    assert_eq!(handler.path, "/");
    assert_eq!(handler.request_version, "HTTP/1.1");
    let headers = [("Expect".to_string(), "100-continue".to_string())];
    assert_eq!(handler.headers.items(), headers);
}

#[test]
fn test_header_buffering_of_send_error() {
    let (mut handler, client) = socketless::<SocketlessRequestHandler>(Type::SEQPACKET);
    handler.request_version = "HTTP/1.1".to_string();
    handler.requestline = String::new();
    handler.command = String::new(); // None

    handler.send_error(418, None, None).unwrap();
    handler.request.shutdown(Shutdown::Write).unwrap();
    assert_eq!(packets(&client).len(), 2);
}

#[test]
fn test_header_buffering_of_send_response_only() {
    let (mut handler, client) = socketless::<SocketlessRequestHandler>(Type::SEQPACKET);
    handler.request_version = "HTTP/1.1".to_string();

    handler.send_response_only(418, None);
    assert!(nothing_written(&client));
    handler.end_headers().unwrap();
    handler.request.shutdown(Shutdown::Write).unwrap();
    assert_eq!(packets(&client).len(), 1);
}

#[test]
fn test_header_buffering_of_send_header() {
    let (mut handler, client) = socketless::<SocketlessRequestHandler>(Type::SEQPACKET);
    handler.request_version = "HTTP/1.1".to_string();

    handler.send_header("Foo", "foo");
    handler.send_header("bar", "bar");
    assert!(nothing_written(&client));
    handler.end_headers().unwrap();
    handler.request.shutdown(Shutdown::Write).unwrap();
    let packets = packets(&client);
    assert_eq!(packets.concat(), b"Foo: foo\r\nbar: bar\r\n\r\n");
    assert_eq!(packets.len(), 1);
}

/// The `100 Continue` goes out, in a write of its own, before the response.
#[test]
fn test_header_unbuffered_when_continue() {
    let (mut handler, client) = socketless::<SocketlessRequestHandler>(Type::SEQPACKET);
    (&client)
        .write_all(b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    handler.request_version = "HTTP/1.1".to_string();

    handler.handle_one_request().unwrap();
    handler.request.shutdown(Shutdown::Write).unwrap();
    let packets = packets(&client);
    assert_eq!(packets[0], b"HTTP/1.1 100 Continue\r\n\r\n");
    let output = packets.concat();
    assert_ne!(output, b"");
    let result: Vec<&[u8]> = output.split(|&b| b == b'\n').collect();
    assert_eq!(result[0], b"HTTP/1.1 100 Continue\r");
    assert_eq!(result[1], b"\r");
    assert_eq!(result[2], b"HTTP/1.1 200 OK\r");
}

#[test]
fn test_with_continue_rejected() {
    let (handler, result) = send_typical_request::<RejectingSocketlessRequestHandler>(
        b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
    );
    assert_eq!(result[0], b"HTTP/1.1 417 Expectation Failed\r\n");
    verify_expected_headers(&result[1..result.len() - 1]);
    // The expect handler should short circuit the usual get method by
    // returning false here, so get_called should be false
    assert!(!handler.get_called);
    let closes = result[1..result.len() - 1]
        .iter()
        .filter(|r| r.as_slice() == b"Connection: close\r\n")
        .count();
    assert_eq!(closes, 1);
}

/// Issue #10714: huge request lines are discarded, to avoid Denial
/// of Service attacks.
#[test]
fn test_request_length() {
    let message = [b"GET ".as_slice(), &[b'x'; 65537]].concat();
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(&message);
    assert_eq!(result[0], b"HTTP/1.1 414 Request-URI Too Long\r\n");
    assert!(!handler.get_called);
    // Python checks that requestline is a str (not the bytes read): it is ''.
    assert_eq!(handler.requestline, "");
}

/// Issue #6791: same for headers
#[test]
fn test_header_length() {
    let message = [
        b"GET / HTTP/1.1\r\nX-Foo: bar".as_slice(),
        &[b'r'; 65537],
        b"\r\n\r\n",
    ]
    .concat();
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(&message);
    assert_eq!(result[0], b"HTTP/1.1 431 Line too long\r\n");
    assert!(!handler.get_called);
    assert_eq!(handler.requestline, "GET / HTTP/1.1");
}

#[test]
fn test_too_many_headers() {
    let message = [
        b"GET / HTTP/1.1\r\n".as_slice(),
        &b"X-Foo: bar\r\n".repeat(101),
        b"\r\n",
    ]
    .concat();
    let (handler, result) = send_typical_request::<SocketlessRequestHandler>(&message);
    assert_eq!(result[0], b"HTTP/1.1 431 Too many headers\r\n");
    assert!(!handler.get_called);
    assert_eq!(handler.requestline, "GET / HTTP/1.1");
}

#[test]
fn test_html_escape_on_error() {
    let (_handler, result) = send_typical_request::<SocketlessRequestHandler>(
        b"<script>alert(\"hello\")</script> / HTTP/1.1",
    );
    let result = result.concat();
    // html.escape(text, quote=False)
    let escaped = b"&lt;script&gt;alert(\"hello\")&lt;/script&gt;";
    assert!(contains(&result, escaped), "{}", latin1(&result));
    // The page itself carries no tag of the client's.
    let page_start = result.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(!contains(&result[page_start..], b"<script>"));
}

/// Python replaces `handle_one_request` on the instance with a function that sets
/// `close_connection` from an iterator.
struct CloseConnectionHandler {
    base: BaseHttpRequest,
    close_values: VecDeque<bool>,
}

impl Deref for CloseConnectionHandler {
    type Target = BaseHttpRequest;
    fn deref(&self) -> &BaseHttpRequest {
        &self.base
    }
}

impl DerefMut for CloseConnectionHandler {
    fn deref_mut(&mut self) -> &mut BaseHttpRequest {
        &mut self.base
    }
}

impl From<BaseHttpRequest> for CloseConnectionHandler {
    fn from(base: BaseHttpRequest) -> Self {
        CloseConnectionHandler {
            base,
            close_values: VecDeque::new(),
        }
    }
}

impl BaseHttpRequestHandler for CloseConnectionHandler {
    fn handle_one_request(&mut self) -> io::Result<()> {
        self.close_connection = self
            .close_values
            .pop_front()
            .ok_or_else(|| io::Error::other("StopIteration"))?;
        Ok(())
    }
}

/// handle_one_request() should be repeatedly called until
/// it sets close_connection
#[test]
fn test_close_connection() {
    let (mut handler, _client) = socketless::<CloseConnectionHandler>(Type::STREAM);

    handler.close_values = VecDeque::from([true]);
    BaseHttpRequestHandler::handle(&mut handler).unwrap();
    assert!(handler.close_values.is_empty());

    handler.close_values = VecDeque::from([false, false, true]);
    BaseHttpRequestHandler::handle(&mut handler).unwrap();
    assert!(handler.close_values.is_empty());
}

#[test]
fn test_date_time_string() {
    let (handler, _client) = socketless::<SocketlessRequestHandler>(Type::STREAM);
    let now = SystemTime::now();
    // this is the old code that formats the timestamp
    let expected = http_date(epoch_seconds(now));
    assert_eq!(handler.date_time_string(Some(now)), expected);
}

// --- SimpleHTTPRequestHandlerTestCase -----------------------------------------------

/// Python's `setUp`: handlers serving the current directory, `'foo'` and
/// `PurePath('bar')`, and the file names `/filename` should map to.
fn translate_path_handlers() -> ([SocketlessRequestHandler; 3], [PathBuf; 3]) {
    let translated = [
        std::env::current_dir().unwrap().join("filename"),
        Path::new("foo").join("filename"),
        Path::new("bar").join("filename"),
    ];
    let (handler_1, _) = socketless::<SocketlessRequestHandler>(Type::STREAM);
    let (mut handler_2, _) = socketless::<SocketlessRequestHandler>(Type::STREAM);
    handler_2.directory = PathBuf::from("foo");
    let (mut handler_3, _) = socketless::<SocketlessRequestHandler>(Type::STREAM);
    handler_3.directory = Path::new("bar").to_path_buf();
    ([handler_1, handler_2, handler_3], translated)
}

/// Compares file names as strings: `Path`'s `==` would call `a//b` and `a/b` equal.
fn assert_translates(
    handlers: &[SocketlessRequestHandler; 3],
    path: &str,
    expected: &[PathBuf; 3],
) {
    for (handler, expected) in handlers.iter().zip(expected) {
        let translated = handler.translate_path(path);
        assert_eq!(translated.as_os_str(), expected.as_os_str(), "{path}");
    }
}

#[test]
fn test_query_arguments() {
    let (handlers, translated) = translate_path_handlers();
    assert_translates(&handlers, "/filename", &translated);
    assert_translates(&handlers, "/filename?foo=bar", &translated);
    assert_translates(&handlers, "/filename?a=b&spam=eggs#zot", &translated);
}

#[test]
fn test_start_with_double_slash() {
    let (handlers, translated) = translate_path_handlers();
    assert_translates(&handlers, "//filename", &translated);
    assert_translates(&handlers, "//filename?foo=bar", &translated);
}

// --- ScriptTestCase -----------------------------------------------------------------
//
// Python runs `http.server.test()` with a mock server class and checks the
// `address_family` it was given, which `_get_best_family(bind, port)` chose.

#[test]
fn test_server_test_unspec() {
    let address = _get_best_family(None, 8000).unwrap();
    assert!(address.ip().is_unspecified(), "{address}");
    assert_eq!(address.port(), 8000);
}

#[test]
fn test_server_test_localhost() {
    let address = _get_best_family(Some("localhost"), 8000).unwrap();
    assert!(address.ip().is_loopback(), "{address}");
    assert_eq!(address.port(), 8000);
}

#[test]
fn test_server_test_ipv6() {
    for bind in ["::", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::1"] {
        let address = _get_best_family(Some(bind), 8000).unwrap();
        assert!(address.is_ipv6(), "{bind}: {address}");
    }
}

#[test]
fn test_server_test_ipv4() {
    for bind in ["0.0.0.0", "8.8.8.8", "127.0.0.1"] {
        let address = _get_best_family(Some(bind), 8000).unwrap();
        assert!(address.is_ipv4(), "{bind}: {address}");
    }
}

// --- not in CPython's file: the class attributes of the two servers ----------------

/// `HTTPServer.allow_reuse_address = 1`, `server_bind` records `server_name` and
/// `server_port`; `ThreadingHTTPServer.daemon_threads = True`.
#[test]
fn http_server_class_attributes() {
    struct Plain(BaseHttpRequest);
    socketserver::subclass!(Plain(BaseHttpRequest));
    impl BaseHttpRequestHandler for Plain {}

    let server = HttpServer::<Plain>::new(("127.0.0.1", 0)).unwrap();
    assert!(server.allow_reuse_address);
    let port = server.server_address.as_socket().unwrap().port();
    assert_eq!(server.server_port, port);
    assert_ne!(port, 0);
    // socket.getfqdn('127.0.0.1'), as Python computes it on this machine.
    let fqdn = Command::new("python3")
        .args(["-c", "import socket; print(socket.getfqdn('127.0.0.1'))"])
        .output()
        .unwrap();
    assert_eq!(
        server.server_name,
        String::from_utf8_lossy(&fqdn.stdout).trim()
    );

    let threading =
        socketserver::http::server::ThreadingHttpServer::<Plain>::new(("127.0.0.1", 0)).unwrap();
    assert!(threading.mixin.daemon_threads);
    assert!(threading.allow_reuse_address);
}
