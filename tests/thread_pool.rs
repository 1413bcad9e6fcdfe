//! `ThreadPoolMixIn`: a fixed set of workers, panics isolated, a bound on requests in
//! flight, and `server_close` that drains the queue and joins.

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadPoolTcpServer};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Echoes one line; every tenth request panics instead.
struct EveryTenthPanics(StreamRequestHandler);
socketserver::subclass!(EveryTenthPanics(StreamRequestHandler));

static REQUESTS: AtomicUsize = AtomicUsize::new(0);

impl BaseRequestHandler for EveryTenthPanics {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.rfile.read_until(b'\n', &mut line)?;
        if REQUESTS.fetch_add(1, Ordering::SeqCst) % 10 == 9 {
            panic!("the tenth request");
        }
        self.wfile.write_all(&line)
    }
}

fn exchange(port: u16, line: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(line).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer
}

#[test]
fn a_handler_that_panics_every_tenth_request_does_not_shrink_the_pool() {
    let mut server = ThreadPoolTcpServer::<EveryTenthPanics>::new(("127.0.0.1", 0)).unwrap();
    server.mixin.workers = 4;
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    let serving = {
        let server = Arc::clone(&server);
        std::thread::spawn(move || server.serve_forever(0.05))
    };
    let answered = (0..50)
        .filter(|i| {
            exchange(port, format!("line {i}\n").as_bytes()) == format!("line {i}\n").as_bytes()
        })
        .count();
    assert_eq!(
        answered, 45,
        "every request but the five tenth ones is answered"
    );
    assert_eq!(server.mixin.running_workers(), 4, "the pool keeps its size");
    server.shutdown();
    serving.join().unwrap().unwrap();
    server.server_close();
    assert_eq!(server.mixin.running_workers(), 0);
}

/// Holds each request until the test releases it, and says when it starts.
struct Held(StreamRequestHandler);
socketserver::subclass!(Held(StreamRequestHandler));

static STARTED: Mutex<Option<mpsc::Sender<()>>> = Mutex::new(None);
static RELEASE: Mutex<Option<mpsc::Receiver<()>>> = Mutex::new(None);

impl BaseRequestHandler for Held {
    fn handle(&mut self) -> io::Result<()> {
        STARTED.lock().unwrap().as_ref().unwrap().send(()).unwrap();
        let release = RELEASE
            .lock()
            .unwrap()
            .as_ref()
            .unwrap()
            .recv_timeout(TIMEOUT);
        assert!(release.is_ok(), "released in time");
        self.wfile.write_all(b"done\n")
    }
}

#[test]
fn at_most_workers_run_at_once_and_the_rest_wait_in_the_queue() {
    let (started, starts) = mpsc::channel();
    let (release, released) = mpsc::channel();
    *STARTED.lock().unwrap() = Some(started);
    *RELEASE.lock().unwrap() = Some(released);

    let mut server = ThreadPoolTcpServer::<Held>::new(("127.0.0.1", 0)).unwrap();
    server.mixin.workers = 2;
    server.mixin.queue_size = 8;
    let server = server.into_arc();
    let port = server.server_address.as_socket().unwrap().port();
    let serving = {
        let server = Arc::clone(&server);
        std::thread::spawn(move || server.serve_forever(0.05))
    };
    let clients: Vec<_> = (0..6)
        .map(|_| std::thread::spawn(move || exchange(port, b"x\n")))
        .collect();
    // Two requests start; the other four wait in the queue.
    for _ in 0..2 {
        starts.recv_timeout(TIMEOUT).expect("a request starts");
    }
    assert!(
        starts.recv_timeout(Duration::from_millis(300)).is_err(),
        "a third request ran beside two workers"
    );
    assert_eq!(server.mixin.running_workers(), 2);

    // Release them: the queued four run as workers free up, two at a time.
    for _ in 0..6 {
        release.send(()).unwrap();
    }
    for client in clients {
        assert_eq!(client.join().unwrap(), b"done\n");
    }
    server.shutdown();
    serving.join().unwrap().unwrap();
    server.server_close();
    assert_eq!(
        server.mixin.running_workers(),
        0,
        "server_close joined the workers"
    );
}
