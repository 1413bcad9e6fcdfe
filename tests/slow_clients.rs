//! Slow clients, with Python's defaults and with the opt-in limits of
//! `BaseHttpRequestHandler` (`request_header_timeout`, `keep_alive_timeout`): by
//! default a client that trickles its headers keeps its thread as long as it likes;
//! with the limits, 200 such clients are each dropped within their deadline while a
//! normal client is answered at once, and an idle kept-alive connection is closed.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use socketserver::BaseServer;
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};

/// Python's defaults: no deadline.
struct Patient(BaseHttpRequest);
socketserver::subclass!(Patient(BaseHttpRequest));
impl BaseHttpRequestHandler for Patient {
    const protocol_version: &'static str = "HTTP/1.1";
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "3");
        self.end_headers()?;
        self.wfile.write_all(b"ok\n")
    }
}

/// The same handler with the opt-in limits.
struct Strict(BaseHttpRequest);
socketserver::subclass!(Strict(BaseHttpRequest));
impl BaseHttpRequestHandler for Strict {
    const protocol_version: &'static str = "HTTP/1.1";
    const request_header_timeout: Option<Duration> = Some(Duration::from_secs(1));
    const keep_alive_timeout: Option<Duration> = Some(Duration::from_secs(1));
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "3");
        self.end_headers()?;
        self.wfile.write_all(b"ok\n")
    }
}

/// Any handler that does not name its server (so any server can run it).
fn serve<H>() -> (Arc<ThreadingHttpServer<H>>, u16)
where
    H: BaseHttpRequestHandler<Target: socketserver::HandlerBase<Server = socketserver::AnyServer>>,
{
    let mut server =
        ThreadingHttpServer::<H>::with_bind_and_activate(("127.0.0.1", 0), false).unwrap();
    server.request_queue_size = 256;
    server.server_bind().unwrap();
    server.server_activate().unwrap();
    let server = server.into_arc();
    let port = server.server_port;
    let serving = Arc::clone(&server);
    std::thread::spawn(move || serving.serve_forever(0.05));
    (server, port)
}

/// Sends a request line, then a header one byte every `pace`, for at most `for_at_most`;
/// returns how long the server let it go on (`None`: it never closed).
fn trickle(port: u16, pace: Duration, for_at_most: Duration) -> Option<Duration> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let began = Instant::now();
    stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    stream.set_read_timeout(Some(pace)).unwrap();
    while began.elapsed() < for_at_most {
        if stream.write_all(b"X").is_err() {
            return Some(began.elapsed());
        }
        let mut buf = [0; 1024];
        match stream.read(&mut buf) {
            Ok(_) => return Some(began.elapsed()), // closed, or answered (a 408-like page)
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(began.elapsed()),
        }
    }
    None
}

fn get(port: u16) -> Duration {
    let began = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.ends_with("\r\n\r\nok\n"), "{answer}");
    began.elapsed()
}

#[test]
fn by_default_a_slow_client_keeps_its_thread() {
    let (server, port) = serve::<Patient>();
    let held = trickle(
        port,
        Duration::from_millis(250),
        Duration::from_millis(2500),
    );
    assert_eq!(held, None, "Python's defaults let a trickling client go on");
    server.shutdown();
}

#[test]
fn with_a_header_deadline_200_slow_clients_are_dropped_and_a_normal_one_is_served() {
    let (server, port) = serve::<Strict>();
    let start = Arc::new(Barrier::new(201));
    let slow: Vec<_> = (0..200)
        .map(|_| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                trickle(port, Duration::from_secs(1), Duration::from_secs(10))
            })
        })
        .collect();
    start.wait();
    let served_in = get(port);
    assert!(
        served_in < Duration::from_secs(1),
        "a normal client waited {served_in:?}"
    );
    for client in slow {
        let held = client
            .join()
            .unwrap()
            .expect("the server dropped the slow client");
        assert!(
            held < Duration::from_secs(3),
            "a slow client held its thread for {held:?}"
        );
    }
    server.shutdown();
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let (server, port) = serve::<Strict>();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    // The headers and the body come in two writes: read until the body is in.
    let mut answer = [0; 1024];
    let mut got = Vec::new();
    while !got.ends_with(b"ok\n") {
        let n = stream.read(&mut answer).unwrap();
        assert!(n > 0, "closed before the answer");
        got.extend_from_slice(&answer[..n]);
    }
    let idle = Instant::now();
    let closed = stream.read(&mut answer).unwrap_or(0);
    assert_eq!(closed, 0, "the server closed the idle connection");
    let waited = idle.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "closed after {waited:?}"
    );
    server.shutdown();
}
