//! The static-file server of `examples/http_server.rs`, as tiny_http would write it:
//! files only (no listings), safe against `..`.
//!
//! ```text
//! cargo run --release --example tiny_http_files [PORT] [--directory DIR]
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use tiny_http::{Header, Response, Server};

#[path = "support/mod.rs"]
mod support;

const USAGE: &str = "usage: tiny_http_files [PORT] [--directory DIR]\n\n\
    Serves the files of DIR (the current directory by default) over HTTP with tiny_http, on \
    127.0.0.1 port PORT (8000 by default): http_server's job, as tiny_http would write it.";

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

// ANCHOR: translate
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
// ANCHOR_END: translate

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

fn main() {
    // Not a crate server: tiny_http's threads own the sockets, so Ctrl-C ends it at once.
    support::exit_on_ctrl_c();
    let args: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&args, &["--directory", "-d"], USAGE);
    let port = support::port_among(&args, &["--directory", "-d"], 8000, USAGE);
    let root = args
        .iter()
        .position(|a| a == "--directory" || a == "-d")
        .map_or_else(
            || std::env::current_dir().unwrap(),
            |i| {
                PathBuf::from(
                    args.get(i + 1)
                        .unwrap_or_else(|| support::usage_error(USAGE)),
                )
            },
        );
    let server = Server::http(("127.0.0.1", port));
    let server = support::or_exit(server, "tiny_http_files", format!("127.0.0.1:{port}"));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    println!(
        "Serving {} (tiny_http) on 127.0.0.1 port {port}",
        root.display()
    );
    // ANCHOR: serve
    for request in server.incoming_requests() {
        let file = translate(&root, request.url())
            .filter(|f| f.is_file())
            .and_then(|f| Some((File::open(&f).ok()?, f)));
        let _ = match file {
            Some((file, path)) => {
                let header = Header::from_bytes("Content-Type", content_type(&path)).unwrap();
                request.respond(Response::from_file(file).with_header(header))
            }
            None => {
                request.respond(Response::from_string("File not found\n").with_status_code(404))
            }
        };
    }
    // ANCHOR_END: serve
}
