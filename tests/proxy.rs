//! `examples/proxy.rs` against real clients (curl, Python's urllib, and raw sockets
//! speaking as a client would) and origins started here: the port's `http_server`,
//! CPython's `http.server` on HTTP/1.0 and HTTP/1.1, and small origins written in
//! this file (an echo, one that says `100 Continue` first, one that answers without a
//! body and keeps its connection, a silent one, one that hangs up). All on loopback;
//! every wait bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::{Duration, Instant};

mod common;

const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client waits for an answer that should come at once.
const PROMPT: Duration = Duration::from_secs(10);
const BIG: usize = 50 << 20;
/// An upload large enough for curl to send `Expect: 100-continue` (over 1 MiB).
const UPLOAD: usize = 2 << 20;

use common::process::ServerProcess as Process;

/// The proxy's access log (its stderr), line by line as it arrives.
#[derive(Clone, Default)]
struct Log(Arc<(Mutex<Vec<String>>, Condvar)>);

impl Log {
    fn read_from(stderr: impl Read + Send + 'static) -> Log {
        let log = Log::default();
        let writer = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let (lines, arrived) = &*writer.0;
                lines.lock().unwrap().push(line);
                arrived.notify_all();
            }
        });
        log
    }

    /// Waits (at most [`PROMPT`]) for a line containing `text`; all the lines so far.
    fn wait_for(&self, text: &str) -> Vec<String> {
        let (lines, arrived) = &*self.0;
        let (lines, _) = arrived
            .wait_timeout_while(lines.lock().unwrap(), PROMPT, |lines| {
                !lines.iter().any(|line| line.contains(text))
            })
            .unwrap();
        assert!(
            lines.iter().any(|line| line.contains(text)),
            "no log line with {text:?} in:\n{}",
            lines.join("\n")
        );
        lines.clone()
    }

    /// The log has `"REQUEST LINE" CODE` for `request` (method and URL), and no line
    /// anywhere logs an interim 100 as if it were the answer.
    fn assert_final(&self, request: &str, code: u16) {
        let lines = self.wait_for(&format!("\"{request} HTTP/"));
        let line = lines
            .iter()
            .find(|line| line.contains(&format!("\"{request} HTTP/")))
            .unwrap();
        assert!(line.contains(&format!("\" {code} ")), "{line}");
        assert!(
            !lines.iter().any(|line| line.contains("\" 100 ")),
            "a 100 was logged as a final status:\n{}",
            lines.join("\n")
        );
    }
}

/// The proxy process and its log.
struct Proxy {
    process: Process,
    log: Log,
}

impl Deref for Proxy {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.process
    }
}

impl Proxy {
    /// `http://127.0.0.1:PORT`, for `curl -x` and urllib.
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The proxy, on a free port, with `args`.
fn proxy(args: &[&str]) -> Proxy {
    let mut command = Command::new(common::example("proxy"));
    command.arg("0").args(args);
    let mut process = Process::start_with_stderr(command, Stdio::piped());
    let log = Log::read_from(process.child.stderr.take().unwrap());
    Proxy { process, log }
}

/// `(threads, open descriptors)` of a process.
fn resources(process: &Process) -> (u64, usize) {
    let fds = std::fs::read_dir(format!("/proc/{}/fd", process.child.id()))
        .unwrap()
        .count();
    (process.status("Threads:"), fds)
}

/// A directory with `hello.txt`, a 50 MiB `big.bin` and a 2 MiB `upload.bin`,
/// shared by the tests.
fn origin_directory() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("proxy-origin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hello.txt"), b"Hello, world\n").unwrap();
        std::fs::write(dir.join("big.bin"), big_data()).unwrap();
        std::fs::write(dir.join("upload.bin"), upload_data()).unwrap();
        dir
    })
}

/// `n` bytes that are not all alike, so that a byte out of place shows.
fn pattern(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn big_data() -> Vec<u8> {
    pattern(BIG)
}

fn upload_data() -> Vec<u8> {
    pattern(UPLOAD).into_iter().rev().collect()
}

/// `@PATH` of the 2 MiB upload, for curl's `--data-binary`.
fn upload_file() -> String {
    format!("@{}", origin_directory().join("upload.bin").display())
}

fn port_origin() -> Process {
    let program = common::example("http_server");
    Process::start(common::process::port_http_server(
        &program,
        "HTTP/1.1",
        origin_directory(),
    ))
}

/// `python3 -m http.server` as it starts by default: HTTP/1.0.
fn python_origin() -> Process {
    Process::start(common::process::python_http_server(
        "HTTP/1.0",
        origin_directory(),
    ))
}

/// `python3 -m http.server --protocol HTTP/1.1`.
fn python_origin_11() -> Process {
    Process::start(common::process::python_http_server(
        "HTTP/1.1",
        origin_directory(),
    ))
}

/// The three `http.server`s, each with the protocol version it answers in.
fn http_server_origins() -> [(&'static str, Process); 3] {
    [
        ("port http_server HTTP/1.1", port_origin()),
        ("CPython http.server HTTP/1.0", python_origin()),
        ("CPython http.server HTTP/1.1", python_origin_11()),
    ]
}

/// The `Via` version a response from each of [`http_server_origins`] gets.
fn origin_version(name: &str) -> &'static str {
    if name.ends_with("HTTP/1.0") {
        "1.0"
    } else {
        "1.1"
    }
}

/// An origin in a thread: each connection gets `answer(request head, body)`.
fn thread_origin(answer: fn(&str, &[u8], &mut TcpStream)) -> u16 {
    thread_origin_with("", answer)
}

/// [`thread_origin`], writing `interim` (e.g. a `100 Continue`) as soon as it has
/// read the request's head, before it reads the body.
fn thread_origin_with(interim: &'static str, answer: fn(&str, &[u8], &mut TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                stream.set_read_timeout(Some(TIMEOUT)).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                if !interim.is_empty() {
                    let _ = stream.write_all(interim.as_bytes());
                }
                let mut body = Vec::new();
                let lower = head.to_ascii_lowercase();
                if let Some(i) = lower.find("content-length:") {
                    let n: usize = lower[i + 15..]
                        .lines()
                        .next()
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap();
                    body.resize(n, 0);
                    let _ = reader.read_exact(&mut body);
                } else if lower.contains("transfer-encoding: chunked") {
                    loop {
                        let mut size = String::new();
                        reader.read_line(&mut size).unwrap();
                        let n = usize::from_str_radix(size.trim(), 16).unwrap();
                        let mut chunk = vec![0; n + 2];
                        reader.read_exact(&mut chunk).unwrap();
                        if n == 0 {
                            break;
                        }
                        body.extend_from_slice(&chunk[..n]);
                    }
                }
                answer(&head, &body, &mut stream);
            });
        }
    });
    port
}

/// Answers with what it received: the request head, then the body.
fn echo(head: &str, body: &[u8], stream: &mut TcpStream) {
    let reply = [head.as_bytes(), b"\n", body].concat();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    );
    let _ = stream.write_all(&reply);
}

/// The echo origin, and one that answers `100 Continue` before it reads the body
/// (whether or not the request asked), as many servers do.
fn echo_origins() -> [(&'static str, u16); 2] {
    [
        ("echo", thread_origin(echo)),
        (
            "echo after 100 Continue",
            thread_origin_with("HTTP/1.1 100 Continue\r\n\r\n", echo),
        ),
    ]
}

/// An origin that answers without a body, as HTTP says for `HEAD`, 204 and 304, and
/// keeps its connection open (it says nothing of closing it), with stray bytes after
/// the head that are not a body; `/two-lengths` gets a 200 with two differing
/// `Content-Length`s.
fn bodiless(head: &str, _: &[u8], stream: &mut TcpStream) {
    let answer = if head.starts_with("HEAD ") {
        "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n"
    } else if head.starts_with("GET /204 ") {
        "HTTP/1.1 204 No Content\r\n\r\n"
    } else if head.starts_with("GET /304 ") {
        "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 100\r\n\r\n"
    } else if head.starts_with("GET /two-lengths ") {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        return;
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    };
    let _ = stream.write_all(format!("{answer}JUNK").as_bytes());
    // Hold the connection until the proxy lets it go (bounded by the read timeout).
    let _ = stream.read_to_end(&mut Vec::new());
}

fn curl(args: &[&str]) -> (bool, Vec<u8>) {
    let output = Command::new("curl")
        .args(["-s", "--max-time", "30"])
        .args(args)
        .output()
        .unwrap();
    (output.status.success(), output.stdout)
}

/// What curl saw through the proxy: its exit status, the bodies it wrote, every
/// response head it read (interim ones included, from `-D`), and how long it took.
struct Curl {
    ok: bool,
    body: Vec<u8>,
    heads: String,
    elapsed: Duration,
}

impl Curl {
    /// The status codes of the heads, in order: `[100, 200]` for an upload that
    /// waited for `100 Continue`.
    fn statuses(&self) -> Vec<u16> {
        self.heads
            .lines()
            .filter(|line| line.starts_with("HTTP/"))
            .filter_map(|line| line.split(' ').nth(1)?.parse().ok())
            .collect()
    }

    /// The last head curl read: the final answer's.
    fn final_head(&self) -> &str {
        let start = self.heads.rfind("HTTP/").unwrap_or(0);
        &self.heads[start..]
    }

    fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `curl -x PROXY ARGS`, bounded by `--max-time 30`.
fn curl_through(proxy: &Proxy, args: &[&str]) -> Curl {
    let started = Instant::now();
    let output = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "30",
            "-D",
            "/dev/stderr",
            "-x",
            &proxy.url(),
        ])
        .args(args)
        .output()
        .unwrap();
    Curl {
        ok: output.status.success(),
        body: output.stdout,
        heads: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// The values of every `name` header in `head`, joined as one list.
fn header(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends raw bytes to the proxy and reads to the end.
fn raw(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// One response as a client reads it: the head (status line and headers) and the
/// body, framed by the head.
struct Response {
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn status(&self) -> u16 {
        self.head.split(' ').nth(1).unwrap().parse().unwrap()
    }

    fn header(&self, name: &str) -> String {
        header(&self.head, name)
    }

    fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection to the proxy, kept open across requests; every read bounded
/// by [`PROMPT`].
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(PROMPT)).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Client { stream, reader }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn line(&mut self) -> String {
        let mut line = Vec::new();
        self.reader
            .read_until(b'\n', &mut line)
            .expect("the proxy answers in time");
        String::from_utf8_lossy(&line).into_owned()
    }

    /// Reads one response, interim or final; `no_body` for the answer to a `HEAD`.
    fn response(&mut self, no_body: bool) -> Response {
        let mut head = String::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "closed after {head:?}");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1."), "not a status line: {head:?}");
        let mut response = Response {
            head,
            body: Vec::new(),
        };
        let code = response.status();
        if no_body || code < 200 || code == 204 || code == 304 {
            return response;
        }
        if response.header("Transfer-Encoding").ends_with("chunked") {
            loop {
                let size = usize::from_str_radix(self.line().trim(), 16).expect("a chunk size");
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).expect("a whole chunk");
                if size == 0 {
                    break;
                }
                response.body.extend_from_slice(&chunk[..size]);
            }
        } else if let Ok(length) = response.header("Content-Length").parse::<usize>() {
            response.body.resize(length, 0);
            self.reader
                .read_exact(&mut response.body)
                .expect("the whole body");
        } else {
            self.reader
                .read_to_end(&mut response.body)
                .expect("the body, to the close");
        }
        response
    }

    /// Reads the final response, skipping interim ones; also returns how many
    /// `100 Continue`s came before it.
    fn final_response(&mut self, no_body: bool) -> (usize, Response) {
        let mut continues = 0;
        loop {
            let response = self.response(no_body);
            match response.status() {
                100 => continues += 1,
                101..200 => {}
                _ => return (continues, response),
            }
        }
    }

    /// The proxy closed the connection (an end of file, or a reset, within the
    /// bound), with nothing more sent.
    fn is_closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => rest.is_empty(),
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

/// `POST URL HTTP/1.1` with `headers` and `body` (framed by the headers given).
fn post(url: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    [
        format!("POST {url} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").as_bytes(),
        body,
    ]
    .concat()
}

/// A body as chunks of at most `size` bytes.
fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// What the echo origin got: its request head, and the body.
fn echoed(reply: &[u8]) -> (String, &[u8]) {
    let end = reply
        .windows(3)
        .position(|w| w == b"\r\n\n")
        .expect("an echoed head");
    (
        String::from_utf8_lossy(&reply[..end + 2]).into_owned(),
        &reply[end + 3..],
    )
}

#[test]
fn curl_through_the_proxy_get_head_post_and_50_mib() {
    let proxy = proxy(&[]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    for (version, origin) in [("1.1", port_origin()), ("1.0", python_origin())] {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        assert_eq!(
            curl(&["-x", &proxy_url, &url]),
            (true, b"Hello, world\n".to_vec())
        );
        let (ok, head) = curl(&["-I", "-x", &proxy_url, &url]);
        let head = String::from_utf8_lossy(&head);
        assert!(
            ok && head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{head}"
        );
        assert!(
            head.contains("Content-Length: 13\r\n")
                && head.contains(&format!("Via: {version} socketserver-proxy\r\n")),
            "{head}"
        );
    }

    // A body goes up; hop-by-hop headers do not.
    let echo_port = thread_origin(echo);
    let (ok, body) = curl(&[
        "-x",
        &proxy_url,
        "--data",
        "name=World",
        "-H",
        "Proxy-Connection: keep-alive",
        "-H",
        "Keep-Alive: 5",
        "-H",
        "Connection: X-Private",
        "-H",
        "X-Private: secret",
        "-H",
        "X-Kept: yes",
        &format!("http://127.0.0.1:{echo_port}/post"),
    ]);
    let body = String::from_utf8_lossy(&body);
    assert!(ok && body.starts_with("POST /post HTTP/1.1\r\n"), "{body}");
    assert!(
        body.ends_with("\nname=World") && body.contains("X-Kept: yes\r\n"),
        "{body}"
    );
    assert!(body.contains("Via: 1.1 socketserver-proxy\r\n"), "{body}");
    for hop in [
        "Proxy-Connection",
        "Keep-Alive",
        "X-Private",
        "Connection: X",
    ] {
        assert!(!body.contains(hop), "{hop} was passed on:\n{body}");
    }
    // A chunked body goes up too, re-framed.
    let (_, body) = curl(&[
        "-x",
        &proxy_url,
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        "chunked body",
        &format!("http://127.0.0.1:{echo_port}/chunked"),
    ]);
    assert!(String::from_utf8_lossy(&body).ends_with("\nchunked body"));

    // 50 MiB, byte for byte, through the proxy and directly.
    let origin = port_origin();
    let url = format!("http://127.0.0.1:{}/big.bin", origin.port);
    let started = Instant::now();
    let (ok, through) = curl(&["-x", &proxy_url, &url]);
    let proxied = started.elapsed();
    let started = Instant::now();
    let (_, direct) = curl(&[&url]);
    let direct_time = started.elapsed();
    assert!(ok && through.len() == BIG && through == big_data());
    assert_eq!(direct.len(), BIG);
    let mb = BIG as f64 / 1e6;
    let peak_kib = proxy.status("VmHWM:");
    println!(
        "50 MiB: through the proxy {:.0} MB/s, direct {:.0} MB/s; proxy peak RSS {peak_kib} KiB",
        mb / proxied.as_secs_f64(),
        mb / direct_time.as_secs_f64()
    );
    assert!(
        peak_kib < 40 * 1024,
        "the proxy held the download in memory: {peak_kib} KiB"
    );
}

#[test]
fn fifty_clients_at_once() {
    let proxy = proxy(&[]);
    let origin = port_origin();
    let barrier = Arc::new(Barrier::new(50));
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let (proxy, origin) = (proxy.port, origin.port);
            std::thread::spawn(move || {
                barrier.wait();
                raw(proxy, format!("GET http://127.0.0.1:{origin}/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
            })
        })
        .collect();
    for client in clients {
        let answer = client.join().unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("\r\n\r\nHello, world\n"),
            "{answer}"
        );
    }
}

#[test]
fn bad_gateway_gateway_timeout_and_origin_form() {
    let proxy = proxy(&["--upstream-timeout", "1"]);
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let answer = raw(
        proxy.port,
        format!("GET http://127.0.0.1:{closed}/ HTTP/1.1\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 502 Bad Gateway\r\n"),
        "{answer}"
    );
    assert!(answer.contains("<h1>Error response</h1>"), "{answer}");
    // An origin that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let answer = raw(
        proxy.port,
        format!("GET http://127.0.0.1:{silent_port}/ HTTP/1.1\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
        "{answer}"
    );
    drop(silent);
    // A request for a path, as to an ordinary server.
    let answer = raw(proxy.port, b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 400 Not a proxy request\r\n"),
        "{answer}"
    );
    assert!(answer.contains("This is a proxy"), "{answer}");
    // And CPython's 400 for a malformed request line.
    let answer = raw(proxy.port, b"GET http://x/ extra HTTP/1.1\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad request syntax"),
        "{answer}"
    );
}

#[test]
fn a_tunnel_whose_far_side_closes_first_and_a_client_that_leaves_mid_body() {
    let proxy = proxy(&[]);
    let bye = thread_origin(|_, _, _| {});
    // The thread origin reads a request first; this one speaks at once and hangs up.
    let hangs_up = TcpListener::bind("127.0.0.1:0").unwrap();
    let hangs_up_port = hangs_up.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = hangs_up.accept() {
            let _ = stream.write_all(b"bye\n");
        }
    });
    let answer = raw(
        proxy.port,
        format!("CONNECT 127.0.0.1:{hangs_up_port} HTTP/1.1\r\n\r\n").as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 200 Connection established\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with("\r\n\r\nbye\n"), "{answer}");

    // A client that promises a body and leaves after ten bytes: the proxy goes on.
    let mut stream = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    stream
        .write_all(
            format!(
                "POST http://127.0.0.1:{bye}/ HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n0123456789"
            )
            .as_bytes(),
        )
        .unwrap();
    stream.shutdown(Shutdown::Both).unwrap();
    drop(stream);
    let origin = port_origin();
    let answer = raw(
        proxy.port,
        format!(
            "GET http://127.0.0.1:{}/hello.txt HTTP/1.1\r\nConnection: close\r\n\r\n",
            origin.port
        )
        .as_bytes(),
    );
    assert!(answer.ends_with("Hello, world\n"), "{answer}");
}

#[test]
fn nothing_is_left_behind() {
    let proxy = proxy(&[]);
    let origin = port_origin();
    let before = resources(&proxy);
    for _ in 0..10 {
        let answer = raw(
            proxy.port,
            format!(
                "GET http://127.0.0.1:{}/hello.txt HTTP/1.1\r\nConnection: close\r\n\r\n",
                origin.port
            )
            .as_bytes(),
        );
        assert!(answer.ends_with("Hello, world\n"));
    }
    let tunnel = raw(
        proxy.port,
        format!(
            "CONNECT 127.0.0.1:{0} HTTP/1.1\r\n\r\nGET /hello.txt HTTP/1.0\r\n\r\n",
            origin.port
        )
        .as_bytes(),
    );
    assert!(tunnel.ends_with("Hello, world\n"), "{tunnel}");
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    raw(
        proxy.port,
        format!("GET http://127.0.0.1:{closed}/ HTTP/1.1\r\n\r\n").as_bytes(),
    );
    // Back to where it started, within a bound.
    let deadline = Instant::now() + TIMEOUT;
    while resources(&proxy) != before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20)); // polling /proc, bounded by the deadline
    }
    assert_eq!(
        resources(&proxy),
        before,
        "(threads, descriptors) before and after"
    );
}

/// curl's everyday requests through the proxy to each `http.server`: a GET, a HEAD
/// (whose answer carries the length but no body, and `Via` with the origin's own
/// version), and `curl -0`, an HTTP/1.0 client.
#[test]
fn curl_get_head_and_http_1_0_against_each_http_server() {
    let proxy = proxy(&[]);
    for (name, origin) in http_server_origins() {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        let get = curl_through(&proxy, &[&url]);
        assert!(get.ok, "{name}: {}", get.heads);
        assert_eq!(get.statuses(), [200], "{name}");
        assert_eq!(get.body, b"Hello, world\n", "{name}");

        let head = curl_through(&proxy, &["-I", &url]);
        assert!(
            head.ok && head.body.starts_with(b"HTTP/1.1 200 "),
            "{name}: {}",
            head.heads
        );
        assert_eq!(header(head.final_head(), "Content-Length"), "13", "{name}");
        assert_eq!(
            header(head.final_head(), "Via"),
            format!("{} socketserver-proxy", origin_version(name)),
            "{name}"
        );

        let old = curl_through(&proxy, &["-0", &url]);
        assert!(
            old.ok && old.body == b"Hello, world\n",
            "{name}: {}",
            old.heads
        );
        assert_eq!(old.statuses(), [200], "{name}");
        proxy.log.assert_final(&format!("GET {url}"), 200);
    }
}

/// The 2 MiB uploads curl makes: what, the headers that make it so, and how many
/// `100 Continue`s curl asks for (its own `Expect` for a body over a megabyte, and for
/// a chunked one; none once `-H 'Expect:'` turns it off).
const UPLOADS: [(&str, &[&str], usize); 3] = [
    ("2 MiB, Expect", &[], 1),
    ("2 MiB, no Expect", &["-H", "Expect:"], 0),
    ("chunked", &["-H", "Transfer-Encoding: chunked"], 1),
];

/// curl uploading to the `http.server`s, which do not take POST: small, 2 MiB with
/// curl's own `Expect: 100-continue`, 2 MiB with `-H 'Expect:'`, and chunked. The
/// origin's 501 comes back at once, after one `100 Continue` at most (the proxy's),
/// and the next transfer on the same command line (`--next`) still works, whatever
/// the proxy did with the connection.
#[test]
fn curl_uploads_to_http_servers_that_refuse_post() {
    let proxy = proxy(&[]);
    let upload = upload_file();
    let upload = upload.as_str();
    let proxy_url = proxy.url();
    for (name, origin) in http_server_origins() {
        let url = format!("http://127.0.0.1:{}/upload", origin.port);
        let hello = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        let small = ("small", vec!["--data", "name=World"], 0);
        let big = UPLOADS.iter().map(|(what, headers, continues)| {
            let mut args = headers.to_vec();
            args.extend(["--data-binary", upload]);
            (*what, args, *continues)
        });
        for (what, args, continues) in std::iter::once(small).chain(big) {
            let mut args = args.clone();
            // --next starts the options afresh.
            args.extend([url.as_str(), "--next", "-s", "--max-time", "30"]);
            args.extend([
                "-D",
                "/dev/stderr",
                "-x",
                proxy_url.as_str(),
                hello.as_str(),
            ]);
            let curl = curl_through(&proxy, &args);
            let mut expected = vec![100; continues];
            expected.extend([501, 200]);
            assert_eq!(curl.statuses(), expected, "{name}, {what}:\n{}", curl.heads);
            assert!(curl.ok, "{name}, {what}: {}", curl.heads);
            assert!(
                curl.body.ends_with(b"</html>\nHello, world\n")
                    || curl.body.ends_with(b"</html>\r\nHello, world\n"),
                "{name}, {what}: {}",
                curl.body_text()
            );
            assert!(curl.elapsed < PROMPT, "{name}, {what}: {:?}", curl.elapsed);
        }
        proxy.log.assert_final(&format!("POST {url}"), 501);
    }
}

/// curl uploading to origins that take a body and answer with what they got: the
/// echo, and one that says `100 Continue` itself before reading. Small, 2 MiB with
/// and without `Expect`, chunked 2 MiB: each arrives byte for byte, the client gets
/// exactly one `100 Continue` when it asked (none when it did not), `Expect` does not
/// travel on, and the log has the final status.
#[test]
fn curl_uploads_round_trip_byte_for_byte() {
    let proxy = proxy(&[]);
    let upload = upload_file();
    let upload = upload.as_str();
    let data = upload_data();
    for (name, port) in echo_origins() {
        let url = format!("http://127.0.0.1:{port}/upload");
        let small = curl_through(&proxy, &["--data", "name=World", &url]);
        assert_eq!(small.statuses(), [200], "{name}: {}", small.heads);
        assert!(small.body.ends_with(b"\r\n\nname=World"), "{name}");

        for (what, headers, continues) in UPLOADS {
            let mut args = headers.to_vec();
            args.extend(["--data-binary", upload, url.as_str()]);
            let curl = curl_through(&proxy, &args);
            let mut expected = vec![100; continues];
            expected.push(200);
            assert_eq!(curl.statuses(), expected, "{name}, {what}:\n{}", curl.heads);
            assert!(curl.ok, "{name}, {what}");
            let (head, received) = echoed(&curl.body);
            assert!(
                head.starts_with("POST /upload HTTP/1.1\r\n"),
                "{name}, {what}: {head}"
            );
            assert_eq!(header(&head, "Expect"), "", "{name}, {what}: {head}");
            assert_eq!(received.len(), UPLOAD, "{name}, {what}: {head}");
            assert!(received == data, "{name}, {what}: bytes differ");
        }
        proxy.log.assert_final(&format!("POST {url}"), 200);
    }
}

/// Two URLs on one curl command line: the second reuses the proxy connection
/// (`%{num_connects}` is 0), after a plain GET from each `http.server` (the HTTP/1.0
/// one closes its side: the proxy keeps the client's) and after a 2 MiB upload with
/// `Expect`.
#[test]
fn curl_reuses_its_connection_to_the_proxy() {
    let proxy = proxy(&[]);
    for (name, origin) in http_server_origins() {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        let curl = curl_through(&proxy, &["-w", "%{num_connects}\n", &url, &url]);
        assert_eq!(
            curl.body_text(),
            "Hello, world\n1\nHello, world\n0\n",
            "{name}: {}",
            curl.heads
        );
    }
    let upload = upload_file();
    let (_, echo) = echo_origins()[0];
    let url = format!("http://127.0.0.1:{echo}/upload");
    let curl = curl_through(
        &proxy,
        &[
            "-w",
            "\n%{num_connects}",
            "--data-binary",
            &upload,
            &url,
            &url,
        ],
    );
    assert_eq!(curl.statuses(), [100, 200, 100, 200], "{}", curl.heads);
    let text = curl.body_text();
    assert!(
        text.contains("\n1POST /upload HTTP/1.1\r\n"),
        "the first upload's connects"
    );
    assert!(
        text.ends_with("\n0"),
        "the second upload opened a connection"
    );
}

/// `curl -p`: a CONNECT tunnel to each `http.server`, and a 2 MiB upload through
/// one to the echo, which the proxy passes on untouched.
#[test]
fn curl_through_a_connect_tunnel() {
    let proxy = proxy(&[]);
    for (name, origin) in http_server_origins() {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        let curl = curl_through(&proxy, &["-p", &url]);
        assert!(curl.ok, "{name}: {}", curl.heads);
        assert_eq!(curl.body, b"Hello, world\n", "{name}");
        assert_eq!(
            curl.statuses(),
            [200, 200],
            "{name}: Connection established, then the origin's: {}",
            curl.heads
        );
    }
    let (_, echo) = echo_origins()[0];
    let curl = curl_through(
        &proxy,
        &[
            "-p",
            "-H",
            "Expect:",
            "--data-binary",
            &upload_file(),
            &format!("http://127.0.0.1:{echo}/tunnel"),
        ],
    );
    assert!(curl.ok, "{}", curl.heads);
    assert!(curl.body.ends_with(&upload_data()));
    assert!(!curl.body_text().contains("socketserver-proxy"));
}

/// A client that sends `Expect: 100-continue` and waits, as curl and .NET do: it
/// gets one `100 Continue` (the proxy's), sends the body, and gets the final answer,
/// never a second 100, also from the origin that sends its own. An HTTP/1.0 client's
/// `Expect` is ignored: it sends its body at once and gets no 100. The log has the
/// final status.
#[test]
fn expect_100_continue_gets_exactly_one_interim_answer() {
    let proxy = proxy(&[]);
    let body = pattern(100_000);
    for (name, port) in echo_origins() {
        let url = format!("http://127.0.0.1:{port}/expect");
        let mut client = Client::connect(proxy.port);
        client.send(&post(
            &url,
            &format!("Content-Length: {}\r\nExpect: 100-continue\r\n", body.len()),
            b"",
        ));
        let interim = client.response(false);
        assert_eq!(interim.head, "HTTP/1.1 100 Continue\r\n", "{name}");
        client.send(&body);
        let (continues, answer) = client.final_response(false);
        assert_eq!(continues, 0, "{name}: a second 100 Continue");
        assert_eq!(answer.status(), 200, "{name}: {}", answer.head);
        assert!(answer.body.ends_with(&body), "{name}");
        assert_eq!(header(&echoed(&answer.body).0, "Expect"), "", "{name}");
        proxy.log.assert_final(&format!("POST {url}"), 200);

        // HTTP/1.0: no interim answer at all.
        let mut client = Client::connect(proxy.port);
        client.send(
            format!(
                "POST {url} HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"
            )
            .as_bytes(),
        );
        let answer = client.response(false);
        assert_eq!(answer.status(), 200, "{name}, HTTP/1.0: {}", answer.head);
        assert!(answer.body.ends_with(b"\nhello"), "{name}");
    }
}

/// Other interim answers (`103 Early Hints`, which browsers use) reach an HTTP/1.1
/// client before the final one, and are dropped for an HTTP/1.0 client, which cannot
/// take them.
#[test]
fn early_hints_reach_http_1_1_clients_only() {
    let proxy = proxy(&[]);
    let hints = thread_origin_with(
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
        echo,
    );
    let url = format!("http://127.0.0.1:{hints}/page");
    let mut client = Client::connect(proxy.port);
    client.send(format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    let interim = client.response(false);
    assert_eq!(interim.status(), 103, "{}", interim.head);
    assert_eq!(interim.header("Link"), "</style.css>; rel=preload");
    let answer = client.response(false);
    assert_eq!(answer.status(), 200, "{}", answer.head);

    let mut client = Client::connect(proxy.port);
    client.send(format!("GET {url} HTTP/1.0\r\n\r\n").as_bytes());
    let answer = client.response(false);
    assert_eq!(answer.status(), 200, "{}", answer.head);
    proxy.log.assert_final(&format!("GET {url}"), 200);
}

/// Request framing as RFC 9112 section 6 has it, for the requests a smuggling
/// attempt or a confused client sends: `Transfer-Encoding` with `Content-Length` is
/// read and forwarded chunked, and the connection closes after; differing
/// `Content-Length`s are a 400, identical ones are one length; a last coding other
/// than chunked is a 400, an unknown coding a 501; the refused ones close.
#[test]
fn request_framing_follows_rfc_9112() {
    let proxy = proxy(&[]);
    let echo = thread_origin(echo);
    let url = format!("http://127.0.0.1:{echo}/framing");

    let mut client = Client::connect(proxy.port);
    client.send(&post(
        &url,
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"5\r\nhello\r\n0\r\n\r\n",
    ));
    let answer = client.response(false);
    assert_eq!(answer.status(), 200, "{}", answer.head);
    assert_eq!(answer.header("Connection"), "close", "{}", answer.head);
    let received = answer.body_text();
    assert!(received.ends_with("\r\n\nhello"), "{received}");
    assert_eq!(
        header(&received, "Transfer-Encoding"),
        "chunked",
        "{received}"
    );
    assert_eq!(header(&received, "Content-Length"), "", "{received}");
    assert!(
        client.is_closed(),
        "the connection stays open after TE + CL"
    );

    for lengths in [
        "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: 5, 6\r\n",
    ] {
        let mut client = Client::connect(proxy.port);
        client.send(&post(&url, lengths, b"hello!"));
        let answer = client.response(false);
        assert!(
            answer
                .head
                .starts_with("HTTP/1.1 400 Bad Content-Length\r\n"),
            "{lengths:?}: {}",
            answer.head
        );
        assert!(client.is_closed(), "{lengths:?}: left open");
    }

    for lengths in [
        "Content-Length: 5\r\nContent-Length: 5\r\n",
        "Content-Length: 5, 5\r\n",
    ] {
        let mut client = Client::connect(proxy.port);
        client.send(&post(&url, lengths, b"hello"));
        let answer = client.response(false);
        assert_eq!(answer.status(), 200, "{lengths:?}: {}", answer.head);
        let received = answer.body_text();
        assert!(received.ends_with("\r\n\nhello"), "{received}");
        assert_eq!(header(&received, "Content-Length"), "5", "{received}");
    }

    for (coding, status) in [
        ("chunked, gzip", 400),
        ("gzip", 400),
        ("gzip, chunked", 501),
    ] {
        let mut client = Client::connect(proxy.port);
        client.send(&post(
            &url,
            &format!("Transfer-Encoding: {coding}\r\n"),
            b"5\r\nhello\r\n0\r\n\r\n",
        ));
        let answer = client.response(false);
        assert_eq!(answer.status(), status, "{coding}: {}", answer.head);
        assert!(client.is_closed(), "{coding}: left open");
    }
}

/// Answers without a body: to `HEAD`, a 204 and a 304, from an origin that keeps
/// its connection open and has bytes after the head. The proxy neither waits for a
/// body nor sends one (the next answer on the connection starts clean), and adds no
/// `Transfer-Encoding`. A 200 with two differing `Content-Length`s is a 502.
#[test]
fn answers_without_a_body_are_not_waited_for() {
    let proxy = proxy(&[]);
    let origin = port_origin();
    let bodiless = thread_origin(bodiless);
    let hello = format!(
        "GET http://127.0.0.1:{}/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        origin.port
    );
    let mut client = Client::connect(proxy.port);
    for (method, path, status) in [
        ("HEAD", "/", 200),
        ("GET", "/204", 204),
        ("GET", "/304", 304),
    ] {
        let started = Instant::now();
        client.send(
            format!("{method} http://127.0.0.1:{bodiless}{path} HTTP/1.1\r\nHost: x\r\n\r\n")
                .as_bytes(),
        );
        let answer = client.response(method == "HEAD");
        assert_eq!(answer.status(), status, "{method} {path}: {}", answer.head);
        assert_eq!(answer.header("Transfer-Encoding"), "", "{}", answer.head);
        if method == "HEAD" {
            assert_eq!(answer.header("Content-Length"), "13", "{}", answer.head);
        }
        client.send(hello.as_bytes());
        let next = client.response(false);
        assert!(
            next.status() == 200 && next.body == b"Hello, world\n",
            "after {method} {path}: {}",
            next.head
        );
        assert!(
            started.elapsed() < PROMPT / 2,
            "{method} {path}: {:?}",
            started.elapsed()
        );
    }
    let answer = raw(
        proxy.port,
        format!(
            "GET http://127.0.0.1:{bodiless}/two-lengths HTTP/1.1\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 502 "), "{answer}");
    assert!(!answer.contains("hello!"), "{answer}");
}

/// One client connection, twenty requests: GETs from the HTTP/1.1 and the HTTP/1.0
/// origin, uploads with a length, chunked and with `Expect`, and a HEAD, as a
/// browser or an HTTP library with a connection pool sends them. It stays open.
#[test]
fn keep_alive_across_twenty_requests_and_uploads() {
    let proxy = proxy(&[]);
    let origin = port_origin();
    let old = python_origin();
    let echo = thread_origin(echo);
    let body = pattern(200_000);
    let mut client = Client::connect(proxy.port);
    for i in 0..20 {
        let echo_url = format!("http://127.0.0.1:{echo}/{i}");
        let (continues, answer) = match i % 5 {
            0 | 1 => {
                let port = if i % 5 == 0 { origin.port } else { old.port };
                client.send(
                    format!("GET http://127.0.0.1:{port}/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                        .as_bytes(),
                );
                let answer = client.response(false);
                assert_eq!(answer.body, b"Hello, world\n", "request {i}");
                (0, answer)
            }
            2 => {
                client.send(&post(
                    &echo_url,
                    &format!("Content-Length: {}\r\n", body.len()),
                    &body,
                ));
                client.final_response(false)
            }
            3 => {
                client.send(&post(
                    &echo_url,
                    "Transfer-Encoding: chunked\r\n",
                    &chunked(&body, 30_000),
                ));
                client.final_response(false)
            }
            _ => {
                client.send(&post(
                    &echo_url,
                    &format!("Content-Length: {}\r\nExpect: 100-continue\r\n", body.len()),
                    b"",
                ));
                assert_eq!(client.response(false).status(), 100, "request {i}");
                client.send(&body);
                client.final_response(false)
            }
        };
        assert_eq!(continues, 0, "request {i}");
        assert_eq!(answer.status(), 200, "request {i}: {}", answer.head);
        assert_ne!(
            answer.header("Connection"),
            "close",
            "request {i}: {}",
            answer.head
        );
        if i % 5 >= 2 {
            assert!(answer.body.ends_with(&body), "request {i}: body differs");
        }
    }
    client.send(
        format!(
            "HEAD http://127.0.0.1:{}/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
            origin.port
        )
        .as_bytes(),
    );
    let answer = client.response(true);
    assert_eq!(answer.status(), 200, "{}", answer.head);
}

/// `Via` names each hop with its own protocol version: a response from an HTTP/1.0
/// origin gets `1.0`, from an HTTP/1.1 one `1.1`; `curl -0`'s request reaches the
/// origin with `1.0`; a Via already there (the client's, the origin's) is kept, the
/// proxy's appended.
#[test]
fn via_carries_each_hops_version() {
    let proxy = proxy(&[]);
    for (name, origin) in http_server_origins() {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        let head = curl_through(&proxy, &["-I", &url]);
        assert_eq!(
            header(head.final_head(), "Via"),
            format!("{} socketserver-proxy", origin_version(name)),
            "{name}: {}",
            head.heads
        );
    }
    let echo = thread_origin(echo);
    let url = format!("http://127.0.0.1:{echo}/via");
    let old = curl_through(&proxy, &["-0", "--data", "x=1", &url]);
    assert!(old.ok, "{}", old.heads);
    assert_eq!(header(&old.body_text(), "Via"), "1.0 socketserver-proxy");
    assert_eq!(header(old.final_head(), "Via"), "1.1 socketserver-proxy");

    let chained = curl_through(&proxy, &["-H", "Via: 1.1 first", &url]);
    assert_eq!(
        header(&chained.body_text(), "Via"),
        "1.1 first, 1.1 socketserver-proxy"
    );
    let behind = thread_origin(|_, _, stream| {
        let _ =
            stream.write_all(b"HTTP/1.0 200 OK\r\nVia: 1.1 inner\r\nContent-Length: 2\r\n\r\nok");
    });
    let head = curl_through(&proxy, &[&format!("http://127.0.0.1:{behind}/")]);
    assert_eq!(head.body, b"ok");
    assert_eq!(
        header(head.final_head(), "Via"),
        "1.1 inner, 1.0 socketserver-proxy",
        "{}",
        head.heads
    );
}

/// Python's urllib with a `ProxyHandler`, as scripts use it: a GET from
/// `http.server`, and POSTs (small, 2 MiB) to the echo, which gets them whole.
#[test]
fn python_urllib_through_the_proxy() {
    let proxy = proxy(&[]);
    let origin = python_origin();
    let echo = thread_origin(echo);
    let code = format!(
        "import urllib.request as u\n\
         o = u.build_opener(u.ProxyHandler({{'http': '{}'}}))\n\
         r = o.open('http://127.0.0.1:{}/hello.txt', timeout=30)\n\
         print(r.status, r.read().decode(), end='')\n\
         for n in (10, 2 << 20):\n\
         \x20   data = bytes(i * 7 % 251 for i in range(n))\n\
         \x20   r = o.open(u.Request('http://127.0.0.1:{echo}/upload', data=data), timeout=30)\n\
         \x20   reply = r.read()\n\
         \x20   print(r.status, reply.startswith(b'POST /upload HTTP/1.1'), reply.endswith(b'\\n' + data))\n",
        proxy.url(),
        origin.port
    );
    let output = Command::new("timeout")
        .args(["60", "python3", "-c", &code])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "200 Hello, world\n200 True True\n200 True True\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    proxy
        .log
        .assert_final(&format!("POST http://127.0.0.1:{echo}/upload"), 200);
}

/// `--upstream 127.0.0.0/8`: the proxy reaches loopback only. A request or CONNECT
/// for an address outside it (TEST-NET-3, never contacted) or for a name other than
/// `localhost` (never looked up) gets 403 at once; `localhost` and `127.0.0.1` go
/// through, by curl and by CONNECT. With `--upstream ::1/128`, `localhost` is not
/// taken to an IPv4 origin.
#[test]
fn upstream_limits_where_the_proxy_goes() {
    let proxy = proxy(&["--upstream", "127.0.0.0/8"]);
    let origin = port_origin();
    for request in [
        "GET http://203.0.113.7/ HTTP/1.1\r\nHost: 203.0.113.7\r\n\r\n".to_string(),
        "GET http://example.invalid/ HTTP/1.1\r\nHost: example.invalid\r\n\r\n".to_string(),
        "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n".to_string(),
        format!(
            "GET http://[::1]:{}/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
            origin.port
        ),
        "CONNECT 203.0.113.7:443 HTTP/1.1\r\nHost: 203.0.113.7:443\r\n\r\n".to_string(),
        "CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n".to_string(),
    ] {
        let started = Instant::now();
        let mut client = Client::connect(proxy.port);
        client.send(request.as_bytes());
        let answer = client.response(false);
        let elapsed = started.elapsed();
        assert!(
            answer
                .head
                .starts_with("HTTP/1.1 403 Destination not allowed\r\n"),
            "{request:?}: {}",
            answer.head
        );
        assert!(elapsed < Duration::from_secs(1), "{request:?}: {elapsed:?}");
    }
    // A client waiting for `100 Continue` gets the 403 instead, and need not send.
    let mut client = Client::connect(proxy.port);
    client.send(&post(
        "http://203.0.113.7/upload",
        "Content-Length: 1000000\r\nExpect: 100-continue\r\n",
        b"",
    ));
    let answer = client.response(false);
    assert!(answer.head.starts_with("HTTP/1.1 403 "), "{}", answer.head);
    assert!(client.is_closed(), "left open with the body unsent");
    let refused = curl_through(&proxy, &["-w", "%{http_code}", "http://example.invalid/"]);
    assert!(refused.body_text().ends_with("403"), "{}", refused.heads);

    for host in ["localhost", "127.0.0.1"] {
        let url = format!("http://{host}:{}/hello.txt", origin.port);
        let curl = curl_through(&proxy, &[&url]);
        assert_eq!(curl.body, b"Hello, world\n", "{host}: {}", curl.heads);
        let tunnel = raw(
            proxy.port,
            format!(
                "CONNECT {host}:{} HTTP/1.1\r\n\r\nGET /hello.txt HTTP/1.0\r\n\r\n",
                origin.port
            )
            .as_bytes(),
        );
        assert!(
            tunnel.starts_with("HTTP/1.1 200 ") && tunnel.ends_with("Hello, world\n"),
            "{host}: {tunnel}"
        );
    }

    let v6 = crate::proxy(&["--upstream", "::1/128"]);
    let answer = raw(
        v6.port,
        format!(
            "GET http://localhost:{}/hello.txt HTTP/1.1\r\nConnection: close\r\n\r\n",
            origin.port
        )
        .as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 403 ") || answer.starts_with("HTTP/1.1 502 "),
        "{answer}"
    );
}

/// An origin that answers before the body has arrived (a 413, as a server with an
/// upload limit does): if `drain`, it then reads the rest to the end; if not, it
/// closes at once, as CPython's `http.server` does after its 501 for a POST.
fn early_origin(drain: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                stream.set_read_timeout(Some(TIMEOUT)).unwrap();
                let mut head = Vec::new();
                let mut byte = [0];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big\n",
                );
                if drain {
                    let _ = stream.read_to_end(&mut Vec::new());
                }
            });
        }
    });
    port
}

/// A client uploading 1 MB to an origin that refuses it at once: the 413 comes
/// back. When the origin stopped reading, the proxy, if it could not forward the
/// whole body, closes the client's connection (what is left of the body must not be
/// read as a next request); when the origin read it all, the connection stays.
#[test]
fn an_early_answer_reaches_the_client() {
    let proxy = proxy(&[]);
    let origin = port_origin();
    let hello = format!(
        "GET http://127.0.0.1:{}/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        origin.port
    );
    let body = pattern(1_000_000);
    for drain in [false, true] {
        let early = early_origin(drain);
        let url = format!("http://127.0.0.1:{early}/upload");
        let mut client = Client::connect(proxy.port);
        let mut writer = client.stream.try_clone().unwrap();
        writer.set_write_timeout(Some(PROMPT)).unwrap();
        let request = post(&url, &format!("Content-Length: {}\r\n", body.len()), &body);
        // The client sends as it reads, as curl does: the proxy may stop reading.
        let sender = std::thread::spawn(move || writer.write_all(&request).is_ok());
        let (continues, answer) = client.final_response(false);
        assert_eq!(continues, 0);
        assert_eq!(answer.status(), 413, "drain {drain}: {}", answer.head);
        assert_eq!(answer.body, b"too big\n");
        if drain {
            assert!(sender.join().unwrap(), "the proxy stopped reading the body");
            client.send(format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
            assert_eq!(client.final_response(false).1.status(), 413);
        } else {
            // Whether the proxy wrote the whole body before the origin's close reached
            // it is a race: if it did not, it closes; if it did, the connection is
            // still framed right and serves the next request.
            let _ = sender.join();
            let _ = client.stream.write_all(hello.as_bytes());
            let mut rest = Vec::new();
            match client.reader.read_to_end(&mut rest) {
                Ok(_) => {
                    let rest = String::from_utf8_lossy(&rest);
                    assert!(
                        rest.is_empty()
                            || rest.starts_with("HTTP/1.1 200 ")
                                && rest.ends_with("Hello, world\n"),
                        "after the early answer: {rest}"
                    );
                }
                Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
            }
        }
        proxy.log.assert_final(&format!("POST {url}"), 413);
    }
}
