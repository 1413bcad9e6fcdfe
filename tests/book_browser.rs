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
//! The panel at the foot of each page: `read_book` records the chain of every request
//! and answers `/__chain?page=…`, first checked with a plain TCP client (the chain of
//! a 200, then of a 304 on the same kept-alive connection), then in the browser: a
//! served page shows its request's chain, `do_GET` and `copyfile` among its hooks;
//! the same page opened from `file://`, or served by another server, shows no panel
//! and reports no script error on the console.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the tests say so and
//! pass, except under CI (`CI=true`), where a missing browser is a failure; the plain
//! TCP check needs no browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

mod common;

use common::browser::{Headless, chromium_or_skip, script_errors};

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

/// One response read off a kept-alive connection: status, headers, body (as long as
/// `Content-Length` says; none for a 304).
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Sends `GET target HTTP/1.1` with `headers` on `connection` and reads the answer.
fn get(connection: &mut BufReader<TcpStream>, target: &str, headers: &[&str]) -> Response {
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    connection.get_mut().write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    connection.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("GET {target}: no status line: {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        connection.read_line(&mut line).unwrap();
        let Some((key, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((key.to_string(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let length: usize = response
        .header("Content-Length")
        .map_or(0, |length| length.parse().unwrap());
    response.body = vec![0; length];
    connection.read_exact(&mut response.body).unwrap();
    response
}

/// The chain `read_book` answers for `page`, checked for the shape `chain.js`
/// draws: `handle_one_request` first at depth 0, every other hook nested inside the
/// one before it at a lesser depth, in order of start.
fn chain(connection: &mut BufReader<TcpStream>, page: &str) -> serde_json::Value {
    let answer = get(connection, &format!("/__chain?page={page}"), &[]);
    assert_eq!(answer.status, 200, "/__chain?page={page}");
    assert_eq!(answer.header("Content-Type"), Some("application/json"));
    let chain: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    let hooks = chain["hooks"].as_array().expect("hooks");
    assert_eq!(hooks[0]["name"], "handle_one_request", "{chain}");
    assert_eq!(hooks[0]["depth"], 0, "{chain}");
    let span = |hook: &serde_json::Value| {
        let start = hook["start_us"].as_u64().unwrap();
        (start, start + hook["duration_us"].as_u64().unwrap())
    };
    for (i, hook) in hooks.iter().enumerate().skip(1) {
        let depth = hook["depth"].as_u64().unwrap();
        assert!(depth >= 1, "{chain}");
        let parent = hooks[..i]
            .iter()
            .rev()
            .find(|h| h["depth"].as_u64().unwrap() == depth - 1)
            .unwrap_or_else(|| panic!("hook {i} has no parent: {chain}"));
        let ((start, end), (parent_start, parent_end)) = (span(hook), span(parent));
        assert!(
            parent_start <= start && end <= parent_end,
            "hook {i} outside its parent: {chain}"
        );
        assert!(span(&hooks[i - 1]).0 <= start, "out of order: {chain}");
    }
    chain
}

/// The names and depths of a chain's hooks: `["handle_one_request@0", "parse_request@1", …]`.
fn hooks(chain: &serde_json::Value) -> Vec<String> {
    chain["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hook| format!("{}@{}", hook["name"].as_str().unwrap(), hook["depth"]))
        .collect()
}

#[test]
fn read_book_answers_the_chain_of_each_request() {
    let _turn = book_turn();
    let (server, base) = read_book();
    let address = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let stream = TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut connection = BufReader::new(stream);

    // Request 1 on the connection: the page, 200.
    let page = get(&mut connection, "/one-request.html", &[]);
    assert_eq!(page.status, 200);
    let last_modified = page
        .header("Last-Modified")
        .expect("Last-Modified")
        .to_string();

    // Request 2 asks for its chain; the same connection, so request 1 is over.
    let first = chain(&mut connection, "%2Fone-request.html");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/one-request.html");
    assert_eq!(first["status"], 200);
    assert_eq!(first["request_on_connection"], 1);
    let thread = first["thread"].as_str().unwrap();
    assert!(
        thread.starts_with("Thread-") && thread.ends_with(" (process_request_thread)"),
        "{thread}"
    );
    let names = hooks(&first);
    for hook in [
        "parse_request@1",
        "do_GET@1",
        "send_head@2",
        "translate_path@3",
        "send_response@3",
        "copyfile@2",
    ] {
        assert!(names.contains(&hook.to_string()), "no {hook}: {names:?}");
    }

    // Request 3: the browser had the page already, and gets a 304 and no body.
    let again = get(
        &mut connection,
        "/one-request.html",
        &[&format!("If-Modified-Since: {last_modified}")],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Request 4 asks for the chain again: the newest, request 3 (the endpoint's own
    // request 2 is not recorded).
    let second = chain(&mut connection, "/one-request.html");
    assert_eq!(second["status"], 304);
    assert_eq!(second["request_on_connection"], 3);
    assert_eq!(second["thread"], thread, "one connection, one thread");
    let names = hooks(&second);
    assert!(names.contains(&"send_head@2".to_string()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("copyfile@")),
        "{names:?}"
    );

    // A page never asked for, and the endpoint itself: 404, and that closes.
    let unknown = get(&mut connection, "/__chain?page=/__chain", &[]);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.header("Connection"), Some("close"));
    let mut rest = Vec::new();
    connection.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());

    // The endpoint's requests are logged as any other.
    let log = server.stop();
    assert!(
        log.contains("\"GET /__chain?page=%2Fone-request.html HTTP/1.1\" 200 -"),
        "{log}"
    );
}

#[test]
fn a_served_page_shows_the_request_that_served_it() {
    let Some(chromium) = chromium_or_skip("a_served_page_shows_the_request_that_served_it") else {
        return;
    };
    let _turn = book_turn();
    let (server, base) = read_book();
    let (dom, stderr) = Headless::new(&chromium)
        .args([
            "--virtual-time-budget=10000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("{base}one-request.html"))
        .run_with_stderr();
    assert_renders(&dom, "one-request.html");
    let errors = script_errors(&stderr);
    assert!(errors.is_empty(), "script errors: {errors:#?}");

    // The panel, last in the page's <main>.
    let start = dom
        .find("id=\"request-chain\"")
        .unwrap_or_else(|| panic!("no panel in one-request.html:\n{dom}"));
    let panel = &dom[start..start + dom[start..].find("</aside>").expect("</aside>")];
    assert!(
        dom[start..].find("</aside>") < dom[start..].find("</main>"),
        "the panel is not in <main>"
    );
    for text in [
        "GET /one-request.html",
        " (process_request_thread)",
        "request 1 on its connection",
        "200 OK",
        ">handle_one_request<",
        ">parse_request<",
        ">do_GET<",
        ">send_head<",
        ">copyfile<",
    ] {
        assert!(panel.contains(text), "the panel lacks {text:?}:\n{panel}");
    }

    let log = server.stop();
    assert!(
        log.contains("\"GET /__chain?page=%2Fone-request.html HTTP/1.1\" 200 -"),
        "the page did not ask for its chain:\n{log}"
    );
}

/// The mixins picture, drawn by the book's preprocessor from four recorded runs, is
/// in the threading chapter's DOM as an SVG: its title, a section per server, and the
/// lanes of each (the main thread, three request threads, three forked children, two
/// pool workers).
#[test]
fn the_threading_chapter_shows_the_mixins_picture() {
    let Some(chromium) = chromium_or_skip("the_threading_chapter_shows_the_mixins_picture") else {
        return;
    };
    let _turn = book_turn();
    let (server, base) = read_book();
    let dom = Headless::new(&chromium)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("{base}threading-mixin.html"))
        .run();
    assert_renders(&dom, "threading-mixin.html");
    let figure = dom
        .match_indices("<figure")
        .map(|(i, _)| &dom[i..i + dom[i..].find("</figure>").expect("</figure>")])
        .find(|f| f.contains("Three clients on TcpServer"))
        .unwrap_or_else(|| panic!("no mixins picture in threading-mixin.html"));
    assert!(
        figure.contains("<svg") && figure.contains("role=\"img\""),
        "{figure:.300}"
    );
    for lane in [
        "TcpServer",
        "ThreadingTcpServer",
        "ForkingTcpServer",
        "ThreadPoolTcpServer, 2 workers",
        "Thread-3 (process_request_thread)",
        "timelines (child) #3: main",
        "ThreadPool-2 (worker)",
    ] {
        assert!(
            figure.contains(&format!(">{lane}<")),
            "no lane {lane:?} in the picture"
        );
    }
    let svg = &figure[..figure.find("</svg>").expect("</svg>")];
    assert_eq!(
        svg.matches(">handle<").count(),
        12,
        "three handle bars per server"
    );
    server.stop();
}

/// The same page with nothing to ask: opened from `file://` (the script does not
/// try), and served by the port's `http_server`, whose 404 for `/__chain` is no chain.
/// Neither shows a panel, and neither page reports a script error, as the control (a
/// page that throws) shows the console would.
#[test]
fn elsewhere_the_page_shows_no_panel_and_no_error() {
    let Some(chromium) = chromium_or_skip("elsewhere_the_page_shows_no_panel_and_no_error") else {
        return;
    };
    let _turn = book_turn();
    let mut command = Command::new(common::example("read_book"));
    command.arg("--no-serve");
    let (mut builder, built) = Server::start(command, "Open file://");
    assert!(
        builder.child.wait().unwrap().success(),
        "read_book --no-serve"
    );
    let book = PathBuf::from(built.trim_end_matches("/index.html"));

    let run = |url: &str| {
        Headless::new(&chromium)
            .args([
                "--virtual-time-budget=10000",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
            ])
            .arg(url)
            .run_with_stderr()
    };

    // The control: a thrown error is on the console, where the checks look.
    let control = std::env::temp_dir().join(format!("control-{}.html", std::process::id()));
    std::fs::write(
        &control,
        "<p>control</p><script>throw new Error('the control')</script>",
    )
    .unwrap();
    let (_, stderr) = run(&format!("file://{}", control.display()));
    let _ = std::fs::remove_file(&control);
    assert_eq!(
        script_errors(&stderr).len(),
        1,
        "the console does not show the control's error:\n{stderr}"
    );

    let page = book.join("one-request.html");
    let (dom, stderr) = run(&format!("file://{}", page.display()));
    assert_renders(&dom, "one-request.html from file://");
    assert!(
        !dom.contains("request-chain"),
        "a panel from file://:\n{dom}"
    );
    let errors = script_errors(&stderr);
    assert!(errors.is_empty(), "script errors from file://: {errors:#?}");

    let mut command = Command::new(common::example("http_server"));
    command
        .arg("0")
        .args(["--bind", "127.0.0.1", "--directory"])
        .arg(&book);
    let (other, banner) = Server::start(command, "Serving HTTP on ");
    let url = banner
        .split('(')
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no URL in http_server's banner: {banner:?}"))
        .to_string();
    let (dom, stderr) = run(&format!("{url}one-request.html"));
    assert_renders(&dom, "one-request.html from http_server");
    assert!(
        !dom.contains("request-chain"),
        "a panel from http_server:\n{dom}"
    );
    let errors = script_errors(&stderr);
    assert!(
        errors.is_empty(),
        "script errors from http_server: {errors:#?}"
    );
    let log = other.stop();
    assert!(
        log.contains("\"GET /__chain?page=%2Fone-request.html HTTP/1.1\" 404 -"),
        "the page did not ask http_server:\n{log}"
    );
}
