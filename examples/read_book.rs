//! Builds the book and serves it with the crate's own `ThreadingHttpServer` and
//! `SimpleHttpRequestHandler`: the first thing to run, and the port's first live demo.
//!
//! ```text
//! cargo run --example read_book                      # http://127.0.0.1:8000/
//! cargo run --example read_book -- 8080 --bind 0.0.0.0
//! cargo run --example read_book -- --no-serve        # only build, and say where
//! ```
//!
//! mdBook runs in-process (the `mdbook-driver` crate, pinned in `Cargo.toml`), with
//! the book's two preprocessors: one shows each Python original from your own
//! CPython (`book/python_source.rs`), the other draws the pictures, timelines of
//! recorded runs and the comparison chart, as inline SVG (`book/timeline.rs`).
//!
//! Every request it answers is recorded as it runs: a `tracing` layer of its own
//! ([`ChainRecorder`]) keeps the hooks of each request, and the handler answers
//! `/__chain?page=/one-request.html` with the chain that served that page, which the
//! book's `theme/chain.js` draws at the foot of every page.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Parser;
use socketserver::http::server::urllib_parse::unquote_to_bytes;
use socketserver::http::server::{
    _get_best_family, BaseHttpRequest, BaseHttpRequestHandler, SimpleHttpMethods,
    SimpleHttpRequest, ThreadingHttpServer,
};
use socketserver::{BaseServer, KeyboardInterrupt};
use tracing::{Level, Subscriber, span};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

#[path = "../book/api_docs.rs"]
mod api_docs;
#[path = "../book/python_source.rs"]
mod python_source;
#[path = "support/mod.rs"]
mod support;
// Only the preprocessor: the rest is for tests/timelines.rs.
#[allow(dead_code)]
#[path = "../book/timeline.rs"]
mod timeline;

/// Builds this book and serves it with the port's own ThreadingHTTPServer at
/// http://127.0.0.1:8000/ (or ADDRESS and PORT), until Ctrl-C.
#[derive(Parser)]
// Usage first, then what it is for: the order of argparse's help.
#[command(
    name = "read_book",
    help_template = "{usage-heading} {usage}\n\n{about}\n\n{all-args}"
)]
struct Args {
    /// bind to this address
    #[arg(short, long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: String,
    /// only build the book, and print where it is
    #[arg(long)]
    no_serve: bool,
    /// bind to this port
    #[arg(default_value_t = 8000)]
    port: u16,
}

// ANCHOR: handler
/// `SimpleHTTPRequestHandler`, with the panel's overrides below; the server gives it
/// the built book as `directory` (`handler_arguments`, in `main`).
struct BookHandler(SimpleHttpRequest);
socketserver::subclass!(BookHandler(SimpleHttpRequest));

impl SimpleHttpMethods for BookHandler {}
// ANCHOR_END: handler

// ANCHOR: endpoint
/// Where a page asks for the chain of the request that served it:
/// `/__chain?page=/one-request.html`.
const ENDPOINT: &str = "/__chain";

impl BaseHttpRequestHandler for BookHandler {
    /// Keep-alive, so that a page and its assets share connections, and a request
    /// can be the second or the fifth on its connection. Python:
    /// `python3 -m http.server --protocol HTTP/1.1`.
    const protocol_version: &'static str = "HTTP/1.1";

    /// The endpoint: the chain as JSON, or 404 for a page with no request recorded.
    /// Any other path is a file of the book: `super().do_GET()`.
    fn do_GET(&mut self) -> io::Result<()> {
        let Some(page) = self
            .path
            .strip_prefix(ENDPOINT)
            .and_then(|query| query.strip_prefix("?page="))
        else {
            return SimpleHttpRequest::do_GET(self);
        };
        let page = String::from_utf8_lossy(&unquote_to_bytes(page.as_bytes())).into_owned();
        let Some(body) = chain_json(&page) else {
            return self.send_error(404, Some("No request recorded for this page"), None);
        };
        self.send_response(200, None);
        self.send_header("Content-Type", "application/json");
        self.send_header("Content-Length", &body.len().to_string());
        self.send_header("Cache-Control", "no-store");
        self.end_headers()?;
        self.wfile.write_all(body.as_bytes())
    }

    /// `send_response` calls this with the status: the moment to tell the recorder
    /// the request's path and status, which its spans cannot see. The endpoint's own
    /// requests are not recorded. Then the log line: `super().log_request(code, size)`.
    fn log_request(&self, code: Option<u16>, size: Option<u64>) {
        // An empty `command`: the request line could not be parsed, no path of its own.
        if !self.command.is_empty() && !self.path.starts_with(ENDPOINT) {
            note(&self.command, &self.path, code.unwrap_or(0));
        }
        BaseHttpRequest::log_request(self, code, size)
    }
}
// ANCHOR_END: endpoint

// ANCHOR: chain
/// How many requests' chains are kept, the newest last.
const KEPT: usize = 200;

/// The chains of the last `KEPT` requests, shared by every request thread.
static CHAINS: Mutex<VecDeque<Chain>> = Mutex::new(VecDeque::new());

/// One HTTP request: a `handle_one_request` span and every hook span inside it.
struct Chain {
    /// The request thread: `Thread-3 (process_request_thread)`.
    thread: String,
    /// Which request this was on its connection: 1, 2, ... One `handle` runs
    /// `handle_one_request` once a request, until the connection closes.
    on_connection: usize,
    /// The method, the path asked for (without its query) and the status: the
    /// handler tells them (`log_request`). A chain with no path (the connection
    /// ended) is not kept.
    method: String,
    path: Option<String>,
    status: u16,
    started: Instant,
    /// `handle_one_request` first, then each hook in the order it started.
    hooks: Vec<Hook>,
}

/// One hook: how deep it is nested under `handle_one_request`, when it started
/// (counted from the request's start) and how long it ran.
struct Hook {
    name: &'static str,
    depth: usize,
    start: Duration,
    duration: Duration,
}

// ANCHOR_END: chain

// ANCHOR: recorder
/// What one request thread is recording: how many requests its connection has had,
/// the current request's chain, and its hooks still running (indices in `hooks`).
#[derive(Default)]
struct Recording {
    requests: usize,
    chain: Option<Chain>,
    open: Vec<usize>,
}

thread_local! {
    static RECORDING: RefCell<Recording> = RefCell::default();
}

/// The `tracing` layer that records the chain of every request. A span is entered
/// and left on the thread that runs it, so each thread records into its own
/// `RECORDING`, and a finished chain goes to `CHAINS`.
struct ChainRecorder;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ChainRecorder {
    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        let Some(name) = ctx.metadata(id).map(|metadata| metadata.name()) else {
            return;
        };
        RECORDING.with_borrow_mut(|recording| {
            if name == "handle" {
                recording.requests = 0; // a new connection
            }
            if name == "handle_one_request" {
                recording.requests += 1;
                recording.open.clear();
                recording.chain = Some(Chain {
                    thread: std::thread::current().name().unwrap_or("?").to_string(),
                    on_connection: recording.requests,
                    method: String::new(),
                    path: None,
                    status: 0,
                    started: Instant::now(),
                    hooks: Vec::new(),
                });
            }
            if let Some(chain) = &mut recording.chain {
                chain.hooks.push(Hook {
                    name,
                    depth: recording.open.len(),
                    start: chain.started.elapsed(),
                    duration: Duration::ZERO,
                });
                recording.open.push(chain.hooks.len() - 1);
            }
        });
    }

    fn on_exit(&self, _id: &span::Id, _ctx: Context<'_, S>) {
        RECORDING.with_borrow_mut(|recording| {
            let Some(chain) = &mut recording.chain else {
                return;
            };
            let Some(index) = recording.open.pop() else {
                return;
            };
            let hook = &mut chain.hooks[index];
            hook.duration = chain.started.elapsed() - hook.start;
            if recording.open.is_empty() {
                // `handle_one_request` has returned: keep its chain, if it served a path.
                let chain = recording.chain.take().expect("recording a chain");
                if chain.path.is_some() {
                    let mut chains = CHAINS.lock().unwrap_or_else(PoisonError::into_inner);
                    if chains.len() == KEPT {
                        chains.pop_front();
                    }
                    chains.push_back(chain);
                }
            }
        });
    }
}

/// The handler's part: the method, path and status of the request this thread is
/// running.
fn note(method: &str, path: &str, status: u16) {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    RECORDING.with_borrow_mut(|recording| {
        if let Some(chain) = &mut recording.chain {
            chain.method = method.to_string();
            chain.path = Some(path.to_string());
            chain.status = status;
        }
    });
}

// ANCHOR_END: recorder

/// The newest chain recorded for `page`, as the JSON that `theme/chain.js` draws.
fn chain_json(page: &str) -> Option<String> {
    let chains = CHAINS.lock().unwrap_or_else(PoisonError::into_inner);
    let chain = chains
        .iter()
        .rev()
        .find(|chain| chain.path.as_deref() == Some(page))?;
    let hooks: Vec<serde_json::Value> = chain
        .hooks
        .iter()
        .map(|hook| {
            serde_json::json!({
                "name": hook.name,
                "depth": hook.depth,
                "start_us": hook.start.as_micros() as u64,
                "duration_us": hook.duration.as_micros() as u64,
            })
        })
        .collect();
    let json = serde_json::json!({
        "method": chain.method,
        "path": page,
        "status": chain.status,
        "thread": chain.thread,
        "request_on_connection": chain.on_connection,
        "hooks": hooks,
    });
    Some(json.to_string())
}

// ANCHOR: subscriber
/// One `tracing` subscriber for the program: the recorder, and the printed trace
/// when `SOCKETSERVER_TRACE` asks for it, both for the spans of the call chain only.
fn install_subscriber() {
    tracing_subscriber::registry()
        .with(socketserver::trace::layer_from_env())
        .with(ChainRecorder)
        .with(Targets::new().with_target(socketserver::trace::TARGET, Level::TRACE))
        .init();
}
// ANCHOR_END: subscriber

// ANCHOR: build
/// Builds `book/` into `book/book/`, the API documentation into `book/book/api/`,
/// and returns the book's directory.
fn build_book() -> io::Result<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book");
    let mut book = mdbook_driver::MDBook::load(&root).map_err(io::Error::other)?;
    book.with_preprocessor(python_source::PythonSource);
    book.with_preprocessor(timeline::Pictures);
    book.build().map_err(io::Error::other)?;
    let built = book.build_dir_for("html");
    api_docs::copy_api_docs(&built)?;
    Ok(built)
}
// ANCHOR_END: build

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    install_subscriber();
    let args = Args::parse();
    if args.no_serve {
        let built = build_book()?;
        println!("Built the book in {}", built.display());
        println!("Open file://{}/index.html", built.display());
        return Ok(());
    }

    // ANCHOR: serve
    // The port first: a port that is taken says so before the build, not after it.
    let where_ = format!("{}:{}", args.bind, args.port);
    let address = support::or_exit(
        _get_best_family(Some(&args.bind), args.port),
        "read_book",
        &where_,
    );
    let server = ThreadingHttpServer::<BookHandler>::new(address);
    let mut server = support::or_exit(server, "read_book", address);
    let built = build_book()?;
    println!("Built the book in {}", built.display());
    // functools.partial(SimpleHTTPRequestHandler, directory=book)
    server.handler_arguments_mut().directory = Some(built);
    let server = server.into_arc();
    let address = server.server_address.as_socket().expect("an IP address");
    println!("Serving the book at http://{address}/ (Ctrl-C to stop) ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
    // ANCHOR_END: serve
}
