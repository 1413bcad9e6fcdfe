//! Solution to exercise 2 of the book's chapter "When things go wrong":
//! `examples/hello_server.rs` on a `ThreadPoolMixIn` of four workers. A kept-alive
//! connection keeps its worker between requests, so four such clients take the whole
//! pool and a fifth waits in the queue, unanswered, until one of the four leaves.
//! With `--keep-alive-timeout`, the handler lets an idle connection go after a
//! second, and the fifth is answered without anybody leaving.
//!
//! ```text
//! cargo run --example failure_2 [PORT] [--keep-alive-timeout]   # default 8000, on 127.0.0.1
//! ```

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt, ThreadPoolMixIn};

#[path = "../support/mod.rs"]
mod support;

/// `hello_server`'s handler; with `IDLE`, a kept-alive connection may stay silent
/// for one second before the handler closes it.
struct Hello<const IDLE: bool>(BaseHttpRequest);

impl<const IDLE: bool> BaseHttpRequestHandler for Hello<IDLE> {
    /// Keep-alive.
    const protocol_version: &'static str = "HTTP/1.1";
    const keep_alive_timeout: Option<Duration> = if IDLE {
        Some(Duration::from_secs(1))
    } else {
        None
    };

    /// One write per response, as `hello_server`: a client that reads the answer
    /// with one `recv` then has nothing left unread when it closes (unread data
    /// would make its close a reset, and the server would report it).
    const wbufsize: usize = 8192;
    /// No log line per request.
    fn log_message(&self, _message: fmt::Arguments<'_>) {}

    fn do_GET(&mut self) -> io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain");
        self.send_header("Content-Length", "13");
        self.end_headers()?;
        self.wfile.write_all(b"Hello, world\n")
    }
}

impl<const IDLE: bool> From<BaseHttpRequest> for Hello<IDLE> {
    fn from(base: BaseHttpRequest) -> Self {
        Hello(base)
    }
}
impl<const IDLE: bool> std::ops::Deref for Hello<IDLE> {
    type Target = BaseHttpRequest;
    fn deref(&self) -> &BaseHttpRequest {
        &self.0
    }
}
impl<const IDLE: bool> std::ops::DerefMut for Hello<IDLE> {
    fn deref_mut(&mut self) -> &mut BaseHttpRequest {
        &mut self.0
    }
}

fn main() {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: failure_2 [PORT] [--keep-alive-timeout]";
    support::check_flags(&args, &["--keep-alive-timeout"], usage);
    let port = support::port_argument(
        args.iter().find(|a| !a.starts_with("--")).cloned(),
        8000,
        usage,
    );
    let served = if args.iter().any(|a| a == "--keep-alive-timeout") {
        serve::<true>(port)
    } else {
        serve::<false>(port)
    };
    if let Err(error) = served {
        eprintln!("failure_2: {error}");
        std::process::exit(1);
    }
}

/// Serves `Hello<IDLE>` on a pool of four workers until Ctrl-C.
fn serve<const IDLE: bool>(port: u16) -> io::Result<()> {
    // ANCHOR: solution
    let mut server = HttpServer::<Hello<IDLE>, ThreadPoolMixIn>::with_bind_and_activate(
        ("127.0.0.1", port),
        false,
    )?;
    server.mixin.workers = 4; // was 16, the default
    // ANCHOR_END: solution
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "failure_2", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!(
        "Serving hello on 127.0.0.1 port {port} with 4 workers, keep_alive_timeout = {} ...",
        if IDLE { "1 s" } else { "None" }
    );
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
