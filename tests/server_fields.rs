//! A handler and its server's own fields (Python's `self.server.store`), and
//! arguments a server gives its handlers (Python's
//! `functools.partial(SimpleHTTPRequestHandler, directory=…)`): typed at compile
//! time, no downcast, no static.

use std::collections::HashMap;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};
use socketserver::{
    BaseRequestHandler, BaseServer, StreamRequestHandler, TcpServer, ThreadingTcpServer,
};

const TIMEOUT: Duration = Duration::from_secs(10);

/// `class Counter(socketserver.ThreadingTCPServer)` with `self.lines = {}` and
/// `self.lock = threading.Lock()`.
struct Counter {
    base: ThreadingTcpServer<CountLines>,
    lines: Mutex<HashMap<String, usize>>,
}
socketserver::subclass!(Counter { base: ThreadingTcpServer<CountLines> });
impl BaseServer for Counter {}

/// A handler that names its server: `self.server` is an `Arc<Counter>`.
struct CountLines(StreamRequestHandler<Counter>);
socketserver::subclass!(CountLines(StreamRequestHandler<Counter>));

impl BaseRequestHandler for CountLines {
    // def handle(self):
    //     for line in self.rfile:
    //         with self.server.lock:
    //             self.server.lines[line] = self.server.lines.get(line, 0) + 1
    //             self.wfile.write(b"%d\n" % self.server.lines[line])
    fn handle(&mut self) -> io::Result<()> {
        let server = Arc::clone(&self.server); // the guard below outlives a borrow of self
        let mut line = String::new();
        while self.rfile.read_line(&mut line)? > 0 {
            let mut lines = server.lines.lock().unwrap();
            let count = lines.entry(line.trim_end().to_string()).or_default();
            *count += 1;
            writeln!(self.wfile, "{count}")?; // the guard is held while writing
            line.clear();
        }
        Ok(())
    }
}

fn serve_in_background<S: BaseServer>(server: S) -> (Arc<S>, thread::JoinHandle<io::Result<()>>) {
    let server = Arc::new(server);
    let serving = Arc::clone(&server);
    let thread = thread::spawn(move || serving.serve_forever(0.05));
    (server, thread)
}

fn port<S: BaseServer>(server: &S) -> u16 {
    server.base().server_address.as_socket().unwrap().port()
}

#[test]
fn a_handler_reaches_its_servers_fields_typed_and_holds_a_guard_while_writing() {
    let base = ThreadingTcpServer::with_bind_and_activate(("127.0.0.1", 0), false).unwrap();
    let counter = Counter {
        base,
        lines: Mutex::default(),
    }
    .bind_and_activate()
    .unwrap();
    let (server, serving) = serve_in_background(counter);
    let port = port(&*server);
    for expected in ["1\n1\n2\n", "3\n2\n4\n"] {
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client.set_read_timeout(Some(TIMEOUT)).unwrap();
        client.write_all(b"a\nb\na\n").unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        assert_eq!(reply, expected);
    }
    server.shutdown();
    serving.join().unwrap().unwrap();
    // The server the test holds is the one the handlers counted in.
    let lines = server.lines.lock().unwrap();
    assert_eq!((lines["a"], lines["b"]), (4, 2));
}

/// A handler that names no server runs on any server, as before.
struct Echo(StreamRequestHandler);
socketserver::subclass!(Echo(StreamRequestHandler));
impl BaseRequestHandler for Echo {
    fn handle(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        self.rfile.read_until(b'\n', &mut line)?;
        self.wfile.write_all(&line)
    }
}

#[test]
fn a_handler_that_names_no_server_runs_on_any() {
    let (server, serving) = serve_in_background(TcpServer::<Echo>::new(("127.0.0.1", 0)).unwrap());
    let mut client = TcpStream::connect(("127.0.0.1", port(&*server))).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    client.write_all(b"hi\n").unwrap();
    let mut reply = String::new();
    io::BufReader::new(client).read_line(&mut reply).unwrap();
    assert_eq!(reply, "hi\n");
    server.shutdown();
    serving.join().unwrap().unwrap();
}

/// An HTTP handler whose server carries a greeting: Python's
/// `functools.partial(Hello, greeting=…)` for a handler of one's own is a field on
/// the server, read as `self.server.greeting`.
struct Greeter {
    base: ThreadingHttpServer<Hello>,
    greeting: String,
}
socketserver::subclass!(Greeter { base: ThreadingHttpServer<Hello> });
impl BaseServer for Greeter {}

struct Hello(BaseHttpRequest<Greeter>);
socketserver::subclass!(Hello(BaseHttpRequest<Greeter>));
impl BaseHttpRequestHandler for Hello {
    fn log_message(&self, _message: std::fmt::Arguments<'_>) {}
    #[allow(non_snake_case)]
    fn do_GET(&mut self) -> io::Result<()> {
        let body = format!("{}\n", self.server.greeting);
        self.send_response(200, None);
        self.send_header("Content-Length", &body.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(body.as_bytes())
    }
}

fn get(port: u16, path: &str) -> String {
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(client, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn two_http_servers_give_their_handlers_their_own_fields() {
    let servers: Vec<_> = ["bonjour", "hallo"]
        .into_iter()
        .map(|greeting| {
            let base = ThreadingHttpServer::with_bind_and_activate(("127.0.0.1", 0), false);
            let server = Greeter {
                base: base.unwrap(),
                greeting: greeting.into(),
            };
            serve_in_background(server.bind_and_activate().unwrap())
        })
        .collect();
    for ((server, _), greeting) in servers.iter().zip(["bonjour", "hallo"]) {
        let reply = get(server.server_port, "/");
        assert!(reply.ends_with(&format!("\r\n\r\n{greeting}\n")), "{reply}");
    }
    for (server, serving) in servers {
        server.shutdown();
        serving.join().unwrap().unwrap();
    }
}

/// Python: `functools.partial(SimpleHTTPRequestHandler, directory=d)`, once per
/// server: two servers in one process, each serving its own directory.
#[test]
fn handler_arguments_give_two_servers_two_directories() {
    let root = std::env::temp_dir().join(format!("handler-arguments-{}", std::process::id()));
    let (tx, rx) = mpsc::channel();
    let mut running = Vec::new();
    for name in ["one", "two"] {
        let directory: PathBuf = root.join(name);
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join("which.txt"), format!("{name}\n")).unwrap();
        let mut server = ThreadingHttpServer::<Quiet>::new(("127.0.0.1", 0)).unwrap();
        server.handler_arguments_mut().directory = Some(directory);
        let (server, serving) = serve_in_background(server);
        tx.send((name, server.server_port)).unwrap();
        running.push((server, serving));
    }
    drop(tx);
    for (name, port) in rx.iter() {
        let reply = get(port, "/which.txt");
        assert!(reply.starts_with("HTTP/1.0 200 OK\r\n"), "{reply}");
        assert!(reply.ends_with(&format!("\r\n\r\n{name}\n")), "{reply}");
    }
    for (server, serving) in running {
        server.shutdown();
        serving.join().unwrap().unwrap();
    }
    std::fs::remove_dir_all(root).unwrap();
}

/// `SimpleHTTPRequestHandler` without its log lines on stderr.
struct Quiet(socketserver::http::server::SimpleHttpRequest);
socketserver::subclass!(Quiet(socketserver::http::server::SimpleHttpRequest));
impl BaseHttpRequestHandler for Quiet {
    fn log_message(&self, _message: std::fmt::Arguments<'_>) {}
}
impl socketserver::http::server::SimpleHttpMethods for Quiet {}

/// Without arguments, the handler serves the current directory, as Python's
/// `directory=None`: the crate's root when tests run.
#[test]
fn without_handler_arguments_the_current_directory_is_served() {
    let (server, serving) =
        serve_in_background(ThreadingHttpServer::<Quiet>::new(("127.0.0.1", 0)).unwrap());
    let reply = get(server.server_port, "/Cargo.toml");
    assert!(reply.starts_with("HTTP/1.0 200 OK\r\n"), "{reply}");
    assert!(reply.contains("[package]"), "{reply}");
    server.shutdown();
    serving.join().unwrap().unwrap();
}
