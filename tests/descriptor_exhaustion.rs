//! The accept loop out of descriptors: with `RLIMIT_NOFILE` lowered (in a child
//! process, this same binary run as `ROLE=server`), a `ThreadingTcpServer` whose
//! clients hold every descriptor backs off instead of spinning, says so once, and
//! serves again as soon as descriptors free up.
//!
//! `harness = false`: the test is `main`, and its child is the server.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, setrlimit};
use socketserver::{BaseRequestHandler, BaseServer, StreamRequestHandler, ThreadingTcpServer};

const TIMEOUT: Duration = Duration::from_secs(30);
/// Descriptors the server process may have open.
const LIMIT: u64 = 32;

/// Echoes lines until the client closes: each client holds a descriptor.
struct HoldingEcho(StreamRequestHandler);
socketserver::subclass!(HoldingEcho(StreamRequestHandler));

impl BaseRequestHandler for HoldingEcho {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}

fn server() -> io::Result<()> {
    setrlimit(Resource::RLIMIT_NOFILE, LIMIT, LIMIT).map_err(io::Error::from)?;
    let server = ThreadingTcpServer::<HoldingEcho>::new(("127.0.0.1", 0))?;
    let server = server.into_arc();
    println!("port {}", server.server_address.as_socket().unwrap().port());
    server.serve_forever(0.05)
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn echoed(stream: &mut TcpStream) -> bool {
    stream.write_all(b"x\n").is_ok() && {
        let mut answer = [0; 2];
        stream.read_exact(&mut answer).is_ok() && &answer == b"x\n"
    }
}

/// The server process, killed when dropped: on every path, a failed assertion's
/// unwinding included, so no server outlives the test.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    if std::env::var("ROLE").as_deref() == Ok("server") {
        server().unwrap();
        return;
    }
    let mut server = Server(
        Command::new(std::env::current_exe().unwrap())
            .env("ROLE", "server")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut server.0;
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let port: u16 = banner
        .trim()
        .strip_prefix("port ")
        .unwrap()
        .parse()
        .unwrap();

    // Connect until the server stops answering: its descriptors are gone.
    let mut held = Vec::new();
    let exhausted = loop {
        assert!(
            held.len() < LIMIT as usize,
            "the server answered more clients than it has descriptors"
        );
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        if !echoed(&mut stream) {
            break stream; // accepted by the kernel, not by the server
        }
        held.push(stream);
    };
    assert!(
        held.len() > 10,
        "only {} clients before the limit",
        held.len()
    );

    // Out of descriptors, the loop must not spin: measure its CPU for a second.
    let before = cpu_ticks(child.id());
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(1)); // the measurement window itself
    let used = cpu_ticks(child.id()) - before;
    let ticks_per_second = 100; // USER_HZ on Linux
    assert!(
        (used as f64) < 0.3 * ticks_per_second as f64 * window.elapsed().as_secs_f64(),
        "the accept loop used {used} ticks in a second while out of descriptors"
    );

    // Free descriptors: the waiting client is served.
    drop(held);
    let mut exhausted = exhausted;
    exhausted.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut answer = [0; 2];
    exhausted
        .read_exact(&mut answer)
        .expect("served once descriptors freed up");
    assert_eq!(&answer, b"x\n");

    let mut stderr = child.stderr.take().unwrap();
    drop(server); // killed: its stderr ends
    let mut log = String::new();
    stderr.read_to_string(&mut log).unwrap();
    assert_eq!(log.matches("backing off").count(), 1, "said once:\n{log}");
    println!(
        "descriptor_exhaustion: 1 passed (the loop used {used} ticks in a second while out of descriptors)"
    );
}
