//! Solution to the tiny_http chapter's exercise 3: `examples/tiny_http_files.rs`
//! answering for a directory as the port's `send_head` does: `/site` is redirected
//! to `/site/` (301), and `/site/` serves `site/index.html` (or `index.htm`). A
//! directory without an index is still a 404: listings stay out.
//!
//! ```text
//! cargo run --example tiny_http_3 -- [PORT] [--directory DIR]    # default 8000, the current directory
//! curl -i http://127.0.0.1:8000/site
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::sys::signal::{SigSet, Signal};
use tiny_http::{Header, Request, Response, Server};

#[path = "../support/mod.rs"]
mod support;

const USAGE: &str = "usage: tiny_http_3 [PORT] [--directory DIR]";

/// `%XX` decoded; `None` if the result is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The file a URL names under `root`: the query dropped, `%XX` decoded, and any
/// `.`, `..`, empty or NUL-bearing component refused rather than skipped.
fn translate(root: &Path, url: &str) -> Option<PathBuf> {
    let path = percent_decode(url.split(['?', '#']).next()?)?;
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." || part.contains(['\\', '\0']) {
            return None;
        }
        file.push(part);
    }
    Some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") | Some("htm") => "text/html",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("txt") | Some("md") => "text/plain",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

// ANCHOR: solution
/// Python's `send_head`, the part before the file: a directory's URL without a
/// trailing slash is redirected to the one with it, and a directory is served by
/// its `index.html` or `index.htm`. `None` means 404.
fn respond(root: &Path, request: Request) -> std::io::Result<()> {
    let url = request.url().to_string();
    let (route, query) = url.split_at(url.find(['?', '#']).unwrap_or(url.len()));
    let Some(mut path) = translate(root, &url) else {
        return not_found(request);
    };
    if path.is_dir() {
        if !route.ends_with('/') {
            let location = Header::from_bytes("Location", format!("{route}/{query}")).unwrap();
            return request.respond(Response::empty(301).with_header(location));
        }
        match ["index.html", "index.htm"]
            .iter()
            .map(|index| path.join(index))
            .find(|index| index.is_file())
        {
            Some(index) => path = index,
            None => return not_found(request),
        }
    }
    match File::open(&path) {
        Ok(file) if path.is_file() => {
            let header = Header::from_bytes("Content-Type", content_type(&path)).unwrap();
            request.respond(Response::from_file(file).with_header(header))
        }
        _ => not_found(request),
    }
}
// ANCHOR_END: solution

fn not_found(request: Request) -> std::io::Result<()> {
    request.respond(Response::from_string("File not found\n").with_status_code(404))
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let port = match args.peek() {
        Some(first) if !first.starts_with('-') => support::port_argument(args.next(), 8000, USAGE),
        _ => 8000,
    };
    let mut root = PathBuf::from(".");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--directory" | "-d", Some(dir)) => root = PathBuf::from(dir),
            _ => support::usage_error(USAGE),
        }
    }
    if let Err(e) = SigSet::from(Signal::SIGINT).thread_block() {
        eprintln!("tiny_http_3: {e}");
        std::process::exit(1);
    }
    let server = Server::http(("127.0.0.1", port));
    let server = Arc::new(support::or_exit(
        server,
        "tiny_http_3",
        format!("127.0.0.1:{port}"),
    ));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    println!(
        "Serving {} (tiny_http) on 127.0.0.1 port {port}",
        root.display()
    );
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.unblock();
    });
    for request in server.incoming_requests() {
        let _ = respond(&root, request);
    }
    println!("\nKeyboard interrupt received, exiting.");
}
