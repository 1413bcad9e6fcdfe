//! `super()` in handlers: an override calls its base class's body
//! (`BaseHttpRequest::end_headers(self)` for Python's `super().end_headers()`), and
//! inside that body `self` is still the subclass, so the hooks the body calls are the
//! subclass's overrides and the class attributes it reads are the subclass's.
//!
//! Every test's name has `super` in it. Each overrides a hook and calls its base body,
//! and overrides a second hook that the base body calls (or a class attribute it
//! reads), then checks that both overrides ran, in Python's order.
//!
//! HTTP handlers run on one end of a socket pair (as `test_httpservers.rs`'s
//! socketless handler does); the `socketserver` handlers run their constructor,
//! `__init__`, on a real TCP or UDP socket on 127.0.0.1.
#![allow(non_snake_case)]

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use socket2::{Domain, SockAddr, Socket, Type};
use socketserver::http::server::{
    BaseHttpRequest, BaseHttpRequestHandler, HeadFile, HttpHandlerBase, SimpleHttpMethods,
    SimpleHttpRequest,
};
use socketserver::{
    AnyServer, BaseRequest, BaseRequestHandler, Connection, DatagramRequestHandler, HandlerBase,
    StreamRequestHandler,
};

/// Bounds every read, so that a test that goes wrong fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A handler class with a call log of its own: `struct $name { base, calls }`, and the
/// `Deref`, `DerefMut` and `From` that `subclass!` would write for a one-field struct.
macro_rules! recording_handler {
    ($name:ident($base:ty)) => {
        struct $name {
            base: $base,
            calls: RefCell<Vec<String>>,
        }
        impl Deref for $name {
            type Target = $base;
            fn deref(&self) -> &$base {
                &self.base
            }
        }
        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $base {
                &mut self.base
            }
        }
        impl $name {
            fn record(&self, call: impl Into<String>) {
                self.calls.borrow_mut().push(call.into());
            }
            fn calls(&self) -> Vec<String> {
                self.calls.borrow().clone()
            }
        }
    };
}

/// `From` for a recording handler: the base as given, an empty log.
macro_rules! from_base {
    ($name:ident($base:ty)) => {
        impl From<$base> for $name {
            fn from(base: $base) -> Self {
                $name {
                    base,
                    calls: RefCell::default(),
                }
            }
        }
    };
}

/// A handler on one end of a UNIX stream socket pair (its client address says
/// `127.0.0.1:1337`), and the other end.
fn socketless<H>() -> (H, Socket)
where
    H: BaseHttpRequestHandler<Target: HandlerBase<Server = AnyServer>>,
{
    let (client, server) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
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

/// Sends `request` and the end of input to a socketless handler, runs `run` on it,
/// and returns the handler and everything it wrote.
fn exchange<H: BaseHttpRequestHandler<Target: HandlerBase<Server = AnyServer>>>(
    request: &[u8],
    run: impl FnOnce(&mut H) -> io::Result<()>,
) -> (H, Vec<u8>) {
    let (mut handler, client) = socketless::<H>();
    (&client).write_all(request).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    run(&mut handler).unwrap();
    let attrs = (*handler).base_http();
    attrs.connection.shutdown(Shutdown::Write).unwrap();
    let mut output = Vec::new();
    (&client).read_to_end(&mut output).unwrap();
    (handler, output)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// --- BaseHTTPRequestHandler -------------------------------------------------------------

// class NoCache(BaseHTTPRequestHandler):
//     def end_headers(self):
//         self.calls.append("end_headers")
//         self.send_header("Cache-Control", "no-store")
//         super().end_headers()
//     def flush_headers(self):
//         self.calls.append(f"flush_headers {len(b''.join(self._headers_buffer))}")
//         super().flush_headers()
recording_handler!(NoCache(BaseHttpRequest));
from_base!(NoCache(BaseHttpRequest));

impl BaseHttpRequestHandler for NoCache {
    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "3");
        self.end_headers()?;
        self.wfile.write_all(b"hi\n")
    }

    fn end_headers(&mut self) -> io::Result<()> {
        self.record("end_headers");
        self.send_header("Cache-Control", "no-store");
        BaseHttpRequest::end_headers(self)
    }

    fn flush_headers(&mut self) -> io::Result<()> {
        self.record(format!("flush_headers {}", self._headers_buffer.len()));
        BaseHttpRequest::flush_headers(self)
    }

    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}

/// `BaseHttpRequest::end_headers` appends the blank line and calls `flush_headers`,
/// which is the override: it sees the whole head, blank line included.
#[test]
fn end_headers_super_calls_flush_headers_override() {
    let (handler, output) =
        exchange::<NoCache>(b"GET / HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    let response = text(&output);
    assert!(response.starts_with("HTTP/1.0 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("\r\nCache-Control: no-store\r\n\r\nhi\n"),
        "{response}"
    );
    let head = output.len() - b"hi\n".len();
    assert_eq!(
        handler.calls(),
        ["end_headers".to_string(), format!("flush_headers {head}")]
    );
}

/// For HTTP/0.9 Python's `end_headers` body neither ends the headers nor calls
/// `flush_headers`: the answer is the body alone.
#[test]
fn end_headers_super_keeps_the_http_0_9_rule() {
    let (handler, output) = exchange::<NoCache>(b"GET /\r\n", |h| h.handle_one_request());
    assert_eq!(text(&output), "hi\n");
    assert_eq!(handler.calls(), ["end_headers"]);
}

// class Recording(BaseHTTPRequestHandler): every hook that send_error's body calls,
// overridden to log its call and then call super().
recording_handler!(ErrorRecording(BaseHttpRequest));
from_base!(ErrorRecording(BaseHttpRequest));

impl BaseHttpRequestHandler for ErrorRecording {
    fn send_error(
        &mut self,
        code: u16,
        message: Option<&str>,
        explain: Option<&str>,
    ) -> io::Result<()> {
        self.record(format!("send_error {code}"));
        BaseHttpRequest::send_error(self, code, message, explain)
    }

    fn log_error(&self, message: fmt::Arguments<'_>) {
        self.record("log_error");
        BaseHttpRequest::log_error(self, message)
    }

    fn send_response(&mut self, code: u16, message: Option<&str>) {
        self.record(format!("send_response {code} {message:?}"));
        BaseHttpRequest::send_response(self, code, message)
    }

    fn send_header(&mut self, keyword: &str, value: &str) {
        self.record(format!("send_header {keyword}"));
        BaseHttpRequest::send_header(self, keyword, value)
    }

    fn end_headers(&mut self) -> io::Result<()> {
        self.record("end_headers");
        BaseHttpRequest::end_headers(self)
    }

    fn log_message(&self, message: fmt::Arguments<'_>) {
        self.record(format!("log_message {message}"));
    }
}

/// `handle_one_request` answers an unknown method with `send_error(501)`, the
/// override; its super logs with `log_error` (whose super calls `log_message`), and
/// builds the answer with `send_response` (whose super logs the request),
/// `send_header` and `end_headers`: all overrides, in Python's order.
#[test]
fn send_error_super_calls_send_response_and_log_error_overrides() {
    let (handler, output) =
        exchange::<ErrorRecording>(b"BREW / HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    let response = text(&output);
    assert!(
        response.starts_with("HTTP/1.0 501 Unsupported method ('BREW')\r\n"),
        "{response}"
    );
    assert!(response.contains("<p>Error code: 501</p>"), "{response}");
    assert_eq!(
        handler.calls(),
        [
            "send_error 501",
            "log_error",
            "log_message code 501, message Unsupported method ('BREW')",
            "send_response 501 Some(\"Unsupported method ('BREW')\")",
            "log_message \"BREW / HTTP/1.0\" 501 -",
            "send_header Server",
            "send_header Date",
            "send_header Connection",
            "send_header Content-Type",
            "send_header Content-Length",
            "end_headers",
        ]
    );
}

// class KeepAlive(BaseHTTPRequestHandler):
//     protocol_version = "HTTP/1.1"
//     def handle(self):
//         self.calls.append("handle"); super().handle()
//     def handle_one_request(self):
//         self.calls.append("handle_one_request"); super().handle_one_request()
//     def parse_request(self):
//         self.calls.append("parse_request")
//         ok = super().parse_request()
//         self.calls.append(f"parsed {self.path}")
//         return ok
recording_handler!(KeepAlive(BaseHttpRequest));
from_base!(KeepAlive(BaseHttpRequest));

impl BaseHttpRequestHandler for KeepAlive {
    const protocol_version: &'static str = "HTTP/1.1";

    fn handle(&mut self) -> io::Result<()> {
        self.record("handle");
        BaseHttpRequest::handle(self)
    }

    fn handle_one_request(&mut self) -> io::Result<()> {
        self.record("handle_one_request");
        BaseHttpRequest::handle_one_request(self)
    }

    fn parse_request(&mut self) -> io::Result<bool> {
        self.record("parse_request");
        let parsed = BaseHttpRequest::parse_request(self)?;
        self.record(format!("parsed {}", self.path));
        Ok(parsed)
    }

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "0");
        self.end_headers()
    }

    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}

/// `BaseHttpRequest::handle` loops over `handle_one_request`, the override, whose
/// super calls `parse_request`, the override: two kept-alive requests, then the end
/// of input.
#[test]
fn handle_super_calls_handle_one_request_and_parse_request_overrides() {
    let requests = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    let (handler, output) = exchange::<KeepAlive>(requests, BaseHttpRequestHandler::handle);
    let response = text(&output);
    assert_eq!(
        response.matches("HTTP/1.1 200 OK\r\n").count(),
        2,
        "{response}"
    );
    assert_eq!(
        handler.calls(),
        [
            "handle",
            "handle_one_request",
            "parse_request",
            "parsed /a",
            "handle_one_request",
            "parse_request",
            "parsed /b",
            "handle_one_request",
        ]
    );
}

// class Expecting(BaseHTTPRequestHandler):
//     protocol_version = "HTTP/1.1"
//     def handle_expect_100(self):
//         self.calls.append(f"handle_expect_100 {self.path}")
//         if self.path == "/refuse":
//             self.send_error(HTTPStatus.EXPECTATION_FAILED)
//             return False
//         return super().handle_expect_100()
recording_handler!(Expecting(BaseHttpRequest));
from_base!(Expecting(BaseHttpRequest));

impl BaseHttpRequestHandler for Expecting {
    const protocol_version: &'static str = "HTTP/1.1";

    fn handle_expect_100(&mut self) -> io::Result<bool> {
        self.record(format!("handle_expect_100 {}", self.path));
        if self.path == "/refuse" {
            self.send_error(417, None, None)?;
            return Ok(false);
        }
        BaseHttpRequest::handle_expect_100(self)
    }

    fn send_response_only(&mut self, code: u16, message: Option<&str>) {
        self.record(format!("send_response_only {code}"));
        BaseHttpRequest::send_response_only(self, code, message)
    }

    fn end_headers(&mut self) -> io::Result<()> {
        self.record("end_headers");
        BaseHttpRequest::end_headers(self)
    }

    fn do_PUT(&mut self) -> io::Result<()> {
        self.send_response(201, None);
        self.send_header("Content-Length", "0");
        self.end_headers()
    }

    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}

/// `parse_request`'s body calls `handle_expect_100`, the override; its super sends
/// `100 Continue` through `send_response_only` and `end_headers`, the overrides. The
/// refused request gets its 417 and no `100 Continue`.
#[test]
fn handle_expect_100_super_calls_send_response_only_and_end_headers_overrides() {
    let put = |path: &str| {
        format!(
            "PUT {path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let (handler, output) =
        exchange::<Expecting>(put("/ok").as_bytes(), |h| h.handle_one_request());
    let response = text(&output);
    assert!(
        response.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"),
        "{response}"
    );
    assert_eq!(
        handler.calls(),
        [
            "handle_expect_100 /ok",
            "send_response_only 100",
            "end_headers",
            "send_response_only 201",
            "end_headers",
        ]
    );

    let (handler, output) =
        exchange::<Expecting>(put("/refuse").as_bytes(), |h| h.handle_one_request());
    let response = text(&output);
    assert!(
        response.starts_with("HTTP/1.1 417 Expectation Failed\r\n"),
        "{response}"
    );
    assert!(!response.contains("100 Continue"), "{response}");
    assert_eq!(
        handler.calls(),
        [
            "handle_expect_100 /refuse",
            "send_response_only 417",
            "end_headers"
        ]
    );
}

// class Branded(BaseHTTPRequestHandler):
//     server_version = "Branded/2.0"
//     def version_string(self):
//         return super().version_string() + " (tested)"
//     def date_time_string(self, timestamp=None):
//         return super().date_time_string(0)
//     def log_request(self, code='-', size='-'):
//         self.calls.append(f"log_request {code}"); super().log_request(code, size)
recording_handler!(Branded(BaseHttpRequest));
from_base!(Branded(BaseHttpRequest));

impl BaseHttpRequestHandler for Branded {
    const server_version: &'static str = "Branded/2.0";
    const sys_version: &'static str = "Test/1";

    fn version_string(&self) -> String {
        format!("{} (tested)", BaseHttpRequest::version_string(self))
    }

    fn date_time_string(&self, _timestamp: Option<SystemTime>) -> String {
        BaseHttpRequest::date_time_string(self, Some(UNIX_EPOCH))
    }

    fn log_request(&self, code: Option<u16>, size: Option<u64>) {
        self.record(format!("log_request {code:?}"));
        BaseHttpRequest::log_request(self, code, size)
    }

    fn log_message(&self, message: fmt::Arguments<'_>) {
        self.record(format!("log_message {message}"));
    }

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(204, None);
        self.end_headers()
    }
}

/// `send_response`'s body calls `log_request` (whose super calls `log_message`),
/// `version_string` (whose super reads the subclass's `server_version`) and
/// `date_time_string`: all overrides.
#[test]
fn send_response_super_calls_log_request_version_string_and_date_time_string_overrides() {
    let (handler, output) =
        exchange::<Branded>(b"GET /x HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    assert_eq!(
        text(&output),
        "HTTP/1.0 204 No Content\r\n\
         Server: Branded/2.0 Test/1 (tested)\r\n\
         Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n"
    );
    assert_eq!(
        handler.calls(),
        [
            "log_request Some(204)",
            "log_message \"GET /x HTTP/1.0\" 204 -"
        ]
    );
}

// class Addressed(BaseHTTPRequestHandler):
//     def address_string(self):
//         self.calls.append("address_string"); return "client-" + super().address_string()
//     def log_date_time_string(self):
//         self.calls.append("log_date_time_string"); return super().log_date_time_string()
//     def log_message(self, format, *args):
//         self.calls.append("log_message"); super().log_message(format, *args)
recording_handler!(Addressed(BaseHttpRequest));
from_base!(Addressed(BaseHttpRequest));

impl BaseHttpRequestHandler for Addressed {
    fn address_string(&self) -> String {
        let address = BaseHttpRequest::address_string(self);
        self.record(format!("address_string {address}"));
        format!("client-{address}")
    }

    fn log_date_time_string(&self) -> String {
        self.record("log_date_time_string");
        BaseHttpRequest::log_date_time_string(self)
    }

    fn log_message(&self, message: fmt::Arguments<'_>) {
        self.record(format!("log_message {message}"));
        BaseHttpRequest::log_message(self, message)
    }
}

/// `log_message`'s body (it writes the line to stderr) asks `address_string` and
/// `log_date_time_string` for the line's start: both overrides.
#[test]
fn log_message_super_calls_address_string_and_log_date_time_string_overrides() {
    let (handler, _client) = socketless::<Addressed>();
    handler.log_error(format_args!("tested {}", 42));
    assert_eq!(
        handler.calls(),
        [
            "log_message tested 42",
            "address_string 127.0.0.1",
            "log_date_time_string",
        ]
    );
}

// class Timed(BaseHTTPRequestHandler):
//     timeout = 5
//     def setup(self):
//         super().setup()          # StreamRequestHandler.setup
//         self.calls.append(f"setup {self.connection.gettimeout()}")
recording_handler!(Timed(BaseHttpRequest));
from_base!(Timed(BaseHttpRequest));

impl BaseHttpRequestHandler for Timed {
    const timeout: Option<Duration> = Some(Duration::from_secs(5));

    fn setup(&mut self) -> io::Result<()> {
        StreamRequestHandler::setup(self)?;
        let timeout = self.connection.read_timeout()?;
        self.record(format!("setup {timeout:?}"));
        Ok(())
    }
}

/// An HTTP handler's `super().setup()` is `StreamRequestHandler`'s, and reads the
/// HTTP handler's `timeout`.
#[test]
fn http_setup_super_applies_the_subclass_timeout() {
    let (mut handler, _client) = socketless::<Timed>();
    BaseRequestHandler::setup(&mut handler).unwrap();
    assert_eq!(handler.calls(), ["setup Some(5s)"]);
    assert_eq!(
        handler.connection.write_timeout().unwrap(),
        Some(Duration::from_secs(5))
    );
}

// --- SimpleHTTPRequestHandler -----------------------------------------------------------

/// The directory `Files` serves: `real.txt`, and `sub/` with `inner.txt` and no index.
fn files_directory() -> &'static Path {
    static DIRECTORY: OnceLock<PathBuf> = OnceLock::new();
    DIRECTORY.get_or_init(|| {
        let directory = std::env::temp_dir().join(format!("super_handlers.{}", std::process::id()));
        std::fs::create_dir_all(directory.join("sub")).unwrap();
        std::fs::write(directory.join("real.txt"), b"file body\n").unwrap();
        std::fs::write(directory.join("sub/inner.txt"), b"inner\n").unwrap();
        directory
    })
}

// class Files(SimpleHTTPRequestHandler): every method, overridden to log its call and
// then call super(); translate_path maps /alias to /real.txt, guess_type names .txt
// files text/x-test.
recording_handler!(Files(SimpleHttpRequest));

impl From<SimpleHttpRequest> for Files {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = files_directory().to_path_buf();
        Files {
            base,
            calls: RefCell::default(),
        }
    }
}

impl BaseHttpRequestHandler for Files {
    fn do_GET(&mut self) -> io::Result<()> {
        self.record("do_GET");
        SimpleHttpRequest::do_GET(self)
    }

    fn do_HEAD(&mut self) -> io::Result<()> {
        self.record("do_HEAD");
        SimpleHttpRequest::do_HEAD(self)
    }

    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}

impl SimpleHttpMethods for Files {
    fn send_head(&mut self) -> io::Result<Option<HeadFile>> {
        self.record("send_head");
        SimpleHttpRequest::send_head(self)
    }

    fn translate_path(&self, path: &str) -> PathBuf {
        self.record(format!("translate_path {path}"));
        let path = if path == "/alias" { "/real.txt" } else { path };
        SimpleHttpRequest::translate_path(self, path)
    }

    fn guess_type(&self, path: &Path) -> String {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.record(format!("guess_type {name}"));
        if name.ends_with(".txt") {
            return "text/x-test".to_string();
        }
        SimpleHttpRequest::guess_type(self, path)
    }

    fn list_directory(&mut self, path: &Path) -> io::Result<Option<HeadFile>> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.record(format!("list_directory {name}"));
        SimpleHttpRequest::list_directory(self, path)
    }

    fn copyfile(&mut self, source: &mut HeadFile) -> io::Result<()> {
        self.record("copyfile");
        SimpleHttpRequest::copyfile(self, source)
    }
}

/// `SimpleHttpRequest::do_GET` calls `send_head` and `copyfile`: the overrides.
#[test]
fn do_GET_super_calls_send_head_and_copyfile_overrides() {
    let (handler, output) = exchange::<Files>(b"GET /real.txt HTTP/1.0\r\n\r\n", |h| {
        h.handle_one_request()
    });
    let response = text(&output);
    assert!(response.starts_with("HTTP/1.0 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nfile body\n"), "{response}");
    assert_eq!(
        handler.calls(),
        [
            "do_GET",
            "send_head",
            "translate_path /real.txt",
            "guess_type real.txt",
            "copyfile",
        ]
    );
}

/// `SimpleHttpRequest::send_head` maps the path with `translate_path` and types the
/// file with `guess_type`: the overrides decide which file and which type.
#[test]
fn send_head_super_calls_translate_path_and_guess_type_overrides() {
    let (handler, output) =
        exchange::<Files>(b"GET /alias HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    let response = text(&output);
    assert!(response.starts_with("HTTP/1.0 200 OK\r\n"), "{response}");
    assert!(
        response.contains("\r\nContent-type: text/x-test\r\n"),
        "{response}"
    );
    assert!(response.ends_with("\r\n\r\nfile body\n"), "{response}");
    assert_eq!(
        handler.calls(),
        [
            "do_GET",
            "send_head",
            "translate_path /alias",
            "guess_type real.txt",
            "copyfile",
        ]
    );
}

/// A directory without an index: `send_head`'s super calls `list_directory`, the
/// override, and `copyfile` sends the page. `do_HEAD`'s super sends the head alone.
#[test]
fn send_head_super_calls_list_directory_override() {
    let (handler, output) =
        exchange::<Files>(b"GET /sub/ HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    let response = text(&output);
    assert!(response.starts_with("HTTP/1.0 200 OK\r\n"), "{response}");
    assert!(
        response.contains("<li><a href=\"inner.txt\">inner.txt</a></li>"),
        "{response}"
    );
    assert_eq!(
        handler.calls(),
        [
            "do_GET",
            "send_head",
            "translate_path /sub/",
            "list_directory sub",
            "copyfile",
        ]
    );

    let (handler, output) =
        exchange::<Files>(b"HEAD /sub/ HTTP/1.0\r\n\r\n", |h| h.handle_one_request());
    let response = text(&output);
    assert!(response.ends_with("\r\n\r\n"), "{response}");
    assert_eq!(
        handler.calls(),
        [
            "do_HEAD",
            "send_head",
            "translate_path /sub/",
            "list_directory sub",
        ]
    );
}

// --- socketserver's handlers ------------------------------------------------------------

/// A TCP connection on 127.0.0.1: the server's end as the handler gets it, the
/// client's address, and the client's end.
fn tcp_connection() -> (Arc<Connection>, SockAddr, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    let (server, address) = listener.accept().unwrap();
    (
        Arc::new(Connection::new(Socket::from(server))),
        SockAddr::from(address),
        client,
    )
}

// class TimedHandler(StreamRequestHandler):
//     timeout = 7
//     disable_nagle_algorithm = True
//     def setup(self):
//         super().setup()
//         self.seen = self.connection.gettimeout()
//     def handle(self):
//         self.wfile.write(f"{self.seen}\n".encode())
struct TimedHandler {
    base: StreamRequestHandler,
    seen: Option<Duration>,
}

impl Deref for TimedHandler {
    type Target = StreamRequestHandler;
    fn deref(&self) -> &StreamRequestHandler {
        &self.base
    }
}

impl DerefMut for TimedHandler {
    fn deref_mut(&mut self) -> &mut StreamRequestHandler {
        &mut self.base
    }
}

impl From<StreamRequestHandler> for TimedHandler {
    fn from(base: StreamRequestHandler) -> Self {
        TimedHandler { base, seen: None }
    }
}

impl BaseRequestHandler for TimedHandler {
    const timeout: Option<Duration> = Some(Duration::from_secs(7));
    const disable_nagle_algorithm: bool = true;

    fn setup(&mut self) -> io::Result<()> {
        StreamRequestHandler::setup(self)?;
        self.seen = self.connection.read_timeout()?;
        Ok(())
    }

    fn handle(&mut self) -> io::Result<()> {
        let seen = self.seen;
        writeln!(self.wfile, "{seen:?}")
    }
}

/// The same class attributes, and a `setup` that does not call super.
struct NoSuperHandler(TimedHandler);

impl Deref for NoSuperHandler {
    type Target = StreamRequestHandler;
    fn deref(&self) -> &StreamRequestHandler {
        &self.0.base
    }
}

impl DerefMut for NoSuperHandler {
    fn deref_mut(&mut self) -> &mut StreamRequestHandler {
        &mut self.0.base
    }
}

impl From<StreamRequestHandler> for NoSuperHandler {
    fn from(base: StreamRequestHandler) -> Self {
        NoSuperHandler(TimedHandler::from(base))
    }
}

impl BaseRequestHandler for NoSuperHandler {
    const timeout: Option<Duration> = Some(Duration::from_secs(7));
    const disable_nagle_algorithm: bool = true;

    fn setup(&mut self) -> io::Result<()> {
        self.0.seen = self.connection.read_timeout()?;
        Ok(())
    }

    fn handle(&mut self) -> io::Result<()> {
        self.0.handle()
    }
}

/// `StreamRequestHandler::setup`, called from the override, applies the subclass's
/// `timeout` and `disable_nagle_algorithm`, and the override's own line runs after
/// it. Without the super call, neither is applied.
#[test]
fn setup_super_applies_the_subclass_timeout() {
    let (connection, address, client) = tcp_connection();
    TimedHandler::__init__(Arc::clone(&connection), address, Arc::new(()), &()).unwrap();
    let mut line = String::new();
    io::BufRead::read_line(&mut io::BufReader::new(&client), &mut line).unwrap();
    assert_eq!(line, "Some(7s)\n");
    assert_eq!(
        connection.read_timeout().unwrap(),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        connection.write_timeout().unwrap(),
        Some(Duration::from_secs(7))
    );
    assert!(connection.nodelay().unwrap());

    let (connection, address, client) = tcp_connection();
    NoSuperHandler::__init__(Arc::clone(&connection), address, Arc::new(()), &()).unwrap();
    let mut line = String::new();
    io::BufRead::read_line(&mut io::BufReader::new(&client), &mut line).unwrap();
    assert_eq!(line, "None\n");
    assert!(!connection.nodelay().unwrap());
}

// class Buffered(StreamRequestHandler):
//     wbufsize = 8192
//     def handle(self): self.wfile.write(b"hello\n")
//     def finish(self):
//         self.wfile.write(b"bye\n")
//         super().finish()
struct Buffered(StreamRequestHandler);
socketserver::subclass!(Buffered(StreamRequestHandler));

impl BaseRequestHandler for Buffered {
    const wbufsize: usize = 8192;

    fn handle(&mut self) -> io::Result<()> {
        self.wfile.write_all(b"hello\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.wfile.write_all(b"bye\n")?;
        StreamRequestHandler::finish(self)
    }
}

/// With a write buffer (the subclass's `wbufsize`), nothing is sent until
/// `StreamRequestHandler::finish`, called from the override, flushes it: the client
/// reads both lines, the override's last.
#[test]
fn finish_super_flushes_what_the_override_wrote() {
    let (connection, address, client) = tcp_connection();
    Buffered::__init__(connection, address, Arc::new(()), &()).unwrap();
    let mut received = Vec::new();
    (&client).read_to_end(&mut received).unwrap();
    assert_eq!(text(&received), "hello\nbye\n");
}

// class Shout(DatagramRequestHandler):
//     def setup(self):
//         super().setup()
//         self.prefix = b"> "
//     def handle(self):
//         self.wfile.write(self.prefix + self.rfile.read().upper())
//     def finish(self):
//         self.wfile.write(b" (finished)")
//         super().finish()
struct Shout {
    base: DatagramRequestHandler,
    prefix: Vec<u8>,
}

impl Deref for Shout {
    type Target = DatagramRequestHandler;
    fn deref(&self) -> &DatagramRequestHandler {
        &self.base
    }
}

impl DerefMut for Shout {
    fn deref_mut(&mut self) -> &mut DatagramRequestHandler {
        &mut self.base
    }
}

impl From<DatagramRequestHandler> for Shout {
    fn from(base: DatagramRequestHandler) -> Self {
        Shout {
            base,
            prefix: Vec::new(),
        }
    }
}

impl BaseRequestHandler for Shout {
    fn setup(&mut self) -> io::Result<()> {
        DatagramRequestHandler::setup(self)?;
        self.prefix = b"> ".to_vec();
        Ok(())
    }

    fn handle(&mut self) -> io::Result<()> {
        let mut packet = Vec::new();
        self.rfile.read_to_end(&mut packet)?;
        let reply = [self.prefix.as_slice(), &packet.to_ascii_uppercase()].concat();
        self.wfile.extend_from_slice(&reply);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.wfile.extend_from_slice(b" (finished)");
        DatagramRequestHandler::finish(self)
    }
}

/// `DatagramRequestHandler::finish`, called from the override, sends `wfile` as the
/// reply, with what the override added to it; the `setup` override ran after its
/// super, as `handle` saw its prefix.
#[test]
fn datagram_finish_super_sends_the_reply() {
    let server = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    server.bind(&any.into()).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    let client_address = SockAddr::from(client.local_addr().unwrap());

    let request = (b"hello".to_vec(), Arc::new(server));
    Shout::__init__(request, client_address, Arc::new(()), &()).unwrap();
    let mut reply = [0; 100];
    let n = client.recv(&mut reply).unwrap();
    assert_eq!(text(&reply[..n]), "> HELLO (finished)");
}

// class Raw(BaseRequestHandler): each hook calls super() (which does nothing), then
// says its name to the client.
struct Raw(BaseRequest<Arc<Connection>>);
socketserver::subclass!(Raw(BaseRequest<Arc<Connection>>));

impl BaseRequestHandler for Raw {
    fn setup(&mut self) -> io::Result<()> {
        BaseRequest::setup(self)?;
        self.request.send(b"setup ")?;
        Ok(())
    }

    fn handle(&mut self) -> io::Result<()> {
        BaseRequest::handle(self)?;
        self.request.send(b"handle ")?;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        BaseRequest::finish(self)?;
        self.request.send(b"finish")?;
        Ok(())
    }
}

/// `BaseRequestHandler`'s bodies are `pass`: each override's super returns at once,
/// and the three hooks run in the constructor's order.
#[test]
fn base_request_handler_super_is_pass() {
    let (connection, address, client) = tcp_connection();
    Raw::__init__(connection, address, Arc::new(()), &()).unwrap();
    let mut received = Vec::new();
    (&client).read_to_end(&mut received).unwrap();
    assert_eq!(text(&received), "setup handle finish");
}
