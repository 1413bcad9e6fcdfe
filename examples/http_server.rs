//! `python -m http.server`, ported: serve a directory over HTTP, or HTTPS.
//!
//! ```text
//! cargo run --example http_server -- [PORT] [-b ADDRESS] [-d DIRECTORY] [-p VERSION]
//!                                    [--tls-cert PATH [--tls-key PATH] [--tls-password-file PATH]]
//! cargo run --example http_server -- 8000 --bind 127.0.0.1 --directory book
//! ```
//!
//! The same command line, banner, log lines and Ctrl-C as CPython's
//! (`Lib/http/server.py`, the `test()` function and the `__main__` block): 3.11's,
//! with the three TLS flags of 3.14 and their messages (`--tls-key requires
//! --tls-cert to be set`, exit status 2; a certificate, key or password that cannot
//! be used ends the program with Python's exception line, `FileNotFoundError: …` or
//! `ssl.SSLError: …`, and exit status 1). Two differences, both in the book's
//! differences appendix: `--cgi` is refused (`CGIHTTPRequestHandler` is not ported;
//! CPython removes it in 3.15), and `--protocol` takes `HTTP/1.0` or `HTTP/1.1`,
//! because a class attribute is a constant in Rust: the server picks one of two
//! handler types.

use std::borrow::BorrowMut;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use socketserver::http::server::{
    _get_best_family, BaseHttpRequestHandler, HttpServer, HttpsOptions, SimpleHttpMethods,
    SimpleHttpRequest, ThreadingHttpServer, ThreadingHttpsServer,
};
use socketserver::ssl::SslError;
use socketserver::{BaseServer, FromServer, HandlerServer, KeyboardInterrupt, ServerBase};

#[path = "support/mod.rs"]
mod support;

// Python: the `argparse.ArgumentParser()` of `http.server`'s `__main__` block (the
// doc comments here are what `--help` prints, so they are written for its reader).
/// Serves the files of a directory over HTTP, or HTTPS with --tls-cert, as
/// python -m http.server does, until Ctrl-C.
#[derive(Parser)]
// Usage first, then what it is for: the order of argparse's help.
#[command(
    name = "http_server",
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
    /// path to the TLS certificate chain file
    #[arg(long, value_name = "PATH")]
    tls_cert: Option<PathBuf>,
    /// path to the TLS key file
    #[arg(long, value_name = "PATH")]
    tls_key: Option<PathBuf>,
    /// path to the password file for the TLS key
    #[arg(long, value_name = "PATH")]
    tls_password_file: Option<PathBuf>,
    /// bind to this port
    #[arg(default_value_t = 8000)]
    port: u16,
}

// ANCHOR: handler
/// `SimpleHTTPRequestHandler` with `protocol_version` set: `HTTP/1.1` when
/// `HTTP11`. Python sets `HandlerClass.protocol_version = protocol` at run time.
struct Handler<const HTTP11: bool>(SimpleHttpRequest);

impl<const HTTP11: bool> BaseHttpRequestHandler for Handler<HTTP11> {
    const protocol_version: &'static str = if HTTP11 { "HTTP/1.1" } else { "HTTP/1.0" };
}
impl<const HTTP11: bool> SimpleHttpMethods for Handler<HTTP11> {}

impl<const HTTP11: bool> From<SimpleHttpRequest> for Handler<HTTP11> {
    fn from(base: SimpleHttpRequest) -> Self {
        Handler(base)
    }
}
// ANCHOR_END: handler

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

// ANCHOR: DualStackServer
/// Python: `class DualStackServerMixin`, which accepts IPv4 on an IPv6 socket,
/// mixed into `ThreadingHTTPServer` or, with `--tls-cert`, into 3.14's
/// `ThreadingHTTPSServer`. Its other override, `finish_request`, which passes
/// `directory=args.directory` to each handler, is the server's
/// `handler_arguments` here (set in `test`).
struct DualStackServer<B> {
    base: B,
}

socketserver::subclass!(DualStackServer<B> { base: B });

/// The mixin's hook, for any `HTTPServer` it is mixed into.
impl<B> BaseServer for DualStackServer<B>
where
    B: ServerBase<Class: BorrowMut<HttpServer<B::RequestHandlerClass, B::MixIn, B::SocketType>>>,
    HandlerServer<Self>: FromServer<Self>, // its handler can have it as `self.server`
{
    // def server_bind(self):
    fn server_bind(&mut self) -> io::Result<()> {
        // suppress exception when protocol is IPv4
        // with contextlib.suppress(Exception):
        //     self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        let _ = self.base().socket()?.set_only_v6(false);
        HttpServer::server_bind(self) // return super().server_bind()
    }
}
// ANCHOR_END: DualStackServer

// ANCHOR: test
/// Python: `http.server.test(HandlerClass, ServerClass, protocol, port, bind,
/// tls_cert, tls_key, tls_password)`: `ServerClass(addr, HandlerClass)`, or with
/// `certfile=tls_cert, keyfile=tls_key, password=tls_password` when there is a
/// certificate.
fn test<const HTTP11: bool>(
    port: u16,
    bind: Option<&str>,
    directory: PathBuf,
    tls: Option<HttpsOptions>,
) -> io::Result<()> {
    let where_ = format!("{}:{port}", bind.unwrap_or("(all addresses)"));
    let addr = support::or_exit(_get_best_family(bind, port), "http_server", where_);
    // DualStackServerMixin.finish_request: directory=args.directory
    let directory = Some(directory);
    match tls {
        None => {
            let base = ThreadingHttpServer::<Handler<HTTP11>>::with_bind_and_activate(addr, false);
            let base = base.map(|mut base| {
                base.handler_arguments_mut().directory = directory;
                base
            });
            serve(base, addr, "HTTP")
        }
        Some(options) => {
            let base = ThreadingHttpsServer::<Handler<HTTP11>>::with_bind_and_activate(
                addr, false, options,
            );
            let base = base.map(|mut base| {
                base.handler_arguments_mut().directory = directory;
                base
            });
            serve(base, addr, "HTTPS")
        }
    }
}

/// The rest of `test()`: the subclass's constructor (`server_bind`, then
/// `server_activate`, which on HTTPS reads the certificate and key), the banner,
/// and `serve_forever` until Ctrl-C; then `server_close`, as the end of `with` does.
fn serve<B>(base: io::Result<B>, addr: SocketAddr, protocol: &str) -> io::Result<()>
where
    DualStackServer<B>: BaseServer,
{
    let base = support::or_exit(base, "http_server", addr);
    let mut httpd = DualStackServer { base };
    if let Err(error) = httpd.server_bind() {
        httpd.server_close();
        support::or_exit(Err(error), "http_server", addr)
    }
    if let Err(error) = httpd.server_activate() {
        httpd.server_close();
        // Python: the exception leaves test() and ends the program, status 1.
        eprintln!("{}", exception_line(&error));
        std::process::exit(1);
    }
    let httpd = Arc::new(httpd);
    let address = httpd.base().socket()?.local_addr()?.as_socket().unwrap();
    let (host, port) = (address.ip().to_string(), address.port());
    let url_host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    let scheme = protocol.to_lowercase();
    println!("Serving {protocol} on {host} port {port} ({scheme}://{url_host}:{port}/) ...");

    // try: httpd.serve_forever()
    // except KeyboardInterrupt: print(...); sys.exit(0)   (and `with` closes httpd)
    match httpd.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    httpd.server_close(); // the end of `with ... as httpd:`
    Ok(())
}
// ANCHOR_END: test

/// The last line of the traceback Python prints for an exception that ends the
/// program: `ssl.SSLError: [SSL] PEM lib (…)`, `FileNotFoundError: [Errno 2] …`.
fn exception_line(error: &io::Error) -> String {
    if let Some(ssl) = error.get_ref().and_then(|e| e.downcast_ref::<SslError>()) {
        return format!("ssl.SSLError: {ssl}");
    }
    let name = match error.kind() {
        io::ErrorKind::NotFound => "FileNotFoundError",
        io::ErrorKind::PermissionDenied => "PermissionError",
        io::ErrorKind::IsADirectory => "IsADirectoryError",
        io::ErrorKind::InvalidInput => "ValueError",
        _ => "OSError",
    };
    format!("{name}: {error}")
}

// ANCHOR: tls_arguments
/// Python 3.14's checks of the TLS flags, each an `argparse` error (the usage and
/// the message on stderr, exit status 2), and the password read from its file.
fn tls_options(args: &Args) -> Option<HttpsOptions> {
    let error = |message: String| -> ! {
        Args::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit()
    };
    if args.tls_cert.is_none() && args.tls_key.is_some() {
        error("--tls-key requires --tls-cert to be set".into());
    }
    let mut tls_key_password = None;
    if let Some(password_file) = &args.tls_password_file {
        if args.tls_cert.is_none() {
            error("--tls-password-file requires --tls-cert to be set".into());
        }
        match std::fs::read_to_string(password_file) {
            // tls_key_password = f.read().strip()
            Ok(text) => tls_key_password = Some(text.trim().as_bytes().to_vec()),
            Err(e) => error(format!(
                "Failed to read TLS password file: {}",
                os_error(&e, password_file)
            )),
        }
    }
    Some(HttpsOptions {
        keyfile: args.tls_key.clone(),
        password: tls_key_password,
        ..HttpsOptions::new(args.tls_cert.clone()?)
    })
}
// ANCHOR_END: tls_arguments

/// An `OSError` as Python prints it: `[Errno 2] No such file or directory: 'x'`.
fn os_error(error: &io::Error, path: &Path) -> String {
    match error.raw_os_error() {
        Some(code) => format!(
            "[Errno {code}] {}: '{}'",
            nix::errno::Errno::from_raw(code).desc(),
            path.display()
        ),
        None => error.to_string(),
    }
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args = Args::parse();
    let tls = tls_options(&args);
    if args.cgi {
        eprintln!(
            "http_server: --cgi is not ported: CGIHTTPRequestHandler is deprecated since \
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
        "HTTP/1.0" => test::<false>(args.port, bind, directory, tls),
        "HTTP/1.1" => test::<true>(args.port, bind, directory, tls),
        other => {
            eprintln!(
                "http_server: --protocol {other}: this port serves HTTP/1.0 or HTTP/1.1 \
                 (a handler's protocol_version is a constant)"
            );
            std::process::exit(2);
        }
    }
}
