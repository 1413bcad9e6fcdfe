//! `ThreadPoolMixIn`: a fixed number of worker threads and a bounded queue, and the
//! `ThreadPool*` servers. Not in Python's `socketserver`: the cure for what
//! `ThreadingMixIn` cannot bound (a thread per connection, however many come).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use socket2::SockAddr;

use crate::base_server::{BaseServer, HandlerError, MixIn, Request};
use crate::tcp_server::{Stream, TcpServer};
use crate::threading::ThreadingMixIn;
use crate::udp_server::Datagram;

/// One request to process, with everything it needs.
type Job = Box<dyn FnOnce() + Send>;

/// The running pool: where jobs go, and the workers that take them.
struct Pool {
    jobs: SyncSender<Job>,
    workers: Vec<JoinHandle<()>>,
}

// ANCHOR: ThreadPoolMixIn
/// A mixin that processes requests on `workers` threads started once, taking them
/// from a queue of at most `queue_size` requests.
///
/// When the queue is full, `process_request` waits for room: the accept loop stops
/// accepting, new connections wait in the kernel's listen backlog
/// (`request_queue_size`), and beyond it the kernel refuses them. The server never
/// holds more than `workers + queue_size` requests, and a flood costs no threads.
/// (The other policy, answering the overflow at once with a 503, needs the protocol,
/// which a socketserver mixin does not know.)
///
/// A handler that panics is caught and reported by `handle_error`, as with
/// `ThreadingMixIn`; its worker goes on with the next request. `shutdown` stops the
/// loop; `server_close` (or dropping the server) lets the workers finish every queued
/// request, then joins them.
///
/// Not in Python: `socketserver` has no pool (`concurrent.futures.ThreadPoolExecutor`
/// is what a Python server would reach for).
pub struct ThreadPoolMixIn {
    /// How many worker threads. Default: 16.
    pub workers: usize,
    /// How many accepted requests may wait for a worker. Default: 64.
    pub queue_size: usize,
    /// Started by the first request.
    pool: Mutex<Option<Pool>>,
}
// ANCHOR_END: ThreadPoolMixIn

impl std::fmt::Debug for ThreadPoolMixIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadPoolMixIn")
            .field("workers", &self.workers)
            .field("queue_size", &self.queue_size)
            .field("running_workers", &self.running_workers())
            .finish()
    }
}

impl Default for ThreadPoolMixIn {
    fn default() -> Self {
        ThreadPoolMixIn {
            workers: 16,
            queue_size: 64,
            pool: Mutex::new(None),
        }
    }
}

/// Numbers the workers.
static WORKER_COUNTER: AtomicUsize = AtomicUsize::new(1);

// ANCHOR: worker
/// A worker's life: take a job, run it, and go on even if it panicked.
fn worker(jobs: Arc<Mutex<Receiver<Job>>>) {
    crate::interrupt::block_on_this_thread(); // Ctrl-C is for the main thread
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return, // the server closed, and the queue is empty
        };
        // process_request_thread already reports errors and panics with
        // handle_error; what escapes it (SystemExit) must not take the worker away.
        let _ = panic::catch_unwind(AssertUnwindSafe(job));
    }
}
// ANCHOR_END: worker

impl ThreadPoolMixIn {
    /// Starts the workers.
    fn start(&self) -> Pool {
        let (jobs, queue) = mpsc::sync_channel::<Job>(self.queue_size);
        let queue = Arc::new(Mutex::new(queue));
        let workers = (0..self.workers.max(1))
            .map(|_| {
                let queue = Arc::clone(&queue);
                let name = format!(
                    "ThreadPool-{} (worker)",
                    WORKER_COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                thread::Builder::new()
                    .name(name)
                    .spawn(move || worker(queue))
                    .expect("start a worker thread")
            })
            .collect();
        Pool { jobs, workers }
    }

    /// How many workers are running (0 before the first request and after
    /// `server_close`).
    pub fn running_workers(&self) -> usize {
        let pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        pool.as_ref()
            .map_or(0, |p| p.workers.iter().filter(|w| !w.is_finished()).count())
    }
}

impl MixIn for ThreadPoolMixIn {
    // ANCHOR: pool_process_request
    /// Queues the request for a worker, waiting for room if the queue is full.
    fn process_request<S: BaseServer<MixIn = Self>>(
        server: &Arc<S>,
        request: Request<S>,
        client_address: SockAddr,
    ) -> Result<(), HandlerError> {
        let jobs = {
            let mixin = &server.base().mixin;
            let mut pool = mixin.pool.lock().unwrap_or_else(|e| e.into_inner());
            pool.get_or_insert_with(|| mixin.start()).jobs.clone()
        };
        let this = Arc::clone(server);
        let job: Job = Box::new(move || {
            ThreadingMixIn::process_request_thread(&this, request, client_address)
        });
        jobs.send(job)
            .map_err(|_| HandlerError::Io(std::io::Error::other("the server is closed")))
    }
    // ANCHOR_END: pool_process_request

    // ANCHOR: pool_server_close
    /// Lets the workers finish the queued requests, then joins them.
    fn server_close(&self) {
        let pool = self.pool.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(Pool { jobs, workers }) = pool {
            drop(jobs); // no more jobs: each worker ends when the queue is empty
            let me = thread::current().id();
            for worker in workers {
                // A worker that drops the last reference to the server ends up here.
                if worker.thread().id() != me {
                    let _ = worker.join();
                }
            }
        }
    }
    // ANCHOR_END: pool_server_close
}

/// `TcpServer` with a pool of workers.
pub type ThreadPoolTcpServer<H> = TcpServer<H, Stream, ThreadPoolMixIn>;
/// `UdpServer` with a pool of workers.
pub type ThreadPoolUdpServer<H> = TcpServer<H, Datagram, ThreadPoolMixIn>;
/// `UnixStreamServer` with a pool of workers.
pub type ThreadPoolUnixStreamServer<H> = crate::UnixStreamServer<H, ThreadPoolMixIn>;
/// `UnixDatagramServer` with a pool of workers.
pub type ThreadPoolUnixDatagramServer<H> = crate::UnixDatagramServer<H, ThreadPoolMixIn>;
