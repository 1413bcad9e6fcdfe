# A line server that answers every line in capitals, to the addresses it allows
# only; a line "boom" makes its handler fail. The Rust port is
# examples/porting/guarded_tcp.rs.
#
#     python3 examples/porting/guarded_tcp.py 9999 [ALLOWED ADDRESS ...]
#     nc 127.0.0.1 9999

import socket
import socketserver
import sys


# ANCHOR: server
class GuardedServer(socketserver.TCPServer):
    def __init__(self, address, handler, allowed):
        self.allowed = allowed
        self.errors = 0
        self.reported = 0
        super().__init__(address, handler)

    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        super().server_bind()

    def verify_request(self, request, client_address):
        if client_address[0] in self.allowed:
            return True
        print(f"refused {client_address[0]}", file=sys.stderr)
        return False

    def handle_error(self, request, client_address):
        self.errors += 1
        error = sys.exc_info()[1]
        print(f"{client_address[0]}: {type(error).__name__}: {error}", file=sys.stderr)

    def service_actions(self):
        super().service_actions()
        if self.reported != self.errors:
            self.reported = self.errors
            print(f"{self.errors} error(s) so far", file=sys.stderr)
# ANCHOR_END: server


# ANCHOR: handler
class UpperHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            if line.strip() == b"boom":
                raise ConnectionAbortedError("boom")
            self.wfile.write(line.upper())
# ANCHOR_END: handler


# ANCHOR: main
port = int(sys.argv[1])
allowed = sys.argv[2:] or ["127.0.0.1"]
with GuardedServer(("127.0.0.1", port), UpperHandler, allowed) as server:
    print(f"Serving on 127.0.0.1 port {server.server_address[1]}", flush=True)
    server.serve_forever()
# ANCHOR_END: main
