//! `BaseHTTPRequestHandler`: one HTTP request after another on a connection.
//!
//! Python: `Lib/http/server.py`, lines 146-643.
//!
//! As in [`crate::handlers`], the class is split in two: its attributes are the struct
//! [`BaseHttpRequest`] (wrapping [`StreamRequestHandler`]'s), its methods are the trait
//! [`BaseHttpRequestHandler`]. Every type that implements the trait is a
//! [`BaseRequestHandler`] whose `handle` is the HTTP one, so a server takes it as its
//! `RequestHandlerClass` directly.

use std::borrow::{Borrow, BorrowMut};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use socket2::SockAddr;

use super::builtins::{self, escape_control_chars, html_escape, repr, split};
use super::message::{HeaderError, HttpMessage, latin1, parse_headers, readline};
use crate::base_server::AnyServer;
use crate::connection::Connection;
use crate::handlers::{BaseRequestHandler, HandlerBase, StreamRequestHandler};
use crate::http::{HTTP_STATUSES, HttpStatus};
use crate::traced;

/// Python: `http.server.__version__`.
#[allow(non_upper_case_globals)]
pub const __version__: &str = "0.6";

// ANCHOR: DEFAULT_ERROR_MESSAGE
/// The error page `send_error` fills in: Python's `%`-format with the keys `code`,
/// `message` and `explain`. Python: `http.server.DEFAULT_ERROR_MESSAGE`.
pub const DEFAULT_ERROR_MESSAGE: &str = r#"<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
"#;
// ANCHOR_END: DEFAULT_ERROR_MESSAGE

/// Python: `http.server.DEFAULT_ERROR_CONTENT_TYPE`.
pub const DEFAULT_ERROR_CONTENT_TYPE: &str = "text/html;charset=utf-8";

// ANCHOR: BaseHttpRequest
/// The attributes of a `BaseHTTPRequestHandler`: what `parse_request` found and what
/// the response has buffered so far, over the connection's `rfile` and `wfile`
/// (reached through `Deref`, as Python's inherited attributes are).
///
/// Python: the instance attributes of `http.server.BaseHTTPRequestHandler`.
pub struct BaseHttpRequest<S: ?Sized = AnyServer> {
    base: StreamRequestHandler<S>,
    /// The request line as read, with its line end. Python: `self.raw_requestline`.
    pub raw_requestline: Vec<u8>,
    /// The request line, latin-1 decoded, without its line end (for the log).
    /// Python: `self.requestline`.
    pub requestline: String,
    /// The method, e.g. `GET`; empty until a request line is parsed (Python's `None`).
    /// Python: `self.command`.
    pub command: String,
    /// The request target, e.g. `/index.html?x=1`. Python: `self.path`.
    pub path: String,
    /// The version of the request, e.g. `HTTP/1.1`. Python: `self.request_version`.
    pub request_version: String,
    /// True when the connection closes after this request. Python: `self.close_connection`.
    pub close_connection: bool,
    /// The request's headers. Python: `self.headers`, built by the class attribute
    /// `MessageClass`. Differs from CPython 3.11: there is no `MessageClass` to
    /// override; the headers are always an [`HttpMessage`].
    pub headers: HttpMessage,
    /// The status line and headers not yet sent. Python: `self._headers_buffer`.
    pub _headers_buffer: Vec<u8>,
    /// How far into the connection the body of the current request starts.
    body_start: u64,
    /// Requests read on this connection so far.
    requests_read: u64,
}
// ANCHOR_END: BaseHttpRequest

impl<S: ?Sized> Deref for BaseHttpRequest<S> {
    type Target = StreamRequestHandler<S>;
    fn deref(&self) -> &StreamRequestHandler<S> {
        &self.base
    }
}

impl<S: ?Sized> DerefMut for BaseHttpRequest<S> {
    fn deref_mut(&mut self) -> &mut StreamRequestHandler<S> {
        &mut self.base
    }
}

impl<S: ?Sized + Send + Sync + 'static> HandlerBase for BaseHttpRequest<S> {
    type Request = Arc<Connection>;
    type Server = S;
    type Arguments = ();

    fn new<H: BaseRequestHandler>(
        request: Arc<Connection>,
        client_address: SockAddr,
        server: Arc<S>,
        (): &(),
    ) -> Self {
        BaseHttpRequest {
            base: StreamRequestHandler::new::<H>(request, client_address, server, &()),
            raw_requestline: Vec::new(),
            requestline: String::new(),
            command: String::new(),
            path: String::new(),
            request_version: String::new(),
            close_connection: true,
            headers: HttpMessage::default(),
            _headers_buffer: Vec::new(),
            body_start: 0,
            requests_read: 0,
        }
    }

    fn setup<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::setup(this)
    }

    fn finish<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::finish(this)
    }
}

impl<S: ?Sized> Borrow<StreamRequestHandler<S>> for BaseHttpRequest<S> {
    fn borrow(&self) -> &StreamRequestHandler<S> {
        &self.base
    }
}

impl<S: ?Sized> BorrowMut<StreamRequestHandler<S>> for BaseHttpRequest<S> {
    fn borrow_mut(&mut self) -> &mut StreamRequestHandler<S> {
        &mut self.base
    }
}

impl<S: ?Sized> BaseHttpRequest<S> {
    /// How many bytes of the connection the handler has consumed from `rfile`.
    fn consumed(&self) -> u64 {
        self.rfile.get_ref().bytes_read() - self.rfile.buffer().len() as u64
    }
}

/// What a handler class (the struct your handler wraps) contributes to the methods
/// of [`BaseHttpRequestHandler`]: its `do_*` methods and its `server_version`.
///
/// `H` is your handler, the most derived class: the class's `do_GET` calls the hooks
/// of `H`, as Python's `self.send_head()` reaches a subclass's override.
/// [`BaseHttpRequest`] has no `do_*` method; [`SimpleHttpRequest`] has `do_GET` and
/// `do_HEAD`.
///
/// [`SimpleHttpRequest`]: super::SimpleHttpRequest
#[allow(non_upper_case_globals)]
pub trait HttpHandlerBase<H>: HandlerBase<Request = Arc<Connection>> {
    /// The class's `server_version`.
    const server_version: &'static str;

    /// The `BaseHTTPRequestHandler` attributes inside the class's struct.
    fn base_http(&self) -> &BaseHttpRequest<Self::Server>;

    /// The same, to change.
    fn base_http_mut(&mut self) -> &mut BaseHttpRequest<Self::Server>;

    /// Runs the class's `do_<command>` method on `handler`, or answers
    /// [`no_such_method`] when the class has none.
    fn do_method(handler: &mut H, command: &str) -> io::Result<()> {
        let _ = handler;
        Err(no_such_method(command))
    }
}

impl<H, S: ?Sized + Send + Sync + 'static> HttpHandlerBase<H> for BaseHttpRequest<S> {
    const server_version: &'static str = "BaseHTTP/0.6";

    fn base_http(&self) -> &BaseHttpRequest<S> {
        self
    }
    fn base_http_mut(&mut self) -> &mut BaseHttpRequest<S> {
        self
    }
}

// ANCHOR: no_such_method
/// A value of `log_request`, or Python's default `'-'` where there is none.
struct OrDash<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for OrDash<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// The marker error of a `do_*` method a handler does not have.
#[derive(Debug)]
struct NoSuchMethod(String);

impl fmt::Display for NoSuchMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no method do_{}", self.0)
    }
}

impl std::error::Error for NoSuchMethod {}

/// What a `do_*` method returns when the handler does not define it: the dispatch in
/// `handle_one_request` answers 501, as Python does when `hasattr(self, mname)` is
/// false. Return it from [`do_method`](BaseHttpRequestHandler::do_method) for the
/// names you do not handle.
pub fn no_such_method(command: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        NoSuchMethod(command.to_string()),
    )
}

fn is_no_such_method(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<NoSuchMethod>())
}
// ANCHOR_END: no_such_method

/// A read or write that ran out of `timeout`: Python's `TimeoutError`.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Encodes a status or header line as latin-1, for `send_response_only` and
/// `send_header`. Differs from CPython 3.11: a character above
/// U+00FF, which Python's `encode('latin-1', 'strict')` refuses with a
/// `UnicodeEncodeError` (the request then fails), is sent as `?`.
fn latin1_encode(line: &str) -> impl Iterator<Item = u8> + '_ {
    line.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
}

// ANCHOR: format_error_message
/// Python's `format % {'code': …, 'message': …, 'explain': …}` for the three keys
/// of an error page (`%(key)s` or `%(key)d`) and `%%`.
fn format_error_message(format: &str, code: u16, message: &str, explain: &str) -> String {
    let mut out = String::with_capacity(format.len() + message.len() + explain.len());
    let mut rest = format;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let Some((key, after)) = rest.strip_prefix('(').and_then(|r| r.split_once(')')) else {
            out.push('%');
            continue;
        };
        let value = match key {
            "code" => code.to_string(),
            "message" => message.to_string(),
            "explain" => explain.to_string(),
            _ => String::new(),
        };
        out.push_str(&value);
        // Skip the conversion letter (s or d).
        rest = after.char_indices().nth(1).map_or("", |(i, _)| &after[i..]);
    }
    out.push_str(rest);
    out
}
// ANCHOR_END: format_error_message

/// The server an HTTP handler names (`BaseHttpRequest<S>`'s `S`).
type ServerOf<H> = <<H as Deref>::Target as HandlerBase>::Server;

fn attrs<H: BaseHttpRequestHandler>(handler: &mut H) -> &mut BaseHttpRequest<ServerOf<H>> {
    (**handler).base_http_mut()
}

/// Python: `http.server.BaseHTTPRequestHandler`: reads requests from a connection,
/// parses each, and calls the handler's `do_<METHOD>`.
///
/// Write the methods your handler serves (`do_GET`, `do_POST`, …; any other name in
/// [`do_method`](Self::do_method)); the rest is done. A method you do not write
/// answers 501, as in Python. Class attributes are associated constants with
/// Python's names and defaults.
///
/// ```no_run
/// use std::io::{self, BufRead, Write};
/// use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
/// use socketserver::BaseServer;
///
/// // class Hello(BaseHTTPRequestHandler):
/// struct Hello(BaseHttpRequest);
/// socketserver::subclass!(Hello(BaseHttpRequest));
///
/// impl BaseHttpRequestHandler for Hello {
///     fn do_GET(&mut self) -> io::Result<()> {
///         self.send_response(200, None);
///         self.send_header("Content-Type", "text/plain");
///         self.end_headers()?;
///         self.wfile.write_all(b"Hello, world\n")
///     }
/// }
///
/// let server = HttpServer::<Hello>::new(("127.0.0.1", 8000))?.into_arc();
/// server.serve_forever(0.5)?;
/// # Ok::<(), io::Error>(())
/// ```
///
/// # `super()`
///
/// The body of every method Python's `BaseHTTPRequestHandler` defines is an
/// associated function of [`BaseHttpRequest`], the class's struct, generic over your
/// handler: [`BaseHttpRequest::end_headers`], [`BaseHttpRequest::send_error`], ….
/// The trait's default method calls it, and so does an override, for Python's
/// `super().end_headers()` (Python 2's `BaseHTTPRequestHandler.end_headers(self)`):
///
/// ```text
/// def end_headers(self):                    fn end_headers(&mut self) -> io::Result<()> {
///     self.send_header("X", "1")                self.send_header("X", "1");
///     super().end_headers()                     BaseHttpRequest::end_headers(self)
///                                           }
/// ```
///
/// Inside the body `self` is still your handler, so the hooks it calls
/// (`flush_headers` here) are your overrides, and the class attributes it reads
/// (`protocol_version`) are yours. `setup` and `finish` are
/// [`StreamRequestHandler`]'s ([`StreamRequestHandler::setup`]), and
/// `SimpleHTTPRequestHandler`'s methods are [`SimpleHttpRequest`]'s
/// ([`SimpleHttpRequest::send_head`]). Do not write
/// `BaseHttpRequestHandler::end_headers(self)`: that trait path is your override
/// itself, which would call itself forever.
///
/// [`SimpleHttpRequest`]: super::SimpleHttpRequest
/// [`SimpleHttpRequest::send_head`]: super::SimpleHttpRequest::send_head
#[doc(alias = "BaseHTTPRequestHandler")]
#[allow(non_snake_case, non_upper_case_globals)]
pub trait BaseHttpRequestHandler:
    DerefMut<Target: HttpHandlerBase<Self>> + From<Self::Target> + Send + 'static
{
    // ANCHOR: class_attributes
    /// The server's software name and version, first word of the `Server` header.
    /// Python: `server_version = "BaseHTTP/0.6"` (`"SimpleHTTP/0.6"` for
    /// `SimpleHTTPRequestHandler`): the class the handler wraps decides.
    const server_version: &'static str = <Self::Target as HttpHandlerBase<Self>>::server_version;
    /// The language and its version, second word of the `Server` header. Python:
    /// `sys_version = "Python/3.11.7"`. Differs from CPython 3.11: here the port and
    /// its version.
    const sys_version: &'static str = concat!("Rust-socketserver/", env!("CARGO_PKG_VERSION"));
    /// The version in every status line; `HTTP/1.1` turns on keep-alive. Python:
    /// `protocol_version = "HTTP/1.0"`.
    const protocol_version: &'static str = "HTTP/1.0";
    /// The version assumed until a request line is parsed: with `HTTP/0.9`, an error
    /// about the request line itself goes out as a bare body. Python:
    /// `default_request_version = "HTTP/0.9"`.
    const default_request_version: &'static str = "HTTP/0.9";
    /// The error page, a `%`-format with `code`, `message` and `explain`. Python:
    /// `error_message_format = DEFAULT_ERROR_MESSAGE`.
    const error_message_format: &'static str = DEFAULT_ERROR_MESSAGE;
    /// The error page's `Content-Type`. Python: `error_content_type`.
    const error_content_type: &'static str = DEFAULT_ERROR_CONTENT_TYPE;
    /// Reason phrase and explanation of each code. Python: `responses`, built from
    /// `HTTPStatus`.
    const responses: &'static [HttpStatus] = &HTTP_STATUSES;

    /// Python: `StreamRequestHandler.rbufsize = -1` (see [`BaseRequestHandler`]).
    const rbufsize: isize = -1;
    /// Python: `StreamRequestHandler.wbufsize = 0`: `flush_headers` and every body
    /// write go out at once.
    const wbufsize: usize = 0;
    /// Python: `StreamRequestHandler.timeout = None`.
    const timeout: Option<Duration> = None;
    /// Python: `StreamRequestHandler.disable_nagle_algorithm = False`.
    const disable_nagle_algorithm: bool = false;

    /// Not in Python: the longest a request line and its headers may take to arrive,
    /// counted from when the handler starts waiting for them. `timeout` bounds each
    /// read, so a client that sends a byte every few seconds holds its thread for as
    /// long as it likes; this bounds the whole. `None` (the default) is Python's
    /// behaviour.
    const request_header_timeout: Option<Duration> = None;
    /// Not in Python: how long a kept-alive connection may stay silent before its
    /// next request. `None` (the default) waits as `timeout` says, as Python does.
    const keep_alive_timeout: Option<Duration> = None;
    // ANCHOR_END: class_attributes

    /// Runs before `handle`: the connection's timeout and `TCP_NODELAY`.
    ///
    /// Python: `StreamRequestHandler.setup()`. The body is the class's, by default
    /// [`StreamRequestHandler::setup`], which an override calls for `super().setup()`.
    fn setup(&mut self) -> io::Result<()> {
        <Self::Target as HandlerBase>::setup(self)
    }

    /// Runs after `handle`: flushes `wfile`.
    ///
    /// Python: `StreamRequestHandler.finish()`. The body is the class's, by default
    /// [`StreamRequestHandler::finish`], which an override calls for
    /// `super().finish()`.
    fn finish(&mut self) -> io::Result<()> {
        <Self::Target as HandlerBase>::finish(self)
    }

    /// Handles requests until one of them closes the connection.
    ///
    /// Python: `BaseHTTPRequestHandler.handle()`. The body is
    /// [`BaseHttpRequest::handle`].
    fn handle(&mut self) -> io::Result<()> {
        BaseHttpRequest::handle(self)
    }

    /// Reads one request line, parses the request, and calls `do_<command>`; a
    /// method the handler does not have gets 501. A read or write that times out
    /// ends the connection with a line in the log.
    ///
    /// Python: `BaseHTTPRequestHandler.handle_one_request()`. The body is
    /// [`BaseHttpRequest::handle_one_request`].
    fn handle_one_request(&mut self) -> io::Result<()> {
        BaseHttpRequest::handle_one_request(self)
    }

    /// Calls the handler's `do_<command>`: Python's
    /// `getattr(self, 'do_' + self.command)()`. The usual methods have their own
    /// trait methods; any other name goes to [`do_method`](Self::do_method). The
    /// body is [`BaseHttpRequest::call_do_method`].
    fn call_do_method(&mut self, command: &str) -> io::Result<()> {
        BaseHttpRequest::call_do_method(self, command)
    }

    // ANCHOR: do_GET
    /// Serves `GET`. Python: `do_GET()`, which `BaseHTTPRequestHandler` does not have
    /// (501) and `SimpleHTTPRequestHandler` does.
    fn do_GET(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "GET")
    }
    // ANCHOR_END: do_GET
    /// Serves `HEAD`. Python: `do_HEAD()`.
    fn do_HEAD(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "HEAD")
    }
    /// Serves `POST`. Python: `do_POST()`.
    fn do_POST(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "POST")
    }
    /// Serves `PUT`. Python: `do_PUT()`.
    fn do_PUT(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "PUT")
    }
    /// Serves `DELETE`. Python: `do_DELETE()`.
    fn do_DELETE(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "DELETE")
    }
    /// Serves `OPTIONS`. Python: `do_OPTIONS()`.
    fn do_OPTIONS(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "OPTIONS")
    }
    /// Serves `PATCH`. Python: `do_PATCH()`.
    fn do_PATCH(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "PATCH")
    }
    /// Serves `TRACE`. Python: `do_TRACE()`.
    fn do_TRACE(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "TRACE")
    }
    /// Serves `CONNECT`. Python: `do_CONNECT()`.
    fn do_CONNECT(&mut self) -> io::Result<()> {
        Self::Target::do_method(self, "CONNECT")
    }
    /// Serves any other method, e.g. `do_method(self, "SPAM")` for Python's
    /// `do_SPAM()`. Return [`no_such_method`] for a name you do not serve.
    fn do_method(&mut self, command: &str) -> io::Result<()> {
        Self::Target::do_method(self, command)
    }

    /// Parses `raw_requestline` and the headers after it into `command`, `path`,
    /// `request_version` and `headers`. Returns false after sending the error
    /// response (400, 505, 431), or with nothing sent for an empty line.
    ///
    /// Python: `BaseHTTPRequestHandler.parse_request()`. The body is
    /// [`BaseHttpRequest::parse_request`].
    fn parse_request(&mut self) -> io::Result<bool> {
        BaseHttpRequest::parse_request(self)
    }

    /// Answers `Expect: 100-continue`: by default `100 Continue` at once, and true.
    /// Override it to refuse (send an error and return false) before the client
    /// sends its body.
    ///
    /// Python: `BaseHTTPRequestHandler.handle_expect_100()`. The body is
    /// [`BaseHttpRequest::handle_expect_100`].
    fn handle_expect_100(&mut self) -> io::Result<bool> {
        BaseHttpRequest::handle_expect_100(self)
    }

    /// Sends and logs an error response: the status line carries `message` (by
    /// default the code's phrase), then `Server`, `Date`, `Connection: close`, and
    /// unless the code is 1xx, 204, 205 or 304, an HTML page with `explain` (by
    /// default the code's description). A `HEAD` gets the headers without the page.
    ///
    /// Python: `BaseHTTPRequestHandler.send_error(code, message=None, explain=None)`.
    /// The body is [`BaseHttpRequest::send_error`].
    fn send_error(
        &mut self,
        code: u16,
        message: Option<&str>,
        explain: Option<&str>,
    ) -> io::Result<()> {
        BaseHttpRequest::send_error(self, code, message, explain)
    }

    /// Logs the request, then buffers the status line and the `Server` and `Date`
    /// headers.
    ///
    /// Python: `BaseHTTPRequestHandler.send_response(code, message=None)`. The body
    /// is [`BaseHttpRequest::send_response`].
    fn send_response(&mut self, code: u16, message: Option<&str>) {
        BaseHttpRequest::send_response(self, code, message)
    }

    /// Buffers the status line alone (nothing for an HTTP/0.9 request).
    ///
    /// Python: `BaseHTTPRequestHandler.send_response_only(code, message=None)`. The
    /// body is [`BaseHttpRequest::send_response_only`].
    fn send_response_only(&mut self, code: u16, message: Option<&str>) {
        BaseHttpRequest::send_response_only(self, code, message)
    }

    /// Buffers one header (nothing for an HTTP/0.9 request). `Connection: close` or
    /// `keep-alive` also decides `close_connection`.
    ///
    /// Python: `BaseHTTPRequestHandler.send_header(keyword, value)`. The body is
    /// [`BaseHttpRequest::send_header`]; never pass it unchecked client input.
    fn send_header(&mut self, keyword: &str, value: &str) {
        BaseHttpRequest::send_header(self, keyword, value)
    }

    /// Ends the headers with a blank line and sends them.
    ///
    /// Python: `BaseHTTPRequestHandler.end_headers()`. The body is
    /// [`BaseHttpRequest::end_headers`].
    fn end_headers(&mut self) -> io::Result<()> {
        BaseHttpRequest::end_headers(self)
    }

    /// Sends the buffered status line and headers in one write.
    ///
    /// Python: `BaseHTTPRequestHandler.flush_headers()`. The body is
    /// [`BaseHttpRequest::flush_headers`].
    fn flush_headers(&mut self) -> io::Result<()> {
        BaseHttpRequest::flush_headers(self)
    }

    /// Logs an answered request: `"GET / HTTP/1.1" 200 -`. `None` prints as `-`.
    ///
    /// Python: `BaseHTTPRequestHandler.log_request(code='-', size='-')`. The body is
    /// [`BaseHttpRequest::log_request`].
    fn log_request(&self, code: Option<u16>, size: Option<u64>) {
        BaseHttpRequest::log_request(self, code, size)
    }

    /// Logs an error; by default as any other message.
    ///
    /// Python: `BaseHTTPRequestHandler.log_error(format, *args)`. The body is
    /// [`BaseHttpRequest::log_error`].
    fn log_error(&self, message: fmt::Arguments<'_>) {
        BaseHttpRequest::log_error(self, message)
    }

    /// Writes one line to stderr: client address, local time, and the message with
    /// its control characters escaped. Override it to log elsewhere or not at all.
    ///
    /// Python: `BaseHTTPRequestHandler.log_message(format, *args)`. The body is
    /// [`BaseHttpRequest::log_message`].
    fn log_message(&self, message: fmt::Arguments<'_>) {
        BaseHttpRequest::log_message(self, message)
    }

    /// The `Server` header: `server_version` and `sys_version`.
    ///
    /// Python: `BaseHTTPRequestHandler.version_string()`. The body is
    /// [`BaseHttpRequest::version_string`].
    fn version_string(&self) -> String {
        BaseHttpRequest::version_string(self)
    }

    /// A time for a header, now if `None`: `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// Python: `BaseHTTPRequestHandler.date_time_string(timestamp=None)`. The body
    /// is [`BaseHttpRequest::date_time_string`].
    fn date_time_string(&self, timestamp: Option<SystemTime>) -> String {
        BaseHttpRequest::date_time_string(self, timestamp)
    }

    /// The current local time for the log: `26/Nov/2026 19:02:36`.
    ///
    /// Python: `BaseHTTPRequestHandler.log_date_time_string()`. The body is
    /// [`BaseHttpRequest::log_date_time_string`].
    fn log_date_time_string(&self) -> String {
        BaseHttpRequest::log_date_time_string(self)
    }

    /// The client's address for the log: its IP address.
    ///
    /// Python: `BaseHTTPRequestHandler.address_string()`. The body is
    /// [`BaseHttpRequest::address_string`].
    fn address_string(&self) -> String {
        BaseHttpRequest::address_string(self)
    }
}

/// The bodies of `BaseHTTPRequestHandler`'s methods: what Python's
/// `super().end_headers()` (or Python 2's `BaseHTTPRequestHandler.end_headers(self)`)
/// runs. Each takes `this`, your handler, where Python's body has `self`, so the
/// hooks a body calls (`this.flush_headers()`) are your overrides, and the class
/// attributes it reads (`H::protocol_version`) are yours. The trait's default
/// methods call them; an override calls them as `BaseHttpRequest::end_headers(self)`.
#[allow(non_snake_case)]
impl BaseHttpRequest {
    // ANCHOR: handle
    /// Python: `BaseHTTPRequestHandler.handle()`: handles requests until one of them
    /// closes the connection. An override calls it as `super().handle()`:
    /// `BaseHttpRequest::handle(self)`.
    pub fn handle<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<()> {
        attrs(this).close_connection = true;

        traced!(this.handle_one_request())?;
        while !attrs(this).close_connection {
            traced!(this.handle_one_request())?;
        }
        Ok(())
    }
    // ANCHOR_END: handle

    // ANCHOR: handle_one_request
    /// Python: `BaseHTTPRequestHandler.handle_one_request()`. An override calls it
    /// as `super().handle_one_request()`: `BaseHttpRequest::handle_one_request(self)`.
    ///
    /// Not in Python: `keep_alive_timeout` bounds the wait for a kept-alive
    /// connection's next request, and `request_header_timeout` the reading of the
    /// request line and headers; both are off by default.
    ///
    /// Differs from CPython 3.11: when the method leaves part of a declared request
    /// body unread (`Content-Length`, or a `Transfer-Encoding` body it did not touch),
    /// the connection closes after the response instead of reading the body as the
    /// next request (reported upstream as gh-150499, still open; its proposed fix
    /// drains the body instead of closing).
    pub fn handle_one_request<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<()> {
        let result = (|| {
            let fields = attrs(this);
            // The opt-in limits (not in Python): an idle wait for a kept-alive
            // connection's next request, then a deadline for the request's head.
            if fields.requests_read > 0 {
                if let Some(idle) = H::keep_alive_timeout {
                    fields.connection.set_read_timeout(Some(idle))?;
                    let waited = fields.rfile.fill_buf().map(|_| ());
                    fields.connection.set_read_timeout(H::timeout)?;
                    waited?;
                }
            }
            fields.requests_read += 1;
            if let Some(limit) = H::request_header_timeout {
                fields
                    .rfile
                    .get_mut()
                    .set_deadline(Some(Instant::now() + limit))?;
            }
            fields.raw_requestline = readline(&mut fields.rfile, 65537)?;
            if fields.raw_requestline.len() > 65536 {
                fields.requestline.clear();
                fields.request_version.clear();
                fields.command.clear();
                this.send_error(414, None, None)?;
                return Ok(());
            }
            if fields.raw_requestline.is_empty() {
                fields.close_connection = true;
                return Ok(());
            }
            let parsed = traced!(this.parse_request());
            attrs(this).rfile.get_mut().set_deadline(None)?; // the body has no deadline
            if !parsed? {
                // An error code has been sent, just exit
                return Ok(());
            }
            let command = attrs(this).command.clone();
            let called = this.call_do_method(&command);
            if called.as_ref().is_err_and(is_no_such_method) {
                let message = format!("Unsupported method ({})", repr(&command));
                return this.send_error(501, Some(&message), None);
            }
            called?;
            let fields = attrs(this);
            fields.wfile.flush()?; // actually send the response if not already done.
            if !fields.close_connection && body_left_unread(fields) {
                fields.close_connection = true;
            }
            Ok(())
        })();
        let _ = attrs(this).rfile.get_mut().set_deadline(None);
        match result {
            Err(e) if is_timeout(&e) => {
                // a read or a write timed out.  Discard this connection
                this.log_error(format_args!(
                    "Request timed out: TimeoutError({})",
                    repr("timed out")
                ));
                attrs(this).close_connection = true;
                Ok(())
            }
            other => other,
        }
    }
    // ANCHOR_END: handle_one_request

    // ANCHOR: call_do_method
    /// Calls the handler's `do_<command>`: Python's
    /// `getattr(self, 'do_' + self.command)()`, in `handle_one_request`. The nine
    /// usual methods have their own trait methods; any other name goes to
    /// [`do_method`](BaseHttpRequestHandler::do_method).
    pub fn call_do_method<H: BaseHttpRequestHandler>(
        this: &mut H,
        command: &str,
    ) -> io::Result<()> {
        match command {
            "GET" => traced!(this.do_GET()),
            "HEAD" => traced!(this.do_HEAD()),
            "POST" => traced!(this.do_POST()),
            "PUT" => traced!(this.do_PUT()),
            "DELETE" => traced!(this.do_DELETE()),
            "OPTIONS" => traced!(this.do_OPTIONS()),
            "PATCH" => traced!(this.do_PATCH()),
            "TRACE" => traced!(this.do_TRACE()),
            "CONNECT" => traced!(this.do_CONNECT()),
            other => traced!(this.do_method(other)),
        }
    }
    // ANCHOR_END: call_do_method

    // ANCHOR: parse_request
    /// Python: `BaseHTTPRequestHandler.parse_request()`. An override calls it as
    /// `super().parse_request()`: `BaseHttpRequest::parse_request(self)`.
    ///
    /// Differs from CPython 3.11: an HTTP/0.9 request (`GET /`) has no headers, so
    /// none are read; 3.11 waits for a blank line that an HTTP/0.9 client never
    /// sends (gh-70765, fixed in later CPython).
    pub fn parse_request<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<bool> {
        let fields = attrs(this);
        fields.command.clear(); // set in case of error on the first line
        fields.request_version = H::default_request_version.to_string();
        fields.close_connection = true;
        let requestline = latin1(&fields.raw_requestline);
        let requestline = requestline.trim_end_matches(['\r', '\n']).to_string();
        fields.requestline = requestline.clone();
        let words = split(&requestline);
        if words.is_empty() {
            return Ok(false);
        }

        if words.len() >= 3 {
            // Enough to determine protocol version
            let version = *words.last().unwrap();
            let Some(version_number) = parse_version(version) else {
                let message = format!("Bad request version ({})", repr(version));
                this.send_error(400, Some(&message), None)?;
                return Ok(false);
            };
            if version_number >= (1, 1) && H::protocol_version >= "HTTP/1.1" {
                fields.close_connection = false;
            }
            if version_number >= (2, 0) {
                let base_version_number = &version["HTTP/".len()..];
                let message = format!("Invalid HTTP version ({base_version_number})");
                this.send_error(505, Some(&message), None)?;
                return Ok(false);
            }
            fields.request_version = version.to_string();
        }

        if !(2..=3).contains(&words.len()) {
            let message = format!("Bad request syntax ({})", repr(&requestline));
            this.send_error(400, Some(&message), None)?;
            return Ok(false);
        }
        let (command, path) = (words[0], words[1]);
        let is_http_0_9 = words.len() == 2;
        if is_http_0_9 {
            fields.close_connection = true;
            if command != "GET" {
                let message = format!("Bad HTTP/0.9 request type ({})", repr(command));
                this.send_error(400, Some(&message), None)?;
                return Ok(false);
            }
        }
        fields.command = command.to_string();
        fields.path = path.to_string();

        // gh-87389: The purpose of replacing '//' with '/' is to protect
        // against open redirect attacks possibly triggered if the path starts
        // with '//' because http clients treat //path as an absolute URI
        // without scheme (similar to http://path) rather than a path.
        if fields.path.starts_with("//") {
            fields.path = format!("/{}", fields.path.trim_start_matches('/')); // Reduce to a single /
        }

        // For HTTP/0.9, headers are not expected at all (gh-70765).
        if is_http_0_9 {
            fields.headers = HttpMessage::default();
            fields.body_start = fields.consumed();
            return Ok(true);
        }

        // Examine the headers and look for a Connection directive.
        fields.headers = match parse_headers(&mut fields.rfile) {
            Ok(headers) => headers,
            Err(err @ HeaderError::LineTooLong) => {
                this.send_error(431, Some("Line too long"), Some(&err.to_string()))?;
                return Ok(false);
            }
            Err(err @ HeaderError::TooManyHeaders) => {
                this.send_error(431, Some("Too many headers"), Some(&err.to_string()))?;
                return Ok(false);
            }
            Err(HeaderError::Io(err)) => return Err(err),
        };
        fields.body_start = fields.consumed();

        let conntype = fields
            .headers
            .get("Connection")
            .unwrap_or("")
            .to_lowercase();
        if conntype == "close" {
            fields.close_connection = true;
        } else if conntype == "keep-alive" && H::protocol_version >= "HTTP/1.1" {
            fields.close_connection = false;
        }
        // Examine the headers and look for an Expect directive
        let expect = fields.headers.get("Expect").unwrap_or("").to_lowercase();
        if expect == "100-continue"
            && H::protocol_version >= "HTTP/1.1"
            && fields.request_version.as_str() >= "HTTP/1.1"
            && !traced!(this.handle_expect_100())?
        {
            return Ok(false);
        }
        Ok(true)
    }
    // ANCHOR_END: parse_request

    // ANCHOR: handle_expect_100
    /// Python: `BaseHTTPRequestHandler.handle_expect_100()`: `100 Continue`, and
    /// true. An override that refuses some requests calls it for the others as
    /// `super().handle_expect_100()`: `BaseHttpRequest::handle_expect_100(self)`.
    pub fn handle_expect_100<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<bool> {
        this.send_response_only(100, None);
        this.end_headers()?;
        Ok(true)
    }
    // ANCHOR_END: handle_expect_100

    // ANCHOR: send_error
    /// Python: `BaseHTTPRequestHandler.send_error(code, message=None, explain=None)`.
    /// An override calls it as `super().send_error(code, message, explain)`:
    /// `BaseHttpRequest::send_error(self, code, message, explain)`.
    pub fn send_error<H: BaseHttpRequestHandler>(
        this: &mut H,
        code: u16,
        message: Option<&str>,
        explain: Option<&str>,
    ) -> io::Result<()> {
        let _span = crate::__span!("send_error").entered();
        let (shortmsg, longmsg) = match H::responses.iter().find(|s| s.value == code) {
            Some(status) => (status.phrase, status.description),
            None => ("???", "???"),
        };
        let message = message.unwrap_or(shortmsg);
        let explain = explain.unwrap_or(longmsg);
        this.log_error(format_args!("code {code}, message {message}"));
        this.send_response(code, Some(message));
        this.send_header("Connection", "close");

        // Message body is omitted for cases described in:
        //  - RFC7230: 3.3. 1xx, 204(No Content), 304(Not Modified)
        //  - RFC7231: 6.3.6. 205(Reset Content)
        let mut body = Vec::new();
        if code >= 200 && ![204, 205, 304].contains(&code) {
            // HTML encode to prevent Cross Site Scripting attacks
            // (see bug #1100201)
            let content = format_error_message(
                H::error_message_format,
                code,
                &html_escape(message),
                &html_escape(explain),
            );
            body = content.into_bytes();
            this.send_header("Content-Type", H::error_content_type);
            this.send_header("Content-Length", &body.len().to_string());
        }
        this.end_headers()?;

        let fields = attrs(this);
        if fields.command != "HEAD" && !body.is_empty() {
            fields.wfile.write_all(&body)?;
        }
        Ok(())
    }
    // ANCHOR_END: send_error

    // ANCHOR: send_response
    /// Python: `BaseHTTPRequestHandler.send_response(code, message=None)`. An
    /// override calls it as `super().send_response(code, message)`:
    /// `BaseHttpRequest::send_response(self, code, message)`.
    pub fn send_response<H: BaseHttpRequestHandler>(
        this: &mut H,
        code: u16,
        message: Option<&str>,
    ) {
        let _span = crate::__span!("send_response").entered();
        this.log_request(Some(code), None);
        this.send_response_only(code, message);
        let version = this.version_string();
        this.send_header("Server", &version);
        let date = this.date_time_string(None);
        this.send_header("Date", &date);
    }
    // ANCHOR_END: send_response

    /// Python: `BaseHTTPRequestHandler.send_response_only(code, message=None)`. An
    /// override calls it as `super().send_response_only(code, message)`:
    /// `BaseHttpRequest::send_response_only(self, code, message)`.
    pub fn send_response_only<H: BaseHttpRequestHandler>(
        this: &mut H,
        code: u16,
        message: Option<&str>,
    ) {
        let fields = attrs(this);
        if fields.request_version != "HTTP/0.9" {
            let message = match message {
                Some(message) => message,
                None => H::responses
                    .iter()
                    .find(|s| s.value == code)
                    .map_or("", |s| s.phrase),
            };
            let line = format!("{} {code} {message}\r\n", H::protocol_version);
            fields._headers_buffer.extend(latin1_encode(&line));
        }
    }

    // ANCHOR: send_header
    /// Python: `BaseHTTPRequestHandler.send_header(keyword, value)`. An override
    /// calls it as `super().send_header(keyword, value)`:
    /// `BaseHttpRequest::send_header(self, keyword, value)`.
    ///
    /// As in Python, nothing stops a CR or LF in `keyword` or `value` from splitting
    /// the response: never pass unchecked client input. A character above U+00FF,
    /// which Python refuses with `UnicodeEncodeError`, is sent as `?` (see
    /// `latin1_encode`).
    pub fn send_header<H: BaseHttpRequestHandler>(this: &mut H, keyword: &str, value: &str) {
        let fields = attrs(this);
        if fields.request_version != "HTTP/0.9" {
            for part in [keyword, ": ", value, "\r\n"] {
                fields._headers_buffer.extend(latin1_encode(part));
            }
        }

        if keyword.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                fields.close_connection = true;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                fields.close_connection = false;
            }
        }
    }
    // ANCHOR_END: send_header

    // ANCHOR: end_headers
    /// Python: `BaseHTTPRequestHandler.end_headers()`: the blank line, then
    /// `flush_headers` (yours, if you override it). An override calls it as
    /// `super().end_headers()`: `BaseHttpRequest::end_headers(self)`.
    ///
    /// Differs from CPython 3.11: with nothing buffered before it (no
    /// `send_response`), Python raises `AttributeError`, as `_headers_buffer` was
    /// never made; the port sends the blank line.
    pub fn end_headers<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<()> {
        let fields = attrs(this);
        if fields.request_version != "HTTP/0.9" {
            fields._headers_buffer.extend_from_slice(b"\r\n");
            this.flush_headers()?;
        }
        Ok(())
    }

    /// Python: `BaseHTTPRequestHandler.flush_headers()`. An override calls it as
    /// `super().flush_headers()`: `BaseHttpRequest::flush_headers(self)`.
    pub fn flush_headers<H: BaseHttpRequestHandler>(this: &mut H) -> io::Result<()> {
        let fields = attrs(this);
        let buffer = std::mem::take(&mut fields._headers_buffer);
        if !buffer.is_empty() {
            fields.wfile.write_all(&buffer)?;
        }
        Ok(())
    }
    // ANCHOR_END: end_headers

    // ANCHOR: log_request
    /// Python: `BaseHTTPRequestHandler.log_request(code='-', size='-')`. An override
    /// calls it as `super().log_request(code, size)`:
    /// `BaseHttpRequest::log_request(self, code, size)`.
    pub fn log_request<H: BaseHttpRequestHandler>(this: &H, code: Option<u16>, size: Option<u64>) {
        let fields = (**this).base_http();
        let (code, size) = (OrDash(code), OrDash(size));
        this.log_message(format_args!("\"{}\" {code} {size}", fields.requestline));
    }
    // ANCHOR_END: log_request

    // ANCHOR: log_error
    /// Python: `BaseHTTPRequestHandler.log_error(format, *args)`: `log_message`
    /// (yours, if you override it). An override calls it as
    /// `super().log_error(...)`: `BaseHttpRequest::log_error(self, message)`.
    pub fn log_error<H: BaseHttpRequestHandler>(this: &H, message: fmt::Arguments<'_>) {
        this.log_message(message);
    }
    // ANCHOR_END: log_error

    // ANCHOR: log_message
    /// Python: `BaseHTTPRequestHandler.log_message(format, *args)`. An override
    /// calls it as `super().log_message(...)`:
    /// `BaseHttpRequest::log_message(self, message)`.
    ///
    /// Differs from CPython 3.11: one `format_args!` plays the part of
    /// `format % args`, as Rust formats at the call.
    pub fn log_message<H: BaseHttpRequestHandler>(this: &H, message: fmt::Arguments<'_>) {
        let line = format!(
            "{} - - [{}] {}\n",
            this.address_string(),
            this.log_date_time_string(),
            escape_control_chars(&message.to_string())
        );
        let _ = io::stderr().write_all(line.as_bytes());
    }
    // ANCHOR_END: log_message

    /// Python: `BaseHTTPRequestHandler.version_string()`: `H::server_version` and
    /// `H::sys_version`. An override calls it as `super().version_string()`:
    /// `BaseHttpRequest::version_string(self)`.
    pub fn version_string<H: BaseHttpRequestHandler>(this: &H) -> String {
        let _ = this;
        format!("{} {}", H::server_version, H::sys_version)
    }

    /// Python: `BaseHTTPRequestHandler.date_time_string(timestamp=None)`. An override
    /// calls it as `super().date_time_string(timestamp)`:
    /// `BaseHttpRequest::date_time_string(self, timestamp)`.
    pub fn date_time_string<H: BaseHttpRequestHandler>(
        this: &H,
        timestamp: Option<SystemTime>,
    ) -> String {
        let _ = this;
        builtins::date_time_string(timestamp.unwrap_or_else(SystemTime::now))
    }

    /// Python: `BaseHTTPRequestHandler.log_date_time_string()`. An override calls it
    /// as `super().log_date_time_string()`:
    /// `BaseHttpRequest::log_date_time_string(self)`.
    pub fn log_date_time_string<H: BaseHttpRequestHandler>(this: &H) -> String {
        let _ = this;
        builtins::log_date_time_string(SystemTime::now())
    }

    /// Python: `BaseHTTPRequestHandler.address_string()`, `self.client_address[0]`.
    /// An override calls it as `super().address_string()`:
    /// `BaseHttpRequest::address_string(self)`.
    pub fn address_string<H: BaseHttpRequestHandler>(this: &H) -> String {
        let fields = (**this).base_http();
        match fields.client_address.as_socket() {
            Some(address) => address.ip().to_string(),
            None => fields
                .client_address
                .as_pathname()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        }
    }
}

// ANCHOR: parse_version
/// The `(major, minor)` of a version word such as `HTTP/1.1`, with Python's rules:
/// exactly one dot, only digits, at most ten digits a number, leading zeros allowed.
fn parse_version(version: &str) -> Option<(u64, u64)> {
    let base_version_number = version.strip_prefix("HTTP/")?;
    let (major, minor) = base_version_number.split_once('.')?;
    let number = |part: &str| {
        // Python's str.isdigit() is true of other digits too (e.g. '¹'), whose
        // int() then fails: either way, a ValueError and a 400.
        let ascii =
            !part.is_empty() && part.len() <= 10 && part.bytes().all(|b| b.is_ascii_digit());
        if ascii {
            part.parse::<u64>().ok()
        } else {
            None
        }
    };
    Some((number(major)?, number(minor)?))
}
// ANCHOR_END: parse_version

// ANCHOR: body_left_unread
/// True when the request declared a body that the handler left (partly) unread.
fn body_left_unread<S: ?Sized>(this: &BaseHttpRequest<S>) -> bool {
    let consumed = this.consumed().saturating_sub(this.body_start);
    if this.headers.get("Transfer-Encoding").is_some() {
        return consumed == 0;
    }
    match this.headers.get("Content-Length") {
        Some(length) => match length.trim().parse::<u64>() {
            Ok(length) => consumed < length,
            Err(_) => true,
        },
        None => false,
    }
}
// ANCHOR_END: body_left_unread

// ANCHOR: BaseRequestHandler_for_T
/// Every HTTP handler is a `socketserver` handler whose `handle` is HTTP's.
impl<T: BaseHttpRequestHandler> BaseRequestHandler for T {
    const rbufsize: isize = <T as BaseHttpRequestHandler>::rbufsize;
    const wbufsize: usize = <T as BaseHttpRequestHandler>::wbufsize;
    const timeout: Option<Duration> = <T as BaseHttpRequestHandler>::timeout;
    const disable_nagle_algorithm: bool = <T as BaseHttpRequestHandler>::disable_nagle_algorithm;

    fn setup(&mut self) -> io::Result<()> {
        BaseHttpRequestHandler::setup(self)
    }

    fn handle(&mut self) -> io::Result<()> {
        BaseHttpRequestHandler::handle(self)
    }

    fn finish(&mut self) -> io::Result<()> {
        BaseHttpRequestHandler::finish(self)
    }
}
// ANCHOR_END: BaseRequestHandler_for_T

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_rules() {
        assert_eq!(parse_version("HTTP/1.1"), Some((1, 1)));
        assert_eq!(parse_version("HTTP/01.01"), Some((1, 1)));
        assert_eq!(parse_version("HTTP/9.9.9"), None);
        assert_eq!(parse_version("HTTP/-9_9_9.+9_9_9"), None);
        assert_eq!(parse_version("HTTP/909876543210.0"), None);
        assert_eq!(parse_version("HTTP/1.909876543210"), None);
        assert_eq!(parse_version("FUBAR"), None);
        assert_eq!(parse_version("HTTP/1."), None);
    }

    #[test]
    fn error_page_format() {
        let page = format_error_message(
            "%(code)d %(message)s %(code)s - %(explain)s 100%%",
            404,
            "m",
            "e",
        );
        assert_eq!(page, "404 m 404 - e 100%");
    }
}
