//! `cargo bench --bench compare`: the port, tiny_http, a minimal std server and
//! CPython, each in its own process on 127.0.0.1, driven by the same closed-loop load
//! generator, in one run. Prints one markdown table.
//!
//! Scenarios: hello (`GET /` → 13 bytes) over kept-alive connections (1, 10, 100),
//! hello with a connection per request (10), and a 1 MiB file (10 kept-alive
//! connections). Each figure is the median of `RUNS` runs of `SECONDS` seconds. Every
//! connection is opened and used once, one at a time, before the measurement (what
//! tiny_http's pool needs to give each one a thread), and the responses of each
//! connection are counted: a figure from a run where a connection got none is
//! marked, not quoted.
//!
//! `BENCH_SECONDS` and `BENCH_RUNS` change the defaults (2 s, 3 runs); `BENCH_ONLY`
//! keeps the rows whose `scenario: server` contains its text (e.g. `10 conns: port`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

const FILE_SIZE: usize = 1 << 20;

/// CPython's `ThreadingHTTPServer` with the hello handler of `examples/hello_server.rs`
/// (its doc comment), given the same fixes: no Nagle delay, one write per response,
/// a listen backlog of 128.
const CPYTHON_HELLO: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 8192
    def log_message(self, format, *args): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "13")
        self.end_headers()
        self.wfile.write(b"Hello, world\n")
class Server(ThreadingHTTPServer):
    request_queue_size = 128
with Server(("127.0.0.1", 0), Hello) as server:
    print(f"Serving hello (CPython) on 127.0.0.1 port {server.server_address[1]}", flush=True)
    server.serve_forever()
"#;

fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    // benches run from target/release/deps/
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

#[path = "../tests/common/process.rs"]
mod process;
use process::ServerProcess as Server;

#[derive(Clone, Copy)]
enum Load {
    KeepAlive,
    ConnectionPerRequest,
}

/// One run: responses and bytes per connection, and every latency in microseconds.
struct Run {
    per_connection: Vec<u64>,
    bytes: u64,
    latencies: Vec<u32>,
    seconds: f64,
}

/// Reads one response, its body framed by `Content-Length` or chunked; returns the
/// body's length, and whether the server will close.
fn read_response(
    reader: &mut BufReader<TcpStream>,
    body: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let eof = || std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
    let mut line = String::new();
    let (mut length, mut chunked, mut close) = (None, false, false);
    if reader.read_line(&mut line)? == 0 {
        return Err(eof());
    }
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(eof());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
    }
    if !chunked {
        let length = length.ok_or(std::io::ErrorKind::InvalidData)?;
        body.resize(length, 0);
        reader.read_exact(body)?;
        return Ok((length, close));
    }
    let mut total = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(eof());
        }
        let size = usize::from_str_radix(line.trim_end().split(';').next().unwrap_or(""), 16)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        body.resize(size + 2, 0); // the chunk and its CRLF
        if size == 0 {
            line.clear();
            reader.read_line(&mut line)?; // the end of the (empty) trailer
            return Ok((total, close));
        }
        reader.read_exact(body)?;
        total += size;
    }
}

fn connect(port: u16) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    BufReader::new(stream)
}

/// `connections` clients, each sending `GET path` and waiting for the answer, for
/// `seconds`.
fn drive(port: u16, path: &str, connections: usize, load: Load, seconds: f64) -> Run {
    let request = match load {
        Load::KeepAlive => format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"),
        Load::ConnectionPerRequest => {
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        }
    };
    let start = Arc::new(Barrier::new(connections + 1));
    let stop = Arc::new(AtomicBool::new(false));
    // Connections are opened and used once, one at a time.
    let turn = Arc::new(Mutex::new(()));
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (request, start, stop, turn) =
                (request.clone(), start.clone(), stop.clone(), turn.clone());
            std::thread::spawn(move || {
                let mut body = Vec::with_capacity(FILE_SIZE);
                let (mut reader, warmed) = {
                    let _turn = turn.lock().unwrap_or_else(|e| e.into_inner());
                    let mut reader = connect(port);
                    let warmed = reader.get_mut().write_all(request.as_bytes()).is_ok()
                        && read_response(&mut reader, &mut body).is_ok();
                    (reader, warmed)
                };
                if let Load::ConnectionPerRequest = load {
                    let _ = reader.get_ref().shutdown(Shutdown::Both);
                }
                start.wait();
                let (mut count, mut bytes, mut latencies) = (0u64, 0u64, Vec::new());
                // A connection the server did not answer counts as starved.
                while warmed && !stop.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    if let Load::ConnectionPerRequest = load {
                        reader = connect(port);
                    }
                    if reader.get_mut().write_all(request.as_bytes()).is_err() {
                        break;
                    }
                    match read_response(&mut reader, &mut body) {
                        Ok((length, _)) => {
                            count += 1;
                            bytes += length as u64;
                            latencies.push(began.elapsed().as_micros() as u32);
                        }
                        Err(_) => break,
                    }
                }
                (count, bytes, latencies)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut run = Run {
        per_connection: Vec::new(),
        bytes: 0,
        latencies: Vec::new(),
        seconds: 0.0,
    };
    for client in clients {
        let (count, bytes, latencies) = client.join().unwrap();
        run.per_connection.push(count);
        run.bytes += bytes;
        run.latencies.extend(latencies);
    }
    run.seconds = began.elapsed().as_secs_f64();
    run
}

/// One table row: the median run of several, and the server's peak RSS and threads.
struct Row {
    scenario: String,
    server: String,
    throughput: f64,
    unit: &'static str,
    p50_ms: f64,
    p99_ms: f64,
    rss_mib: f64,
    threads: u64,
    starved: usize,
}

#[allow(clippy::too_many_arguments)]
fn measure(
    scenario: &str,
    server_name: &str,
    command: Command,
    path: &str,
    connections: usize,
    load: Load,
    runs: usize,
    seconds: f64,
) -> Row {
    let server = Server::start(command);
    let peak_threads = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watching = Arc::new(AtomicBool::new(true));
    let pid = server.child.id();
    let sampler = {
        let (peak_threads, watching) = (peak_threads.clone(), watching.clone());
        std::thread::spawn(move || {
            while watching.load(Ordering::Relaxed) {
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let threads = status
                    .lines()
                    .find(|l| l.starts_with("Threads:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                    .unwrap_or(0);
                peak_threads.fetch_max(threads, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let mut results: Vec<Run> = (0..runs)
        .map(|_| drive(server.port, path, connections, load, seconds))
        .collect();
    watching.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let rss_kib = server.status("VmHWM:");
    let per_second = |r: &Run| match load {
        _ if path != "/" => r.bytes as f64 / r.seconds / 1e6,
        _ => r.per_connection.iter().sum::<u64>() as f64 / r.seconds,
    };
    results.sort_by(|a, b| per_second(a).total_cmp(&per_second(b)));
    let median = &mut results[runs / 2];
    median.latencies.sort_unstable();
    let percentile = |p: f64| {
        let l = &median.latencies;
        if l.is_empty() {
            0.0
        } else {
            l[((l.len() - 1) as f64 * p) as usize] as f64 / 1000.0
        }
    };
    Row {
        scenario: scenario.to_string(),
        server: server_name.to_string(),
        throughput: per_second(median),
        unit: if path == "/" { "req/s" } else { "MB/s" },
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        rss_mib: rss_kib as f64 / 1024.0,
        threads: peak_threads.load(Ordering::Relaxed),
        starved: results
            .iter()
            .map(|r| r.per_connection.iter().filter(|&&c| c == 0).count())
            .max()
            .unwrap_or(0),
    }
}

fn command(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args);
    command
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU".to_string(), |m| m.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "{cores} × {model}, Linux {}, {rustc}, {python}; servers and load generator share the cores",
        kernel.trim()
    )
}

/// `BENCH_ONLY=text` runs only the rows whose `scenario: server` contains `text`.
fn selected(scenario: &str, server: &str) -> bool {
    std::env::var("BENCH_ONLY").is_err_and(|_| true)
        || std::env::var("BENCH_ONLY")
            .is_ok_and(|only| format!("{scenario}: {server}").contains(&only))
}

fn main() {
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    // The servers, in release mode.
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet"])
        .args([
            "--example",
            "hello_server",
            "--example",
            "tiny_http_hello",
            "--example",
            "std_hello",
        ])
        .args(["--example", "http_server", "--example", "tiny_http_files"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "building the servers");
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let files = std::env::temp_dir().join(format!("bench-files-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let data: Vec<u8> = (0..FILE_SIZE as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(files.join("file.bin"), data).unwrap();
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .to_string();

    let hello_servers = |rows: &mut Vec<Row>, scenario: &str, connections: usize, load: Load| {
        let mut servers: Vec<(&str, Command)> = vec![
            (
                "port (hello_server)",
                command(example("hello_server"), &["0"]),
            ),
            (
                "tiny_http, 1 loop",
                command(example("tiny_http_hello"), &["0"]),
            ),
            (
                "tiny_http, workers = cores",
                command(example("tiny_http_hello"), &["0", "--workers", &cores]),
            ),
            (
                "std, thread per connection",
                command(example("std_hello"), &["0"]),
            ),
        ];
        // The pool serves a connection per request; a kept-alive connection would
        // hold one of its workers for the whole run.
        if let Load::ConnectionPerRequest = load {
            servers.insert(
                1,
                (
                    "port, thread pool (hello_server --pool)",
                    command(example("hello_server"), &["0", "--pool"]),
                ),
            );
        }
        if python {
            servers.push((
                "CPython ThreadingHTTPServer",
                command("python3", &["-c", CPYTHON_HELLO]),
            ));
        }
        for (name, command) in servers {
            if !selected(scenario, name) {
                continue;
            }
            eprintln!("  {scenario}: {name}");
            rows.push(measure(
                scenario,
                name,
                command,
                "/",
                connections,
                load,
                runs,
                seconds,
            ));
        }
    };
    let mut rows = Vec::new();
    eprintln!("Measuring ({runs} runs of {seconds} s each) ...");
    hello_servers(&mut rows, "hello, keep-alive, 1 conn", 1, Load::KeepAlive);
    hello_servers(
        &mut rows,
        "hello, keep-alive, 10 conns",
        10,
        Load::KeepAlive,
    );
    hello_servers(
        &mut rows,
        "hello, keep-alive, 100 conns",
        100,
        Load::KeepAlive,
    );
    hello_servers(
        &mut rows,
        "hello, connection per request, 10 conns",
        10,
        Load::ConnectionPerRequest,
    );
    let mut file_servers: Vec<(&str, Command)> = vec![
        (
            "port (http_server)",
            process::port_http_server(&example("http_server"), "HTTP/1.1", &files),
        ),
        (
            "tiny_http (tiny_http_files)",
            command(
                example("tiny_http_files"),
                &["0", "--directory", files.to_str().unwrap()],
            ),
        ),
    ];
    if python {
        file_servers.push((
            "CPython http.server",
            process::python_http_server("HTTP/1.1", &files),
        ));
    }
    for (name, command) in file_servers {
        if !selected("1 MiB file", name) {
            continue;
        }
        eprintln!("  1 MiB file: {name}");
        rows.push(measure(
            "1 MiB file, keep-alive, 10 conns",
            name,
            command,
            "/file.bin",
            10,
            Load::KeepAlive,
            runs,
            seconds,
        ));
    }
    std::fs::remove_dir_all(&files).unwrap();

    println!("\nMachine: {}.", machine());
    println!("Each figure: median of {runs} runs of {seconds} s; p50/p99 from the median run.\n");
    println!("| scenario | server | throughput | p50 ms | p99 ms | peak RSS MiB | threads |");
    println!("|---|---|---|---|---|---|---|");
    for row in &rows {
        let starved = if row.starved > 0 {
            format!(" ({} conns starved: not quoted)", row.starved)
        } else {
            String::new()
        };
        println!(
            "| {} | {} | {:.0} {}{} | {:.2} | {:.2} | {:.1} | {} |",
            row.scenario,
            row.server,
            row.throughput,
            row.unit,
            starved,
            row.p50_ms,
            row.p99_ms,
            row.rss_mib,
            row.threads
        );
    }
    // Ratios: the port against the others, scenario by scenario.
    println!(
        "\n| scenario | port / tiny_http (best) | port / std | port / CPython | pool / tiny_http (best) |"
    );
    println!("|---|---|---|---|---|");
    let mut scenarios: Vec<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
    scenarios.dedup();
    for scenario in scenarios {
        let of = |prefix: &str| {
            rows.iter()
                .filter(|r| {
                    r.scenario == scenario && r.server.starts_with(prefix) && r.starved == 0
                })
                .map(|r| r.throughput)
                .fold(None, |best: Option<f64>, t| {
                    Some(best.map_or(t, |b| b.max(t)))
                })
        };
        let ratio = |ours: Option<f64>, other: Option<f64>| match (ours, other) {
            (Some(ours), Some(other)) if other > 0.0 => format!("{:.2}", ours / other),
            _ => "–".to_string(),
        };
        // "port (": the faithful ThreadingHTTPServer; "port, thread pool": the pool.
        let (port, pool) = (of("port ("), of("port, thread pool"));
        println!(
            "| {scenario} | {} | {} | {} | {} |",
            ratio(port, of("tiny_http")),
            ratio(port, of("std")),
            ratio(port, of("CPython")),
            ratio(pool, of("tiny_http"))
        );
    }
}
