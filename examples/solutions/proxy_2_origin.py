"""The origin for the proxy chapter's exercise 2: an HTTP/1.1 server on 127.0.0.1
port 8000 that numbers the connections it accepts and answers every GET with the
number of its connection and of the request on it.

    python3 examples/solutions/proxy_2_origin.py [PORT]
"""
import itertools
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

connections = itertools.count(1)


class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep the connection open between requests

    def setup(self):
        super().setup()
        self.number = next(connections)
        self.requests = 0
        self.log_message("connection %d opened", self.number)

    def do_GET(self):
        self.requests += 1
        body = f"connection {self.number}, request {self.requests}: {self.path}\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
with ThreadingHTTPServer(("127.0.0.1", port), Origin) as server:
    print(f"Serving the counting origin on 127.0.0.1 port {port} ...", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nKeyboard interrupt received, exiting.")
