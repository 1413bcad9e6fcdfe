//! Solution to exercise 3 of the book's chapter "Python classes, Rust traits": the
//! server class chosen on the command line, `--threading` or not, as Python picks a
//! class at run time.
//!
//! ```text
//! cargo run --example classes_to_traits_3 [PORT] [--threading]   # default 9999
//! ```
//!
//! The Python it ports:
//!
//! ```text
//! ServerClass = socketserver.ThreadingTCPServer if threading else socketserver.TCPServer
//! with ServerClass(("127.0.0.1", port), EchoHandler) as server:
//!     server.serve_forever()
//! ```

use std::io::{self, BufRead, Write};

use socketserver::{
    BaseRequestHandler, BaseServer, Blocking, KeyboardInterrupt, MixIn, Stream,
    StreamRequestHandler, TcpServer, ThreadingMixIn,
};

#[path = "../support/mod.rs"]
mod support;

/// Python: `class EchoHandler(socketserver.StreamRequestHandler)`.
struct EchoHandler(StreamRequestHandler);
socketserver::subclass!(EchoHandler(StreamRequestHandler));

impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        while self.rfile.read_until(b'\n', &mut line)? > 0 {
            self.wfile.write_all(&line)?;
            line.clear();
        }
        Ok(())
    }
}

// ANCHOR: solution
/// Everything `main` did, for any mixin `M`: the compiler writes one copy for
/// `Blocking` (Python's `TCPServer`) and one for `ThreadingMixIn`
/// (`ThreadingTCPServer`), and the flag picks which copy runs.
fn serve<M: MixIn>(port: u16, name: &str) -> io::Result<()> {
    let mut server =
        TcpServer::<EchoHandler, Stream, M>::with_bind_and_activate(("127.0.0.1", port), false)?;
    server.allow_reuse_address = true;
    let bound = server.server_bind().and_then(|()| server.server_activate());
    support::or_exit(bound, "classes_to_traits_3", format!("127.0.0.1:{port}"));
    let server = server.into_arc();
    println!("Serving TCP echo with {name} on 127.0.0.1 port {port} ...");
    match server.serve_forever(0.5) {
        Err(e) if KeyboardInterrupt::is(&e) => println!("\nKeyboard interrupt received, exiting."),
        other => other?,
    }
    server.server_close(); // the end of `with server:`
    Ok(())
}
// ANCHOR_END: solution

fn main() -> io::Result<()> {
    KeyboardInterrupt::install();
    socketserver::trace::init_from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let threading = args.iter().any(|a| a == "--threading");
    let port = support::port_argument(
        args.iter().find(|a| *a != "--threading").cloned(),
        9999,
        "usage: classes_to_traits_3 [PORT] [--threading]",
    );
    // ANCHOR: choose
    if threading {
        serve::<ThreadingMixIn>(port, "ThreadingTCPServer")
    } else {
        serve::<Blocking>(port, "TCPServer")
    }
    // ANCHOR_END: choose
}
