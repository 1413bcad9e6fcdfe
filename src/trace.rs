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

use std::thread;

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
        eprintln!(
            "[pid {} {}] {}{}",
            std::process::id(),
            thread,
            "  ".repeat(depth),
            span.name()
        );
    }
}

/// Prints the call chain on stderr from now on. `all` also prints `service_actions`,
/// which `serve_forever` calls every `poll_interval`, request or not.
/// Does nothing if a `tracing` subscriber is already installed.
pub fn init(all: bool) {
    let _ = tracing_subscriber::registry()
        .with(ChainPrinter { all })
        .with(tracing_subscriber::filter::Targets::new().with_target(TARGET, Level::TRACE))
        .try_init();
}

/// [`init`] if the environment variable `SOCKETSERVER_TRACE` is set: `1` for the
/// chain, `all` to include `service_actions`. The examples call it first thing.
pub fn init_from_env() {
    match std::env::var("SOCKETSERVER_TRACE").as_deref() {
        Ok("all") => init(true),
        Ok("") | Ok("0") | Err(_) => {}
        Ok(_) => init(false),
    }
}
