//! The floor: a hello server with nothing but `std`, one thread per connection,
//! one `write_all` per response. Any synchronous thread-per-connection design,
//! the port's included, pays at least this; `cargo bench --bench compare` uses it
//! as the ceiling the others are measured against.
//!
//! ```text
//! cargo run --release --example std_hello [PORT]
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

#[path = "support/mod.rs"]
mod support;

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world\n";

// ANCHOR: connection
/// Answers every request on one connection until the client closes it or asks to.
fn serve(stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(()); // the client closed
        }
        let keep_alive_default = line.trim_end().ends_with("HTTP/1.1");
        let mut close = !keep_alive_default;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("connection") {
                    close = value.trim().eq_ignore_ascii_case("close");
                }
            }
        }
        writer.write_all(RESPONSE)?;
        if close {
            return Ok(());
        }
    }
}
// ANCHOR_END: connection

fn main() -> io::Result<()> {
    // Not a crate server: its accept loop retries EINTR inside std, so Ctrl-C ends it at once.
    support::exit_on_ctrl_c();
    let usage = "usage: std_hello [PORT]\n\n\
        Answers every HTTP request with Hello, world on 127.0.0.1 port PORT (8000 by default), \
        with nothing but std: a thread per connection.";
    let port = support::port_argument(std::env::args().nth(1), 8000, usage);
    let listener = support::or_exit(
        TcpListener::bind(("127.0.0.1", port)),
        "std_hello",
        format!("127.0.0.1:{port}"),
    );
    let port = listener.local_addr()?.port();
    println!("Serving hello (std only) on 127.0.0.1 port {port}");
    // ANCHOR: accept
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                std::thread::spawn(move || serve(stream));
            }
            Err(e) => eprintln!("accept: {e}"),
        }
    }
    Ok(())
    // ANCHOR_END: accept
}
