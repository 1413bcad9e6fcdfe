//! Every example, run as a reader runs it: the real binary, its real output, a real
//! client. Each server binds port 0 (or a temporary path) on loopback, says where on
//! stdout, and is killed at the end of its test.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;
use common::example;

const TIMEOUT: Duration = Duration::from_secs(30);

/// A running example and the lines it has printed so far.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Option<std::process::ChildStderr>,
}

impl Running {
    fn start(name: &str, args: &[&str], envs: &[(&str, &str)]) -> Running {
        let mut child = Command::new(example(name))
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if send.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take();
        Running {
            child,
            lines,
            stderr,
        }
    }

    /// The next line of stdout, waiting at most `TIMEOUT`.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(TIMEOUT)
            .expect("the example printed nothing in time")
    }

    /// Reads the banner up to the line naming the port, and returns the port.
    fn port(&self) -> u16 {
        loop {
            let line = self.line();
            if let Some(rest) = line.split(" port ").nth(1) {
                return rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        }
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

    /// Everything the example wrote on stderr (it has exited).
    fn stderr(&mut self) -> String {
        let mut stderr = String::new();
        self.stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        stderr
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

/// A newcomer's mistakes get one clear line and an exit status, never a panic:
/// `--help` (the usage line, status 0, as argparse), a bad argument (status 2, the
/// usage line), and a port another program holds (status 1, the reason).
#[test]
fn a_bad_argument_or_a_taken_port_gets_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("tcp_echo", &["notaport"], &[&port]),
        ("udp_echo", &["notaport"], &[]),
        ("timelines", &["mixins", "spinning"], &[]),
        ("slow_clients", &["--bogus"], &[]),
        ("unix_echo", &["--bogus"], &[]),
        ("tiny_http_hello", &["99999"], &[]),
        ("tiny_http_files", &["99999"], &[]),
        (
            "blocking_threading_forking",
            &["spinning"],
            &["threading", &port],
        ),
        ("daemon_threads", &["--daemon"], &[&port]),
        ("http_get_post", &["notaport"], &[&port]),
        ("http_keep_alive", &["notaport"], &[&port]),
        ("hello_server", &["--workers"], &[&port]),
        ("std_hello", &["notaport"], &[&port]),
        ("tiny_http_hello", &["--workers", "many"], &[&port]),
        ("tiny_http_files", &["--directory"], &[&port]),
        (
            "proxy",
            &["--bind", "127.0.0.1", "--port-is-positional"],
            &[&port],
        ),
        (
            "http_server",
            &["--protocol", "HTTP/2"],
            &["--bind", "127.0.0.1", &port],
        ),
    ];
    for (name, bad, busy) in cases {
        let help = Command::new(example(name)).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        assert_eq!(help.status.code(), Some(0), "{name} --help: {text}");
        assert!(
            text.to_lowercase().contains("usage:"),
            "{name} --help: {text}"
        );
        let output = Command::new(example(name)).args(*bad).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name} {bad:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name} {bad:?}: {stderr}");
        if busy.is_empty() {
            continue; // UDP: a datagram socket may share nothing with a TCP port
        }
        let output = Command::new(example(name)).args(*busy).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name} {busy:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name} {busy:?}: {stderr}");
        assert!(
            stderr.contains("already in use"),
            "{name} {busy:?}: {stderr}"
        );
    }
}

/// Ctrl-C, with a client connected (its handler busy, in a forked child for the
/// forking server): the process says `python -m http.server`'s line once, exits with
/// status 0, and leaves no child behind.
#[test]
fn ctrl_c_ends_a_busy_server_with_one_line() {
    for (name, args) in [
        ("tcp_echo", &["0"][..]),
        ("blocking_threading_forking", &["blocking", "0"][..]),
        ("blocking_threading_forking", &["forking", "0"][..]),
        ("daemon_threads", &["0"][..]),
        ("hello_server", &["0", "--pool"][..]),
    ] {
        let mut server = Running::start(name, args, &[]);
        let port = server.port();
        let mut client = connect(port);
        client.write_all(b"x\n").unwrap();
        let mut first = [0; 1];
        client.read_exact(&mut first).unwrap(); // the handler is at work
        // A terminal sends Ctrl-C to the whole process group: here the server and
        // its children are the group of one process, so send it to each of them.
        let group = server.child.id();
        let children = std::fs::read_to_string(format!("/proc/{group}/task/{group}/children"))
            .unwrap_or_default();
        for pid in
            std::iter::once(group.to_string()).chain(children.split_whitespace().map(String::from))
        {
            let pid = nix::unistd::Pid::from_raw(pid.parse().unwrap());
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
        }
        let mut said = Vec::new();
        while let Ok(line) = server.lines.recv_timeout(TIMEOUT) {
            said.push(line);
        }
        assert!(
            said.ends_with(&[
                String::new(),
                "Keyboard interrupt received, exiting.".to_string()
            ]),
            "{name} {args:?}: {said:?}"
        );
        let status = server.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{name} {args:?}");
        let mut rest = Vec::new();
        // The end of the connection (or a reset, for the bytes the handler had not
        // read yet), not the read timeout: no child still holds it.
        let ended = client.read_to_end(&mut rest);
        assert!(
            ended.as_ref().map_or_else(
                |e| !matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ),
                |_| true
            ),
            "{name} {args:?}: still held ({ended:?})"
        );
        let stderr = server.stderr();
        assert!(!stderr.contains("panicked"), "{name} {args:?}: {stderr}");
    }
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
