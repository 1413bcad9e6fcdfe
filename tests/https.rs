//! `HTTPSServer` (Python 3.14), ported on rustls: real clients over TLS (curl, and
//! Python's `ssl`, `urllib` and `http.client`), what the server does with clients
//! that fail the handshake, the handshake stall of CPython's shape against the fixed
//! one, leaks, the port's `http.server` over TLS against itself in plain HTTP, and
//! the errors of `load_cert_chain` against Python's for the same files.
//!
//! The tests take one lock, one at a time: two of them count the process's threads
//! and descriptors, and the stall is measured in time.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use socketserver::http::server::{
    BaseHttpRequestHandler, HttpsOptions, HttpsServer, SimpleHttpMethods, SimpleHttpRequest,
};
use socketserver::ssl::{Handshake, SslError};
use socketserver::{BaseServer, MixIn, ThreadingMixIn};

mod common;

use common::tls::{self, Certs, make_certs};

/// Bounds every client.
const TIMEOUT: Duration = Duration::from_secs(20);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The lock, and the served directory made for the test and removed after it.
struct OneAtATime(#[allow(dead_code)] MutexGuard<'static, ()>);

fn one_at_a_time() -> OneAtATime {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let root = tree();
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("hello.txt"), b"Hello, world\n").unwrap();
    std::fs::write(root.join("sub/inner.txt"), b"inner\n").unwrap();
    std::fs::write(root.join("big.bin"), big()).unwrap();
    std::fs::write(root.join("fixed.txt"), b"fixed\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(root.join("fixed.txt"))
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        .unwrap();
    OneAtATime(guard)
}

impl Drop for OneAtATime {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(tree());
    }
}

/// The directory the servers serve: `hello.txt`, `fixed.txt` (last changed in
/// 2020), `big.bin` (1 MiB), `sub/` with a file in it.
fn tree() -> &'static PathBuf {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| std::env::temp_dir().join(format!("https-tree-{}", std::process::id())))
}

/// The 1 MiB of `big.bin`: no two neighbouring KiB alike.
fn big() -> Vec<u8> {
    (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

/// `SimpleHTTPRequestHandler` on HTTP/1.1 (keep-alive) serving [`tree`], quietly.
struct Files(SimpleHttpRequest);
impl From<SimpleHttpRequest> for Files {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = tree().clone();
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
    const protocol_version: &'static str = "HTTP/1.1";
    fn log_message(&self, _message: fmt::Arguments<'_>) {}
}
impl SimpleHttpMethods for Files {}

/// A server on a thread of its own, shut down and closed when dropped.
struct Serving<M: MixIn>
where
    HttpsServer<Files, M>: BaseServer,
{
    server: Arc<HttpsServer<Files, M>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl<M: MixIn> Serving<M>
where
    HttpsServer<Files, M>: BaseServer,
{
    fn start(certs: &Certs, handshake: Handshake) -> Self {
        let options = HttpsOptions {
            keyfile: Some(certs.key.clone()),
            ..HttpsOptions::new(&certs.cert)
        };
        let mut server = HttpsServer::<Files, M>::new(("127.0.0.1", 0), options).unwrap();
        server.socket_type.handshake = handshake;
        let server = server.into_arc();
        let serving = Arc::clone(&server);
        let thread = thread::Builder::new()
            .name("serve_forever".into())
            .spawn(move || serving.serve_forever(0.05))
            .unwrap();
        Serving {
            server,
            thread: Some(thread),
        }
    }

    fn port(&self) -> u16 {
        self.server.server_port
    }
}

/// `shutdown`, join the loop; the last reference closes the socket.
impl<M: MixIn> Drop for Serving<M>
where
    HttpsServer<Files, M>: BaseServer,
{
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.server.shutdown();
            let _ = thread.join();
        }
    }
}

/// Runs curl against the server, trusting `certs.cert`; returns (status, stdout).
fn curl(certs: Option<&Certs>, args: &[&str]) -> (i32, Vec<u8>) {
    let mut command = Command::new("curl");
    command.args(["-sS", "--max-time", "20"]);
    if let Some(certs) = certs {
        command.arg("--cacert").arg(&certs.cert);
    }
    let output = command.args(args).output().expect("curl");
    (output.status.code().unwrap_or(-1), output.stdout)
}

fn url(port: u16, path: &str) -> String {
    format!("https://127.0.0.1:{port}{path}")
}

#[test]
fn curl_gets_files_heads_listings_304s_kept_alive_connections_and_a_big_file() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let server = Serving::<ThreadingMixIn>::start(&certs, Handshake::InAccept);
    let port = server.port();

    let (status, body) = curl(Some(&certs), &[&url(port, "/hello.txt")]);
    assert_eq!((status, &body[..]), (0, &b"Hello, world\n"[..]));

    let (status, head) = curl(Some(&certs), &["-I", &url(port, "/hello.txt")]);
    let head = String::from_utf8_lossy(&head);
    assert_eq!(status, 0);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Length: 13\r\n"), "{head}");

    let (status, listing) = curl(Some(&certs), &[&url(port, "/sub/")]);
    let listing = String::from_utf8_lossy(&listing);
    assert_eq!(status, 0);
    assert!(
        listing.contains("<title>Directory listing for /sub/</title>"),
        "{listing}"
    );
    assert!(
        listing.contains("<a href=\"inner.txt\">inner.txt</a>"),
        "{listing}"
    );

    let (status, code) = curl(
        Some(&certs),
        &[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "If-Modified-Since: Wed, 01 Jan 2031 00:00:00 GMT",
            &url(port, "/fixed.txt"),
        ],
    );
    assert_eq!((status, &code[..]), (0, &b"304"[..]));

    // Two URLs in one curl: the second goes on the first's connection.
    let (status, connects) = curl(
        Some(&certs),
        &[
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-w",
            "%{num_connects},%{http_version};",
            &url(port, "/hello.txt"),
            &url(port, "/sub/inner.txt"),
        ],
    );
    assert_eq!(
        (status, String::from_utf8_lossy(&connects).as_ref()),
        (0, "1,1.1;0,1.1;"),
        "one connection, kept alive"
    );

    let (status, body) = curl(Some(&certs), &[&url(port, "/big.bin")]);
    assert_eq!(status, 0);
    assert!(
        body == big(),
        "1 MiB byte for byte ({} bytes came)",
        body.len()
    );
}

#[test]
fn pythons_ssl_urllib_and_http_client_get_the_same_over_tls() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let server = Serving::<ThreadingMixIn>::start(&certs, Handshake::InAccept);
    let script = r#"
import hashlib, http.client, ssl, sys, urllib.error, urllib.request
port, cafile, digest = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)  # verifies the certificate and the name
context.set_alpn_protocols(["http/1.1"])
base = f"https://127.0.0.1:{port}"
with urllib.request.urlopen(base + "/hello.txt", context=context) as r:
    print("GET", r.status, r.read())
with urllib.request.urlopen(urllib.request.Request(base + "/hello.txt", method="HEAD"), context=context) as r:
    print("HEAD", r.status, r.headers["Content-Length"], r.read())
with urllib.request.urlopen(base + "/sub/", context=context) as r:
    print("LIST", r.status, b"Directory listing for /sub/" in r.read())
try:
    urllib.request.urlopen(urllib.request.Request(base + "/fixed.txt",
        headers={"If-Modified-Since": "Wed, 01 Jan 2031 00:00:00 GMT"}), context=context)
    print("304 not raised")
except urllib.error.HTTPError as e:
    print("IMS", e.code)
with urllib.request.urlopen(base + "/big.bin", context=context) as r:
    print("BIG", hashlib.sha256(r.read()).hexdigest() == digest)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=context)
conn.request("GET", "/hello.txt")
first = conn.getresponse()
first.read()
sock = conn.sock
conn.request("GET", "/sub/inner.txt")
second = conn.getresponse()
print("KEEP", first.will_close, conn.sock is sock, second.read(), sock.version(), sock.selected_alpn_protocol())
"#;
    let digest = sha256_hex(&big());
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(server.port().to_string())
        .arg(&certs.cert)
        .arg(&digest)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = [
        "GET 200 b'Hello, world\\n'",
        "HEAD 200 13 b''",
        "LIST 200 True",
        "IMS 304",
        "BIG True",
        "KEEP False True b'inner\\n' TLSv1.3 http/1.1",
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected);
}

/// SHA-256 in hex, by Python (the crate has no hash of its own to offer).
fn sha256_hex(data: &[u8]) -> String {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(data).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A plain-HTTP request on the TLS port gets no HTTP answer, and the connection ends.
fn plain_http_is_refused(port: u16) {
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(TIMEOUT)).unwrap();
    plain.write_all(b"GET /hello.txt HTTP/1.0\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    match plain.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server neither answered nor closed: {e}"),
    }
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
    assert!(
        !answer.windows(5).any(|w| w == b"Hello"),
        "the file never goes out in clear"
    );
}

#[test]
fn plain_http_and_clients_that_reject_the_certificate_are_refused_and_serving_goes_on() {
    let _one = one_at_a_time();
    let certs = make_certs();
    for handshake in [Handshake::InAccept, Handshake::in_setup()] {
        let server = Serving::<ThreadingMixIn>::start(&certs, handshake);
        let port = server.port();
        plain_http_is_refused(port);
        // curl without the certificate: "SSL certificate problem: self-signed certificate".
        let (status, _) = curl(None, &[&url(port, "/hello.txt")]);
        assert_eq!(status, 60, "{handshake:?}: curl's certificate error");
        // Python's default context trusts the system's CAs only.
        let output = Command::new("python3")
            .args([
                "-c",
                "import ssl,sys,urllib.request\n\
                 try:\n    urllib.request.urlopen(sys.argv[1], context=ssl.create_default_context())\n\
                 except Exception as e:\n    print(type(getattr(e, 'reason', e)).__name__)",
                &url(port, "/hello.txt"),
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "SSLCertVerificationError",
            "{handshake:?}"
        );
        let (status, body) = curl(Some(&certs), &[&url(port, "/hello.txt")]);
        assert_eq!(
            (status, &body[..]),
            (0, &b"Hello, world\n"[..]),
            "{handshake:?}: the next client is served"
        );
    }
}

// ANCHOR: stall
/// How long a second client waits for its answer behind a client that connected
/// and sent nothing, which gives up after `give_up`; `None` if it was still waiting
/// after `bound` while the silent one was still connected.
fn wait_behind_a_silent_client(port: u16, certs: &Certs, give_up: Duration) -> Duration {
    let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let config = tls::client_config(&certs.cert);
    let (done, answered) = mpsc::channel();
    let start = Instant::now();
    thread::spawn(move || {
        let mut stream = tls::connect(port, &config, TIMEOUT).expect("handshake");
        stream
            .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let answer = tls::read_to_end(&mut stream);
        let _ = done.send((start.elapsed(), answer));
    });
    let (waited, answer) = match answered.recv_timeout(give_up) {
        Ok(result) => result,
        Err(_) => {
            drop(silent); // the silent client gives up
            answered
                .recv_timeout(TIMEOUT)
                .expect("answered once the silent one left")
        }
    };
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"), "{answer:?}");
    waited
}

#[test]
fn a_silent_client_stalls_cpythons_shape_and_not_the_fixed_one() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let give_up = Duration::from_millis(1500);

    // CPython 3.14: the handshake runs in accept, on the serve_forever thread.
    let faithful = Serving::<ThreadingMixIn>::start(&certs, Handshake::InAccept);
    let waited = wait_behind_a_silent_client(faithful.port(), &certs, give_up);
    println!(
        "handshake in accept (CPython 3.14): the second client waited {:.3} s, until the \
         silent one gave up after {:.1} s",
        waited.as_secs_f64(),
        give_up.as_secs_f64()
    );
    assert!(
        waited >= give_up,
        "it waited for the silent one: {waited:?}"
    );
    drop(faithful);

    // Fixed: the handshake runs in setup, on the request's thread, with a deadline.
    let fixed = Serving::<ThreadingMixIn>::start(&certs, Handshake::in_setup());
    let waited = wait_behind_a_silent_client(fixed.port(), &certs, give_up);
    println!(
        "handshake in setup (the fix): the second client waited {:.3} s, the silent one \
         still connected",
        waited.as_secs_f64()
    );
    assert!(waited < give_up, "answered at once: {waited:?}");
}
// ANCHOR_END: stall

#[test]
fn the_fixed_shapes_deadline_ends_a_handshake_that_trickles() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let deadline = Duration::from_millis(400);
    let server = Serving::<ThreadingMixIn>::start(&certs, Handshake::InSetup(deadline));
    // A ClientHello of 512 bytes, sent one byte every 20 ms: each read of the
    // server gets a byte long before any per-read timeout, so only a deadline on
    // the whole handshake can end it.
    let mut client = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let hello = [
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    let start = Instant::now();
    let closed_after = loop {
        assert!(start.elapsed() < TIMEOUT, "the server never gave up");
        let i = (start.elapsed().as_millis() / 20) as usize;
        if client.write_all(&[*hello.get(i).unwrap_or(&0x42)]).is_err() {
            break start.elapsed();
        }
        match client.read(&mut [0; 64]) {
            Ok(_) => break start.elapsed(), // the end, or the alert before it
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => break start.elapsed(),
        }
    };
    println!(
        "a handshake trickling a byte every 20 ms was ended after {:.3} s (deadline {:.1} s)",
        closed_after.as_secs_f64(),
        deadline.as_secs_f64()
    );
    assert!(closed_after >= deadline, "{closed_after:?}");
    assert!(closed_after < deadline * 5, "{closed_after:?}");
}

/// The process's threads (Linux: /proc/self/task).
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Waits (at most `TIMEOUT`) until `now()` is `want`; returns what it last was.
fn settles(want: usize, now: impl Fn() -> usize) -> usize {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let n = now();
        if n == want || Instant::now() > deadline {
            return n;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn clients_that_leave_mid_handshake_leak_no_thread_and_no_descriptor() {
    let _one = one_at_a_time();
    let certs = make_certs();
    // The start of a TLS record that announces a 512-byte ClientHello, then 64 of them.
    let mut partial = vec![
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    partial.resize(64, 0x42);
    for handshake in [Handshake::InAccept, Handshake::in_setup()] {
        let server = Serving::<ThreadingMixIn>::start(&certs, handshake);
        let port = server.port();
        // Warm up, and wait for the request thread to end: then count.
        let tasks = threads();
        let (status, _) = curl(Some(&certs), &[&url(port, "/hello.txt")]);
        assert_eq!(status, 0);
        assert_eq!(settles(tasks, threads), tasks, "{handshake:?}: warming up");
        let fds = common::open_fds();
        for _ in 0..20 {
            let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
            client.write_all(&partial).unwrap();
            client.shutdown(Shutdown::Both).unwrap();
        }
        let (status, body) = curl(Some(&certs), &[&url(port, "/hello.txt")]);
        assert_eq!(
            (status, &body[..]),
            (0, &b"Hello, world\n"[..]),
            "{handshake:?}"
        );
        assert_eq!(
            settles(fds, common::open_fds),
            fds,
            "{handshake:?}: descriptors"
        );
        assert_eq!(settles(tasks, threads), tasks, "{handshake:?}: threads");
    }
}

#[test]
fn http_server_over_tls_answers_what_it_answers_in_plain_http() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let root = common::differential::make_tree();
    let corpus: Vec<_> = common::differential::corpus()
        .into_iter()
        .filter(|(_, request)| request.len() <= 8192)
        .collect();
    let step = corpus.len() / 30;
    let sample: Vec<_> = corpus.iter().step_by(step).take(30).collect();
    assert_eq!(sample.len(), 30);
    let program = common::example("http_server");
    let start = |tls: bool| {
        let mut command = common::process::port_http_server(&program, "HTTP/1.1", &root);
        if tls {
            command
                .arg("--tls-cert")
                .arg(&certs.cert)
                .arg("--tls-key")
                .arg(&certs.key);
        }
        common::process::ServerProcess::start(command)
    };
    let plain = start(false);
    let https = start(true);
    let config = tls::client_config(&certs.cert);
    let mut failures = Vec::new();
    for (name, request) in &sample {
        let clear =
            common::differential::normalise(&common::differential::exchange(plain.port, request));
        let secret = common::differential::normalise(&tls::exchange(https.port, &config, request));
        if clear != secret {
            failures.push(format!(
                "{name}\n  plain: {:?}\n  tls:   {:?}",
                String::from_utf8_lossy(&clear[..clear.len().min(300)]),
                String::from_utf8_lossy(&secret[..secret.len().min(300)])
            ));
        }
    }
    drop((plain, https));
    common::differential::remove_tree(&root);
    println!(
        "over TLS: {} of {} answers as in plain HTTP",
        30 - failures.len(),
        30
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What Python's `load_cert_chain` raises for these files: `(type, str)`.
fn python_load_cert_chain(
    certfile: &Path,
    keyfile: Option<&Path>,
    password: Option<&str>,
) -> (String, String) {
    let script = "import ssl, sys\n\
        certfile, keyfile, password = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None\n\
        try:\n\
        \x20   ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile, password)\n\
        \x20   print('OK')\n\
        except Exception as e:\n\
        \x20   print(('ssl.' if type(e).__module__ == 'ssl' else '') + type(e).__name__)\n\
        \x20   print(e)\n";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(certfile)
        .arg(keyfile.map_or(Path::new(""), |k| k))
        .arg(password.unwrap_or(""))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines = stdout.lines();
    (
        lines.next().unwrap_or("").to_string(),
        lines.next().unwrap_or("").to_string(),
    )
}

/// The port's `(type, message)` for the same files, from `HttpsServer`'s
/// constructor, which reads them.
fn port_load_cert_chain(
    certfile: &Path,
    keyfile: Option<&Path>,
    password: Option<&str>,
) -> (String, String) {
    let options = HttpsOptions {
        keyfile: keyfile.map(Path::to_path_buf),
        password: password.map(|p| p.as_bytes().to_vec()),
        ..HttpsOptions::new(certfile)
    };
    match HttpsServer::<Files>::new(("127.0.0.1", 0), options) {
        Ok(_) => ("OK".into(), String::new()),
        Err(error) => match error.get_ref().and_then(|e| e.downcast_ref::<SslError>()) {
            Some(ssl) => ("ssl.SSLError".into(), ssl.to_string()),
            None => (format!("{:?}", error.kind()), error.to_string()),
        },
    }
}

#[test]
fn load_errors_are_pythons_with_what_went_wrong_in_place_of_the_line_of_c() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let missing = certs.dir.join("missing.pem");
    let (cert, key) = (certs.cert.as_path(), certs.key.as_path());
    // (case, certfile, keyfile, password, what Python raises)
    type Case<'a> = (
        &'a str,
        &'a Path,
        Option<&'a Path>,
        Option<&'a str>,
        &'a str,
    );
    let cases: &[Case] = &[
        ("key and cert", cert, Some(key), None, "OK"),
        ("key in the cert file", &certs.keycert, None, None, "OK"),
        (
            "encrypted key",
            cert,
            Some(&certs.key_encrypted),
            Some(tls::PASSWORD),
            "OK",
        ),
        (
            "password, key not encrypted",
            cert,
            Some(key),
            Some("unused"),
            "OK",
        ),
        (
            "missing certificate",
            &missing,
            Some(key),
            None,
            "FileNotFoundError",
        ),
        (
            "missing key",
            cert,
            Some(&missing),
            None,
            "FileNotFoundError",
        ),
        (
            "not a certificate",
            &certs.garbage,
            Some(key),
            None,
            "ssl.SSLError",
        ),
        ("a key as certificate", key, None, None, "ssl.SSLError"),
        ("no key", cert, None, None, "ssl.SSLError"),
        (
            "not a key",
            cert,
            Some(&certs.garbage),
            None,
            "ssl.SSLError",
        ),
        (
            "the key of another",
            cert,
            Some(&certs.other_key),
            None,
            "ssl.SSLError",
        ),
        (
            "wrong password",
            cert,
            Some(&certs.key_encrypted),
            Some("badpass"),
            "ssl.SSLError",
        ),
    ];
    for &(case, certfile, keyfile, password, kind) in cases {
        let (python_type, python) = python_load_cert_chain(certfile, keyfile, password);
        let (port_type, port) = port_load_cert_chain(certfile, keyfile, password);
        let port_type = if port_type == "NotFound" {
            "FileNotFoundError".to_string()
        } else {
            port_type
        };
        assert_eq!(python_type, kind, "{case}: Python says {python}");
        assert_eq!(port_type, kind, "{case}: the port says {port}");
        // Python's text up to its "(_ssl.c:NNNN)", ours up to the parenthesis that
        // takes its place; a missing file's message names the file in the port.
        let python_words = python.split(" (_ssl.c:").next().unwrap();
        assert!(
            port.starts_with(python_words),
            "{case}:\n  python: {python}\n  port:   {port}"
        );
        println!("{case}: {port_type}: {port}");
    }
    // What Python leaves to OpenSSL's terminal prompt, the port refuses in words.
    let (kind, message) = port_load_cert_chain(cert, Some(&certs.key_encrypted), None);
    assert_eq!(kind, "ssl.SSLError");
    assert!(message.contains("no password was given"), "{message}");
    let wrong = port_load_cert_chain(cert, Some(&certs.key_encrypted), Some("badpass")).1;
    assert!(
        wrong.contains("cannot be decrypted with this password"),
        "{wrong}"
    );
    let mismatch = port_load_cert_chain(cert, Some(&certs.other_key), None).1;
    assert!(
        mismatch.starts_with("[X509: KEY_VALUES_MISMATCH] key values mismatch ("),
        "{mismatch}"
    );
}

#[test]
fn http_server_example_takes_the_tls_flags_of_3_14() {
    let _one = one_at_a_time();
    let certs = make_certs();
    let program = common::example("http_server");
    let run = |args: &[&std::ffi::OsStr]| {
        let output = Command::new(&program)
            .args(["0", "-b", "127.0.0.1"])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let missing = certs.dir.join("missing.pem");
    // argparse's errors: status 2.
    for (args, message) in [
        (
            vec![os("--tls-key"), certs.key.as_os_str()],
            "--tls-key requires --tls-cert to be set",
        ),
        (
            vec![os("--tls-password-file"), certs.password_file.as_os_str()],
            "--tls-password-file requires --tls-cert to be set",
        ),
    ] {
        let (status, stderr) = run(&args);
        assert_eq!(status, Some(2), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    let (status, stderr) = run(&[
        os("--tls-cert"),
        certs.cert.as_os_str(),
        os("--tls-password-file"),
        missing.as_os_str(),
    ]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Failed to read TLS password file: [Errno 2] No such file or directory: '{}'",
            missing.display()
        )),
        "{stderr}"
    );
    // The server's own errors, raised from test(): Python's last traceback line, status 1.
    for (args, line) in [
        (
            vec![os("--tls-cert"), missing.as_os_str()],
            "FileNotFoundError: [Errno 2] No such file or directory",
        ),
        (
            vec![
                os("--tls-cert"),
                certs.cert.as_os_str(),
                os("--tls-key"),
                certs.other_key.as_os_str(),
            ],
            "ssl.SSLError: [X509: KEY_VALUES_MISMATCH] key values mismatch (",
        ),
        (
            vec![
                os("--tls-cert"),
                certs.cert.as_os_str(),
                os("--tls-key"),
                certs.key_encrypted.as_os_str(),
            ],
            "ssl.SSLError: [SSL] PEM lib (",
        ),
    ] {
        let (status, stderr) = run(&args);
        assert_eq!(status, Some(1), "{stderr}");
        assert!(stderr.starts_with(line), "{stderr}");
    }
    // A password file that holds the key's password: the banner says HTTPS.
    let mut command = Command::new(&program);
    command
        .args(["0", "-b", "127.0.0.1", "-d"])
        .arg(tree())
        .arg("--tls-cert")
        .arg(&certs.cert)
        .arg("--tls-key")
        .arg(&certs.key_encrypted)
        .arg("--tls-password-file")
        .arg(&certs.password_file);
    let mut server = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let (send, banner) = mpsc::channel();
    thread::spawn(move || {
        let mut lines = io::BufRead::lines(io::BufReader::new(stdout));
        let _ = send.send(lines.next().and_then(Result::ok).unwrap_or_default());
        for _ in lines {}
    });
    let banner = banner.recv_timeout(TIMEOUT).expect("the banner");
    let port: u16 = banner
        .split(" port ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        banner,
        format!("Serving HTTPS on 127.0.0.1 port {port} (https://127.0.0.1:{port}/) ...")
    );
    let (status, body) = curl(Some(&certs), &[&url(port, "/hello.txt")]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!((status, &body[..]), (0, &b"Hello, world\n"[..]));
}
