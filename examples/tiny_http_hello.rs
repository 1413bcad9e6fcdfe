//! `examples/hello_server.rs` written with tiny_http: `GET /` answers `Hello, world`.
//!
//! ```text
//! cargo run --release --example tiny_http_hello [PORT] [--workers N]
//! ```
//!
//! tiny_http owns the connections: its own threads accept, read and parse, and put
//! each request on a queue. The program pulls requests from that queue, with one
//! loop (the default) or with `N` threads that each pull.

use std::sync::Arc;

use tiny_http::{Header, Response, Server};

#[path = "support/mod.rs"]
mod support;

const USAGE: &str = "usage: tiny_http_hello [PORT] [--workers N]\n\n\
    Answers every HTTP request with Hello, world on 127.0.0.1 port PORT (8000 by default), \
    written with tiny_http: one loop, or N threads that take requests from its queue.";

// ANCHOR: hello
fn serve(server: &Server) {
    let content_type = Header::from_bytes("Content-Type", "text/plain").unwrap();
    for request in server.incoming_requests() {
        let response =
            Response::from_data(&b"Hello, world\n"[..]).with_header(content_type.clone());
        let _ = request.respond(response);
    }
}
// ANCHOR_END: hello

fn main() {
    // Not a crate server: tiny_http's threads own the sockets, so Ctrl-C ends it at once.
    support::exit_on_ctrl_c();
    let args: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&args, &["--workers"], USAGE);
    let port = support::port_among(&args, &["--workers"], 8000, USAGE);
    let workers: usize = args.iter().position(|a| a == "--workers").map_or(1, |i| {
        let n = args.get(i + 1).and_then(|n| n.parse().ok());
        n.unwrap_or_else(|| support::usage_error(USAGE))
    });
    // ANCHOR: main
    let server = Server::http(("127.0.0.1", port));
    let server = Arc::new(support::or_exit(
        server,
        "tiny_http_hello",
        format!("127.0.0.1:{port}"),
    ));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    println!("Serving hello (tiny_http, {workers} worker(s)) on 127.0.0.1 port {port}. Try:");
    println!("  curl -i http://127.0.0.1:{port}/");
    let threads: Vec<_> = (1..workers)
        .map(|_| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || serve(&server))
        })
        .collect();
    serve(&server);
    for thread in threads {
        let _ = thread.join();
    }
    // ANCHOR_END: main
}
