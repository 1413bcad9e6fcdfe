# The files of a directory, with a CORS header on every answer, and the access log
# in a file. The Rust port is examples/porting/cors_files.rs.
#
#     python3 examples/porting/cors_files.py 8000 book/demo access.log
#     curl -i http://127.0.0.1:8000/

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


# ANCHOR: handler
class CORSHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, log, **kwargs):
        self.log = log
        super().__init__(*args, **kwargs)

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format, *args):
        message = format % args
        self.log.write(
            f"{self.address_string()} - - [{self.log_date_time_string()}] {message}\n"
        )
        self.log.flush()
# ANCHOR_END: handler


# ANCHOR: main
port, directory, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(log_path, "a") as log:
    handler = functools.partial(CORSHandler, directory=directory, log=log)
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"Serving {directory} on 127.0.0.1 port {server.server_port}", flush=True)
        server.serve_forever()
# ANCHOR_END: main
