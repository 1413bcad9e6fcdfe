//! A JSON key-value store over HTTP: PUT /KEY stores a JSON value, GET /KEY returns
//! it, DELETE /KEY removes it. The port of `examples/porting/kv_store.py`, line for
//! line; the book's chapter "Porting your own Python server" reads them side by side.
//!
//! ```text
//! cargo run --example porting_kv_store -- 8000
//! curl -X PUT --data '{"n": 1}' http://127.0.0.1:8000/a
//! curl http://127.0.0.1:8000/a
//! ```

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use socketserver::BaseServer;
use socketserver::http::server::builtins::int;
use socketserver::http::server::message::read;
use socketserver::http::server::{BaseHttpRequest, BaseHttpRequestHandler, ThreadingHttpServer};

// ANCHOR: server
// class KVServer(ThreadingHTTPServer):
//     def __init__(self, address, handler): ...  (see main)
struct KvServer {
    base: ThreadingHttpServer<KvHandler>,
    // self.store = {} and self.lock = threading.Lock(): the lock holds what it guards
    store: Mutex<HashMap<String, Vec<u8>>>,
}
socketserver::subclass!(KvServer { base: ThreadingHttpServer<KvHandler> });
impl BaseServer for KvServer {}
// ANCHOR_END: server

// ANCHOR: handler
// class KVHandler(BaseHTTPRequestHandler):
struct KvHandler(BaseHttpRequest<KvServer>); // self.server is an Arc<KvServer>
socketserver::subclass!(KvHandler(BaseHttpRequest<KvServer>));

impl BaseHttpRequestHandler for KvHandler {
    fn do_GET(&mut self) -> io::Result<()> {
        let server = Arc::clone(&self.server); // the guard below outlives a borrow of self
        let store = server.store.lock().unwrap(); // with self.server.lock:
        let Some(value) = store.get(&self.path) else {
            return self.send_error(404, None, None);
        };
        self.send_response(200, None);
        self.send_header("Content-Type", "application/json");
        self.send_header("Content-Length", &value.len().to_string());
        self.end_headers()?;
        self.wfile.write_all(value) // still under the lock, as in the Python
    }

    fn do_PUT(&mut self) -> io::Result<()> {
        let length = int(self.headers.get("Content-Length").unwrap_or("0"))?;
        let value = read(&mut self.rfile, length)?;
        if serde_json::from_slice::<serde_json::Value>(&value).is_err() {
            return self.send_error(400, Some("Invalid JSON"), None);
        }
        let path = self.path.clone();
        self.server.store.lock().unwrap().insert(path, value);
        self.send_response(204, None);
        self.end_headers()
    }

    fn do_DELETE(&mut self) -> io::Result<()> {
        let removed = self.server.store.lock().unwrap().remove(&self.path);
        if removed.is_none() {
            return self.send_error(404, None, None);
        }
        self.send_response(204, None);
        self.end_headers()
    }
}
// ANCHOR_END: handler

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect(); // sys.argv
    let port: u16 = argv.get(1).ok_or("usage: kv_store PORT")?.parse()?;
    // with KVServer(("127.0.0.1", port), KVHandler) as server:
    let base = ThreadingHttpServer::with_bind_and_activate(("127.0.0.1", port), false)?;
    let store = Mutex::default(); // KVServer.__init__: self.store = {}, self.lock = Lock()
    let server = KvServer { base, store }.bind_and_activate()?.__enter__();
    println!("Serving on 127.0.0.1 port {}", server.server_port);
    Ok(server.serve_forever(0.5)?)
}
// ANCHOR_END: main
