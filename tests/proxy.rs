//! `examples/proxy.rs` against real clients (curl, Python's urllib) and origins
//! started here: the port's `http_server`, CPython's `http.server`, and small
//! origins written in this file (an echo, a silent one, one that hangs up). All on
//! loopback; every wait bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

mod common;

const TIMEOUT: Duration = Duration::from_secs(30);
const BIG: usize = 50 << 20;

use common::process::ServerProcess as Process;

/// The proxy, on a free port, with `args`.
fn proxy(args: &[&str]) -> Process {
    let mut command = Command::new(common::example("proxy"));
    command.arg("0").args(args);
    Process::start(command)
}

/// `(threads, open descriptors)` of a process.
fn resources(process: &Process) -> (u64, usize) {
    let fds = std::fs::read_dir(format!("/proc/{}/fd", process.child.id()))
        .unwrap()
        .count();
    (process.status("Threads:"), fds)
}

/// A directory with `hello.txt` and a 50 MiB `big.bin`, shared by the tests.
fn origin_directory() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("proxy-origin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hello.txt"), b"Hello, world\n").unwrap();
        std::fs::write(dir.join("big.bin"), big_data()).unwrap();
        dir
    })
}

fn big_data() -> Vec<u8> {
    (0..BIG as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn port_origin() -> Process {
    let program = common::example("http_server");
    Process::start(common::process::port_http_server(
        &program,
        "HTTP/1.1",
        origin_directory(),
    ))
}

fn python_origin() -> Process {
    Process::start(common::process::python_http_server(
        "HTTP/1.0",
        origin_directory(),
    ))
}

/// An origin in a thread: each connection gets `answer(request head, body)`.
fn thread_origin(answer: fn(&str, &[u8], &mut TcpStream)) -> u16 {
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

fn curl(args: &[&str]) -> (bool, Vec<u8>) {
    let output = Command::new("curl")
        .args(["-s", "--max-time", "30"])
        .args(args)
        .output()
        .unwrap();
    (output.status.success(), output.stdout)
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

#[test]
fn curl_through_the_proxy_get_head_post_and_50_mib() {
    let proxy = proxy(&[]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    for origin in [port_origin(), python_origin()] {
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
                && head.contains("Via: 1.1 socketserver-proxy\r\n"),
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
fn curl_through_a_connect_tunnel() {
    let proxy = proxy(&[]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    for origin in [port_origin(), python_origin()] {
        let url = format!("http://127.0.0.1:{}/hello.txt", origin.port);
        assert_eq!(
            curl(&["-p", "-x", &proxy_url, &url]),
            (true, b"Hello, world\n".to_vec())
        );
    }
}

#[test]
fn python_urllib_through_the_proxy() {
    let proxy = proxy(&[]);
    let origin = python_origin();
    let code = format!(
        "import urllib.request as u; o = u.build_opener(u.ProxyHandler({{'http': 'http://127.0.0.1:{}'}})); \
         r = o.open('http://127.0.0.1:{}/hello.txt', timeout=30); print(r.status, r.read().decode(), end='')",
        proxy.port, origin.port
    );
    let output = Command::new("python3")
        .args(["-c", &code])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "200 Hello, world\n"
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
