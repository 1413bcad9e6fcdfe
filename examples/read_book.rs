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

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use clap::Parser;
use nix::sys::signal::{SigSet, Signal};
use socketserver::BaseServer;
use socketserver::http::server::{
    _get_best_family, BaseHttpRequestHandler, SimpleHttpMethods, SimpleHttpRequest,
    ThreadingHttpServer,
};

#[path = "../book/api_docs.rs"]
mod api_docs;
#[path = "../book/python_source.rs"]
mod python_source;
// Only the preprocessor: the rest is for tests/timelines.rs.
#[allow(dead_code)]
#[path = "../book/timeline.rs"]
mod timeline;

#[derive(Parser)]
#[command(name = "read_book")]
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

/// The built book, served by every handler.
static BOOK: OnceLock<PathBuf> = OnceLock::new();

// ANCHOR: handler
/// `SimpleHTTPRequestHandler` with `directory` set to the built book: Python's
/// `functools.partial(SimpleHTTPRequestHandler, directory=book)`.
struct BookHandler(SimpleHttpRequest);

impl From<SimpleHttpRequest> for BookHandler {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = BOOK.get().expect("the book is built first").clone();
        BookHandler(base)
    }
}

impl BaseHttpRequestHandler for BookHandler {}
impl SimpleHttpMethods for BookHandler {}
// ANCHOR_END: handler

impl std::ops::Deref for BookHandler {
    type Target = SimpleHttpRequest;
    fn deref(&self) -> &SimpleHttpRequest {
        &self.0
    }
}
impl std::ops::DerefMut for BookHandler {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest {
        &mut self.0
    }
}

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
    socketserver::trace::init_from_env();
    let args = Args::parse();
    let built = build_book()?;
    println!("Built the book in {}", built.display());
    if args.no_serve {
        println!("Open file://{}/index.html", built.display());
        return Ok(());
    }
    BOOK.set(built).expect("set once");

    // ANCHOR: serve
    SigSet::from(Signal::SIGINT).thread_block()?;
    let address = _get_best_family(Some(&args.bind), args.port)?;
    let server = ThreadingHttpServer::<BookHandler>::new(address)?.into_arc();
    let address = server.server_address.as_socket().expect("an IP address");
    println!("Serving the book at http://{address}/ (Ctrl-C to stop) ...");
    let stopper = Arc::clone(&server);
    std::thread::spawn(move || {
        let _ = SigSet::from(Signal::SIGINT).wait();
        stopper.shutdown();
    });
    server.serve_forever(0.5)?;
    println!("\nKeyboard interrupt received, exiting.");
    Ok(())
    // ANCHOR_END: serve
}
