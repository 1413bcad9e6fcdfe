//! The servers under churn and abuse: many connections, clients that leave in the
//! middle, `shutdown` under load, and traversal attempts on `SimpleHttpRequestHandler`.
//! Afterwards the threads and descriptors of this process are back where they were.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use socketserver::http::server::{
    BaseHttpRequest, BaseHttpRequestHandler, HttpServer, SimpleHttpMethods, SimpleHttpRequest,
};
use socketserver::{BaseServer, MixIn, ThreadPoolMixIn, ThreadingMixIn};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Tests in this file count this process's threads and descriptors: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// `(request threads and workers, open descriptors)` of this process. The test
/// harness's own threads come and go, so only the servers' threads are counted, by
/// their names.
fn resources() -> (usize, usize) {
    let server_threads = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("Thread-") || name.starts_with("ThreadPool-"))
        .count();
    (
        server_threads,
        std::fs::read_dir("/proc/self/fd").unwrap().count(),
    )
}

/// Waits (bounded) until the resources are back to `before`.
fn settles_to(before: (usize, usize)) -> (usize, usize) {
    let deadline = Instant::now() + TIMEOUT;
    while resources() != before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20)); // polling /proc, bounded by the deadline
    }
    resources()
}

struct Hello(BaseHttpRequest);
socketserver::subclass!(Hello(BaseHttpRequest));
impl BaseHttpRequestHandler for Hello {
    const protocol_version: &'static str = "HTTP/1.1";
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
    fn do_GET(&mut self) -> io::Result<()> {
        let body = vec![b'x'; if self.path == "/big" { 4 << 20 } else { 3 }];
        self.send_response(200, None);
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
}

fn start<M: MixIn>(
    configure: impl FnOnce(&mut M),
) -> (
    Arc<HttpServer<Hello, M>>,
    u16,
    std::thread::JoinHandle<io::Result<()>>,
) {
    let mut server =
        HttpServer::<Hello, M>::with_bind_and_activate(("127.0.0.1", 0), false).unwrap();
    server.request_queue_size = 1024;
    configure(&mut server.mixin);
    server.server_bind().unwrap();
    server.server_activate().unwrap();
    let server = server.into_arc();
    let port = server.server_port;
    let serving = Arc::clone(&server);
    (
        server,
        port,
        std::thread::spawn(move || serving.serve_forever(0.05)),
    )
}

fn get(stream: &mut TcpStream) -> bool {
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").is_ok() && {
        let mut answer = Vec::new();
        let mut buf = [0; 512];
        while !answer.ends_with(b"\r\n\r\nxxx") {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                _ => return false,
            }
        }
        true
    }
}

fn churn<M: MixIn>(configure: impl FnOnce(&mut M) + Copy) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = resources();
    let (server, port, serving) = start::<M>(configure);
    // 10,000 connections, one after the other.
    for _ in 0..10_000 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        assert!(get(&mut stream));
    }
    // 1,000 kept-alive connections at once, each used twice.
    let mut streams: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
            stream
        })
        .collect();
    for _ in 0..2 {
        for stream in &mut streams {
            assert!(get(stream));
        }
    }
    drop(streams);
    server.shutdown();
    serving.join().unwrap().unwrap();
    server.server_close();
    drop(server);
    assert_eq!(
        settles_to(before),
        before,
        "(threads, descriptors) before and after"
    );
}

#[test]
fn ten_thousand_sequential_and_a_thousand_concurrent_connections_on_threads() {
    churn::<ThreadingMixIn>(|_| {});
}

#[test]
fn ten_thousand_sequential_and_a_thousand_concurrent_connections_on_a_pool() {
    // Kept-alive connections hold a worker each: enough workers for all of them.
    churn::<ThreadPoolMixIn>(|pool| pool.workers = 1000);
}

#[test]
fn clients_that_leave_mid_request_or_mid_response_leave_nothing_behind() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = resources();
    let (server, port, serving) = start::<ThreadingMixIn>(|_| {});
    for i in 0..200 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        match i % 3 {
            0 => stream.write_all(b"GET / HT").unwrap(), // mid request line
            1 => stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-")
                .unwrap(), // mid headers
            _ => {
                // mid response: ask for 4 MiB, read a little, leave
                stream.write_all(b"GET /big HTTP/1.1\r\n\r\n").unwrap();
                let mut buf = [0; 100];
                stream.read_exact(&mut buf).unwrap();
            }
        }
        let _ = stream.shutdown(Shutdown::Both);
    }
    // The server still answers.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert!(get(&mut stream));
    drop(stream);
    server.shutdown();
    serving.join().unwrap().unwrap();
    server.server_close();
    drop(server);
    assert_eq!(
        settles_to(before),
        before,
        "(threads, descriptors) before and after"
    );
}

#[test]
fn shutdown_under_load_returns_within_the_poll_interval() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Non-daemon threads, kept for server_close to join (HTTPServer makes them
    // daemons by default).
    let (server, port, serving) = start::<ThreadingMixIn>(|m| {
        m.daemon_threads = false;
        m.block_on_close = true;
    });
    let go = Arc::new(Barrier::new(21));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..20)
        .map(|_| {
            let (go, answered) = (Arc::clone(&go), Arc::clone(&answered));
            std::thread::spawn(move || {
                go.wait();
                let deadline = Instant::now() + Duration::from_secs(2);
                let mut served = 0;
                while Instant::now() < deadline {
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
                        break;
                    };
                    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
                    if !get(&mut stream) {
                        break;
                    }
                    served += 1;
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                served
            })
        })
        .collect();
    go.wait();
    // Shut down once the load is under way: 100 requests answered (bounded).
    let deadline = Instant::now() + TIMEOUT;
    while answered.load(Ordering::Relaxed) < 100 && Instant::now() < deadline {
        std::thread::yield_now();
    }
    let asked = Instant::now();
    server.shutdown();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_millis(500),
        "shutdown took {took:?} with a 50 ms poll interval"
    );
    serving.join().unwrap().unwrap();
    assert!(
        server.mixin.tracked_threads() > 0,
        "the request threads are kept for server_close"
    );
    server.server_close(); // block_on_close: joins every request thread
    assert_eq!(server.mixin.tracked_threads(), 0);
    let served: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(served >= 100, "the load was real: {served} requests");
}

/// `SimpleHTTPRequestHandler` serving `TRAVERSAL_ROOT`.
struct Files(SimpleHttpRequest);
static TRAVERSAL_ROOT: Mutex<Option<PathBuf>> = Mutex::new(None);
impl From<SimpleHttpRequest> for Files {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = TRAVERSAL_ROOT.lock().unwrap().clone().unwrap();
        Files(base)
    }
}
impl std::ops::Deref for Files {
    type Target = SimpleHttpRequest;
    fn deref(&self) -> &SimpleHttpRequest {
        &self.0
    }
}
impl std::ops::DerefMut for Files {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest {
        &mut self.0
    }
}
impl BaseHttpRequestHandler for Files {
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}
impl SimpleHttpMethods for Files {}

#[test]
fn no_traversal_attempt_returns_a_byte_from_outside_the_directory() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let top = std::env::temp_dir().join(format!("traversal-{}", std::process::id()));
    let root = top.join("a").join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(top.join("secret.txt"), b"OUTSIDE-SECRET").unwrap();
    std::fs::write(top.join("a").join("secret.txt"), b"OUTSIDE-SECRET").unwrap();
    std::fs::write(root.join("inside.txt"), b"inside").unwrap();
    *TRAVERSAL_ROOT.lock().unwrap() = Some(root.clone());
    let server = HttpServer::<Files>::new(("127.0.0.1", 0))
        .unwrap()
        .into_arc();
    let port = server.server_port;
    let serving = Arc::clone(&server);
    let thread = std::thread::spawn(move || serving.serve_forever(0.05));
    let secret = top.join("secret.txt");
    let absolute = secret.to_string_lossy().into_owned();
    let attempts = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".into(),
        "/sub/../../secret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/%2E%2E/secret.txt".into(),
        "/..%2fsecret.txt".into(),
        "/..%2F..%2Fsecret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/..\\secret.txt".into(),
        "/..%5c..%5csecret.txt".into(),
        absolute.clone(),
        format!("/{absolute}"),
        format!("//{absolute}"),
        "/../secret.txt%00.txt".into(),
        "/%00../secret.txt".into(),
        "/.%2e/.%2e/secret.txt".into(),
        "/sub/%2e%2e%2f%2e%2e%2fsecret.txt".into(),
        "/inside.txt/../../secret.txt".into(),
    ];
    for path in &attempts {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        assert!(
            !text.contains("OUTSIDE-SECRET"),
            "{path} served a file from outside:\n{text}"
        );
        assert!(text.starts_with("HTTP/1.0 "), "{path}: {text}");
    }
    // And what is inside is served.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /sub/../inside.txt HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.ends_with("\r\n\r\ninside"), "{answer}");
    server.shutdown();
    thread.join().unwrap().unwrap();
    std::fs::remove_dir_all(&top).unwrap();
}
