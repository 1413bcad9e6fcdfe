//! A chat room over TCP: a client's first line is its name, and every line after it
//! goes to everyone else in the room. The port of `examples/porting/chat.py`.
//!
//! ```text
//! cargo run --example porting_chat -- 9999
//! nc 127.0.0.1 9999     (in two terminals: type a name, then lines)
//! ```

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex};

use socketserver::{
    BaseRequestHandler, BaseServer, Connection, StreamRequestHandler, ThreadingTcpServer,
};

// ANCHOR: server
// class ChatServer(socketserver.ThreadingTCPServer):
struct ChatServer {
    base: ThreadingTcpServer<ChatHandler>,
    // self.clients = {} and self.lock = threading.Lock(); a client's connection
    // stands for its wfile, which only its own handler holds
    clients: Mutex<HashMap<String, Arc<Connection>>>,
}
socketserver::subclass!(ChatServer { base: ThreadingTcpServer<ChatHandler> });
impl BaseServer for ChatServer {}

impl ChatServer {
    fn broadcast(&self, line: &str, sender: &str) -> io::Result<()> {
        for (name, connection) in self.clients.lock().unwrap().iter() {
            if name != sender {
                connection.sendall(line.as_bytes())?; // wfile.write(line.encode())
            }
        }
        Ok(())
    }
}
// ANCHOR_END: server

// ANCHOR: handler
// class ChatHandler(socketserver.StreamRequestHandler):
struct ChatHandler(StreamRequestHandler<ChatServer>);
socketserver::subclass!(ChatHandler(StreamRequestHandler<ChatServer>));

impl BaseRequestHandler for ChatHandler {
    fn handle(&mut self) -> io::Result<()> {
        let server = Arc::clone(&self.server); // self.server, beside a borrow of self.rfile
        let mut name = String::new();
        self.rfile.read_line(&mut name)?;
        let name = name.trim().to_string();
        let online = {
            let mut clients = server.clients.lock().unwrap(); // with self.server.lock:
            clients.insert(name.clone(), Arc::clone(&self.connection));
            clients.len()
        };
        let host = self.client_address.as_socket().unwrap().ip(); // client_address[0]
        eprintln!("{name} joined from {host}");
        server.broadcast(&format!("* {name} joined\n"), &name)?;
        writeln!(self.wfile, "welcome {name}, {online} online")?;
        // try:
        let chatted = (|| -> io::Result<()> {
            let mut line = String::new();
            while self.rfile.read_line(&mut line)? > 0 {
                server.broadcast(&format!("{name}: {}\n", line.trim()), &name)?;
                line.clear();
            }
            Ok(())
        })();
        // finally:
        server.clients.lock().unwrap().remove(&name);
        eprintln!("{name} left");
        server.broadcast(&format!("* {name} left\n"), &name)?;
        chatted
    }
}
// ANCHOR_END: handler

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect(); // sys.argv
    let port: u16 = argv.get(1).ok_or("usage: chat PORT")?.parse()?;
    // with ChatServer(("127.0.0.1", port), ChatHandler) as server:
    let mut base = ThreadingTcpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    base.allow_reuse_address = true; // the class attributes, set before binding
    base.mixin.daemon_threads = true;
    let clients = Mutex::default();
    let server = ChatServer { base, clients }
        .bind_and_activate()?
        .__enter__();
    let port = server.server_address.as_socket().unwrap().port(); // server_address[1]
    println!("Serving on 127.0.0.1 port {port}");
    Ok(server.serve_forever(0.5)?)
}
// ANCHOR_END: main
