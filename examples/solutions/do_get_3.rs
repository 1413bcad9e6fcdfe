//! Solution to exercise 3 of the book's chapter "do_GET: SimpleHTTPRequestHandler":
//! `examples/http_server.rs` whose handler overrides `end_headers` to send
//! `Cache-Control: no-store` on every answer that has headers.
//!
//! ```text
//! cargo run --example do_get_3 -- [PORT] [-b ADDRESS] [-d DIRECTORY] [-p VERSION]
//! cargo run --example do_get_3 -- --bind 127.0.0.1 --directory book/demo
//! curl -i http://127.0.0.1:8000/hello.txt     # 200, with Cache-Control
//! ```
//!
//! Python: `class NoCache(SimpleHTTPRequestHandler)` with
//! `def end_headers(self): self.send_header("Cache-Control", "no-store");
//! super().end_headers()`. `super().end_headers()` is
//! `BaseHttpRequest::end_headers(self)`, the body the trait's default method calls:
//! it keeps the HTTP/0.9 check (no headers, so no blank line either).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use socketserver::http::server::{
    _get_best_family, BaseHttpRequest, BaseHttpRequestHandler, HttpServer, SimpleHttpMethods,
    SimpleHttpRequest, ThreadingHttpServer,
};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

// Python: the `argparse.ArgumentParser()` of `http.server`'s `__main__` block (the
// doc comments here are what `--help` prints).
/// Serves a directory as python -m http.server does, with Cache-Control: no-store on
/// every answer, until Ctrl-C.
#[derive(Parser)]
#[command(
    name = "do_get_3",
    help_template = "{usage-heading} {usage}\n\n{about}\n\n{all-args}"
)]
struct Args {
    /// not ported: refused (Python's CGIHTTPRequestHandler is deprecated, and removed in 3.15)
    #[arg(long)]
    cgi: bool,
    /// bind to this address (default: all interfaces)
    #[arg(short, long, value_name = "ADDRESS")]
    bind: Option<String>,
    /// serve this directory (default: current directory)
    #[arg(short, long)]
    directory: Option<PathBuf>,
    /// conform to this HTTP version
    #[arg(short, long, value_name = "VERSION", default_value = "HTTP/1.0")]
    protocol: String,
    /// bind to this port
    #[arg(default_value_t = 8000)]
    port: u16,
}

/// `SimpleHTTPRequestHandler` with `protocol_version` set: `HTTP/1.1` when
/// `HTTP11`. Python sets `HandlerClass.protocol_version = protocol` at run time.
struct Handler<const HTTP11: bool>(SimpleHttpRequest);

impl<const HTTP11: bool> BaseHttpRequestHandler for Handler<HTTP11> {
    const protocol_version: &'static str = if HTTP11 { "HTTP/1.1" } else { "HTTP/1.0" };

    // ANCHOR: solution
    // def end_headers(self):
    //     self.send_header("Cache-Control", "no-store")
    //     super().end_headers()
    fn end_headers(&mut self) -> io::Result<()> {
        self.send_header("Cache-Control", "no-store");
        BaseHttpRequest::end_headers(self)
    }
    // ANCHOR_END: solution
}
impl<const HTTP11: bool> SimpleHttpMethods for Handler<HTTP11> {}

impl<const HTTP11: bool> From<SimpleHttpRequest> for Handler<HTTP11> {
    fn from(base: SimpleHttpRequest) -> Self {
        Handler(base)
    }
}

impl<const HTTP11: bool> std::ops::Deref for Handler<HTTP11> {
    type Target = SimpleHttpRequest;
    fn deref(&self) -> &SimpleHttpRequest {
        &self.0
    }
}
impl<const HTTP11: bool> std::ops::DerefMut for Handler<HTTP11> {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest {
        &mut self.0
    }
}

/// Python: `class DualStackServer(ThreadingHTTPServer)`, which accepts IPv4 on an
/// IPv6 socket; its `finish_request` passing `directory=` to each handler is the
/// server's `handler_arguments`.
struct DualStackServer<H> {
    base: ThreadingHttpServer<H>,
}

socketserver::subclass!(DualStackServer<H> { base: ThreadingHttpServer<H> });

impl<const HTTP11: bool> BaseServer for DualStackServer<Handler<HTTP11>> {
    // def server_bind(self):
    fn server_bind(&mut self) -> io::Result<()> {
        // suppress exception when protocol is IPv4
        // with contextlib.suppress(Exception):
        //     self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        let _ = self.socket()?.set_only_v6(false);
        HttpServer::server_bind(self) // return super().server_bind()
    }
}

impl<const HTTP11: bool> DualStackServer<Handler<HTTP11>> {
    /// Python: `DualStackServer(addr, HandlerClass)`: `TCPServer.__init__` runs
    /// the subclass's `server_bind`, then `server_activate`.
    fn new(address: std::net::SocketAddr, directory: PathBuf) -> io::Result<Self> {
        let mut base =
            ThreadingHttpServer::<Handler<HTTP11>>::with_bind_and_activate(address, false)?;
        base.handler_arguments_mut().directory = Some(directory);
        DualStackServer { base }.bind_and_activate()
    }
}

/// Python: `http.server.test(HandlerClass, ServerClass, protocol, port, bind)`.
fn test<const HTTP11: bool>(port: u16, bind: Option<&str>, directory: PathBuf) -> io::Result<()> {
    let where_ = format!("{}:{port}", bind.unwrap_or("(all addresses)"));
    let addr = support::or_exit(_get_best_family(bind, port), "do_get_3", where_);
    let httpd = DualStackServer::<Handler<HTTP11>>::new(addr, directory);
    let httpd = Arc::new(support::or_exit(httpd, "do_get_3", addr));
    let address = httpd.socket()?.local_addr()?.as_socket().unwrap();
    let (host, port) = (address.ip().to_string(), address.port());
    let url_host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    println!("Serving HTTP on {host} port {port} (http://{url_host}:{port}/) ...");

    // try: httpd.serve_forever()
    // except KeyboardInterrupt: print(...); sys.exit(0)   (and `with` closes httpd)
    match httpd.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    httpd.server_close(); // the end of `with ... as httpd:`
    Ok(())
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args = Args::parse();
    if args.cgi {
        eprintln!(
            "do_get_3: --cgi is not ported: CGIHTTPRequestHandler is deprecated since \
             Python 3.13 and removed in 3.15 (see the book's differences appendix)"
        );
        std::process::exit(2);
    }
    let directory = match args.directory {
        Some(directory) => directory,
        None => std::env::current_dir()?,
    };
    let bind = args.bind.as_deref();
    match args.protocol.as_str() {
        "HTTP/1.0" => test::<false>(args.port, bind, directory),
        "HTTP/1.1" => test::<true>(args.port, bind, directory),
        other => {
            eprintln!(
                "do_get_3: --protocol {other}: this port serves HTTP/1.0 or HTTP/1.1 \
                 (a handler's protocol_version is a constant)"
            );
            std::process::exit(2);
        }
    }
}
