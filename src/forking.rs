//! `ForkingMixIn`: a process per request, and the `Forking*` servers.
//!
//! Python: Lib/socketserver.py, lines 551-636.

use std::collections::HashSet;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use socket2::SockAddr;

use crate::base_server::{BaseServer, HandlerError, MixIn, Request, catch};
use crate::tcp_server::{Stream, TcpServer};
use crate::traced;
use crate::udp_server::Datagram;

// ANCHOR: ForkingMixIn
/// Python: `socketserver.ForkingMixIn`: each request is processed in a child process.
///
/// The parent closes its copy of the connection and goes back to `accept`; the child
/// handles the request, shuts it down, and exits with status 0 (or 1 after an error).
/// A child interrupted by Ctrl-C (its handler's read fails with a
/// [`KeyboardInterrupt`](crate::KeyboardInterrupt)) exits with status 1 without a
/// word, as Python's does: the terminal sends Ctrl-C to the whole process group.
/// The parent reaps its children on every turn of `serve_forever` and when
/// `handle_request` times out, and never has more than `max_children` at once.
///
/// A forked child of a multi-threaded program has only the thread that forked: keep
/// the forking servers out of programs whose other threads hold locks the handler
/// needs.
#[derive(Debug)]
pub struct ForkingMixIn {
    /// The most children at once; past it, `collect_children` waits for one to exit.
    /// Python: `ForkingMixIn.max_children = 40`.
    pub max_children: usize,
    /// `server_close` waits for every child. Python: `ForkingMixIn.block_on_close = True`.
    pub block_on_close: bool,
    active_children: Mutex<Option<HashSet<Pid>>>,
}

impl Default for ForkingMixIn {
    fn default() -> Self {
        ForkingMixIn {
            max_children: 40,
            block_on_close: true,
            active_children: Mutex::new(None),
        }
    }
}
// ANCHOR_END: ForkingMixIn

impl ForkingMixIn {
    /// The children not yet reaped; `None` before the first fork.
    /// Python: `ForkingMixIn.active_children`.
    pub fn active_children(&self) -> Option<HashSet<Pid>> {
        self.active_children
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    // ANCHOR: collect_children
    /// Reaps the children that have exited (all of them, waiting, if `blocking`), and
    /// first waits for any child while there are `max_children` or more.
    ///
    /// Python: `ForkingMixIn.collect_children(*, blocking=False)`.
    pub fn collect_children(&self, blocking: bool) {
        let mut active_children = self
            .active_children
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let Some(children) = active_children.as_mut() else {
            return;
        };
        // If we're above the max number of children, wait and reap them until we go
        // back below threshold. Note that we use waitpid(-1) below to be able to
        // collect children in size(<defunct children>) calls instead of
        // size(<children>): the downside is that this might reap children which we
        // didn't spawn, which is why we only resort to this when we're above max_children.
        while children.len() >= self.max_children {
            match waitpid(None, None) {
                Ok(status) => {
                    if let Some(pid) = status.pid() {
                        children.remove(&pid);
                    }
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::ECHILD) => children.clear(),
                Err(_) => break,
            }
        }
        // Now reap all defunct children.
        let flags = if blocking {
            None
        } else {
            Some(WaitPidFlag::WNOHANG)
        };
        for pid in children.clone() {
            // PEP 475: a wait that a signal interrupts is tried again.
            let waited = loop {
                match waitpid(pid, flags) {
                    Err(Errno::EINTR) => continue,
                    waited => break waited,
                }
            };
            match waited {
                Ok(WaitStatus::StillAlive) => {}
                // if the child hasn't exited yet, pid will be 0 and ignored by remove()
                Ok(status) => {
                    if let Some(pid) = status.pid() {
                        children.remove(&pid);
                    }
                }
                Err(Errno::ECHILD) => {
                    children.remove(&pid);
                }
                Err(_) => {}
            }
        }
    }
    // ANCHOR_END: collect_children
}

impl MixIn for ForkingMixIn {
    // ANCHOR: timeout
    /// Python: `ForkingMixIn.timeout = 300`.
    const TIMEOUT: Option<Duration> = Some(Duration::from_secs(300));
    // ANCHOR_END: timeout

    // ANCHOR: forking_process_request
    /// Forks a child to process the request.
    ///
    /// Python: `ForkingMixIn.process_request(request, client_address)`.
    fn process_request<S: BaseServer<MixIn = Self>>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        // SAFETY: the child runs only the handler, on the thread that forked, and
        // leaves with _exit, never returning into the parent's code.
        match unsafe { fork() }.map_err(io::Error::from)? {
            ForkResult::Parent { child } => {
                let mixin = &server.base().mixin;
                let mut children = mixin
                    .active_children
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                children.get_or_insert_with(HashSet::new).insert(child);
                drop(children);
                // The child has its own copy of the connection: the parent only closes
                // (a shutdown would end the child's connection too).
                traced!(server.close_request(request));
                Ok(())
            }
            ForkResult::Child => {
                // Child process. This must never return, hence os._exit()!
                crate::interrupt::after_fork();
                let mut status = 1;
                match catch(|| {
                    traced!(server.finish_request(request.clone(), client_address.clone()))
                }) {
                    Ok(()) => status = 0,
                    // Ctrl-C reaches the children too: they end without a word.
                    Err(error) if error.is_system_exit() || error.is_keyboard_interrupt() => {}
                    Err(error) => traced!(server.handle_error(&request, &client_address, &error)),
                }
                let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                    traced!(server.shutdown_request(request))
                }));
                // SAFETY: _exit ends the process at once, running no destructor and
                // flushing nothing of the parent's state that the child inherited.
                unsafe { nix::libc::_exit(status) }
            }
        }
    }
    // ANCHOR_END: forking_process_request

    // ANCHOR: service_actions
    /// Python: `ForkingMixIn.service_actions()`: reap the children that have exited.
    fn service_actions(&self) {
        self.collect_children(false);
    }

    /// Python: `ForkingMixIn.handle_timeout()`: reap the children that have exited.
    fn handle_timeout(&self) {
        self.collect_children(false);
    }

    /// Python: `ForkingMixIn.server_close()`: after the socket, reap the children,
    /// waiting for them if `block_on_close`.
    fn server_close(&self) {
        self.collect_children(self.block_on_close);
    }
    // ANCHOR_END: service_actions
}

// ANCHOR: ForkingTCPServer
/// Python: `class ForkingTCPServer(ForkingMixIn, TCPServer): pass`.
#[doc(alias = "ForkingTCPServer")]
pub type ForkingTcpServer<H> = TcpServer<H, Stream, ForkingMixIn>;
/// Python: `class ForkingUDPServer(ForkingMixIn, UDPServer): pass`.
#[doc(alias = "ForkingUDPServer")]
pub type ForkingUdpServer<H> = TcpServer<H, Datagram, ForkingMixIn>;
/// Python 3.12: `class ForkingUnixStreamServer(ForkingMixIn, UnixStreamServer): pass`
/// (3.11's tests define it themselves).
pub type ForkingUnixStreamServer<H> = crate::UnixStreamServer<H, ForkingMixIn>;
/// Python 3.12: `class ForkingUnixDatagramServer(ForkingMixIn, UnixDatagramServer): pass`.
pub type ForkingUnixDatagramServer<H> = crate::UnixDatagramServer<H, ForkingMixIn>;
// ANCHOR_END: ForkingTCPServer
