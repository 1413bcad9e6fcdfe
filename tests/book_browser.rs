//! The book in a real browser: headless Chromium loads it from `read_book`, the
//! port's own server, as a reader would. The first chapter and a deep one must render
//! with their sidebar, their code highlighted and search answering, and no request
//! for a page, script, style or font may fail (their MIME types are the port's
//! `guess_type`). A screenshot is kept in the target directory, `book-screenshot.png`.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the test says so and
//! passes, except under CI (`CI=true`), where a missing browser is a failure.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;

const TIMEOUT: Duration = Duration::from_secs(120);

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let found = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {name}"))
                .output()
                .ok()?;
            found
                .status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
        })
}

/// Chromium's DOM of `url` once its scripts have run.
fn dump_dom(chromium: &PathBuf, url: &str) -> String {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed on {url}");
    String::from_utf8_lossy(&output.stdout).into_owned()
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
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").is_err(),
            "chromium is not installed: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED the_book_renders_in_a_real_browser: no chromium (apt-get install chromium)"
        );
        return;
    };
    let mut server = Command::new(common::example("read_book"))
        .arg("0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    let stdout = server.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let base = loop {
        let line = lines
            .recv_timeout(TIMEOUT)
            .expect("read_book says where it serves");
        if let Some(rest) = line.strip_prefix("Serving the book at ") {
            break rest.split(' ').next().unwrap().to_string();
        }
    };

    let first = dump_dom(&chromium, &base);
    assert_renders(&first, "the first page");
    assert!(
        first.contains("<h1 id=\"preface\">"),
        "the first page is the preface"
    );

    let deep = dump_dom(
        &chromium,
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
    let shot = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--window-size=1280,900",
        ])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("{base}one-request.html"))
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(shot.status.success());
    assert!(
        std::fs::metadata(&screenshot).unwrap().len() > 10_000,
        "an empty screenshot"
    );

    // Stop the server (Ctrl-C), then read its request log: everything the browser
    // asked for was served.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(server.wait().unwrap().success());
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
