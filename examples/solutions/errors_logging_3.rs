//! Solution to exercise 3 of the book's chapter "Errors and logging": a handler
//! that fails with an `io::Error` on `/boom` (`handle_error` reports it, the
//! server goes on) and raises `SystemExit(3)` on `/exit` (the server stops, and
//! the process exits with status 3).
//!
//! ```text
//! cargo run --example errors_logging_3 [PORT]; echo "exit status $?"
//! curl http://127.0.0.1:8000/boom         # curl: (52) Empty reply from server
//! curl http://127.0.0.1:8000/exit         # the server exits with status 3
//! ```
//!
//! A panic that leaves `main` exits with status 101. Python's interpreter turns
//! `SystemExit(3)` into the exit status; here `main` catches the unwind and calls
//! `std::process::exit` itself.

use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, HttpServer};
use socketserver::{BaseServer, KeyboardInterrupt, SystemExit};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class GetPostHandler(BaseHTTPRequestHandler)`.
struct GetPostHandler(BaseHttpRequest);
socketserver::subclass!(GetPostHandler(BaseHttpRequest));

impl BaseHttpRequestHandler for GetPostHandler {
    // ANCHOR: do_GET
    fn do_GET(&mut self) -> io::Result<()> {
        match self.path.as_str() {
            // raise OSError("boom"): an Exception, for handle_error
            "/boom" => return Err(io::Error::other("boom")),
            // sys.exit(3): SystemExit, which handle_error never sees
            "/exit" => std::panic::panic_any(SystemExit(3)),
            _ => {}
        }
        let body = format!("You asked for {}\n", self.path).into_bytes();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
    // ANCHOR_END: do_GET

    fn do_POST(&mut self) -> io::Result<()> {
        let length: u64 = self
            .headers
            .get("Content-Length")
            .unwrap_or("0")
            .trim()
            .parse()
            .unwrap_or(0);
        let mut data = Vec::new();
        (&mut self.rfile).take(length).read_to_end(&mut data)?;
        let body = [
            format!("You sent {} bytes: ", data.len()).as_bytes(),
            &data,
            b"\n",
        ]
        .concat();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }
}

fn main() {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        8000,
        "usage: errors_logging_3 [PORT]",
    );
    let server = HttpServer::<GetPostHandler>::new(("127.0.0.1", port));
    let server =
        support::or_exit(server, "errors_logging_3", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP on 127.0.0.1 port {port}. Try:");
    println!("  curl http://127.0.0.1:{port}/boom");
    println!("  curl http://127.0.0.1:{port}/exit");
    // ANCHOR: main
    // Python's interpreter prints nothing for SystemExit. Rust's default panic hook
    // prints "thread 'main' (…) panicked at …" and "Box<dyn Any>" (the payload is
    // not a string): keep it for every other panic only.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<SystemExit>() {
            default_hook(info);
        }
    }));
    // The SystemExit panic leaves serve_forever (this server has no mixin): catch
    // it and exit with its code, as Python's interpreter does. Uncaught, it would
    // leave main, and a panic that leaves main exits with status 101.
    let served = panic::catch_unwind(AssertUnwindSafe(|| server.serve_forever(0.5)));
    match served {
        Ok(Ok(())) => {}
        Ok(Err(e)) if KeyboardInterrupt::is(&e) => {
            println!("\nKeyboard interrupt received, exiting.");
        }
        Ok(Err(error)) => {
            eprintln!("errors_logging_3: {error}");
            std::process::exit(1);
        }
        Err(payload) => match payload.downcast_ref::<SystemExit>() {
            Some(SystemExit(code)) => std::process::exit(*code),
            None => panic::resume_unwind(payload), // any other panic: status 101
        },
    }
    server.server_close(); // the end of `with server:`
    // ANCHOR_END: main
}
