//! An echo service over UDP (RFC 862): every datagram goes back to its sender, from
//! a thread per datagram, or from a child process per datagram with `--forking`. The
//! port of `examples/porting/udp_echo.py`.
//!
//! ```text
//! cargo run --example porting_udp_echo -- 9999 [--forking]
//! nc -u 127.0.0.1 9999
//! ```

use std::io;
use std::sync::Arc;

use socketserver::socket2::Socket;
use socketserver::{BaseRequest, BaseRequestHandler, BaseServer};
use socketserver::{ForkingUdpServer, ThreadingUdpServer};

// ANCHOR: handler
// class EchoHandler(socketserver.BaseRequestHandler):
struct EchoHandler(BaseRequest<(Vec<u8>, Arc<Socket>)>); // self.request is (data, sock)
socketserver::subclass!(EchoHandler(BaseRequest<(Vec<u8>, Arc<Socket>)>));

impl BaseRequestHandler for EchoHandler {
    fn handle(&mut self) -> io::Result<()> {
        let (data, sock) = &self.request;
        let host = self.client_address.as_socket().unwrap().ip(); // client_address[0]
        eprintln!("{} bytes from {host}", data.len());
        sock.send_to(data, &self.client_address)?;
        Ok(())
    }
}
// ANCHOR_END: handler

// ANCHOR: main
// Everything after choosing the class: one copy for each class the flag can pick.
fn serve<S: BaseServer>(server: S) -> io::Result<()> {
    let server = server.__enter__(); // with ServerClass(...) as server:
    let port = server.base().server_address.as_socket().unwrap().port();
    println!("Serving on 127.0.0.1 port {port}");
    server.serve_forever(0.5)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect(); // sys.argv
    let port: u16 = argv.get(1).ok_or("usage: udp_echo PORT")?.parse()?;
    let address = ("127.0.0.1", port);
    // ServerClass = ForkingUDPServer if "--forking" in sys.argv else ThreadingUDPServer
    if argv.iter().any(|arg| arg == "--forking") {
        Ok(serve(ForkingUdpServer::<EchoHandler>::new(address)?)?)
    } else {
        Ok(serve(ThreadingUdpServer::<EchoHandler>::new(address)?)?)
    }
}
// ANCHOR_END: main
