//! The forking cases of CPython 3.11's `test_socketserver.py`, in a test binary of
//! their own: `fork()` in a process where the test harness runs other threads could
//! copy a lock that one of them holds. Here the cases run one at a time, and the only
//! other thread is the serving thread of the case itself.

mod common;

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;

use common::*;
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid};
use nix::unistd::{ForkResult, fork};
use socket2::{Domain, SockAddr, Socket, Type};
use socketserver::{
    BaseRequest, BaseRequestHandler, BaseServer, Connection, ForkingMixIn, ForkingTcpServer,
    ForkingUdpServer, ForkingUnixDatagramServer, ForkingUnixStreamServer, HandlerError, Request,
    Subclass, SystemExit,
};

/// Python: `simple_subprocess`: a child of our own, not the server's, must still be
/// there to be waited for after the server reaped its children (Issue 1540386).
fn simple_subprocess(body: impl FnOnce()) {
    // SAFETY: the child only calls _exit.
    let pid = match unsafe { fork() }.unwrap() {
        ForkResult::Child => unsafe { nix::libc::_exit(72) },
        ForkResult::Parent { child } => child,
    };
    body();
    assert_eq!(waitpid(pid, None).unwrap(), WaitStatus::Exited(pid, 72));
}

/// Python's `run_server` check for forking servers: no child left behind.
fn no_children_left<S: BaseServer<MixIn = ForkingMixIn>>(server: &S) {
    let children = server.base().mixin.active_children();
    assert!(
        children.as_ref().is_none_or(|c| c.is_empty()),
        "children left: {children:?}"
    );
}

fn test_forking_tcp_server() {
    simple_subprocess(|| {
        let server = ForkingTcpServer::<StreamEcho>::new(("127.0.0.1", 0)).unwrap();
        no_children_left(&*run_server(MyServer(server), stream_examine));
    });
}

fn test_forking_unix_stream_server() {
    simple_subprocess(|| {
        let server = ForkingUnixStreamServer::<StreamEcho>::new(unix_path()).unwrap();
        no_children_left(&*run_server(MyServer(server), stream_examine));
    });
}

fn test_forking_udp_server() {
    simple_subprocess(|| {
        let server = ForkingUdpServer::<DatagramEcho>::new(("127.0.0.1", 0)).unwrap();
        no_children_left(&*run_server(MyServer(server), dgram_examine));
    });
}

fn test_forking_unix_datagram_server() {
    simple_subprocess(|| {
        let server = ForkingUnixDatagramServer::<DatagramEcho>::new(unix_path()).unwrap();
        no_children_left(&*run_server(MyServer(server), dgram_examine));
    });
}

/// Python's `os_helper.TESTFN`: the handler runs in a child, so the log is a file.
fn log_path(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("socketserver_forking_{port}.log"))
}

fn log(port: u16, line: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path(port))
        .unwrap();
    file.write_all(line.as_bytes()).unwrap();
}

/// Python's `BadHandler`, raising `ValueError` or (`EXIT`) `SystemExit`.
struct BadHandler<const EXIT: bool>(BaseRequest<Arc<Connection>>);

impl<const EXIT: bool> std::ops::Deref for BadHandler<EXIT> {
    type Target = BaseRequest<Arc<Connection>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
impl<const EXIT: bool> std::ops::DerefMut for BadHandler<EXIT> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
impl<const EXIT: bool> From<BaseRequest<Arc<Connection>>> for BadHandler<EXIT> {
    fn from(base: BaseRequest<Arc<Connection>>) -> Self {
        BadHandler(base)
    }
}
impl<const EXIT: bool> BaseRequestHandler for BadHandler<EXIT> {
    fn handle(&mut self) -> io::Result<()> {
        let port = self.request.local_addr()?.as_socket().unwrap().port();
        log(port, "Handler called\n");
        if EXIT {
            std::panic::panic_any(SystemExit(0));
        }
        panic!("Test error");
    }
}

/// Python's `ForkingErrorTestServer(ForkingMixIn, BaseErrorTestServer)`.
struct ForkingErrorTestServer<const EXIT: bool>(ForkingTcpServer<BadHandler<EXIT>>);

impl<const EXIT: bool> Deref for ForkingErrorTestServer<EXIT> {
    type Target = ForkingTcpServer<BadHandler<EXIT>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
impl<const EXIT: bool> DerefMut for ForkingErrorTestServer<EXIT> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
impl<const EXIT: bool> Subclass for ForkingErrorTestServer<EXIT> {}

impl<const EXIT: bool> BaseServer for ForkingErrorTestServer<EXIT> {
    fn handle_error(
        &self,
        _request: &Request<Self>,
        _client_address: &SockAddr,
        _error: &HandlerError,
    ) {
        log(
            self.0.server_address.as_socket().unwrap().port(),
            "Error handled\n",
        );
    }
}

/// Python: `BaseErrorTestServer.__init__` then `check_result(handled)`.
fn check_error_handling<const EXIT: bool>(handled: bool) {
    let server = Arc::new(ForkingErrorTestServer::<EXIT>(
        ForkingTcpServer::new(("127.0.0.1", 0)).unwrap(),
    ));
    let port = server.0.server_address.as_socket().unwrap().port();
    let client = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    client.connect(&server.0.server_address).unwrap();
    drop(client);
    server.handle_request().unwrap();
    server.server_close(); // waits for the child (block_on_close)
    let expected = if handled {
        "Handler called\nError handled\n"
    } else {
        "Handler called\n"
    };
    assert_eq!(fs::read_to_string(log_path(port)).unwrap(), expected);
    let _ = fs::remove_file(log_path(port));
    no_children_left(&*server);
}

fn test_forking_handled() {
    check_error_handling::<false>(true);
}

fn test_forking_not_handled() {
    check_error_handling::<true>(false);
}

/// The parent closes its copy of the connection but does not shut it down, so the
/// child's reply still reaches the client; the child's exit status says how it went.
fn forking_parent_only_closes() {
    let server = ForkingTcpServer::<StreamEcho>::new(("127.0.0.1", 0))
        .unwrap()
        .into_arc();
    for _ in 0..3 {
        let address = server.server_address.clone();
        let client = std::thread::spawn(move || stream_examine(&address));
        server.handle_request().unwrap();
        client.join().unwrap();
    }
    server.server_close();
    no_children_left(&*server);
}

/// super() on a forking server: `process_request` calls `ForkingMixIn`'s through
/// super, which forks and, in the parent, calls `self.close_request`: the
/// subclass's. `service_actions` with super reaps the child.
fn process_request_super_forks_and_calls_close_request_override() {
    struct Counting {
        base: ForkingTcpServer<StreamEcho>,
        calls: std::sync::Mutex<Vec<&'static str>>,
    }
    socketserver::subclass!(Counting { base: ForkingTcpServer<StreamEcho> });
    impl BaseServer for Counting {
        fn process_request(
            self: &Arc<Self>,
            request: Request<Self>,
            client_address: SockAddr,
        ) -> Result<(), HandlerError> {
            self.calls.lock().unwrap().push("process_request");
            ForkingTcpServer::process_request(self, request, client_address) // super()
        }
        fn close_request(&self, request: Request<Self>) {
            self.calls.lock().unwrap().push("close_request");
            ForkingTcpServer::close_request(self, request)
        }
        fn service_actions(&self) {
            self.calls.lock().unwrap().push("service_actions");
            ForkingTcpServer::service_actions(self) // ForkingMixIn's: collect_children
        }
    }
    let server = Arc::new(Counting {
        base: ForkingTcpServer::new(("127.0.0.1", 0)).unwrap(),
        calls: std::sync::Mutex::new(Vec::new()),
    });
    let client = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    client.connect(&server.server_address).unwrap();
    (&client).write_all(b"hello\n").unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    server.handle_request().unwrap();
    assert_eq!(receive(&client, 100), b"hello\n", "the child echoed");
    assert_eq!(
        *server.calls.lock().unwrap(),
        ["process_request", "close_request"]
    );
    // Wait until the child has exited, without reaping it (WNOWAIT); then one turn
    // of service_actions, through super, reaps it.
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT;
    waitid(Id::All, flags).unwrap();
    server.service_actions();
    assert_eq!(server.mixin.active_children(), Some(Default::default()));
    assert_eq!(
        server.calls.lock().unwrap().last(),
        Some(&"service_actions")
    );
    server.server_close();
    no_children_left(&*server);
}

fn main() {
    let cases: [(&str, fn()); 8] = [
        (
            "process_request_super_forks_and_calls_close_request_override",
            process_request_super_forks_and_calls_close_request_override,
        ),
        ("test_forking_tcp_server", test_forking_tcp_server),
        (
            "test_forking_unix_stream_server",
            test_forking_unix_stream_server,
        ),
        ("test_forking_udp_server", test_forking_udp_server),
        (
            "test_forking_unix_datagram_server",
            test_forking_unix_datagram_server,
        ),
        ("test_forking_handled", test_forking_handled),
        ("test_forking_not_handled", test_forking_not_handled),
        ("forking_parent_only_closes", forking_parent_only_closes),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match std::panic::catch_unwind(case) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("\ntest_socketserver_forking: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(101);
    }
}
