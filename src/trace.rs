//! The live call-chain trace: every hook as it runs, nested, with its process and thread.
//!
//! ```text
//! $ SOCKETSERVER_TRACE=1 cargo run --example tcp_echo
//! [pid 4242 main] serve_forever
//! [pid 4242 main]   _handle_request_noblock
//! [pid 4242 main]     get_request
//! [pid 4242 main]     verify_request
//! [pid 4242 main]     process_request
//! [pid 4242 main]       finish_request
//! ...
//! ```
//!
//! Each hook runs in a `tracing` span (target `socketserver`) named after its Python
//! method; [`traced!`](crate::traced) opens them. With no subscriber they cost a
//! relaxed atomic load each. [`init`] installs a subscriber that prints them.
//!
//! `SOCKETSERVER_TRACE=chrome:trace.json` records them instead, as a file that
//! Perfetto (ui.perfetto.dev) and `chrome://tracing` open: [`ChromeRecorder`].

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

use tracing::span;
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The `tracing` target of every span of the call chain.
pub const TARGET: &str = "socketserver";

#[doc(hidden)]
pub use tracing as __tracing;

/// Opens a span of the call chain; used by [`traced!`](crate::traced).
#[doc(hidden)]
#[macro_export]
macro_rules! __span {
    ($name:expr) => {
        $crate::trace::__tracing::span!(target: "socketserver", $crate::trace::__tracing::Level::TRACE, $name)
    };
}

/// Prints each span of the call chain when it is entered.
struct ChainPrinter {
    /// Also print `service_actions`, which runs every `poll_interval` even when idle.
    all: bool,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for ChainPrinter {
    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        if span.metadata().target() != TARGET || (!self.all && span.name() == "service_actions") {
            return;
        }
        let depth = span
            .scope()
            .skip(1)
            .filter(|s| s.metadata().target() == TARGET)
            .count();
        let current = thread::current();
        let thread = current
            .name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{:?}", current.id()));
        let line = format!(
            "[pid {} {}] {}{}\n",
            std::process::id(),
            thread,
            "  ".repeat(depth),
            span.name()
        );
        // One `write` per line: a forked child prints on the same stderr, and a line
        // written in pieces (as `eprintln!` may) could be cut by the other's.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

// ANCHOR: ChromeRecorder
/// Records every span of the call chain as a Chrome trace event: one complete event
/// (`"ph":"X"`) per hook, with its process, thread, start and duration in
/// microseconds, and the names of the processes and threads (`"ph":"M"`). A `tracing`
/// event with target `socketserver` becomes an instant (`"ph":"i"`), named by its
/// message: a marker such as `main returns`.
///
/// Each event is appended to the file, one line, one `write`, as its span closes: a
/// process ended by Ctrl-C or `_exit` leaves every event it finished. The closing `]`
/// is never written, which the format allows. A forked child inherits the file,
/// opened for appending, and adds its own events under its own pid, so a
/// [`ForkingMixIn`](crate::ForkingMixIn) run's file shows the parent and every child.
///
/// Not `tracing-chrome`: its events carry pid 1 whatever the process, and go
/// through a writer thread, which a forked child does not have.
pub struct ChromeRecorder {
    file: Mutex<File>,
    /// Time zero, shared with forked children (the same monotonic clock).
    start: Instant,
    /// The process that started recording; any other pid is a forked child.
    parent: u32,
    /// The (pid, tid) pairs already named in the file.
    named: Mutex<HashSet<(u32, i32)>>,
}

/// A span's start, kept in its extensions between `on_enter` and `on_exit`.
struct Started(Instant);

impl ChromeRecorder {
    /// Starts a recording in `path` (created, or emptied).
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        File::create(&path)?.write_all(b"[\n")?;
        Ok(ChromeRecorder {
            file: Mutex::new(OpenOptions::new().append(true).open(path)?),
            start: Instant::now(),
            parent: std::process::id(),
            named: Mutex::new(HashSet::new()),
        })
    }

    /// Appends one event: a line of JSON, written at once.
    fn append(&self, event: &str) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let _ = file.write_all(format!("{event},\n").as_bytes());
    }

    /// Microseconds since the recording started.
    fn micros(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_nanos() as f64 / 1000.0
    }

    /// The calling thread's pid and tid, naming them in the file the first time.
    fn who(&self) -> (u32, i32) {
        let pid = std::process::id();
        let tid = nix::unistd::gettid().as_raw();
        let first = self
            .named
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((pid, tid));
        if first {
            if tid as u32 == pid {
                let program = std::env::args()
                    .next()
                    .and_then(|p| {
                        Path::new(&p)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                    })
                    .unwrap_or_default();
                let name = if pid == self.parent {
                    program
                } else {
                    format!("{program} (child)")
                };
                self.append(&format!(
                    r#"{{"ph":"M","name":"process_name","pid":{pid},"args":{{"name":{}}}}}"#,
                    json_string(&name)
                ));
            }
            let thread = thread::current();
            let name = thread.name().unwrap_or("unnamed");
            self.append(&format!(
                r#"{{"ph":"M","name":"thread_name","pid":{pid},"tid":{tid},"args":{{"name":{}}}}}"#,
                json_string(name)
            ));
        }
        (pid, tid)
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message of a `tracing` event: an instant's name.
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for ChromeRecorder {
    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id).filter(|s| s.metadata().target() == TARGET) {
            span.extensions_mut().replace(Started(Instant::now()));
        }
    }

    fn on_exit(&self, id: &span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(Started(start)) = span.extensions_mut().remove::<Started>() else {
            return;
        };
        let (pid, tid) = self.who();
        self.append(&format!(
            r#"{{"ph":"X","name":{},"cat":"socketserver","pid":{pid},"tid":{tid},"ts":{:.3},"dur":{:.3}}}"#,
            json_string(span.name()),
            self.micros(start),
            self.micros(Instant::now()) - self.micros(start),
        ));
    }

    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != TARGET {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let (pid, tid) = self.who();
        self.append(&format!(
            r#"{{"ph":"i","name":{},"cat":"socketserver","pid":{pid},"tid":{tid},"ts":{:.3},"s":"t"}}"#,
            json_string(&message.0),
            self.micros(Instant::now()),
        ));
    }
}
// ANCHOR_END: ChromeRecorder

/// Prints the call chain on stderr from now on. `all` also prints `service_actions`,
/// which `serve_forever` calls every `poll_interval`, request or not.
/// Does nothing if a `tracing` subscriber is already installed.
pub fn init(all: bool) {
    let _ = tracing_subscriber::registry()
        .with(ChainPrinter { all })
        .with(tracing_subscriber::filter::Targets::new().with_target(TARGET, Level::TRACE))
        .try_init();
}

/// The layer `SOCKETSERVER_TRACE` asks for, if any: `1` prints the chain on stderr,
/// `all` prints `service_actions` too, `chrome:FILE` records it to `FILE`
/// ([`ChromeRecorder`]). Unset, empty or `0`: none. For a program that builds its own
/// `tracing` subscriber (`read_book` does) and wants the reader's choice in it.
pub fn layer_from_env<S>() -> Option<Box<dyn tracing_subscriber::Layer<S> + Send + Sync>>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    match std::env::var("SOCKETSERVER_TRACE").as_deref() {
        Ok("") | Ok("0") | Err(_) => None,
        Ok("all") => Some(Box::new(ChainPrinter { all: true })),
        Ok(value) => match value.strip_prefix("chrome:") {
            None => Some(Box::new(ChainPrinter { all: false })),
            Some(path) => match ChromeRecorder::create(path) {
                Ok(recorder) => Some(Box::new(recorder)),
                Err(error) => {
                    eprintln!("socketserver: cannot record the trace to {path}: {error}");
                    None
                }
            },
        },
    }
}

/// Installs [`layer_from_env`]'s layer, if any. The examples call it first thing.
/// Does nothing if a `tracing` subscriber is already installed.
pub fn init_from_env() {
    if let Some(layer) = layer_from_env() {
        let _ = tracing_subscriber::registry()
            .with(layer)
            .with(tracing_subscriber::filter::Targets::new().with_target(TARGET, Level::TRACE))
            .try_init();
    }
}
