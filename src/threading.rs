//! `ThreadingMixIn`: a thread per request, and the `Threading*` servers.
//!
//! Python: Lib/socketserver.py, lines 639-717.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use socket2::SockAddr;

use crate::base_server::{BaseServer, HandlerError, MixIn, Request, catch};
use crate::tcp_server::{Stream, TcpServer};
use crate::traced;
use crate::udp_server::Datagram;

// ANCHOR: ThreadingMixIn
/// Python: `socketserver.ThreadingMixIn`: each request is processed on a new thread,
/// so a slow client no longer holds up the others.
///
/// What happens to those threads when the server closes, and when `main` returns, is
/// decided by two attributes. Rust ends every thread when `main` returns, which is
/// what Python does to daemon threads only; Python's interpreter waits for the other
/// threads before it exits. So:
///
/// | `daemon_threads` | `block_on_close` | `server_close()` | when `main` returns |
/// |---|---|---|---|
/// | `false` (default) | `true` (default) | waits for every request thread | nothing left to wait for |
/// | `false` | `false` | returns at once | Python waits; call [`join_non_daemon_threads`] to do the same |
/// | `true` | either | returns at once | the threads are ended mid-request |
#[derive(Debug)]
pub struct ThreadingMixIn {
    /// Request threads are daemon threads: nobody waits for them.
    /// Python: `ThreadingMixIn.daemon_threads = False`.
    pub daemon_threads: bool,
    /// `server_close` waits for the request threads that are not daemons.
    /// Python: `ThreadingMixIn.block_on_close = True`.
    pub block_on_close: bool,
    /// Python: `_threads`, the threads `server_close` will join.
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Default for ThreadingMixIn {
    fn default() -> Self {
        ThreadingMixIn {
            daemon_threads: false,
            block_on_close: true,
            threads: Mutex::new(Vec::new()),
        }
    }
}
// ANCHOR_END: ThreadingMixIn

/// The threads that are not daemons and that no server will join
/// (`block_on_close = false`): Python's interpreter joins them at exit.
static NON_DAEMON_THREADS: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Numbers the request threads as Python numbers its threads.
static THREAD_COUNTER: AtomicUsize = AtomicUsize::new(1);

// ANCHOR: join_non_daemon_threads
/// Waits for every request thread that is not a daemon and that no `server_close`
/// joined: what Python's interpreter does before it exits (`threading._shutdown`).
/// Call it at the end of `main` where Python's behaviour is wanted.
#[doc(alias = "_shutdown")]
pub fn join_non_daemon_threads() {
    let threads =
        std::mem::take(&mut *NON_DAEMON_THREADS.lock().unwrap_or_else(|e| e.into_inner()));
    join_all(threads);
}
// ANCHOR_END: join_non_daemon_threads

fn join_all(threads: Vec<JoinHandle<()>>) {
    let me = thread::current().id();
    for thread in threads {
        // A request thread that drops the last reference to its server ends up here:
        // it must not wait for itself.
        if thread.thread().id() != me {
            let _ = thread.join();
        }
    }
}

impl ThreadingMixIn {
    // ANCHOR: process_request_thread
    /// The body of a request thread: `finish_request`, errors to `handle_error`, and
    /// `shutdown_request` in every case.
    ///
    /// Python: `ThreadingMixIn.process_request_thread(request, client_address)`.
    pub fn process_request_thread<S: BaseServer>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) {
        let result =
            catch(|| traced!(server.finish_request(request.clone(), client_address.clone())));
        match result {
            Ok(()) => {}
            Err(error) if error.is_system_exit() => {
                traced!(server.shutdown_request(request));
                if let HandlerError::Panic { payload, .. } = error {
                    std::panic::resume_unwind(payload);
                }
                return;
            }
            Err(error) => traced!(server.handle_error(&request, &client_address, &error)),
        }
        traced!(server.shutdown_request(request));
    }
    // ANCHOR_END: process_request_thread

    // ANCHOR: append
    /// Keeps a started thread for `server_close`, first dropping the threads that have
    /// finished so the list does not grow without end (bpo-37193).
    ///
    /// Python: `_Threads.append(thread)` (daemon threads are not kept).
    fn append(&self, thread: JoinHandle<()>) {
        if self.daemon_threads {
            return;
        }
        // Without block_on_close no server joins the thread, but (not being a
        // daemon) the exit-time join does: keep it there, reaped the same way.
        let kept = if self.block_on_close {
            &self.threads
        } else {
            &NON_DAEMON_THREADS
        };
        let mut threads = kept.lock().unwrap_or_else(|e| e.into_inner());
        threads.retain(|t| !t.is_finished()); // Python: _Threads.reap()
        threads.push(thread);
    }
    // ANCHOR_END: append

    /// How many request threads `server_close` would join now (finished ones are
    /// dropped as new requests arrive). Python: `len(server._threads)`.
    pub fn tracked_threads(&self) -> usize {
        self.threads.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl MixIn for ThreadingMixIn {
    // ANCHOR: threading_process_request
    /// Starts a thread to process the request, and returns at once.
    ///
    /// Python: `ThreadingMixIn.process_request(request, client_address)`.
    fn process_request<S: BaseServer<MixIn = Self>>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        let name = format!(
            "Thread-{} (process_request_thread)",
            THREAD_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let this = Arc::clone(server);
        let thread = thread::Builder::new()
            .name(name)
            .spawn(move || {
                // Python delivers signals to the main thread only.
                crate::interrupt::block_on_this_thread();
                Self::process_request_thread(&this, request, client_address)
            })
            .map_err(io::Error::other)?;
        server.base().mixin.append(thread);
        Ok(())
    }
    // ANCHOR_END: threading_process_request

    // ANCHOR: threading_server_close
    /// Python: `ThreadingMixIn.server_close()`: after the socket, join the threads.
    fn server_close(&self) {
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        join_all(threads);
    }
    // ANCHOR_END: threading_server_close
}

// ANCHOR: ThreadingTCPServer
/// Python: `class ThreadingTCPServer(ThreadingMixIn, TCPServer): pass`.
#[doc(alias = "ThreadingTCPServer")]
pub type ThreadingTcpServer<H> = TcpServer<H, Stream, ThreadingMixIn>;
/// Python: `class ThreadingUDPServer(ThreadingMixIn, UDPServer): pass`.
#[doc(alias = "ThreadingUDPServer")]
pub type ThreadingUdpServer<H> = TcpServer<H, Datagram, ThreadingMixIn>;
/// Python: `class ThreadingUnixStreamServer(ThreadingMixIn, UnixStreamServer): pass`.
pub type ThreadingUnixStreamServer<H> = crate::UnixStreamServer<H, ThreadingMixIn>;
/// Python: `class ThreadingUnixDatagramServer(ThreadingMixIn, UnixDatagramServer): pass`.
pub type ThreadingUnixDatagramServer<H> = crate::UnixDatagramServer<H, ThreadingMixIn>;
// ANCHOR_END: ThreadingTCPServer
