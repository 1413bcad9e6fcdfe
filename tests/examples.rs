//! Every example, run as a reader runs it: the real binary, its real output, a real
//! client. Each server binds port 0 (or a temporary path) on loopback, says where on
//! stdout, and is killed at the end of its test.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

mod common;
use common::{example, lines_of};

const TIMEOUT: Duration = Duration::from_secs(30);
/// How long `read_book` may take to build the book before it serves it.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// A running example and the lines it has printed so far, on stdout and on stderr.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    errors: mpsc::Receiver<String>,
}

impl Running {
    fn start(name: &str, args: &[&str], envs: &[(&str, &str)]) -> Running {
        Running::start_built(example(name), args, envs)
    }

    fn start_built(binary: PathBuf, args: &[&str], envs: &[(&str, &str)]) -> Running {
        let mut child = Command::new(binary)
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let errors = lines_of(child.stderr.take().unwrap());
        Running {
            child,
            lines,
            errors,
        }
    }

    /// The next line of stdout, waiting at most `TIMEOUT`.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(TIMEOUT)
            .expect("the example printed nothing in time")
    }

    /// Reads the banner up to the line naming the port (`… port 8000` or
    /// `http://127.0.0.1:8000/`), waiting at most `within`, and returns the port.
    fn port_within(&self, within: Duration) -> u16 {
        let deadline = Instant::now() + within;
        loop {
            let line = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the example named no port in time");
            let rest = line
                .split(" port ")
                .nth(1)
                .or_else(|| line.split("127.0.0.1:").nth(1));
            if let Some(rest) = rest {
                return rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        }
    }

    /// Reads the banner up to the line naming the port, and returns the port.
    fn port(&self) -> u16 {
        self.port_within(TIMEOUT)
    }

    /// Waits for the example to exit by itself; returns its stderr.
    fn wait(mut self) -> String {
        let status = self.child.wait().unwrap();
        assert!(status.success(), "example exited with {status}");
        self.stderr()
    }

    /// Stops a server that serves forever; returns its stderr.
    fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.stderr()
    }

    /// Everything the example wrote on stderr (it has exited; a line at most
    /// `TIMEOUT` apart, in case a child it left still holds the pipe).
    fn stderr(&mut self) -> String {
        let mut stderr = String::new();
        while let Ok(line) = self.errors.recv_timeout(TIMEOUT) {
            stderr.push_str(&line);
            stderr.push('\n');
        }
        stderr
    }

    /// Every stdout line until the end of stdout, which comes when the example and
    /// every child it forked have exited; `None` if it has not come within `TIMEOUT`.
    fn rest_of_stdout(&self) -> Option<Vec<String>> {
        let deadline = Instant::now() + TIMEOUT;
        let mut said = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => said.push(line),
                Err(RecvTimeoutError::Disconnected) => return Some(said),
                Err(RecvTimeoutError::Timeout) => return None,
            }
        }
    }

    /// The stdout lines up to and including `last` (each within `TIMEOUT`).
    fn lines_up_to(&self, last: &str) -> Vec<String> {
        let mut said = Vec::new();
        while said.last().is_none_or(|l: &String| l != last) {
            assert!(said.len() < 100, "no {last:?} in {said:?}");
            said.push(self.line());
        }
        said
    }

    /// Presses Ctrl-C, as a terminal does: SIGINT to the example and to the children
    /// it forked (a terminal sends it to the whole process group; here the example
    /// shares the test's group, so each gets its own).
    fn ctrl_c(&self) {
        let pid = self.child.id();
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for pid in
            std::iter::once(pid.to_string()).chain(children.split_whitespace().map(String::from))
        {
            let pid = nix::unistd::Pid::from_raw(pid.parse().unwrap());
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        }
    }
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
}

fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line
}

#[test]
fn tcp_echo() {
    let server = Running::start("tcp_echo", &["0"], &[]);
    let port = server.port();
    assert!(
        server
            .line()
            .starts_with(&format!("  curl telnet://127.0.0.1:{port} ")),
        "the banner says how to talk to it with curl"
    );
    let mut client = connect(port);
    client.write_all(b"hello\nworld\n").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "hello\nworld\n");
    server.kill();
}

/// `SOCKETSERVER_TRACE=1` prints the call chain of one request, in order and nested.
#[test]
fn tcp_echo_trace_shows_the_call_chain() {
    let server = Running::start("tcp_echo", &["0"], &[("SOCKETSERVER_TRACE", "1")]);
    let port = server.port();
    // Two requests: once the second is answered, the first one's chain is complete.
    for _ in 0..2 {
        let mut client = connect(port);
        client.write_all(b"traced\n").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        assert_eq!(reply, "traced\n");
    }
    let stderr = server.kill();
    let chain: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, hook)| hook))
        .collect();
    let expected = [
        "serve_forever",
        "  _handle_request_noblock",
        "    get_request",
        "    verify_request",
        "    process_request",
        "      finish_request",
        "        __init__",
        "          setup",
        "          handle",
        "          finish",
        "      shutdown_request",
        "        close_request",
    ];
    assert_eq!(&chain[..expected.len()], expected, "stderr was:\n{stderr}");
    assert!(
        stderr.contains(" main] serve_forever"),
        "the thread is named: {stderr}"
    );
}

#[test]
fn udp_echo() {
    let server = Running::start("udp_echo", &["0"], &[]);
    let port = server.port();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    client.send_to(b"hello", ("127.0.0.1", port)).unwrap();
    let mut buf = [0; 100];
    let n = client.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"HELLO");
    server.kill();
}

#[test]
fn unix_echo() {
    let path = std::env::temp_dir().join(format!("unix_echo_example.{}", std::process::id()));
    let server = Running::start("unix_echo", &[path.to_str().unwrap()], &[]);
    assert!(server.line().starts_with("Serving Unix-socket echo on "));
    let mut client = UnixStream::connect(&path).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    client.write_all(b"over a path\n").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "over a path\n");
    server.kill();
    std::fs::remove_file(&path).unwrap();
}

/// Two clients at once: the second is answered only after the first leaves on the
/// blocking server; at once on the threading server (another thread, same process)
/// and the forking server (another process).
#[test]
fn blocking_threading_forking() {
    for kind in ["blocking", "threading", "forking"] {
        let server = Running::start("blocking_threading_forking", &[kind, "0"], &[]);
        let port = server.port();
        let first = connect(port);
        let mut first_reader = BufReader::new(first.try_clone().unwrap());
        (&first).write_all(b"one\n").unwrap();
        let first_reply = read_line(&mut first_reader);
        assert!(first_reply.ends_with(": one\n"), "{first_reply}");

        let second = connect(port);
        let mut second_reader = BufReader::new(second.try_clone().unwrap());
        (&second).write_all(b"two\n").unwrap();
        if kind == "blocking" {
            // Nothing comes while the first client holds the server.
            second
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let mut buf = [0; 1];
            let waited = (&second).read(&mut buf).unwrap_err();
            assert!(matches!(
                waited.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ));
            second.set_read_timeout(Some(TIMEOUT)).unwrap();
            first.shutdown(Shutdown::Both).unwrap();
        }
        let second_reply = read_line(&mut second_reader);
        assert!(second_reply.ends_with(": two\n"), "{second_reply}");
        let pid_of = |reply: &str| reply.split_whitespace().nth(1).unwrap().to_string();
        let thread_of = |reply: &str| reply.split('"').nth(1).unwrap_or("").to_string();
        match kind {
            "blocking" => assert_eq!(first_reply, second_reply.replace("two", "one")),
            "threading" => {
                assert_eq!(pid_of(&first_reply), pid_of(&second_reply));
                assert_ne!(thread_of(&first_reply), thread_of(&second_reply));
            }
            _ => assert_ne!(pid_of(&first_reply), pid_of(&second_reply)),
        }
        // Close the clients first: a forked child holds the server's stderr open until
        // its client leaves.
        drop((first, first_reader, second, second_reader));
        server.kill();
    }
}

/// Counts the lines the slow request delivers before the example's process ends.
fn daemon_threads_lines(flags: &[&str]) -> (usize, Vec<String>) {
    let mut args = flags.to_vec();
    args.push("0");
    let server = Running::start("daemon_threads", &args, &[]);
    let port = server.port();
    let mut client = connect(port);
    let mut received = String::new();
    client.read_to_string(&mut received).unwrap(); // ends when the process does
    let mut main_says = Vec::new();
    while let Ok(line) = server.lines.recv_timeout(Duration::from_millis(100)) {
        main_says.push(line);
    }
    server.wait();
    (received.lines().count(), main_says)
}

#[test]
fn daemon_threads_defaults_wait_for_the_request() {
    let (lines, main_says) = daemon_threads_lines(&[]);
    assert_eq!(lines, 10);
    assert!(
        main_says
            .iter()
            .any(|l| l.starts_with("main: server_close() returned after"))
    );
}

#[test]
fn daemon_threads_are_ended_with_main() {
    let (lines, _) = daemon_threads_lines(&["--daemon-threads"]);
    assert!(
        lines < 10,
        "a daemon request thread must die with main, got {lines} lines"
    );
}

#[test]
fn daemon_threads_no_block_on_close_waits_at_exit_as_python() {
    let (lines, main_says) = daemon_threads_lines(&["--no-block-on-close"]);
    assert_eq!(lines, 10);
    // server_close returned at once; the wait happened at exit.
    let returned: u64 = main_says[1]
        .split_whitespace()
        .nth(4)
        .unwrap()
        .parse()
        .unwrap();
    assert!(returned < 500, "{main_says:?}");
}

/// Sends `request` on a new connection, closes the sending half, reads to the end.
fn http_exchange(port: u16, request: &[u8]) -> String {
    let mut client = connect(port);
    client.write_all(request).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    client.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn http_get_post() {
    let server = Running::start("http_get_post", &["0"], &[]);
    let port = server.port();
    let get = http_exchange(port, b"GET /hello HTTP/1.0\r\n\r\n");
    assert!(
        get.starts_with("HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 "),
        "{get}"
    );
    assert!(get.ends_with("\r\n\r\nYou asked for /hello\n"), "{get}");
    // The body is read by its length: the bytes after it are never read as a body.
    let post = http_exchange(
        port,
        b"POST /greet HTTP/1.0\r\nContent-Length: 10\r\n\r\nname=World and more",
    );
    assert!(post.contains("Content-Length: 30\r\n"), "{post}");
    assert!(
        post.ends_with("\r\n\r\nYou sent 10 bytes: name=World\n"),
        "{post}"
    );
    let log = server.kill();
    assert!(log.contains("] \"GET /hello HTTP/1.0\" 200 -\n"), "{log}");
    assert!(log.contains("] \"POST /greet HTTP/1.0\" 200 -\n"), "{log}");
}

#[test]
fn http_keep_alive_answers_two_requests_on_one_connection() {
    let server = Running::start("http_keep_alive", &["0"], &[]);
    let port = server.port();
    let answer = http_exchange(
        port,
        b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
    let ports: Vec<&str> = answer
        .lines()
        .filter_map(|l| l.split(" on connection from port ").nth(1))
        .collect();
    assert_eq!(ports.len(), 2, "{answer}");
    assert_eq!(ports[0], ports[1], "both answers on one connection");
    assert!(answer.contains("/one on connection") && answer.contains("/two on connection"));
    server.kill();
}

/// A fresh directory for `http_server` to serve.
fn served_directory(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("examples-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("hello.txt"), b"Hello, world\n").unwrap();
    dir
}

#[test]
fn http_server_serves_a_directory_and_stops_on_ctrl_c() {
    let dir = served_directory("ctrl-c");
    let server = Running::start(
        "http_server",
        &[
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    let port = server.port();
    let file = http_exchange(port, b"GET /hello.txt HTTP/1.0\r\n\r\n");
    assert!(
        file.starts_with("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 "),
        "{file}"
    );
    assert!(
        file.contains("Content-type: text/plain\r\nContent-Length: 13\r\n"),
        "{file}"
    );
    assert!(file.ends_with("\r\n\r\nHello, world\n"), "{file}");
    let listing = http_exchange(port, b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        listing.contains("<li><a href=\"sub/\">sub/</a></li>"),
        "{listing}"
    );
    let redirect = http_exchange(port, b"GET /sub?x=1 HTTP/1.0\r\n\r\n");
    assert!(
        redirect.starts_with("HTTP/1.0 301 Moved Permanently\r\n"),
        "{redirect}"
    );
    assert!(redirect.contains("Location: /sub/?x=1\r\n"), "{redirect}");

    let pid = nix::unistd::Pid::from_raw(server.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    assert_eq!(server.line(), "");
    assert_eq!(server.line(), "Keyboard interrupt received, exiting.");
    let log = server.wait();
    assert!(
        log.contains("] \"GET /hello.txt HTTP/1.0\" 200 -\n"),
        "{log}"
    );
    assert!(log.contains("] \"GET /sub?x=1 HTTP/1.0\" 301 -\n"), "{log}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn http_server_trace_shows_do_get_and_send_head() {
    let dir = served_directory("trace");
    let server = Running::start(
        "http_server",
        &["0", "-b", "127.0.0.1", "-d", dir.to_str().unwrap()],
        &[("SOCKETSERVER_TRACE", "1")],
    );
    let port = server.port();
    http_exchange(port, b"GET / HTTP/1.0\r\n\r\n");
    http_exchange(port, b"GET /hello.txt HTTP/1.0\r\n\r\n");
    let trace = server.kill();
    let hooks: Vec<&str> = trace
        .lines()
        .filter(|l| l.starts_with("[pid"))
        .filter_map(|l| Some(l.split("] ").nth(1)?.trim()))
        .collect();
    let chain = [
        "handle",
        "handle_one_request",
        "parse_request",
        "do_GET",
        "send_head",
        "translate_path",
        "list_directory",
        "send_response",
    ];
    let mut at = 0;
    for hook in &hooks {
        if at < chain.len() && *hook == chain[at] {
            at += 1;
        }
    }
    assert_eq!(
        at,
        chain.len(),
        "the chain {chain:?} in order, in:\n{trace}"
    );
    assert!(hooks.contains(&"copyfile"), "{trace}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn http_server_refuses_cgi_and_unknown_protocols() {
    for args in [&["--cgi"][..], &["-p", "HTTP/2.0"][..]] {
        let output = std::process::Command::new(example("http_server"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("http_server:"), "{stderr}");
    }
}

#[test]
fn slow_clients_win_against_the_defaults_and_lose_against_a_deadline() {
    for (args, threads, connected) in [
        (
            &[][..],
            "had 50 request threads",
            "50 of 50 slow clients were still connected",
        ),
        (
            &["--header-timeout"][..],
            "had 0 request threads",
            "0 of 50 slow clients were still connected",
        ),
        (
            &["--idle"][..],
            "had 50 request threads",
            "50 of 50 idle clients were still connected",
        ),
        (
            &["--idle", "--keep-alive-timeout"][..],
            "had 0 request threads",
            "0 of 50 idle clients were still connected",
        ),
    ] {
        let output = std::process::Command::new(example("slow_clients"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(threads) && stdout.contains(connected),
            "{args:?}:\n{stdout}"
        );
        assert!(
            stdout.contains("an ordinary client was answered correctly"),
            "{stdout}"
        );
    }
}

// --- First contact: every example, as a newcomer first meets it ----------------------
//
// One row per example (per mode, where the mode changes what Ctrl-C does): `--help`,
// a flag it does not know, a bad port, a port (or path) another program holds, and
// Ctrl-C while it serves a client. A new example is one more row in `EXAMPLES`.

/// What an example serves on: the kind of address a test must take to make it busy.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Listens {
    Tcp,
    Udp,
    UnixPath,
    /// Not a server (or one on a port of its own choosing): no port to get wrong.
    Nothing,
}

/// The client connected when Ctrl-C comes, and how the test knows the example's
/// handler is at work for it.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Client {
    /// A line sent and its answer read: the handler waits for the next line.
    Line,
    /// A datagram sent and its answer read (a datagram server holds no connection).
    Datagram,
    /// One HTTP/1.1 request for this path answered: the handler waits on the
    /// kept-alive connection for the next request.
    KeptAlive(&'static str),
    /// A request line without its headers: the trace (`SOCKETSERVER_TRACE=1`) says
    /// when `parse_request` started reading them. For a server that answers one
    /// request per connection, or that the test does not send anywhere.
    HalfRequest,
    /// None: the example takes one request and leaves (Ctrl-C comes while it waits).
    Nobody,
}

/// What Ctrl-C does, as in Python.
#[derive(Clone, Copy, PartialEq, Debug)]
enum OnCtrlC {
    /// The line, and the process ends: the handler ran on the main thread (its read
    /// is interrupted), in a forked child (which gets the Ctrl-C too), or on a
    /// daemon thread (`ThreadingHTTPServer` sets `daemon_threads`, so Python does not
    /// wait for it either); or the program is not a crate server and ends at once.
    ExitsAtOnce,
    /// The line, then `server_close` waits for the request thread (`block_on_close`;
    /// a pool's workers), which waits for its client: the process ends when the
    /// client leaves. Python waits the same way (and a second Ctrl-C ends it: see
    /// `a_second_ctrl_c_ends_a_server_waiting_for_its_client`).
    WaitsForTheClient,
    /// Not a program that serves until Ctrl-C.
    Runs,
}

/// What `python -m http.server` prints on Ctrl-C, after an empty line.
const KEYBOARD_INTERRUPT: &str = "Keyboard interrupt received, exiting.";

/// `said` ends with an empty line and [`KEYBOARD_INTERRUPT`], as Python prints it.
fn ends_with_the_line(said: &[String]) -> bool {
    said.len() >= 2 && said[said.len() - 2..] == ["", KEYBOARD_INTERRUPT]
}

struct Example {
    name: &'static str,
    /// Its arguments to serve; `PORT` stands for the port (the path, for a Unix
    /// socket) it is given.
    args: &'static [&'static str],
    listens: Listens,
    client: Client,
    ctrl_c: OnCtrlC,
}

use Client::*;
use Listens::*;
use OnCtrlC::*;

#[rustfmt::skip]
const EXAMPLES: &[Example] = &[
    Example { name: "tcp_echo", args: &["PORT"], listens: Tcp, client: Line, ctrl_c: ExitsAtOnce },
    Example { name: "udp_echo", args: &["PORT"], listens: Udp, client: Datagram, ctrl_c: ExitsAtOnce },
    Example { name: "unix_echo", args: &["PORT"], listens: UnixPath, client: Line, ctrl_c: ExitsAtOnce },
    Example { name: "blocking_threading_forking", args: &["blocking", "PORT"], listens: Tcp, client: Line, ctrl_c: ExitsAtOnce },
    Example { name: "blocking_threading_forking", args: &["threading", "PORT"], listens: Tcp, client: Line, ctrl_c: WaitsForTheClient },
    Example { name: "blocking_threading_forking", args: &["forking", "PORT"], listens: Tcp, client: Line, ctrl_c: ExitsAtOnce },
    Example { name: "daemon_threads", args: &["PORT"], listens: Tcp, client: Nobody, ctrl_c: ExitsAtOnce },
    Example { name: "http_server", args: &["--bind", "127.0.0.1", "-p", "HTTP/1.1", "-d", "book/demo", "PORT"], listens: Tcp, client: KeptAlive("/hello.txt"), ctrl_c: ExitsAtOnce },
    Example { name: "http_get_post", args: &["PORT"], listens: Tcp, client: HalfRequest, ctrl_c: ExitsAtOnce },
    Example { name: "http_keep_alive", args: &["PORT"], listens: Tcp, client: KeptAlive("/"), ctrl_c: ExitsAtOnce },
    Example { name: "read_book", args: &["PORT"], listens: Tcp, client: KeptAlive("/index.html"), ctrl_c: ExitsAtOnce },
    Example { name: "hello_server", args: &["PORT"], listens: Tcp, client: KeptAlive("/"), ctrl_c: ExitsAtOnce },
    Example { name: "hello_server", args: &["PORT", "--pool"], listens: Tcp, client: KeptAlive("/"), ctrl_c: WaitsForTheClient },
    Example { name: "tiny_http_hello", args: &["PORT"], listens: Tcp, client: KeptAlive("/"), ctrl_c: ExitsAtOnce },
    Example { name: "tiny_http_files", args: &["PORT", "--directory", "book/demo"], listens: Tcp, client: KeptAlive("/hello.txt"), ctrl_c: ExitsAtOnce },
    Example { name: "std_hello", args: &["PORT"], listens: Tcp, client: KeptAlive("/"), ctrl_c: ExitsAtOnce },
    Example { name: "proxy", args: &["--bind", "127.0.0.1", "PORT"], listens: Tcp, client: HalfRequest, ctrl_c: ExitsAtOnce },
    Example { name: "timelines", args: &["one-request"], listens: Nothing, client: Nobody, ctrl_c: Runs },
    Example { name: "slow_clients", args: &[], listens: Nothing, client: Nobody, ctrl_c: Runs },
    Example { name: "make_cert", args: &[], listens: Nothing, client: Nobody, ctrl_c: Runs },
];

/// The example's binary, built once per test run (each `example` runs cargo).
fn built(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let path = example(name);
    built.push((name.to_string(), path.clone()));
    path
}

impl Example {
    /// Its arguments, with `port` for `PORT`.
    fn args_with(&self, port: &str) -> Vec<String> {
        self.args
            .iter()
            .map(|a| {
                if *a == "PORT" {
                    port.to_string()
                } else {
                    a.to_string()
                }
            })
            .collect()
    }

    fn run(&self, args: &[String]) -> (Option<i32>, String, String) {
        let output = Command::new(built(self.name)).args(args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

/// `--help`: exit status 0, the usage line, and a sentence that says what the
/// program does, written for its reader (not a doc comment about Python's parser).
/// A flag it does not know: status 2 and the usage line, no panic. A bad port
/// (`99999`, `abc`): status 2.
#[test]
fn first_contact_help_and_bad_arguments() {
    let mut seen = Vec::new();
    for row in EXAMPLES {
        let name = row.name;
        if !seen.contains(&name) {
            seen.push(name);
            let (code, help, _) = row.run(&["--help".to_string()]);
            assert_eq!(code, Some(0), "{name} --help: {help}");
            let mut lines = help.lines().filter(|l| !l.trim().is_empty());
            let usage = lines.next().unwrap_or_default();
            assert!(
                usage.to_lowercase().starts_with("usage:"),
                "{name} --help: {help}"
            );
            let about = lines.next().unwrap_or_default().trim();
            assert!(
                about.starts_with(|c: char| c.is_uppercase())
                    && !about.to_lowercase().starts_with("usage")
                    && !about.starts_with("Python:"),
                "{name} --help says what it does after its usage line: {help}"
            );
            assert!(!help.contains("Python: the"), "{name} --help: {help}");

            let (code, _, stderr) = row.run(&["--bogus".to_string()]);
            assert_eq!(code, Some(2), "{name} --bogus: {stderr}");
            assert!(
                stderr.to_lowercase().contains("usage:"),
                "{name} --bogus: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{name} --bogus: {stderr}");
        }
        if matches!(row.listens, Tcp | Udp) {
            for bad in ["99999", "abc"] {
                let (code, _, stderr) = row.run(&row.args_with(bad));
                assert_eq!(code, Some(2), "{name} {:?}: {stderr}", row.args_with(bad));
                assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            }
        }
    }
}

/// A port (or socket path) that another program holds: status 1, and exactly one
/// line, which names the address and says how to choose another. `read_book` says
/// so before it builds the book.
#[test]
fn first_contact_a_taken_address_gets_one_line() {
    for row in EXAMPLES {
        let name = row.name;
        // What holds the address while the example tries it, and the address.
        let (_holder, taken, address): (Box<dyn std::any::Any>, String, String) = match row.listens
        {
            Tcp => {
                let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
                let port = tcp.local_addr().unwrap().port();
                (Box::new(tcp), port.to_string(), format!("127.0.0.1:{port}"))
            }
            Udp => {
                let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
                let port = udp.local_addr().unwrap().port();
                (Box::new(udp), port.to_string(), format!("127.0.0.1:{port}"))
            }
            UnixPath => {
                let path = std::env::temp_dir()
                    .join(format!("first-contact-{name}.{}", std::process::id()));
                let _ = std::fs::remove_file(&path);
                let unix = UnixListener::bind(&path).unwrap();
                let path = path.display().to_string();
                (Box::new(unix), path.clone(), path)
            }
            Nothing => continue,
        };
        built(name); // not timed
        let started = Instant::now();
        let (code, _, stderr) = row.run(&row.args_with(&taken));
        assert_eq!(code, Some(1), "{name} on a taken {address}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{name} on a taken {address}: {stderr}"
        );
        assert!(
            stderr.contains(&address) && stderr.contains("another"),
            "{name} on a taken {address}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name} took {:?} to say the address is taken",
            started.elapsed()
        );
        if row.listens == UnixPath {
            let _ = std::fs::remove_file(&taken);
        }
    }
}

/// The client of `row`, connected to a running example, its handler at work.
enum Connected {
    Stream(Box<dyn ReadWrite>),
    Datagram,
    Nobody,
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Sends `GET path` on a kept-alive connection and reads the whole answer; returns
/// its status line.
fn http_get(stream: &mut dyn ReadWrite, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let status = read_line(&mut reader);
    let mut length = 0;
    loop {
        let header = read_line(&mut reader);
        if header.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    status
}

/// After Ctrl-C, a server that waits for its client still answers it: its handler
/// runs on a request thread, which the Ctrl-C did not interrupt.
fn still_served(row: &Example, stream: &mut dyn ReadWrite) {
    match row.client {
        Line => {
            stream.write_all(b"y\n").unwrap();
            let answer = read_line(&mut BufReader::new(stream));
            assert!(answer.ends_with("y\n"), "{}: {answer:?}", row.name);
        }
        KeptAlive(path) => {
            let status = http_get(stream, path);
            assert!(
                status.starts_with("HTTP/1.1 200"),
                "{}: {status:?}",
                row.name
            );
        }
        HalfRequest => {
            // The end of the headers: the request goes on (to a port nobody serves).
            stream.write_all(b"\r\n").unwrap();
            let status = read_line(&mut BufReader::new(stream));
            assert!(status.starts_with("HTTP/1.1 "), "{}: {status:?}", row.name);
        }
        Datagram | Nobody => {}
    }
}

/// Connects `row`'s client to the example serving on `port` (or `path`) and waits
/// until its handler is at work for it.
fn connect_client(row: &Example, server: &Running, port: u16, path: &str) -> Connected {
    let mut stream: Box<dyn ReadWrite> = match (row.client, row.listens) {
        (Nobody, _) => return Connected::Nobody,
        (Datagram, _) => {
            let client = UdpSocket::bind("127.0.0.1:0").unwrap();
            client.set_read_timeout(Some(TIMEOUT)).unwrap();
            client.send_to(b"x", ("127.0.0.1", port)).unwrap();
            let mut buf = [0; 16];
            assert_eq!(
                client.recv(&mut buf).unwrap(),
                1,
                "{}: the datagram's answer",
                row.name
            );
            return Connected::Datagram;
        }
        (_, UnixPath) => {
            let stream = UnixStream::connect(path).unwrap();
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
            Box::new(stream)
        }
        _ => Box::new(connect(port)),
    };
    match row.client {
        Line => {
            stream.write_all(b"x\n").unwrap();
            let mut reader = BufReader::new(&mut stream);
            let answer = read_line(&mut reader);
            assert!(answer.ends_with("x\n"), "{}: {answer:?}", row.name);
        }
        KeptAlive(path) => {
            let status = http_get(&mut *stream, path);
            assert!(
                status.starts_with("HTTP/1.1 200"),
                "{}: {status:?}",
                row.name
            );
        }
        HalfRequest => {
            stream
                .write_all(b"GET http://127.0.0.1:1/ HTTP/1.1\r\n")
                .unwrap();
            let deadline = Instant::now() + TIMEOUT;
            loop {
                let line = server
                    .errors
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    .unwrap_or_else(|_| panic!("{}: no parse_request in the trace", row.name));
                if line.ends_with("] parse_request") || line.trim_end().ends_with(" parse_request")
                {
                    break;
                }
            }
        }
        Datagram | Nobody => unreachable!(),
    }
    Connected::Stream(stream)
}

/// Ctrl-C while a client is connected (the handler at work for it): the process
/// prints `python -m http.server`'s line once, exits with status 0, and leaves no
/// child behind: the client sees its connection end. A threaded server with
/// `block_on_close` first waits for the client to leave, as Python's does; the test
/// checks it is still running, then closes the client and expects the exit.
#[test]
fn first_contact_ctrl_c_while_serving_a_client() {
    for row in EXAMPLES.iter().filter(|r| r.ctrl_c != Runs) {
        let what = format!("{} {:?}", row.name, row.args);
        eprintln!("first contact, Ctrl-C: {what}");
        let path = std::env::temp_dir()
            .join(format!(
                "first-contact-ctrl-c-{}.{}",
                row.name,
                std::process::id()
            ))
            .display()
            .to_string();
        let on = if row.listens == UnixPath {
            path.as_str()
        } else {
            "0"
        };
        let args = row.args_with(on);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let trace: &[(&str, &str)] = if row.client == HalfRequest {
            &[("SOCKETSERVER_TRACE", "1")]
        } else {
            &[]
        };
        let mut server = Running::start_built(built(row.name), &args, trace);
        let port = if row.listens == UnixPath {
            while !server.line().starts_with("Serving") {}
            0
        } else {
            server.port_within(BUILD_TIMEOUT)
        };
        let client = connect_client(row, &server, port, &path);
        while server.lines.try_recv().is_ok() {} // the rest of the banner

        server.ctrl_c();
        // What is left of the banner, then the line.
        let said = server.lines_up_to(KEYBOARD_INTERRUPT);
        assert!(ends_with_the_line(&said), "{what}: {said:?}");
        if row.ctrl_c == WaitsForTheClient {
            let Connected::Stream(mut stream) = client else {
                panic!("{what}: a server that waits for its client has one")
            };
            still_served(row, &mut *stream);
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("{what}: it does not wait for its client: {status}");
            }
            drop(stream);
            let rest = server.rest_of_stdout();
            assert_eq!(
                rest,
                Some(vec![]),
                "{what}: exits once the client leaves, silently"
            );
        } else {
            let rest = server.rest_of_stdout();
            assert_eq!(rest, Some(vec![]), "{what}: exits after the one line");
            if let Connected::Stream(mut stream) = client {
                // The end of the connection (or a reset, for what the handler had not
                // read), not the read timeout: nothing holds it any more.
                let ended = stream.read_to_end(&mut Vec::new());
                assert!(
                    ended.as_ref().map_or_else(
                        |e| !matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ),
                        |_| true
                    ),
                    "{what}: the connection is still held ({ended:?})"
                );
            }
        }
        let status = server.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{what}: {status}");
        let stderr = server.stderr();
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(!stderr.contains("Exception occurred"), "{what}: {stderr}");
        let _ = std::fs::remove_file(&path);
    }
}

/// A second Ctrl-C while the server waits for a request thread's client ends the
/// process at once, as Python's second `KeyboardInterrupt` does during that join:
/// here by SIGINT, as Python's interpreter ends after an uncaught one.
#[test]
fn a_second_ctrl_c_ends_a_server_waiting_for_its_client() {
    let mut server = Running::start("blocking_threading_forking", &["threading", "0"], &[]);
    let port = server.port();
    let mut client = connect(port);
    client.write_all(b"x\n").unwrap();
    read_line(&mut BufReader::new(&client));
    server.ctrl_c();
    let said = server.lines_up_to(KEYBOARD_INTERRUPT);
    assert!(ends_with_the_line(&said), "{said:?}");
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "waits for the client"
    );
    server.ctrl_c();
    assert_eq!(server.rest_of_stdout(), Some(vec![]), "no second line");
    let status = server.child.wait().unwrap();
    assert_eq!(status.signal(), Some(nix::libc::SIGINT), "{status}");
}

/// A server that closes its connections first leaves them in TIME_WAIT on its port;
/// the examples a chapter restarts set `allow_reuse_address`, so the next start on
/// the same port succeeds at once: the threading chapter's own sequence.
#[test]
fn daemon_threads_restarts_at_once_on_the_same_port() {
    let first = Running::start("daemon_threads", &["0"], &[]);
    let port = first.port();
    let mut reply = String::new();
    connect(port).read_to_string(&mut reply).unwrap(); // the server closes first
    assert_eq!(reply.lines().count(), 10, "{reply}");
    first.wait();
    let second = Running::start(
        "daemon_threads",
        &["--no-block-on-close", &port.to_string()],
        &[],
    );
    assert_eq!(second.port(), port, "the second start took the port");
    let mut reply = String::new();
    connect(port).read_to_string(&mut reply).unwrap();
    second.wait();
}
