//! The port against the real thing, on the wire: `python3 -m http.server` and
//! `examples/http_server` serve the same directory on loopback, every request of
//! `tests/differential/requests.txt` goes byte for byte to both, and the answers
//! must be the same bytes, but for the `Date` header and the version word of
//! `Server` (`SimpleHTTP/0.6 Python/3.11.7` against `SimpleHTTP/0.6
//! Rust-socketserver/0.1.0`). Run once with `--protocol HTTP/1.0`, once with
//! `HTTP/1.1`.
//!
//! The few deliberate differences (see the book's differences appendix) are listed
//! in `KNOWN_DIFFERENCES`, each checked to still differ, and in the way we mean.

use std::path::Path;

mod common;

use common::differential::{corpus, exchange, make_tree, normalise, remove_tree};

/// `(case, protocol)` pairs whose answers differ on purpose, with what ours must
/// start with.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    // 3.11: open() raises ValueError, no response at all. Ours: 404.
    ("nul-in-path", "HTTP/1.0", "HTTP/1.0 404 File not found\r\n"),
    ("nul-in-path", "HTTP/1.1", "HTTP/1.1 404 File not found\r\n"),
    // 3.11 reads the unread body as the next request line (a 501 for
    // `helloGET`). Ours: one response, then the connection closes.
    ("unread-body-keep-alive", "HTTP/1.1", "HTTP/1.1 200 OK\r\n"),
];

use common::process::ServerProcess as Server;

fn python_server(directory: &Path, protocol: &str) -> Server {
    Server::start(common::process::python_http_server(protocol, directory))
}

fn port_server(directory: &Path, protocol: &str) -> Server {
    let program = common::example("http_server");
    Server::start(common::process::port_http_server(
        &program, protocol, directory,
    ))
}

fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(700)]);
    format!("{text:?}")
}

#[test]
fn http_server_matches_cpython_byte_for_byte() {
    let root = make_tree();
    let corpus = corpus();
    assert!(corpus.len() >= 150, "the corpus has {} cases", corpus.len());
    let mut run = 0;
    let mut identical = 0;
    let mut failures = Vec::new();
    for protocol in ["HTTP/1.0", "HTTP/1.1"] {
        let python = python_server(&root, protocol);
        let port = port_server(&root, protocol);
        for (name, request) in &corpus {
            run += 1;
            let theirs = normalise(&exchange(python.port, request));
            let ours = normalise(&exchange(port.port, request));
            let known = KNOWN_DIFFERENCES
                .iter()
                .find(|(n, p, _)| n == name && *p == protocol);
            if name.starts_with("traversal") {
                for secret in [&b"OUTSIDE-SECRET"[..], b"root:x:0:0"] {
                    assert!(
                        !ours.windows(secret.len()).any(|w| w == secret),
                        "{name}: served a file from outside"
                    );
                }
            }
            match known {
                None if ours == theirs => identical += 1,
                None => failures.push(format!(
                    "{name} ({protocol})\n  python: {}\n  port:   {}",
                    show(&theirs),
                    show(&ours)
                )),
                Some((_, _, prefix)) if ours == theirs || !ours.starts_with(prefix.as_bytes()) => {
                    failures.push(format!(
                        "{name} ({protocol}) is a known difference, expected to start with {prefix:?}\n  python: {}\n  port:   {}",
                        show(&theirs),
                        show(&ours)
                    ))
                }
                Some(_) => {}
            }
        }
    }
    remove_tree(&root);
    println!(
        "differential: {identical} identical / {run} run ({} known differences)",
        KNOWN_DIFFERENCES.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(identical + KNOWN_DIFFERENCES.len(), run);
}
