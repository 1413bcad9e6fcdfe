//! Fuzzes the request parser: any bytes, as a client would send them, through
//! `handle_one_request` (`readline`, `parse_request`, `parse_headers`, the dispatch)
//! on one end of a socket pair. The properties: no panic, no hang (the client end is
//! closed after the input, so every read ends), and an answer that is either empty
//! or starts with a status line or an HTTP/0.9 error page.
//!
//! `cargo +nightly fuzz run parse_request` (needs `cargo install cargo-fuzz`).
//! `tests/parser_property.rs` checks the same path on stable, against CPython.

#![no_main]

use std::io::{Read, Write};
use std::net::Shutdown;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use socket2::{Domain, SockAddr, Socket, Type};
use socketserver::BaseRequestHandler;
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler};

struct Handler(BaseHttpRequest);
socketserver::subclass!(Handler(BaseHttpRequest));

impl BaseHttpRequestHandler for Handler {
    const protocol_version: &'static str = "HTTP/1.1";
    fn log_message(&self, _message: std::fmt::Arguments<'_>) {}
    fn do_GET(&mut self) -> std::io::Result<()> {
        self.send_response(200, None);
        self.send_header("Content-Length", "0");
        self.end_headers()
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 200_000 {
        return;
    }
    let (mut client, server) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    client.set_send_buffer_size(data.len() + 4096).ok();
    // The client writes everything and closes its half in a thread, so that a
    // large input cannot block both ends.
    let input = data.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = client.write_all(&input);
        let _ = client.shutdown(Shutdown::Write);
        let mut answer = Vec::new();
        let _ = client.read_to_end(&mut answer);
        answer
    });
    let address = SockAddr::from("127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap());
    let _ = <Handler as BaseRequestHandler>::__init__(Arc::new(server), address, Arc::new(()));
    let answer = writer.join().unwrap();
    assert!(
        answer.is_empty()
            || answer.starts_with(b"HTTP/1.1 ")
            || answer.starts_with(b"<!DOCTYPE HTML>"),
        "an answer that is neither a response nor an HTTP/0.9 page: {:?}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
});
