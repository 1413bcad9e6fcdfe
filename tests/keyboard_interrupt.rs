//! Python's `KeyboardInterrupt`, as the crate raises it after
//! `KeyboardInterrupt::install()`: Ctrl-C (SIGINT) interrupts `serve_forever`'s wait
//! and a handler's read on the serving thread, never a request thread; the error
//! never reaches `handle_error`; the server serves again afterwards.
//!
//! One test, its cases one after the other: `install` makes the calling thread the
//! main thread, and the harness gives each test a thread of its own. The SIGINTs
//! are raised on a helper thread, so each also goes through the handler's forwarding
//! to the main thread, as a signal that lands on another thread does.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use socketserver::{
    BaseRequestHandler, BaseServer, HandlerError, KeyboardInterrupt, Request, SockAddr,
    StreamRequestHandler, TcpServer, ThreadingTcpServer,
};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Told each time a handler starts, with the name of its thread.
static STARTED: Mutex<Option<mpsc::Sender<String>>> = Mutex::new(None);
/// The handler drops its read's error (`let _ = …`) instead of returning it.
static SWALLOW: AtomicBool = AtomicBool::new(false);
/// How many errors reached `handle_error`.
static HANDLED: AtomicUsize = AtomicUsize::new(0);

/// Echoes lines, after saying it started.
struct Echo(StreamRequestHandler);
socketserver::subclass!(Echo(StreamRequestHandler));

impl BaseRequestHandler for Echo {
    fn handle(&mut self) -> io::Result<()> {
        let name = thread::current().name().unwrap_or("?").to_string();
        if let Some(started) = STARTED.lock().unwrap().as_ref() {
            let _ = started.send(name);
        }
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = self.rfile.read_until(b'\n', &mut line);
            if SWALLOW.load(Ordering::SeqCst) {
                let _ = read;
                return Ok(());
            }
            if read? == 0 {
                return Ok(());
            }
            self.wfile.write_all(&line)?;
        }
    }
}

/// A `TCPServer` whose `handle_error` counts.
struct Counting {
    base: TcpServer<Echo>,
}
socketserver::subclass!(Counting { base: TcpServer<Echo> });

impl BaseServer for Counting {
    fn handle_error(&self, _: &Request<Self>, _: &SockAddr, error: &HandlerError) {
        eprintln!("handle_error: {error}");
        HANDLED.fetch_add(1, Ordering::SeqCst);
    }
}

/// From now on, each handler that starts says so on the returned channel.
fn watch_handlers() -> mpsc::Receiver<String> {
    let (send, started) = mpsc::channel();
    *STARTED.lock().unwrap() = Some(send);
    started
}

/// Ctrl-C, as it lands on a thread other than the main one.
fn ctrl_c_from_another_thread() {
    thread::spawn(|| nix::sys::signal::raise(nix::sys::signal::Signal::SIGINT).unwrap())
        .join()
        .unwrap();
}

fn port_of<S: BaseServer>(server: &S) -> u16 {
    server.base().server_address.as_socket().unwrap().port()
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// A client that connects, and once the handler has started, presses Ctrl-C; it
/// returns the connection.
fn client_then_ctrl_c(port: u16, started: &mpsc::Receiver<String>) -> TcpStream {
    let client = connect(port);
    started.recv_timeout(TIMEOUT).expect("the handler started");
    ctrl_c_from_another_thread();
    client
}

/// The connection was shut down and closed: its end, not the read timeout.
fn assert_ended(mut client: TcpStream) {
    let mut rest = Vec::new();
    let ended = client.read_to_end(&mut rest);
    assert!(ended.is_ok(), "{ended:?}");
}

fn assert_keyboard_interrupt(result: io::Result<()>, what: &str) {
    match result {
        Err(e) if KeyboardInterrupt::is(&e) => {
            assert_eq!(e.to_string(), "KeyboardInterrupt", "{what}");
        }
        other => panic!("{what}: {other:?}, not a KeyboardInterrupt"),
    }
}

#[test]
fn ctrl_c_raises_keyboard_interrupt_in_the_main_thread() {
    KeyboardInterrupt::install();

    // Without a Ctrl-C, nothing to raise.
    assert!(KeyboardInterrupt::check().is_ok());

    // PyErr_CheckSignals: raised once, on the main thread only.
    ctrl_c_from_another_thread();
    assert!(
        thread::spawn(KeyboardInterrupt::check)
            .join()
            .unwrap()
            .is_ok()
    );
    assert_keyboard_interrupt(KeyboardInterrupt::check(), "check");
    assert!(KeyboardInterrupt::check().is_ok(), "raised once");

    let server = Arc::new(Counting {
        base: TcpServer::<Echo>::new(("127.0.0.1", 0)).unwrap(),
    });
    let port = port_of(&*server);

    // 1. serve_forever waiting in its poll, with a poll_interval far longer than the
    //    test waits: Ctrl-C ends the wait itself.
    let began = Instant::now();
    let presser = thread::spawn(ctrl_c_from_another_thread);
    assert_keyboard_interrupt(server.serve_forever(60.0), "serve_forever, idle");
    assert!(began.elapsed() < TIMEOUT, "{:?}", began.elapsed());
    presser.join().unwrap();

    // 2. A handler on the serving thread, blocked in rfile.read_until: interrupted;
    //    the request is shut down; handle_error never sees it.
    let started = watch_handlers();
    let client = thread::spawn(move || client_then_ctrl_c(port, &started));
    assert_keyboard_interrupt(server.serve_forever(60.0), "serve_forever, in a handler");
    assert_ended(client.join().unwrap());
    assert_eq!(HANDLED.load(Ordering::SeqCst), 0, "handle_error saw it");

    // 3. It serves again afterwards: the Ctrl-C was dealt with.
    let echoed = thread::spawn(move || {
        let mut client = connect(port);
        client.write_all(b"again\n").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        answer
    });
    server.handle_request().unwrap();
    assert_eq!(echoed.join().unwrap(), "again\n");

    // 4. handle_request waiting for a request.
    let presser = thread::spawn(ctrl_c_from_another_thread);
    assert_keyboard_interrupt(server.handle_request(), "handle_request, idle");
    presser.join().unwrap();

    // 5. A handler that drops the error does not keep serve_forever serving.
    SWALLOW.store(true, Ordering::SeqCst);
    let started = watch_handlers();
    let client = thread::spawn(move || client_then_ctrl_c(port, &started));
    assert_keyboard_interrupt(server.serve_forever(60.0), "a dropped KeyboardInterrupt");
    SWALLOW.store(false, Ordering::SeqCst);
    assert_ended(client.join().unwrap());
    assert_eq!(HANDLED.load(Ordering::SeqCst), 0);
    drop(server);

    // 6. A request thread is not interrupted: serve_forever returns, the handler on
    //    its thread goes on, and dropping the server waits for it (block_on_close).
    let server = Arc::new(ThreadingTcpServer::<Echo>::new(("127.0.0.1", 0)).unwrap());
    let port = port_of(&*server);
    let started = watch_handlers();
    let client = thread::spawn(move || client_then_ctrl_c(port, &started));
    assert_keyboard_interrupt(server.serve_forever(60.0), "serve_forever, threading");
    let client = client.join().unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    (&client).write_all(b"still here\n").unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "still here\n", "the request thread was interrupted");
    client.shutdown(Shutdown::Write).unwrap();
    drop(server); // joins the request thread, which ends as its client leaves
    assert_ended(client);
}
