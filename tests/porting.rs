//! The chapter "Porting your own Python server": each program of `examples/porting/`
//! runs twice, once as the Python original (`python3 examples/porting/NAME.py 0 …`)
//! and once as its Rust port (the example `porting_NAME`), and the same clients talk
//! to both. What the clients see must be the same bytes (HTTP answers after blanking
//! `Date` and the version word of `Server`), and what the servers log must be the
//! same lines (after blanking the time of an access-log line).
//!
//! Also here: the two helpers the ports use, `int` and `read`, against Python's, and
//! the chapter's table of line counts against the files.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use socketserver::socket2::{Domain, SockAddr, Socket, Type};

mod common;

use common::differential::{exchange, normalise};
use common::process::ServerProcess;

/// Bounds every read of a client and every wait for a server's log.
const TIMEOUT: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One of the two servers of a pair, killed when dropped (by `ServerProcess`), with
/// its stderr read line by line into a channel.
struct Server {
    process: ServerProcess,
    log: mpsc::Receiver<String>,
}

impl Server {
    fn start(mut command: Command) -> Server {
        command.current_dir(root());
        let mut process = ServerProcess::start_with_stderr(command, Stdio::piped());
        let log = common::lines_of(process.child.stderr.take().unwrap());
        Server { process, log }
    }

    /// The Python program `examples/porting/NAME.py` on a free port.
    fn python(name: &str, args: &[&str]) -> Server {
        let mut command = Command::new("python3");
        command.arg(format!("examples/porting/{name}.py")).arg("0");
        command.args(args);
        Server::start(command)
    }

    /// Its port, the example `porting_NAME`, on a free port.
    fn rust(name: &str, args: &[&str]) -> Server {
        let mut command = Command::new(common::example(&format!("porting_{name}")));
        command.arg("0").args(args);
        Server::start(command)
    }

    fn port(&self) -> u16 {
        self.process.port
    }

    /// Waits (at most `TIMEOUT`) until the server has logged `lines` lines, stops it,
    /// and returns everything it logged, each line normalised.
    fn stop(mut self, lines: usize) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        let mut logged = Vec::new();
        while logged.len() < lines {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => logged.push(line),
                Err(_) => break, // the comparison shows what is missing
            }
        }
        let _ = self.process.child.kill();
        let _ = self.process.child.wait();
        // The pipe ends with the process (or with the last child a forking server
        // left, which ends after one datagram).
        while let Ok(line) = self.log.recv_timeout(TIMEOUT) {
            logged.push(line);
        }
        logged.iter().map(|line| normalise_log(line)).collect()
    }
}

/// Blanks the time of an access-log line: `127.0.0.1 - - [26/Nov/2026 12:00:00] …`.
fn normalise_log(line: &str) -> String {
    match (line.find(" - - ["), line.find("] ")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}<time>{}", &line[..start + 6], &line[end..])
        }
        _ => line.to_string(),
    }
}

/// Runs `clients` against the Python program and against its port, each started
/// with `args`, and asserts that the clients saw the same and the servers logged the
/// same `log_lines` lines. Returns what the clients saw and the log, for the caller
/// to check against what the program is meant to do.
fn run_pair<T: PartialEq + std::fmt::Debug>(
    name: &str,
    args: &[&str],
    log_lines: usize,
    clients: impl Fn(u16) -> T,
) -> (T, Vec<String>) {
    let python = Server::python(name, args);
    let seen_by_python = clients(python.port());
    let python_log = python.stop(log_lines);
    let rust = Server::rust(name, args);
    let seen_by_rust = clients(rust.port());
    let rust_log = rust.stop(log_lines);
    assert_eq!(seen_by_rust, seen_by_python, "{name}: the clients saw");
    assert_eq!(rust_log, python_log, "{name}: the servers logged");
    assert_eq!(python_log.len(), log_lines, "{name}: {python_log:#?}");
    (seen_by_python, python_log)
}

/// An HTTP exchange, normalised, as text for readable failures.
fn http(port: u16, request: &str) -> String {
    String::from_utf8_lossy(&normalise(&exchange(port, request.as_bytes()))).into_owned()
}

#[test]
fn porting_kv_store_matches_python() {
    let requests = [
        "GET /a HTTP/1.0\r\n\r\n",
        "PUT /a HTTP/1.0\r\nContent-Length: 8\r\n\r\n{\"n\": 1}",
        "GET /a HTTP/1.0\r\n\r\n",
        "PUT /b HTTP/1.0\r\nContent-Length:  22 \r\n\r\n{\"\u{e9}\": [1, 2.5, null]}",
        "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "PUT /c HTTP/1.0\r\nContent-Length: 5\r\n\r\n{nope",
        "PUT /d HTTP/1.0\r\n\r\n",
        "DELETE /a HTTP/1.0\r\n\r\n",
        "DELETE /a HTTP/1.0\r\n\r\n",
        "GET /a HTTP/1.0\r\n\r\n",
        "HEAD /b HTTP/1.0\r\n\r\n",
    ];
    let (answers, log) = run_pair("kv_store", &[], 17, |port| {
        requests.iter().map(|r| http(port, r)).collect::<Vec<_>>()
    });
    let expected = [
        (0, "HTTP/1.0 404 Not Found\r\n"),
        (1, "HTTP/1.0 204 No Content\r\n"),
        (5, "HTTP/1.0 400 Invalid JSON\r\n"),
        (6, "HTTP/1.0 400 Invalid JSON\r\n"),
        (7, "HTTP/1.0 204 "),
        (8, "HTTP/1.0 404 "),
        (10, "HTTP/1.0 501 "),
    ];
    for (i, status) in expected {
        assert!(answers[i].starts_with(status), "{}", answers[i]);
    }
    assert!(answers[2].ends_with("\r\n\r\n{\"n\": 1}"), "{}", answers[2]);
    assert!(answers[4].ends_with("[1, 2.5, null]}"), "{}", answers[4]);
    assert_eq!(log[1], "127.0.0.1 - - [<time>] \"GET /a HTTP/1.0\" 404 -");
}

/// A client that sends `lines`, closes its side, and reads the answer to the end:
/// from `source`, one of loopback's addresses.
fn talk(port: u16, source: &str, lines: &str) -> String {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let source: std::net::SocketAddr = format!("{source}:0").parse().unwrap();
    socket.bind(&SockAddr::from(source)).unwrap();
    let server: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    socket.connect(&SockAddr::from(server)).unwrap();
    let mut stream = TcpStream::from(socket);
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    // A refused client may find the connection closed (reset) under it already.
    let _ = stream.write_all(lines.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("reading the answer: {e}"),
    }
    String::from_utf8(answer).unwrap()
}

#[test]
fn porting_guarded_tcp_matches_python() {
    let (answers, log) = run_pair("guarded_tcp", &[], 3, |port| {
        [
            talk(port, "127.0.0.1", "hello\nworld\n"),
            // The handler fails on "boom": the lines before it were answered.
            talk(port, "127.0.0.1", "one\nboom\n"),
            // The server goes on; service_actions has reported the error by now.
            talk(port, "127.0.0.1", "again\n"),
            // Not on the allow-list: verify_request refuses, nothing is answered.
            talk(port, "127.0.0.2", "let me in\n"),
        ]
    });
    assert_eq!(answers, ["HELLO\nWORLD\n", "ONE\n", "AGAIN\n", ""]);
    assert_eq!(
        log,
        [
            "127.0.0.1: ConnectionAbortedError: boom",
            "1 error(s) so far",
            "refused 127.0.0.2",
        ]
    );
}

/// A fresh directory with a file and a subdirectory, and two log files beside it.
fn cors_tree() -> PathBuf {
    let top = std::env::temp_dir().join(format!("porting-cors-{}", std::process::id()));
    let _ = fs::remove_dir_all(&top);
    fs::create_dir_all(top.join("site/sub")).unwrap();
    fs::write(top.join("site/hello.txt"), "Hello, world\n").unwrap();
    fs::write(top.join("site/sub/data.json"), "{\"n\": 1}\n").unwrap();
    top
}

#[test]
fn porting_cors_files_matches_python() {
    let top = cors_tree();
    let site = top.join("site");
    let requests = [
        "GET / HTTP/1.0\r\n\r\n",
        "GET /hello.txt HTTP/1.0\r\n\r\n",
        "HEAD /hello.txt HTTP/1.0\r\n\r\n",
        "GET /missing HTTP/1.0\r\n\r\n",
        "GET /sub HTTP/1.0\r\n\r\n",
        "GET /sub/ HTTP/1.0\r\n\r\n",
        "GET /sub/data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ];
    let mut runs = Vec::new();
    for which in ["python", "rust"] {
        let log_file = top.join(format!("{which}.log"));
        let args = [site.to_str().unwrap(), log_file.to_str().unwrap()];
        let server = match which {
            "python" => Server::python("cors_files", &args),
            _ => Server::rust("cors_files", &args),
        };
        let answers: Vec<String> = requests.iter().map(|r| http(server.port(), r)).collect();
        let stderr = server.stop(0);
        let log: Vec<String> = fs::read_to_string(&log_file)
            .unwrap()
            .lines()
            .map(normalise_log)
            .collect();
        runs.push((answers, stderr, log));
    }
    let rust = runs.pop().unwrap();
    let python = runs.pop().unwrap();
    fs::remove_dir_all(&top).unwrap();
    assert_eq!(rust.0, python.0, "cors_files: the clients saw");
    assert_eq!(rust.2, python.2, "cors_files: the log files");
    let (answers, stderr, log) = python;
    assert!(stderr.is_empty(), "the log goes to the file: {stderr:?}");
    for answer in &answers {
        assert!(
            answer.contains("\r\nAccess-Control-Allow-Origin: *\r\n\r\n"),
            "{answer}"
        );
    }
    let (file, missing, moved) = (&answers[1], &answers[3], &answers[4]);
    assert!(file.ends_with("\r\n\r\nHello, world\n"), "{file}");
    assert!(
        missing.starts_with("HTTP/1.0 404 File not found\r\n"),
        "{missing}"
    );
    assert!(moved.contains("\r\nLocation: /sub/\r\n"), "{moved}");
    assert_eq!(log.len(), 8, "{log:#?}"); // the 404 logs two lines
    assert_eq!(log[0], "127.0.0.1 - - [<time>] \"GET / HTTP/1.0\" 200 -");
}

/// A chat client: connects, sends its name, and reads lines with a timeout.
struct ChatClient {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl ChatClient {
    fn join(port: u16, name: &str) -> ChatClient {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        let mut client = ChatClient { stream, reader };
        client.say(name);
        client
    }

    fn say(&mut self, line: &str) {
        writeln!(self.stream, "{line}").unwrap();
    }

    fn hear(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line
    }
}

#[test]
fn porting_chat_matches_python() {
    let (heard, log) = run_pair("chat", &[], 4, |port| {
        let mut heard = BTreeMap::<&str, Vec<String>>::new();
        let mut alice = ChatClient::join(port, "alice");
        heard.entry("alice").or_default().push(alice.hear());
        let mut bob = ChatClient::join(port, "bob");
        heard.entry("bob").or_default().push(bob.hear());
        heard.entry("alice").or_default().push(alice.hear());
        alice.say("hi bob");
        heard.entry("bob").or_default().push(bob.hear());
        bob.say("hello");
        heard.entry("alice").or_default().push(alice.hear());
        drop(bob);
        heard.entry("alice").or_default().push(alice.hear());
        heard
    });
    assert_eq!(
        heard["alice"],
        [
            "welcome alice, 1 online\n",
            "* bob joined\n",
            "bob: hello\n",
            "* bob left\n"
        ]
    );
    assert_eq!(heard["bob"], ["welcome bob, 2 online\n", "alice: hi bob\n"]);
    assert_eq!(
        log,
        [
            "alice joined from 127.0.0.1",
            "bob joined from 127.0.0.1",
            "bob left",
            "alice left"
        ]
    );
}

/// Sends each datagram and waits for its echo; returns the lengths and contents.
fn echo_datagrams(port: u16) -> Vec<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut replies = Vec::new();
    for datagram in [b"hello".to_vec(), Vec::new(), vec![b'x'; 9000]] {
        socket.send_to(&datagram, ("127.0.0.1", port)).unwrap();
        let mut buf = vec![0; 65536];
        let n = socket.recv(&mut buf).unwrap();
        buf.truncate(n);
        replies.push(buf);
    }
    replies
}

#[test]
fn porting_udp_echo_matches_python() {
    for mode in [&[][..], &["--forking"][..]] {
        let (replies, log) = run_pair("udp_echo", mode, 3, echo_datagrams);
        assert_eq!(replies[0], b"hello");
        assert!(replies[1].is_empty());
        // UDPServer.max_packet_size: the rest of the datagram is dropped.
        assert_eq!(replies[2], vec![b'x'; 8192]);
        assert_eq!(
            log,
            [
                "5 bytes from 127.0.0.1",
                "0 bytes from 127.0.0.1",
                "8192 bytes from 127.0.0.1"
            ]
        );
    }
}

/// `builtins::int` is Python's `int()` of a `str`, within `i64` and ASCII digits.
#[test]
fn porting_int_matches_python() {
    use socketserver::http::server::builtins::int;
    // One case a line, between the bars.
    let corpus: Vec<&str> = "0|12| 12 |\t7\r\n|+5|-5|007|1_000|1__0|_1|1_|| |+|-|- 1|0x10|1.5|1e3\
        |ten|12abc|\u{a0}3\u{a0}|9223372036854775807"
        .split('|')
        .collect();
    let code = "import sys\nfor a in sys.argv[1:]:\n    try: print(int(a))\n    except ValueError as e: print('ValueError:', e)";
    let output = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(&corpus)
        .output()
        .expect("python3");
    assert!(output.status.success());
    let theirs = String::from_utf8(output.stdout).unwrap();
    let ours: String = corpus
        .iter()
        .map(|text| match int(text) {
            Ok(n) => format!("{n}\n"),
            Err(e) => format!("ValueError: {e}\n"),
        })
        .collect();
    assert_eq!(ours, theirs);
}

/// `message::read` is Python's `BufferedReader.read(n)`, negative `n` included.
#[test]
fn porting_read_matches_python() {
    use socketserver::http::server::message::read;
    let code = "import io, sys\nfor n in sys.argv[1:]:\n    f = io.BufferedReader(io.BytesIO(b'0123456789'))\n    try: print(f.read(int(n)).decode())\n    except ValueError as e: print('ValueError:', e)";
    let lengths = ["0", "4", "10", "100", "-1", "-7"];
    let output = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(lengths)
        .output()
        .expect("python3");
    assert!(output.status.success());
    let theirs = String::from_utf8(output.stdout).unwrap();
    let ours: String = lengths
        .iter()
        .map(|n| {
            let mut file = std::io::Cursor::new(b"0123456789".to_vec());
            match read(&mut file, n.parse().unwrap()) {
                Ok(data) => format!("{}\n", String::from_utf8(data).unwrap()),
                Err(e) => format!("ValueError: {e}\n"),
            }
        })
        .collect();
    assert_eq!(ours, theirs);
}

// --- The chapter's table of line counts -------------------------------------------

/// The counting rule the chapter states: a line counts unless it is blank or a
/// comment (`#` in Python; `//`, `///`, `//!` in Rust). With `closing` false, a Rust
/// line that only closes brackets (`}`, `});`, `)?;`) does not count either.
fn count(path: &Path, closing: bool) -> usize {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("//"))
        .filter(|line| {
            closing
                || !line
                    .trim_end_matches([';', ',', '?'])
                    .chars()
                    .all(|c| matches!(c, '}' | ')' | ']'))
        })
        .count()
}

/// The ratio as the chapter prints it: two decimals.
fn ratio(rust: usize, python: usize) -> String {
    format!("{:.2}", rust as f64 / python as f64)
}

#[test]
fn porting_chapter_line_counts_are_the_real_counts() {
    let chapter = fs::read_to_string(root().join("book/src/porting.md")).unwrap();
    let programs = ["kv_store", "guarded_tcp", "cors_files", "chat", "udp_echo"];
    let (mut python_total, mut rust_total, mut open_total) = (0, 0, 0);
    let mut expected = Vec::new();
    for name in programs {
        let dir = root().join("examples/porting");
        let python = count(&dir.join(format!("{name}.py")), true);
        let rust = count(&dir.join(format!("{name}.rs")), true);
        let open = count(&dir.join(format!("{name}.rs")), false);
        python_total += python;
        rust_total += rust;
        open_total += open;
        expected.push(format!(
            "| `{name}` | {python} | {rust} | {} | {open} | {} |",
            ratio(rust, python),
            ratio(open, python)
        ));
    }
    expected.push(format!(
        "| all five | {python_total} | {rust_total} | {} | {open_total} | {} |",
        ratio(rust_total, python_total),
        ratio(open_total, python_total)
    ));
    for row in &expected {
        assert!(
            chapter.lines().any(|line| line == row),
            "book/src/porting.md has no row\n{row}\n(the counts are now:\n{})",
            expected.join("\n")
        );
    }
}

/// Every `(#id)` link of the chapter names one of its headings, by mdBook's rule for
/// a heading's id (lower case, spaces to `-`, only letters, digits, `_` and `-` kept).
/// The book's own check follows links to files; this one follows the chapter's
/// links within itself.
#[test]
fn porting_chapter_links_name_its_headings() {
    let chapter = fs::read_to_string(root().join("book/src/porting.md")).unwrap();
    let ids: Vec<String> = chapter
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(|heading| {
            heading
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
                    c if c.is_whitespace() => Some('-'),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let mut links = 0;
    for (i, _) in chapter.match_indices("](#") {
        let id = &chapter[i + 3..];
        let id = &id[..id.find(')').unwrap()];
        assert!(ids.iter().any(|h| h == id), "no heading has the id {id}");
        links += 1;
    }
    assert!(links >= 20, "only {links} links within the chapter");
}
