//! The runs the book's timelines are drawn from: each scenario starts a server, sends
//! it its clients, and stops, so that its trace is short and complete. Record one with
//! the trace's recording mode, then open the file in Perfetto or let the book draw it:
//!
//! ```text
//! SOCKETSERVER_TRACE=chrome:trace.json cargo run --example timelines -- one-request
//! cargo run --example timelines -- mixins threading      # blocking, threading, forking, pool
//! cargo run --example timelines -- leaving daemon        # default, no-block, daemon
//! cargo run --example timelines -- keep-alive
//! ```
//!
//! Without `SOCKETSERVER_TRACE` a scenario runs the same and says what its clients got.

use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use socketserver::http::server::{
    BaseHttpRequestHandler, SimpleHttpMethods, SimpleHttpRequest, ThreadingHttpServer,
};
use socketserver::threading::join_non_daemon_threads;
use socketserver::{
    BaseRequestHandler, BaseServer, ForkingTcpServer, MixIn, StreamRequestHandler, TcpServer,
    ThreadPoolTcpServer, ThreadingTcpServer,
};

#[path = "support/mod.rs"]
mod support;

const USAGE: &str = "usage: timelines one-request | mixins {blocking|threading|forking|pool} | leaving {default|no-block|daemon} | keep-alive\n\n\
    Runs one short scenario (a server, its clients, the end) and says what the clients got: \
    record it with SOCKETSERVER_TRACE=chrome:trace.json to draw its timeline.";

/// How long each stream request takes: the handler's work, simulated.
const WORK: Duration = Duration::from_millis(100);

// ANCHOR: handler
/// Reads a line, works for 100 ms, echoes it.
struct SlowEcho(StreamRequestHandler);
socketserver::subclass!(SlowEcho(StreamRequestHandler));

impl BaseRequestHandler for SlowEcho {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.rfile.read_until(b'\n', &mut line)?;
        thread::sleep(WORK);
        self.wfile.write_all(&line)
    }
}
// ANCHOR_END: handler

/// `SimpleHTTPRequestHandler` on `book/demo`, with HTTP/1.1 so a connection is kept.
struct DemoFiles {
    base: SimpleHttpRequest,
}
socketserver::subclass!(DemoFiles {
    base: SimpleHttpRequest
});

impl From<SimpleHttpRequest> for DemoFiles {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book/demo");
        DemoFiles { base }
    }
}

impl BaseHttpRequestHandler for DemoFiles {
    const protocol_version: &'static str = "HTTP/1.1";
    // Headers and body go out as two writes; without this, Nagle's algorithm holds
    // the body until the client's delayed ACK, 40 ms, which the picture would show.
    const disable_nagle_algorithm: bool = true;
    fn log_message(&self, _message: std::fmt::Arguments<'_>) {}
}
impl SimpleHttpMethods for DemoFiles {}

/// A client of the echo servers: connects, sends a line, reads the echo.
fn echo_client(address: SocketAddr, n: usize) -> io::Result<String> {
    let mut client = TcpStream::connect(address)?;
    client.write_all(format!("client {n}\n").as_bytes())?;
    client.shutdown(std::net::Shutdown::Write)?;
    let mut answer = String::new();
    client.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Three clients, 5 ms apart, against a server that handles three requests.
/// Returns when the server is closed (`server_close` waits for its workers).
fn three_clients<M: MixIn>(server: TcpServer<SlowEcho, socketserver::Stream, M>) -> io::Result<()> {
    let address = server.server_address.as_socket().expect("an IP address");
    let server = server.into_arc();
    let clients = thread::spawn(move || {
        let clients: Vec<_> = (1..=3)
            .map(|n| {
                thread::sleep(Duration::from_millis(5));
                thread::spawn(move || echo_client(address, n))
            })
            .collect();
        clients
            .into_iter()
            .map(|c| c.join().expect("client thread"))
            .collect::<Vec<_>>()
    });
    for _ in 0..3 {
        server.handle_request()?;
    }
    server.server_close();
    for answer in clients.join().expect("clients thread") {
        print!("{}", answer?);
    }
    Ok(())
}

/// A `ThreadingHttpServer` whose `server_close` waits for its request threads
/// (`daemon_threads` off), so that every span of the request is in the recording.
fn http_server() -> io::Result<ThreadingHttpServer<DemoFiles>> {
    let mut server = ThreadingHttpServer::with_bind_and_activate(("127.0.0.1", 0), false)?;
    server.mixin.daemon_threads = false;
    server.bind_and_activate()
}

/// One request through `ThreadingHttpServer` and `SimpleHttpRequestHandler`.
fn one_request() -> io::Result<()> {
    let server = http_server()?;
    let address = server.server_address.as_socket().expect("an IP address");
    let server = server.into_arc();
    let client = thread::spawn(move || -> io::Result<String> {
        let mut client = TcpStream::connect(address)?;
        client.write_all(b"GET /hello.txt HTTP/1.0\r\n\r\n")?;
        let mut answer = String::new();
        client.read_to_string(&mut answer)?;
        Ok(answer)
    });
    server.handle_request()?;
    server.server_close(); // waits for the request thread
    let answer = client.join().expect("client thread")?;
    println!("{}", answer.lines().next().unwrap_or(""));
    Ok(())
}

/// One kept-alive connection: two requests, then the client closes.
fn keep_alive() -> io::Result<()> {
    let server = http_server()?;
    let address = server.server_address.as_socket().expect("an IP address");
    let server = server.into_arc();
    let client = thread::spawn(move || -> io::Result<usize> {
        let mut client = TcpStream::connect(address)?;
        let mut reader = io::BufReader::new(client.try_clone()?);
        let mut answers = 0;
        for path in ["/hello.txt", "/site/"] {
            let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
            client.write_all(request.as_bytes())?; // one write: one segment
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line)?;
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            reader.read_exact(&mut vec![0; length])?;
            answers += 1;
        }
        Ok(answers) // the connection closes here: the server reads end of file
    });
    server.handle_request()?;
    let answers = client.join().expect("client thread")?;
    server.server_close();
    println!("{answers} answers on one connection");
    Ok(())
}

/// The main thread leaving while a request thread works.
fn leaving(variant: &str) -> io::Result<()> {
    let mut server = ThreadingTcpServer::<SlowEcho>::new(("127.0.0.1", 0))?;
    match variant {
        "default" => {}
        "no-block" => server.mixin.block_on_close = false,
        "daemon" => server.mixin.daemon_threads = true,
        _ => support::usage_error(USAGE),
    }
    let address = server.server_address.as_socket().expect("an IP address");
    let server = server.into_arc();
    let client = thread::spawn(move || echo_client(address, 1));
    server.handle_request()?;
    server.server_close();
    if variant == "no-block" {
        // What Python's interpreter does at exit for a thread that is not a daemon.
        socketserver::traced!("join_non_daemon_threads", join_non_daemon_threads());
    }
    tracing::info!(target: "socketserver", "main returns");
    drop(client); // not joined: main returns now, whatever the request thread does
    Ok(())
}

fn main() -> io::Result<()> {
    // Each scenario ends by itself: Ctrl-C ends it at once.
    support::exit_on_ctrl_c();
    // `guess_type` reads the system's MIME tables the first time it is asked, a few
    // milliseconds that would dwarf the request in the picture: read them now.
    socketserver::http::server::mimetypes::types_map();
    socketserver::trace::init_from_env();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&arguments, &[], USAGE);
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    match arguments[..] {
        ["one-request"] => one_request(),
        ["keep-alive"] => keep_alive(),
        ["leaving", variant] => leaving(variant),
        ["mixins", "blocking"] => three_clients(TcpServer::<SlowEcho>::new(("127.0.0.1", 0))?),
        ["mixins", "threading"] => three_clients(ThreadingTcpServer::new(("127.0.0.1", 0))?),
        ["mixins", "forking"] => three_clients(ForkingTcpServer::new(("127.0.0.1", 0))?),
        ["mixins", "pool"] => {
            let mut server = ThreadPoolTcpServer::with_bind_and_activate(("127.0.0.1", 0), false)?;
            server.mixin.workers = 2;
            three_clients(server.bind_and_activate()?)
        }
        _ => support::usage_error(USAGE),
    }
}
