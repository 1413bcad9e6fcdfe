//! Solution to exercise 2 of the book's chapter "HTTPS: wrapping the socket": a
//! `ThreadingHTTPSServer` serving `book/demo`, whose handshakes run on the request's
//! thread, in `setup`, within a deadline, so that a client that connects and says
//! nothing holds up no one else.
//!
//! ```text
//! cargo run --example make_cert                       # cert.pem, key.pem
//! cargo run --example https_2 [PORT]                  # default 8000, on 127.0.0.1
//! ```

use std::io;
use std::path::PathBuf;

use socketserver::http::server::{
    BaseHttpRequestHandler, HttpsOptions, SimpleHttpMethods, SimpleHttpRequest,
    ThreadingHttpsServer,
};
use socketserver::ssl::Handshake;
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

/// `SimpleHTTPRequestHandler` on `book/demo`.
struct DemoFiles {
    base: SimpleHttpRequest,
}
socketserver::subclass!(DemoFiles {
    base: SimpleHttpRequest
});

impl From<SimpleHttpRequest> for DemoFiles {
    fn from(mut base: SimpleHttpRequest) -> Self {
        base.directory = PathBuf::from("book/demo");
        DemoFiles { base }
    }
}
impl BaseHttpRequestHandler for DemoFiles {}
impl SimpleHttpMethods for DemoFiles {}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(std::env::args().nth(1), 8000, "usage: https_2 [PORT]");
    // ANCHOR: solution
    let options = HttpsOptions {
        keyfile: Some("key.pem".into()),
        ..HttpsOptions::new("cert.pem")
    };
    let server = ThreadingHttpsServer::<DemoFiles>::new(("127.0.0.1", port), options);
    let mut server = support::or_exit(server, "https_2", format!("127.0.0.1:{port}"));
    // Each handshake on its request's thread, in setup, within 10 seconds.
    server.socket_type.handshake = Handshake::in_setup();
    // ANCHOR_END: solution
    println!("Serving HTTPS on 127.0.0.1 port {port}, handshakes in setup ...");
    let server = server.into_arc();
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
