//! # socketserver, ported to Rust
//!
//! An annotated port of CPython 3.11's `socketserver` module (Python 2 called it
//! `SocketServer`), and of `http.server` on top of it ([`http::server`]), with the
//! two classes that 3.14 added to it, `HTTPSServer` and `ThreadingHTTPSServer` (and
//! as much of the `ssl` module as they need, [`ssl`], over `rustls`). Every Python
//! class is one Rust type, every Python method keeps its name, and every doc
//! comment says which Python item it ports. Put `Lib/socketserver.py` in one window
//! and this crate in the other: the same classes, the same hooks, called in the same
//! order.
//!
//! ```text
//! serve_forever ─► _handle_request_noblock ─► get_request ─► verify_request
//!   ─► process_request ─► finish_request ─► handler constructor (__init__)
//!      (setup ─► handle ─► finish) ─► shutdown_request ─► close_request
//! ```
//!
//! ## How Python's classes map onto Rust
//!
//! | Python | Rust |
//! |---|---|
//! | `BaseServer` (the loop and its hooks) | trait [`BaseServer`]: template methods and hooks with default bodies |
//! | `TCPServer` (a socket and the stream hooks) | struct [`TcpServer<H, K, M>`](TcpServer) |
//! | `UDPServer(TCPServer)` | [`UdpServer<H>`] = `TcpServer<H, Datagram>`: what UDP overrides lives in [`Datagram`] |
//! | `UnixStreamServer`, `UnixDatagramServer` | [`UnixStreamServer<H>`], [`UnixDatagramServer<H>`]: the same types, bound to a path |
//! | `ThreadingMixIn`, `ForkingMixIn` | the mixin type parameter `M` ([`ThreadingMixIn`], [`ForkingMixIn`]; [`Blocking`] for none) |
//! | `class ThreadingTCPServer(ThreadingMixIn, TCPServer): pass` | `type ThreadingTcpServer<H> = TcpServer<H, Stream, ThreadingMixIn>;` |
//! | `RequestHandlerClass` | the type parameter `H` |
//! | `self.server` in a handler; `self.server.store`, a field of your server | the handler names its server, `struct H(StreamRequestHandler<MyServer>)`, and `self.server` is an `Arc<MyServer>` (checked at compile time, [`FromServer`]); a handler that names none gets [`ServerRef`] |
//! | `functools.partial(SimpleHTTPRequestHandler, directory=d)` | `server.handler_arguments_mut().directory = Some(d)` ([`TcpServer::handler_arguments`]) |
//! | `class MyServer(ThreadingTCPServer)` overriding a hook | `struct MyServer(ThreadingTcpServer<H>)`, [`subclass!`], and `impl BaseServer for MyServer` with that hook |
//! | `super().shutdown_request(request)` (Python 2: `TCPServer.shutdown_request(self, request)`) | `TcpServer::shutdown_request(self, request)`: the body, run on your server, so the hooks it calls are your overrides ([`BaseServer`] explains) |
//! | `BaseRequestHandler` and its hooks | trait [`BaseRequestHandler`] |
//! | attributes of `StreamRequestHandler` (`rfile`, `wfile`, …) | struct [`StreamRequestHandler`], which your handler wraps and derefs to |
//! | attributes of `DatagramRequestHandler` (`packet`, `socket`, …) | struct [`DatagramRequestHandler`] |
//! | an exception caught by `handle_error` | an `io::Error` returned by a hook, or a panic: both are a [`HandlerError`] |
//! | `SystemExit` raised in a handler (not caught by `handle_error`) | `std::panic::panic_any(SystemExit(code))` |
//! | Ctrl-C: `KeyboardInterrupt` in the main thread, out of `serve_forever` | [`KeyboardInterrupt::install()`] first in `main`; `serve_forever` returns an error that [`KeyboardInterrupt::is`] |
//! | `with server:` | `Drop` closes the socket and joins (or reaps) the workers; `let server = MyServer {..}.__enter__();` also calls a subclass's own `server_close` at the end of the scope ([`With`]) |
//! | (not in Python) a bounded pool of workers | [`ThreadPoolMixIn`]: `workers`, `queue_size` |
//! | `http.server.BaseHTTPRequestHandler`, `SimpleHTTPRequestHandler` | [`http::server::BaseHttpRequestHandler`], [`http::server::SimpleHttpRequestHandler`] |
//! | a connection from `accept()`: a socket object, or an `ssl.SSLSocket` | [`Connection`], which derefs to its socket and reads and writes through TLS when it has TLS |
//! | (3.14) `http.server.HTTPSServer`, `ThreadingHTTPSServer`; `ssl.SSLContext` | [`http::server::HttpsServer`], [`http::server::ThreadingHttpsServer`]; [`ssl::SslContext`], and [`ssl::Tls`], the socket type of a TLS server |
//!
//! A handler in Rust reads line for line like the same handler in Python:
//!
//! ```no_run
//! use std::io::{self, BufRead, Write};
//! use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer};
//!
//! // class EchoHandler(socketserver.StreamRequestHandler):
//! struct EchoHandler(StreamRequestHandler);
//! socketserver::subclass!(EchoHandler(StreamRequestHandler));
//!
//! impl BaseRequestHandler for EchoHandler {
//!     // def handle(self):
//!     fn handle(&mut self) -> io::Result<()> {
//!         let mut line = Vec::new();
//!         self.rfile.read_until(b'\n', &mut line)?; // line = self.rfile.readline()
//!         self.wfile.write_all(&line) //               self.wfile.write(line)
//!     }
//! }
//!
//! fn main() -> io::Result<()> {
//!     // with socketserver.TCPServer(("127.0.0.1", 9999), EchoHandler) as server:
//!     //     server.serve_forever()
//!     let server = TcpServer::<EchoHandler>::new(("127.0.0.1", 9999))?.into_arc();
//!     server.serve_forever(0.5)
//! }
//! ```
//!
//! ## Watching the call chain
//!
//! Every hook runs inside a `tracing` span named after the Python method. Nothing is
//! printed, and almost nothing is spent, until a subscriber listens: [`trace::init`]
//! installs one that prints each hook as it starts, indented by nesting, with the
//! process and thread it runs on. The examples call [`trace::init_from_env`], so
//! `SOCKETSERVER_TRACE=1 cargo run --example tcp_echo` shows the chain live.
#![warn(missing_docs)]

mod address;
mod base_server;
mod connection;
pub mod forking;
mod handlers;
pub mod http;
mod interrupt;
pub mod ssl;
mod tcp_server;
pub mod thread_pool;
pub mod threading;
pub mod trace;
mod udp_server;
mod unix_server;

pub use address::{ToServerAddress, address_repr};
pub use base_server::{
    AnyServer, BaseServer, Blocking, FromServer, HandlerArguments, HandlerError, HandlerServer,
    MixIn, Request, ServerBase, ServerRef, ServesHandler, Subclass, SystemExit, With,
};
pub use connection::Connection;
pub use forking::{
    ForkingMixIn, ForkingTcpServer, ForkingUdpServer, ForkingUnixDatagramServer,
    ForkingUnixStreamServer,
};
pub use handlers::{
    BaseRequest, BaseRequestHandler, DatagramRequestHandler, HandlerBase, SocketIo, SocketWriter,
    StreamRequestHandler,
};
pub use interrupt::KeyboardInterrupt;
/// The `socket2` crate, whose types the public signatures use: a program that
/// writes `verify_request(&self, request, client_address: &SockAddr)` takes
/// `socketserver::SockAddr`, the same type, whatever `socket2` it depends on itself.
pub use socket2;
/// A socket address of any family: Python's `client_address` and `server_address`
/// (a tuple for IP, a path for Unix sockets). `socket2::SockAddr`, re-exported.
pub use socket2::SockAddr;
pub use tcp_server::{SocketType, Stream, TcpServer};
pub use thread_pool::{
    ThreadPoolMixIn, ThreadPoolTcpServer, ThreadPoolUdpServer, ThreadPoolUnixDatagramServer,
    ThreadPoolUnixStreamServer,
};
pub use threading::{
    ThreadingMixIn, ThreadingTcpServer, ThreadingUdpServer, ThreadingUnixDatagramServer,
    ThreadingUnixStreamServer,
};
pub use udp_server::{Datagram, UdpServer};
pub use unix_server::{UnixDatagramServer, UnixStreamServer};

/// Python: `socketserver.__version__`, the version of the module this crate ports.
#[allow(non_upper_case_globals)]
pub const __version__: &str = "0.4";

// ANCHOR: traced
/// Calls a hook inside a `tracing` span named after it, so that the live trace
/// ([`trace`]) shows the call chain as it happens.
///
/// `traced!(self.verify_request(&request, &client_address))` reads as the plain call;
/// `traced!("name", expression)` names the span when the call is not a method call.
/// With no subscriber installed, a span costs one relaxed atomic load.
#[macro_export]
macro_rules! traced {
    ($recv:ident . $method:ident ( $($arg:expr),* $(,)? )) => {{
        let _span = $crate::__span!(stringify!($method)).entered();
        $recv.$method($($arg),*)
    }};
    ($name:literal, $call:expr) => {{
        let _span = $crate::__span!($name).entered();
        $call
    }};
}
// ANCHOR_END: traced

// ANCHOR: subclass
/// Writes the impls that let a struct stand for a Python subclass of a handler or
/// server class: `Deref` and `DerefMut` to the base class, `From` the base (which
/// the server uses to construct a handler), and [`Subclass`] (which makes a server
/// wrapper a server of its base's kind).
///
/// ```text
/// class EchoHandler(StreamRequestHandler): ...      # Python
/// struct EchoHandler(StreamRequestHandler);          // Rust
/// socketserver::subclass!(EchoHandler(StreamRequestHandler));
/// ```
///
/// After it, `self.rfile`, `self.wfile`, `self.client_address` read as in Python. A
/// struct with fields of its own names the field that holds the base, and gets all
/// but `From`:
///
/// ```text
/// struct CountingServer { base: ThreadingTcpServer<Echo>, served: AtomicUsize }
/// socketserver::subclass!(CountingServer { base: ThreadingTcpServer<Echo> });
///
/// struct GreetingServer<H> { base: ThreadingHttpServer<H>, greeting: String }
/// socketserver::subclass!(GreetingServer<H> { base: ThreadingHttpServer<H> });
/// ```
///
/// A handler with fields of its own writes `From` by hand, as the
/// [`BaseRequestHandler`] documentation shows.
#[macro_export]
macro_rules! subclass {
    ($name:ident ( $base:ty )) => {
        impl ::std::ops::Deref for $name {
            type Target = $base;
            fn deref(&self) -> &$base {
                &self.0
            }
        }
        impl ::std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $base {
                &mut self.0
            }
        }
        impl $crate::Subclass for $name {}
        impl ::std::convert::From<$base> for $name {
            fn from(base: $base) -> Self {
                $name(base)
            }
        }
    };
    ($name:ident $(< $($param:ident),+ >)? { $field:ident : $base:ty }) => {
        impl $(< $($param),+ >)? ::std::ops::Deref for $name $(< $($param),+ >)? {
            type Target = $base;
            fn deref(&self) -> &$base {
                &self.$field
            }
        }
        impl $(< $($param),+ >)? ::std::ops::DerefMut for $name $(< $($param),+ >)? {
            fn deref_mut(&mut self) -> &mut $base {
                &mut self.$field
            }
        }
        impl $(< $($param),+ >)? $crate::Subclass for $name $(< $($param),+ >)? {}
    };
}
// ANCHOR_END: subclass
