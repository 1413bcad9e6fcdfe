//! The book's checks. mdBook does not fail on a missing include file or anchor (it
//! leaves the directive, or an empty block), so these tests do: every include names a
//! file that exists and an anchor with both ends; nothing of `{{#` survives; the
//! HTML builds; every local link resolves; every example is taught, every
//! `cargo run --example X` names a real one; no Rust is typed into the Markdown; and
//! every "Run it" output in `book/outputs/` is what a real run prints today.
//!
//! `UPDATE_BOOK_OUTPUTS=1 cargo test --test book` rewrites the outputs from real runs.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mdbook_driver::MDBook;
use mdbook_driver::book::BookItem;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

#[path = "../book/api_docs.rs"]
mod api_docs;
mod common;
#[path = "../book/python_source.rs"]
mod python_source;

const TIMEOUT: Duration = Duration::from_secs(30);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> MDBook {
    let mut book = MDBook::load(root().join("book")).unwrap();
    book.with_preprocessor(python_source::PythonSource);
    book
}

/// Every chapter: `(path of its source, raw Markdown)`.
fn chapters() -> Vec<(PathBuf, String)> {
    let book = MDBook::load(root().join("book")).unwrap();
    let source_dir = book.source_dir();
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(chapter) => chapter
                .source_path
                .as_ref()
                .map(|p| (source_dir.join(p), chapter.content.clone())),
            _ => None,
        })
        .collect()
}

/// `{{#include path:selector}}` directives of a text: `(path, selector)`.
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        for (i, _) in text.match_indices(directive) {
            let rest = &text[i + directive.len()..];
            let body = rest[..rest.find("}}").expect("a closed directive")].trim();
            match body.split_once(':') {
                Some((path, selector)) => {
                    found.push((path.to_string(), Some(selector.to_string())))
                }
                None => found.push((body.to_string(), None)),
            }
        }
    }
    found
}

/// mdBook's anchor rule: `ANCHOR: name` then a character that is not a word
/// character or `-`, or the end of the line.
fn has_anchor(text: &str, marker: &str, name: &str) -> bool {
    text.lines().any(|line| {
        line.find(marker).is_some_and(|i| {
            let rest = line[i + marker.len()..].trim_start();
            rest.strip_prefix(name).is_some_and(|after| {
                !after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
            })
        })
    })
}

#[test]
fn every_include_and_anchor_resolves() {
    let mut count = 0;
    for (chapter, content) in chapters() {
        for (path, selector) in includes(&content) {
            count += 1;
            let file = chapter.parent().unwrap().join(&path);
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: include of {path}: {e}", chapter.display()));
            if let Some(anchor) =
                selector.filter(|s| !s.chars().next().is_some_and(|c| c.is_ascii_digit()))
            {
                assert!(
                    has_anchor(&text, "ANCHOR:", &anchor)
                        && has_anchor(&text, "ANCHOR_END:", &anchor),
                    "{}: {path} has no anchor {anchor} with both ends",
                    chapter.display()
                );
            }
        }
    }
    assert!(count > 30, "only {count} includes");
}

#[test]
fn book_builds_with_no_leftover_directives_and_every_local_link_resolves() {
    let mut book = load();
    let (expanded, _) = book.preprocess_book(&MarkdownRenderer::new()).unwrap();
    for item in expanded.iter() {
        if let BookItem::Chapter(chapter) = item {
            assert!(
                !chapter.content.contains("{{#"),
                "{}: a directive survived",
                chapter.name
            );
        }
    }
    let out = std::env::temp_dir().join(format!("book-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    book.config.build.build_dir = out.clone();
    book.build().unwrap();
    api_docs::copy_api_docs(&out).unwrap();
    assert!(out.join("index.html").is_file());
    assert!(fs::read_dir(&out).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("searchindex")
    }));

    // Every local link of every page of the book (rustdoc's own pages aside) names a
    // file that exists, links into the API documentation included.
    let mut pages = 0;
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != out.join("api") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "html") {
                pages += 1;
                let html = fs::read_to_string(&path).unwrap();
                // Links are `<a href="…">` (and `<link href="…">`); code blocks escape
                // their `<`, so an `href=` inside shown code is not taken for one.
                for (i, _) in html
                    .match_indices("<a href=\"")
                    .chain(html.match_indices("<link href=\""))
                {
                    let start = i + html[i..].find('"').unwrap() + 1;
                    let target = &html[start..];
                    let target = &target[..target.find('"').unwrap()];
                    if target.is_empty()
                        || target.starts_with('#')
                        || target.contains("://")
                        || target.starts_with("mailto:")
                    {
                        continue;
                    }
                    let file = target.split(['#', '?']).next().unwrap();
                    let resolved = path.parent().unwrap().join(file);
                    assert!(
                        resolved.exists(),
                        "{}: link to {target} resolves to nothing",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(pages > 10, "only {pages} pages");
    fs::remove_dir_all(&out).unwrap();
}

#[test]
fn no_rust_is_typed_into_the_markdown() {
    for (chapter, content) in chapters() {
        let mut in_rust = false;
        for line in content.lines() {
            let fence = line.trim_start();
            if fence.starts_with("```") {
                in_rust = !in_rust && fence.trim_start_matches('`').starts_with("rust");
                continue;
            }
            if in_rust {
                assert!(
                    line.trim().is_empty()
                        || line.trim_start().starts_with("{{#include ")
                        || line.trim_start().starts_with("{{#rustdoc_include "),
                    "{}: Rust typed into the Markdown: {line:?}",
                    chapter.display()
                );
            }
        }
    }
}

#[test]
fn every_example_is_taught_and_every_cargo_run_names_a_real_one() {
    let examples: BTreeSet<String> = fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut text = String::new();
    for (_, content) in chapters() {
        text.push_str(&content);
    }
    for entry in fs::read_dir(root().join("book/outputs")).unwrap() {
        text.push_str(&fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for example in &examples {
        assert!(
            text.contains(&format!("--example {example}")),
            "no chapter runs example {example}"
        );
    }
    for (i, _) in text.match_indices("--example ") {
        let name: String = text[i + 10..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            examples.contains(&name),
            "the book runs a missing example: {name}"
        );
    }
}

// --- "Run it": the outputs in book/outputs/, checked against real runs --------------

/// A reader's session: start an example, run client commands in another terminal,
/// and see what both print.
struct Session {
    /// `book/outputs/<file>`.
    file: &'static str,
    /// The command as the reader types it (`{port}` is the example's default port).
    command: &'static str,
    example: &'static str,
    /// The example's arguments, `{port}` for the port (0 in the test), `{dir}` for a
    /// demo directory.
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// The port the reader sees.
    port: u16,
    /// Shell commands run one after the other, `{port}` for the port.
    clients: &'static [&'static str],
    /// The server output is complete once a line contains this.
    until: &'static str,
    /// Send Ctrl-C (SIGINT) at the end instead of killing the server.
    interrupt: bool,
    /// Start `http_server` on the demo directory first, as `{origin}` (port 8000).
    origin: bool,
}

const SESSIONS: &[Session] = &[
    Session {
        file: "proxy.txt",
        command: "cargo run --example proxy",
        example: "proxy",
        args: &["{port}"],
        env: &[],
        port: 8080,
        clients: &[
            "curl -s -x http://127.0.0.1:{port} http://127.0.0.1:{origin}/hello.txt",
            "curl -s -I -x http://127.0.0.1:{port} http://127.0.0.1:{origin}/hello.txt",
            "curl -s -p -x http://127.0.0.1:{port} http://127.0.0.1:{origin}/hello.txt",
            "curl -s -i http://127.0.0.1:{port}/hello.txt",
        ],
        until: "\"GET /hello.txt HTTP/1.1\" 400 -",
        interrupt: true,
        origin: true,
    },
    Session {
        file: "tcp_echo_trace.txt",
        command: "SOCKETSERVER_TRACE=1 cargo run --example tcp_echo",
        example: "tcp_echo",
        args: &["{port}"],
        env: &[("SOCKETSERVER_TRACE", "1")],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); s.sendall(b"hello\n"); print(s.recv(100))'"#,
        ],
        until: "close_request",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "http_server_trace.txt",
        command: "SOCKETSERVER_TRACE=1 cargo run --example http_server -- --bind 127.0.0.1 --directory demo",
        example: "http_server",
        args: &["{port}", "--bind", "127.0.0.1", "--directory", "{dir}"],
        env: &[("SOCKETSERVER_TRACE", "1")],
        port: 8000,
        clients: &["curl -s http://127.0.0.1:{port}/hello.txt"],
        until: "close_request",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "http_server_session.txt",
        command: "cargo run --example http_server -- --bind 127.0.0.1 --directory demo",
        example: "http_server",
        args: &["{port}", "--bind", "127.0.0.1", "--directory", "{dir}"],
        env: &[],
        port: 8000,
        clients: &[
            "curl -s -i http://127.0.0.1:{port}/hello.txt",
            "curl -s -i 'http://127.0.0.1:{port}/sub?x=1'",
            "curl -s http://127.0.0.1:{port}/",
            "curl -s -i http://127.0.0.1:{port}/missing.txt",
        ],
        until: "\"GET /missing.txt HTTP/1.1\" 404 -",
        interrupt: true,
        origin: false,
    },
    Session {
        file: "parse_request_errors.txt",
        command: "cargo run --example http_get_post",
        example: "http_get_post",
        args: &["{port}"],
        env: &[],
        port: 8000,
        clients: &[
            r"printf 'GET /hello HTTP/1.0\r\n\r\n' | curl -s telnet://127.0.0.1:{port}",
            r"printf 'GET /hello\r\n' | curl -s telnet://127.0.0.1:{port}",
            r"printf 'GET / HTTP/2.0\r\n\r\n' | curl -s telnet://127.0.0.1:{port}",
            r"printf 'GET /a b HTTP/1.1\r\n\r\n' | curl -s telnet://127.0.0.1:{port}",
            r"printf 'BREW /pot HTTP/1.1\r\n\r\n' | curl -s telnet://127.0.0.1:{port}",
            "curl -s --data 'name=World' http://127.0.0.1:{port}/greet",
        ],
        until: "\"POST /greet HTTP/1.1\" 200 -",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "http_keep_alive.txt",
        command: "cargo run --example http_keep_alive",
        example: "http_keep_alive",
        args: &["{port}"],
        env: &[],
        port: 8000,
        clients: &["curl -s http://127.0.0.1:{port}/one http://127.0.0.1:{port}/two"],
        until: "\"GET /two HTTP/1.1\" 200 -",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "threading.txt",
        command: "cargo run --example blocking_threading_forking -- threading",
        example: "blocking_threading_forking",
        args: &["threading", "{port}"],
        env: &[],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); s.sendall(b"one\n"); print(s.recv(100))'"#,
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); s.sendall(b"two\n"); print(s.recv(100))'"#,
        ],
        until: "",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "forking.txt",
        command: "cargo run --example blocking_threading_forking -- forking",
        example: "blocking_threading_forking",
        args: &["forking", "{port}"],
        env: &[],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); s.sendall(b"one\n"); print(s.recv(100))'"#,
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); s.sendall(b"two\n"); print(s.recv(100))'"#,
        ],
        until: "",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "daemon_threads.txt",
        command: "cargo run --example daemon_threads",
        example: "daemon_threads",
        args: &["{port}"],
        env: &[],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); print(s.makefile().read(), end="")'"#,
        ],
        until: "main: leaving",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "daemon_threads_no_block_on_close.txt",
        command: "cargo run --example daemon_threads -- --no-block-on-close",
        example: "daemon_threads",
        args: &["--no-block-on-close", "{port}"],
        env: &[],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", {port})); print(s.makefile().read(), end="")'"#,
        ],
        until: "main: leaving",
        interrupt: false,
        origin: false,
    },
    Session {
        file: "udp_echo.txt",
        command: "cargo run --example udp_echo",
        example: "udp_echo",
        args: &["{port}"],
        env: &[],
        port: 9999,
        clients: &[
            r#"python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"hello\n", ("127.0.0.1", {port})); print(s.recv(100))'"#,
        ],
        until: "",
        interrupt: false,
        origin: false,
    },
];

/// The demo directory `http_server` serves in the sessions.
fn demo_directory() -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("book-demo-{}", std::process::id()))
        .join("demo");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("hello.txt"), "Hello, world\n").unwrap();
    fs::write(dir.join("sub/notes.md"), "# Notes\n").unwrap();
    fs::write(dir.join("index-of-nothing.css"), "body {}\n").unwrap();
    dir
}

/// Replaces each run of digits after `prefix` with the value `f` gives for it.
fn replace_numbers_after(text: &str, prefix: &str, f: &mut impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        out.push_str(&rest[..i + prefix.len()]);
        rest = &rest[i + prefix.len()..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str(&f(&rest[..digits]));
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// What varies from run to run becomes what the reader would see: the real port the
/// example's default, process ids numbered in order of appearance from 4242, other
/// ports 54321, dates a fixed one, the demo directory `demo`.
fn normalise(text: &str, port: u16, default_port: u16, origin: Option<u16>, demo: &Path) -> String {
    let text = text.replace(&demo.display().to_string(), "demo");
    let port = port.to_string();
    let default = default_port.to_string();
    let origin = origin.map(|o| o.to_string());
    let mut fix_port = |n: &str| {
        if n == port || n == default {
            default.clone()
        } else if origin.as_deref() == Some(n) || n == "8000" {
            "8000".to_string()
        } else {
            "54321".to_string()
        }
    };
    let text = replace_numbers_after(&text, "127.0.0.1:", &mut fix_port);
    let text = replace_numbers_after(&text, "127.0.0.1 ", &mut fix_port);
    let text = replace_numbers_after(&text, "port ", &mut fix_port);
    let text = replace_numbers_after(&text, "(\"127.0.0.1\", ", &mut fix_port);
    let mut pids: Vec<String> = Vec::new();
    let text = replace_numbers_after(&text, "pid ", &mut |n: &str| {
        let index = pids.iter().position(|p| p == n).unwrap_or_else(|| {
            pids.push(n.to_string());
            pids.len() - 1
        });
        (4242 + index).to_string()
    });
    // Durations, to the nearest half second.
    let text = replace_numbers_after(&text, " after ", &mut |n: &str| {
        let ms: u64 = n.parse().unwrap();
        ((ms + 250) / 500 * 500).to_string()
    });
    // HTTP dates and log dates.
    let mut out = Vec::new();
    for line in text.lines() {
        let line = if let Some(i) = line.find("Date: ").or_else(|| line.find("Last-Modified: ")) {
            let name_end = i + line[i..].find(": ").unwrap() + 2;
            format!("{}Thu, 26 Nov 2026 12:00:00 GMT", &line[..name_end])
        } else if let (Some(a), Some(b)) = (line.find(" - - ["), line.find("] ")) {
            format!("{}26/Nov/2026 12:00:00{}", &line[..a + 6], &line[b..])
        } else {
            line.to_string()
        };
        out.push(line);
    }
    out.join("\n") + "\n"
}

/// Each line of server output, and whether it came on stderr.
fn spawn_reader(
    stream: impl Read + Send + 'static,
    stderr: bool,
    lines: mpsc::Sender<(bool, String)>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            if lines.send((stderr, line.unwrap_or_default())).is_err() {
                break;
            }
        }
    });
}

/// The server's output: lines tagged with the phase of the session they came in
/// (0 before the clients, 1 during, 2 after Ctrl-C) and their stream. Two reader
/// threads cannot tell which of stdout and stderr wrote first, so within a phase
/// stdout comes first, which is the order the examples write in.
struct ServerOutput {
    lines: Vec<(u8, bool, String)>,
    phase: u8,
}

impl ServerOutput {
    fn push(&mut self, (stderr, line): (bool, String)) {
        self.lines.push((self.phase, stderr, line));
    }

    fn contains(&self, needle: &str) -> bool {
        self.lines.iter().any(|(_, _, l)| l.contains(needle))
    }

    fn text(mut self) -> String {
        self.lines
            .sort_by_key(|(phase, stderr, _)| (*phase, *stderr));
        let lines: Vec<String> = self.lines.into_iter().map(|(_, _, l)| l).collect();
        lines.join("\n")
    }
}

fn run_session(session: &Session, demo: &Path) -> String {
    let args: Vec<String> = session
        .args
        .iter()
        .map(|a| {
            a.replace("{port}", "0")
                .replace("{dir}", &demo.display().to_string())
        })
        .collect();
    // The origin the clients fetch from, through the example (a proxy).
    let origin = session.origin.then(|| {
        let program = common::example("http_server");
        common::process::ServerProcess::start(common::process::port_http_server(
            &program, "HTTP/1.1", demo,
        ))
    });
    let origin_port = origin.as_ref().map(|origin| origin.port);
    let mut child: Child = Command::new(common::example(session.example))
        .args(&args)
        .envs(session.env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    spawn_reader(child.stdout.take().unwrap(), false, send.clone());
    spawn_reader(child.stderr.take().unwrap(), true, send);
    let mut server = ServerOutput {
        lines: Vec::new(),
        phase: 0,
    };
    let port: u16 = loop {
        let (stderr, line) = lines.recv_timeout(TIMEOUT).expect("the example's banner");
        server.push((stderr, line.clone()));
        if let Some(rest) = line.split(" port ").nth(1) {
            break rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())]
                .parse()
                .unwrap();
        }
    };
    // The rest of the banner.
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(300)) {
        server.push(line);
    }
    server.phase = 1;
    let mut client = String::new();
    for command in session.clients {
        let output = Command::new("sh")
            .arg("-c")
            .arg(
                command
                    .replace("{port}", &port.to_string())
                    .replace("{origin}", &origin_port.unwrap_or(0).to_string()),
            )
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        client.push_str(&format!(
            "$ {}\n",
            command
                .replace("{port}", &session.port.to_string())
                .replace("{origin}", "8000")
        ));
        let out = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
        client.push_str(&out);
        if !out.is_empty() && !out.ends_with('\n') {
            client.push('\n');
        }
    }
    // The server's output up to the marker (bounded), then what a stop prints.
    let deadline = Instant::now() + TIMEOUT;
    if !session.until.is_empty() {
        while !server.contains(session.until) {
            let left = deadline.saturating_duration_since(Instant::now());
            server.push(
                lines.recv_timeout(left).unwrap_or_else(|_| {
                    panic!("{}: no line with {:?}", session.file, session.until)
                }),
            );
        }
    }
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(300)) {
        server.push(line);
    }
    if session.interrupt {
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
        server.phase = 2;
        server.push((false, "^C".to_string()));
        while let Ok(line) = lines.recv_timeout(TIMEOUT) {
            server.push(line);
        }
        assert!(child.wait().unwrap().success());
    } else {
        let _ = child.kill(); // it may have left by itself
        child.wait().unwrap();
    }
    let transcript = format!(
        "# in one terminal\n$ {}\n{}\n\n# in another\n{}",
        session.command,
        server.text(),
        client
    );
    drop(origin); // stops the origin
    normalise(&transcript, port, session.port, origin_port, demo)
}

#[test]
fn every_run_it_output_is_what_a_real_run_prints() {
    let demo = demo_directory();
    let update = std::env::var_os("UPDATE_BOOK_OUTPUTS").is_some();
    let mut stale = Vec::new();
    for session in SESSIONS {
        let path = root().join("book/outputs").join(session.file);
        let real = run_session(session, &demo);
        if update {
            fs::write(&path, &real).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(real.as_str()) {
            stale.push(format!("{}: a real run prints\n{real}", session.file));
        }
    }
    fs::remove_dir_all(demo.parent().unwrap()).unwrap();
    assert!(
        stale.is_empty(),
        "outputs out of date (UPDATE_BOOK_OUTPUTS=1 cargo test --test book rewrites them):\n{}",
        stale.join("\n")
    );
    // Every output file is shown by some chapter, and belongs to a session.
    let text: String = chapters().into_iter().map(|(_, c)| c).collect();
    for entry in fs::read_dir(root().join("book/outputs")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            SESSIONS.iter().any(|s| s.file == name),
            "book/outputs/{name} has no session"
        );
        assert!(
            text.contains(&format!("outputs/{name}")),
            "no chapter shows book/outputs/{name}"
        );
    }
}
