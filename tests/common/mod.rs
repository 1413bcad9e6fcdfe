//! Helpers shared by the tests: Python's `make_server`, `run_server`,
//! `stream_examine` and `dgram_examine` for the ported `test_socketserver.py` cases,
//! and [`example`], which builds an example for the tests that run one.
#![allow(dead_code)]

pub mod browser;
pub mod differential;
pub mod process;
pub mod tls;

use std::io::{self, BufRead, Read, Write};
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};
use socketserver::{
    BaseRequestHandler, BaseServer, DatagramRequestHandler, HandlerError, MixIn, Request,
    SocketType, StreamRequestHandler, Subclass, TcpServer,
};

/// Python: `TEST_STR = b"hello world\n"`.
pub const TEST_STR: &[u8] = b"hello world\n";
/// Python: `test.support.SHORT_TIMEOUT` bounds every client read.
pub const SHORT_TIMEOUT: Duration = Duration::from_secs(30);

/// Python's `MyHandler(StreamRequestHandler)` of `make_server`: echo one line.
pub struct StreamEcho(StreamRequestHandler);
socketserver::subclass!(StreamEcho(StreamRequestHandler));
impl BaseRequestHandler for StreamEcho {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.rfile.read_until(b'\n', &mut line)?;
        self.wfile.write_all(&line)
    }
}

/// Python's `MyHandler(DatagramRequestHandler)` of `make_server`: echo one line.
pub struct DatagramEcho(DatagramRequestHandler);
socketserver::subclass!(DatagramEcho(DatagramRequestHandler));
impl BaseRequestHandler for DatagramEcho {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.rfile.read_until(b'\n', &mut line)?;
        self.wfile.write_all(&line)
    }
}

/// Python's `MyServer(svrcls)` of `make_server`: a server whose `handle_error`
/// closes the request and re-raises, so that any handler error fails the test.
pub struct MyServer<H, K: SocketType, M: MixIn>(pub TcpServer<H, K, M>);

impl<H, K: SocketType, M: MixIn> Deref for MyServer<H, K, M> {
    type Target = TcpServer<H, K, M>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
impl<H, K: SocketType, M: MixIn> DerefMut for MyServer<H, K, M> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
impl<H, K: SocketType, M: MixIn> Subclass for MyServer<H, K, M> {}

impl<H, K, M> BaseServer for MyServer<H, K, M>
where
    TcpServer<H, K, M>: BaseServer<RequestHandlerClass = H, SocketType = K, MixIn = M>,
    H: BaseRequestHandler<Target: socketserver::HandlerBase<Request = K::Request>>,
    K: SocketType,
    M: MixIn,
    // A generic server says it can be its handler's `self.server`.
    socketserver::HandlerServer<Self>: socketserver::FromServer<Self>,
{
    fn handle_error(
        &self,
        request: &Request<Self>,
        _client_address: &SockAddr,
        error: &HandlerError,
    ) {
        self.close_request(request.clone());
        panic!("handle_error: {error}");
    }
}

/// Python: `pickaddr(AF_UNIX)`, a fresh path in the temporary directory.
pub fn unix_path() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("unix_socket.{}.{n}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Python: `make_server`'s check that `server_address` is what the socket says.
pub fn check_address<S: BaseServer>(server: &S) {
    let from_socket = server.base().socket().unwrap().local_addr().unwrap();
    assert_eq!(server.base().server_address, from_socket);
}

/// Python: `run_server`: serve on a thread with `poll_interval=0.01`, run the client
/// three times, `shutdown()`, join, `server_close()`, and check the socket is closed.
pub fn run_server<S: BaseServer>(server: S, testfunc: fn(&SockAddr)) -> Arc<S> {
    check_address(&server);
    let server = Arc::new(server);
    let address = server.base().server_address.clone();
    let serving = Arc::clone(&server);
    let thread = thread::Builder::new()
        .name("serving".into())
        .spawn(move || serving.serve_forever(0.01))
        .unwrap();
    for _ in 0..3 {
        testfunc(&address);
    }
    server.shutdown();
    thread.join().unwrap().unwrap();
    server.server_close();
    assert_eq!(server.fileno(), -1);
    if let Some(path) = address.as_pathname() {
        let _ = std::fs::remove_file(path);
    }
    server
}

/// Python: `receive(sock, n)`: a read bounded by `SHORT_TIMEOUT`.
pub fn receive(socket: &Socket, n: usize) -> Vec<u8> {
    socket.set_read_timeout(Some(SHORT_TIMEOUT)).unwrap();
    let mut buf = vec![0; n];
    let got = (&*socket).read(&mut buf).expect("timed out");
    buf.truncate(got);
    buf
}

/// Python: `stream_examine(proto, addr)`: send a line, read it back.
pub fn stream_examine(address: &SockAddr) {
    let socket = Socket::new(address.domain(), Type::STREAM, None).unwrap();
    socket.connect(address).unwrap();
    (&socket).write_all(TEST_STR).unwrap();
    let mut buf = receive(&socket, 100);
    let mut data = buf.clone();
    while !data.is_empty() && !buf.contains(&b'\n') {
        data = receive(&socket, 100);
        buf.extend_from_slice(&data);
    }
    assert_eq!(buf, TEST_STR);
}

/// Python: `dgram_examine(proto, addr)`: send a datagram, read the reply. A Unix
/// client binds its own path, or the server could not answer.
pub fn dgram_examine(address: &SockAddr) {
    let socket = Socket::new(address.domain(), Type::DGRAM, None).unwrap();
    let client_path = if address.domain() == Domain::UNIX {
        let path = unix_path();
        socket.bind(&SockAddr::unix(&path).unwrap()).unwrap();
        Some(path)
    } else {
        None
    };
    socket.send_to(TEST_STR, address).unwrap();
    let mut buf = receive(&socket, 100);
    let mut data = buf.clone();
    while !data.is_empty() && !buf.contains(&b'\n') {
        data = receive(&socket, 100);
        buf.extend_from_slice(&data);
    }
    assert_eq!(buf, TEST_STR);
    if let Some(path) = client_path {
        let _ = std::fs::remove_file(path);
    }
}

/// Counts this process's open descriptors (Linux: /proc/self/fd).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Builds the example `name` (a no-op when `cargo test` already did) and returns the
/// path of its binary.
pub fn example(name: &str) -> PathBuf {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "building example {name}");
    // A test runs from target/<profile>/deps/.
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// Sends each line of `stream` on a channel, until its end: a child's output, read
/// with a timeout (`recv_timeout`) by the test.
pub fn lines_of(stream: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (send, lines) = std::sync::mpsc::channel();
    thread::spawn(move || {
        for line in io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}
