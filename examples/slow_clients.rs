//! Slow clients against a `ThreadingHTTPServer`: first with Python's defaults, where
//! they win, then with the opt-in `request_header_timeout`, where they lose.
//!
//! ```text
//! cargo run --example slow_clients                              # Python's defaults
//! cargo run --example slow_clients -- --header-timeout          # a 1-second deadline
//! cargo run --example slow_clients -- --idle                    # idle kept-alive clients
//! cargo run --example slow_clients -- --idle --keep-alive-timeout
//! ```
//!
//! Fifty clients each send a request line, then one byte of a header every 200 ms,
//! for three seconds: a slowloris. Each holds a request thread while it trickles.
//! With `--idle`, each client instead sends one whole request on a kept-alive
//! connection and then says nothing for three seconds.
//! Meanwhile one ordinary client asks for `/`. The program says how many slow
//! clients were still connected after three seconds, how many threads the server
//! had, and how long the ordinary client waited.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use socketserver::BaseServer;

#[path = "support/mod.rs"]
mod support;
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};

// ANCHOR: handler
/// A hello handler; with `DEADLINE`, its request line and headers must arrive
/// within a second; with `IDLE`, a kept-alive connection may stay silent a second.
struct Hello<const DEADLINE: bool, const IDLE: bool>(BaseHttpRequest);

impl<const DEADLINE: bool, const IDLE: bool> BaseHttpRequestHandler for Hello<DEADLINE, IDLE> {
    const protocol_version: &'static str = "HTTP/1.1";
    const request_header_timeout: Option<Duration> = if DEADLINE {
        Some(Duration::from_secs(1))
    } else {
        None
    };
    const keep_alive_timeout: Option<Duration> = if IDLE {
        Some(Duration::from_secs(1))
    } else {
        None
    };

    fn log_message(&self, _message: fmt::Arguments<'_>) {}

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "3");
        self.end_headers()?;
        self.wfile.write_all(b"ok\n")
    }
}
// ANCHOR_END: handler

impl<const DEADLINE: bool, const IDLE: bool> From<BaseHttpRequest> for Hello<DEADLINE, IDLE> {
    fn from(base: BaseHttpRequest) -> Self {
        Hello(base)
    }
}
impl<const DEADLINE: bool, const IDLE: bool> std::ops::Deref for Hello<DEADLINE, IDLE> {
    type Target = BaseHttpRequest;
    fn deref(&self) -> &BaseHttpRequest {
        &self.0
    }
}
impl<const DEADLINE: bool, const IDLE: bool> std::ops::DerefMut for Hello<DEADLINE, IDLE> {
    fn deref_mut(&mut self) -> &mut BaseHttpRequest {
        &mut self.0
    }
}

/// Trickles a header (or, `idle`, sends one whole request and then nothing) for
/// `seconds`; true if the server was still listening at the end.
fn slowloris(port: u16, seconds: f64, idle: bool) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    if idle {
        let _ = stream.write_all(b"GET / HTTP/1.1\r\n\r\n");
        let (mut answer, mut buf) = (Vec::new(), [0; 256]);
        while !answer.ends_with(b"ok\n") {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                _ => return false,
            }
        }
    } else {
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nX-Slow: ");
    }
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let began = Instant::now();
    while began.elapsed().as_secs_f64() < seconds {
        if !idle && stream.write_all(b"x").is_err() {
            return false;
        }
        let mut buf = [0; 64];
        match stream.read(&mut buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            _ => return false, // closed (or answered): the server let go
        }
    }
    true
}

fn server_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .filter(|name| name.starts_with("Thread-"))
                .count()
        })
        .unwrap_or(0)
}

fn run<const DEADLINE: bool, const IDLE: bool>(idle: bool) -> io::Result<()> {
    let mut server = ThreadingHttpServer::<Hello<DEADLINE, IDLE>>::with_bind_and_activate(
        ("127.0.0.1", 0),
        false,
    )?;
    server.request_queue_size = 64; // every slow client gets in at once
    server.server_bind()?;
    server.server_activate()?;
    let server = server.into_arc();
    let port = server.server_port;
    let serving = Arc::clone(&server);
    std::thread::spawn(move || serving.serve_forever(0.05));
    let limit = |on: bool| if on { "1 s" } else { "None (Python's default)" };
    println!(
        "Serving on 127.0.0.1 port {port}, request_header_timeout = {}, keep_alive_timeout = {}",
        limit(DEADLINE),
        limit(IDLE)
    );

    // ANCHOR: attack
    let start = Arc::new(Barrier::new(51));
    let slow: Vec<_> = (0..50)
        .map(|_| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                slowloris(port, 3.0, idle)
            })
        })
        .collect();
    start.wait();
    std::thread::sleep(Duration::from_millis(1500)); // the attack is under way
    let threads = server_threads();
    let asked = Instant::now();
    let mut client = TcpStream::connect(("127.0.0.1", port))?;
    client.write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    client.read_to_string(&mut answer)?;
    let waited = asked.elapsed();
    let still_connected = slow
        .into_iter()
        .filter_map(|c| c.join().ok())
        .filter(|&held| held)
        .count();
    // ANCHOR_END: attack

    println!("after 1.5 s of the attack, the server had {threads} request threads");
    println!(
        "an ordinary client was answered {} ({} ms)",
        if answer.ends_with("ok\n") {
            "correctly"
        } else {
            "wrongly"
        },
        if waited < Duration::from_millis(100) {
            "under 100".to_string()
        } else {
            waited.as_millis().to_string()
        }
    );
    let kind = if idle { "idle" } else { "slow" };
    println!("after 3 s, {still_connected} of 50 {kind} clients were still connected");
    server.shutdown();
    Ok(())
}

fn main() -> io::Result<()> {
    // Its server runs on a thread of its own and the run ends by itself: Ctrl-C ends it at once.
    support::exit_on_ctrl_c();
    socketserver::trace::init_from_env();
    let usage = "usage: slow_clients [--header-timeout] [--idle] [--keep-alive-timeout]\n\n\
        Attacks a ThreadingHTTPServer with 50 slow clients for three seconds and says how \
        many threads they held and how long an ordinary client waited.";
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let known = ["--header-timeout", "--idle", "--keep-alive-timeout"];
    support::check_flags(&arguments, &known, usage);
    if arguments.iter().any(|a| !known.contains(&a.as_str())) {
        support::usage_error(usage);
    }
    let flag = |name: &str| arguments.iter().any(|a| a == name);
    let idle = flag("--idle");
    match (flag("--header-timeout"), flag("--keep-alive-timeout")) {
        (false, false) => run::<false, false>(idle),
        (true, false) => run::<true, false>(idle),
        (false, true) => run::<false, true>(idle),
        (true, true) => run::<true, true>(idle),
    }
}
