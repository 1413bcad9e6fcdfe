//! Solution to exercise 3 of the book's chapter "handle_one_request and
//! parse_request": `GetPostHandler` answers `BREW` with `418 I'm a Teapot`, and
//! every other unknown method still gets the 501.
//!
//! ```text
//! cargo run --example parse_request_3 [PORT]      # default 8000, on 127.0.0.1
//! curl -i -X BREW http://127.0.0.1:8000/pot       # 418
//! curl -i -X SPAM http://127.0.0.1:8000/pot       # 501
//! ```
//!
//! In Python, the class gets one more method, `do_BREW`; `getattr` finds it by
//! name. The port finds methods HTTP does not define through `do_method(command)`.

use std::io::{self, Read, Write};

use socketserver::http::server::{
    BaseHttpRequest, BaseHttpRequestHandler, HttpServer, no_such_method,
};
use socketserver::{BaseServer, KeyboardInterrupt};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class GetPostHandler(BaseHTTPRequestHandler)`, with `do_BREW`.
struct GetPostHandler(BaseHttpRequest);
socketserver::subclass!(GetPostHandler(BaseHttpRequest));

impl BaseHttpRequestHandler for GetPostHandler {
    fn do_GET(&mut self) -> io::Result<()> {
        let body = format!("You asked for {}\n", self.path).into_bytes();
        self.send_response(200, None);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(&body)
    }

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

    // ANCHOR: solution
    // def do_BREW(self): ...
    fn do_method(&mut self, command: &str) -> io::Result<()> {
        match command {
            "BREW" => {
                let body = b"I'm a teapot: no coffee here.\n";
                // The phrase comes from HTTPStatus: "I'm a Teapot".
                self.send_response(418, None);
                self.send_header("Content-Type", "text/plain; charset=utf-8");
                self.send_header("Content-Length", &body.len().to_string());
                self.end_headers()?;
                self.wfile.write_all(body)
            }
            // No do_SPAM: handle_one_request turns this marker into the 501.
            other => Err(no_such_method(other)),
        }
    }
    // ANCHOR_END: solution
}

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let port = support::port_argument(
        std::env::args().nth(1),
        8000,
        "usage: parse_request_3 [PORT]",
    );
    let server = HttpServer::<GetPostHandler>::new(("127.0.0.1", port));
    let server =
        support::or_exit(server, "parse_request_3", format!("127.0.0.1:{port}")).into_arc();
    let port = server.server_port;
    println!("Serving HTTP on 127.0.0.1 port {port}. Try:");
    println!("  curl -i -X BREW http://127.0.0.1:{port}/pot");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
