//! The files of a directory, with a CORS header on every answer, and the access log
//! in a file. The port of `examples/porting/cors_files.py`.
//!
//! ```text
//! cargo run --example porting_cors_files -- 8000 book/demo access.log
//! curl -i http://127.0.0.1:8000/
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, Write};

use socketserver::BaseServer;
use socketserver::http::server::{
    BaseHttpRequest, BaseHttpRequestHandler, SimpleHttpMethods, SimpleHttpRequest,
    ThreadingHttpServer,
};

// ANCHOR: server
// The handler's own argument, functools.partial(CORSHandler, log=log), is a field of
// the server: the handler reads it as self.server.log.
struct CorsServer {
    base: ThreadingHttpServer<CorsHandler>,
    log: File,
}
socketserver::subclass!(CorsServer { base: ThreadingHttpServer<CorsHandler> });
impl BaseServer for CorsServer {}
// ANCHOR_END: server

// ANCHOR: handler
// class CORSHandler(SimpleHTTPRequestHandler):
struct CorsHandler(SimpleHttpRequest<CorsServer>);
socketserver::subclass!(CorsHandler(SimpleHttpRequest<CorsServer>));
impl SimpleHttpMethods<CorsServer> for CorsHandler {} // send_head, copyfile, ... as they are

impl BaseHttpRequestHandler for CorsHandler {
    fn end_headers(&mut self) -> io::Result<()> {
        self.send_header("Access-Control-Allow-Origin", "*");
        BaseHttpRequest::end_headers(self) // super().end_headers()
    }

    fn log_message(&self, message: fmt::Arguments<'_>) {
        let (client, time) = (self.address_string(), self.log_date_time_string());
        let line = format!("{client} - - [{time}] {message}\n");
        // self.log.write(...): one write of the whole line (a File is unbuffered)
        let _ = (&self.server.log).write_all(line.as_bytes());
    }
}
// ANCHOR_END: handler

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect(); // sys.argv
    let [_, port, directory, log_path] = &argv[..] else {
        return Err("usage: cors_files PORT DIRECTORY LOGFILE".into());
    };
    let log = File::options().append(true).create(true).open(log_path)?; // open(log_path, "a")
    let address = ("127.0.0.1", port.parse::<u16>()?);
    let mut base = ThreadingHttpServer::<CorsHandler>::with_bind_and_activate(address, false)?;
    // functools.partial(CORSHandler, directory=directory, ...)
    base.handler_arguments_mut().directory = Some(directory.into());
    let server = CorsServer { base, log }.bind_and_activate()?.__enter__();
    let port = server.server_port;
    println!("Serving {directory} on 127.0.0.1 port {port}");
    Ok(server.serve_forever(0.5)?)
}
// ANCHOR_END: main
