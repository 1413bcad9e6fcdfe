//! The book in a real browser: headless Chromium loads it from `read_book`, the
//! port's own server, as a reader would. The first chapter and a deep one must render
//! with their sidebar, their code highlighted and search answering, and no request
//! for a page, script, style or font may fail (their MIME types are the port's
//! `guess_type`). A screenshot is kept in the target directory, `book-screenshot.png`.
//!
//! Then the same book through `examples/proxy`, with Chromium's `--proxy-server`
//! and `--upstream` keeping the proxy on loopback: the page renders, every asset
//! comes through the proxy with a 200, and the proxy's log and `read_book`'s list
//! the same requests, nothing else (the flags of `common::browser` keep Chromium
//! from asking for anything of its own).
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the tests say so and
//! pass, except under CI (`CI=true`), where a missing browser is a failure.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

mod common;

use common::browser::{Headless, chromium_or_skip};

const TIMEOUT: Duration = Duration::from_secs(120);

/// `read_book` builds the book into `book/book/` as it starts, and a second one
/// would rebuild it under the first one's feet: the tests take turns.
static BOOK: Mutex<()> = Mutex::new(());

fn book_turn() -> MutexGuard<'static, ()> {
    BOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A server run as a child process: its banner read from stdout, its request log
/// (stderr) collected whole, for when it is stopped. Killed if dropped running.
struct Server {
    child: Child,
    log: Option<JoinHandle<String>>,
}

impl Server {
    /// Starts `command` and returns it with the rest of its first stdout line that
    /// starts with `banner`.
    fn start(mut command: Command, banner: &str) -> (Server, String) {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            let mut log = String::new();
            let _ = stderr.read_to_string(&mut log);
            log
        });
        let server = Server {
            child,
            log: Some(log),
        };
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let rest = loop {
            let line = lines
                .recv_timeout(TIMEOUT)
                .unwrap_or_else(|_| panic!("no {banner:?} on stdout: {command:?}"));
            if let Some(rest) = line.strip_prefix(banner) {
                break rest.to_string();
            }
        };
        (server, rest)
    }

    /// Stops the server as Ctrl-C does, and returns its whole log.
    fn stop(mut self) -> String {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        )
        .unwrap();
        let log = self.log.take().unwrap().join().unwrap();
        assert!(
            self.child.wait().unwrap().success(),
            "exit on Ctrl-C:\n{log}"
        );
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `read_book` on a free port, and the book's URL (`http://127.0.0.1:PORT/`).
fn read_book() -> (Server, String) {
    let mut command = Command::new(common::example("read_book"));
    command.arg("0");
    let (server, rest) = Server::start(command, "Serving the book at ");
    let base = rest.split(' ').next().unwrap().to_string();
    (server, base)
}

/// Chromium's DOM of `url` once its scripts have run, and `extra` flags.
fn dump_dom(chromium: &Path, extra: &[String], url: &str) -> String {
    Headless::new(chromium)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .args(extra)
        .arg(url)
        .run()
}

/// A request line of an access log, `… "GET /path HTTP/1.1" 200 -`, as its method,
/// target and status.
fn request(line: &str) -> Option<(String, String, u16)> {
    let (_, rest) = line.split_once("] \"")?;
    let (request, status) = rest.rsplit_once("\" ")?;
    let status = status.split(' ').next()?.parse().ok()?;
    let mut words = request.split(' ');
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    Some((method, target, status))
}

fn assert_renders(dom: &str, page: &str) {
    // The sidebar: mdBook's scripts build the chapter list on load.
    assert!(dom.contains("class=\"chapter\""), "{page}: no sidebar");
    for title in [
        "One request, end to end",
        "do_GET: SimpleHTTPRequestHandler",
        "Appendix A",
    ] {
        assert!(dom.contains(title), "{page}: the sidebar lacks {title:?}");
    }
    // Code highlighted by highlight.js, which marks each block it has done.
    assert!(dom.contains("hljs"), "{page}: no highlighted code");
}

#[test]
fn the_book_renders_in_a_real_browser() {
    let Some(chromium) = chromium_or_skip("the_book_renders_in_a_real_browser") else {
        return;
    };
    let _turn = book_turn();
    let (server, base) = read_book();

    let first = dump_dom(&chromium, &[], &base);
    assert_renders(&first, "the first page");
    assert!(
        first.contains("<h1 id=\"preface\">"),
        "the first page is the preface"
    );

    let deep = dump_dom(
        &chromium,
        &[],
        &format!("{base}do-get.html?search=serve_forever"),
    );
    assert_renders(&deep, "do-get.html");
    assert!(
        deep.contains("language-rust ignore hljs"),
        "do-get.html: no highlighted Rust"
    );
    assert!(
        deep.contains("language-python hljs"),
        "do-get.html: no Python original"
    );
    let results = deep
        .split("search results for")
        .next()
        .and_then(|before| before.rsplit('>').next())
        .and_then(|n| n.trim().parse::<usize>().ok())
        .expect("search answered");
    assert!(results > 0, "search for serve_forever found nothing");

    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&target).unwrap();
    let screenshot = target.join("book-screenshot.png");
    Headless::new(&chromium)
        .args(["--virtual-time-budget=10000", "--window-size=1280,900"])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("{base}one-request.html"))
        .run();
    assert!(
        std::fs::metadata(&screenshot).unwrap().len() > 10_000,
        "an empty screenshot"
    );

    // Stop the server (Ctrl-C), then read its request log: everything the browser
    // asked for was served.
    let log = server.stop();
    let requests: Vec<&str> = log.lines().filter(|l| l.contains("] \"GET ")).collect();
    for kind in [".js ", ".css ", ".woff2 ", ".html"] {
        assert!(
            requests.iter().any(|l| l.contains(kind)),
            "the browser asked for no {kind}:\n{log}"
        );
    }
    let failed: Vec<&&str> = requests
        .iter()
        .filter(|l| !l.ends_with("\" 200 -"))
        .collect();
    assert!(failed.is_empty(), "failed requests:\n{failed:#?}");
}

/// A book page through the proxy, as a reader behind one would load it. The proxy
/// may reach loopback only (`--upstream`), and Chromium sends loopback through it
/// too (`<-loopback>` takes loopback off its list of hosts it reaches directly), so
/// the proxy's log lists every request of the run: the page's own, each answered
/// 200 (or 304), and the same ones `read_book` logged, and nothing else.
#[test]
fn the_book_through_the_proxy() {
    let Some(chromium) = chromium_or_skip("the_book_through_the_proxy") else {
        return;
    };
    let _turn = book_turn();
    let (book, base) = read_book();
    let origin = base.trim_end_matches('/').to_string();

    let mut command = Command::new(common::example("proxy"));
    command.args(["0", "--upstream", "127.0.0.0/8", "--upstream", "::1/128"]);
    let (proxy, banner) = Server::start(command, "Serving HTTP proxy on ");
    let proxy_port: u16 = banner
        .split(" port ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in the proxy's banner: {banner:?}"));

    let page = format!("{base}one-request.html");
    let dom = dump_dom(
        &chromium,
        &[
            format!("--proxy-server=http://127.0.0.1:{proxy_port}"),
            "--proxy-bypass-list=<-loopback>".to_string(),
        ],
        &page,
    );
    assert_renders(&dom, "one-request.html through the proxy");
    assert!(
        dom.contains("<h1 id=\"one-request-end-to-end\""),
        "one-request.html through the proxy: not its page"
    );
    assert!(
        dom.contains("language-rust ignore hljs"),
        "one-request.html through the proxy: no highlighted Rust"
    );

    let proxy_log = proxy.stop();
    let book_log = book.stop();

    // Every line of the proxy's log is a request for the book's origin: no other
    // destination (a 403 from `--upstream`), no error line (`code 502, …`).
    let mut forwarded = Vec::new();
    let mut other = Vec::new();
    for line in proxy_log.lines() {
        match request(line) {
            Some((method, target, status)) if target.starts_with(&format!("{origin}/")) => {
                forwarded.push((method, target[origin.len()..].to_string(), status));
            }
            _ => other.push(line),
        }
    }
    assert!(
        other.is_empty(),
        "the proxy logged more than requests for {origin}: {other:#?}\nits whole log:\n{proxy_log}"
    );
    let failed: Vec<_> = forwarded
        .iter()
        .filter(|(_, _, status)| !matches!(status, 200 | 304))
        .collect();
    assert!(
        failed.is_empty(),
        "failed through the proxy: {failed:#?}\n{proxy_log}"
    );
    let count = |ext: &str| {
        forwarded
            .iter()
            .filter(|(_, path, _)| path.split('?').next().unwrap().ends_with(ext))
            .count()
    };
    let kinds = [".html", ".css", ".js", ".woff2"];
    for kind in kinds {
        assert!(
            count(kind) > 0,
            "the browser asked the proxy for no {kind}:\n{proxy_log}"
        );
    }

    // The book's server saw exactly what the proxy forwarded: one request each.
    let mut served: Vec<(String, String, u16)> = book_log.lines().filter_map(request).collect();
    let mut through = forwarded.clone();
    served.sort();
    through.sort();
    assert_eq!(
        through, served,
        "the proxy's requests and read_book's differ\nproxy:\n{proxy_log}\nread_book:\n{book_log}"
    );

    let known: usize = kinds.iter().map(|kind| count(kind)).sum();
    eprintln!(
        "through the proxy: {} requests, {} html, {} css, {} js, {} woff2, {} other",
        forwarded.len(),
        count(".html"),
        count(".css"),
        count(".js"),
        count(".woff2"),
        forwarded.len() - known
    );
}
