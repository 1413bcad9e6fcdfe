# A JSON key-value store over HTTP: PUT /KEY stores a JSON value, GET /KEY returns it,
# DELETE /KEY removes it. The Rust port is examples/porting/kv_store.rs.
#
#     python3 examples/porting/kv_store.py 8000
#     curl -X PUT --data '{"n": 1}' http://127.0.0.1:8000/a
#     curl http://127.0.0.1:8000/a

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


# ANCHOR: server
class KVServer(ThreadingHTTPServer):
    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.store = {}
        self.lock = threading.Lock()
# ANCHOR_END: server


# ANCHOR: handler
class KVHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        with self.server.lock:
            value = self.server.store.get(self.path)
            if value is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(value)))
            self.end_headers()
            self.wfile.write(value)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", 0))
        value = self.rfile.read(length)
        try:
            json.loads(value)
        except ValueError:
            self.send_error(400, "Invalid JSON")
            return
        with self.server.lock:
            self.server.store[self.path] = value
        self.send_response(204)
        self.end_headers()

    def do_DELETE(self):
        with self.server.lock:
            if self.server.store.pop(self.path, None) is None:
                self.send_error(404)
                return
        self.send_response(204)
        self.end_headers()
# ANCHOR_END: handler


# ANCHOR: main
port = int(sys.argv[1])
with KVServer(("127.0.0.1", port), KVHandler) as server:
    print(f"Serving on 127.0.0.1 port {server.server_port}", flush=True)
    server.serve_forever()
# ANCHOR_END: main
