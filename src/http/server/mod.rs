//! The `http.server` module.
//!
//! Python: `Lib/http/server.py`. So far: the headers type that `parse_request` reads
//! (`http.client.HTTPMessage` and `parse_headers`, which `http.server` imports), and
//! the bits of Python's builtins that decide its exact bytes ([`builtins`]).

pub mod builtins;
pub mod message;

pub use message::{HeaderError, HttpMessage, parse_headers};
