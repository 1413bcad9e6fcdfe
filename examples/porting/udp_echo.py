# An echo service over UDP (RFC 862): every datagram goes back to its sender, from
# a thread per datagram, or from a child process per datagram with --forking. The Rust
# port is examples/porting/udp_echo.rs.
#
#     python3 examples/porting/udp_echo.py 9999 [--forking]
#     nc -u 127.0.0.1 9999

import socketserver
import sys


# ANCHOR: handler
class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        print(f"{len(data)} bytes from {self.client_address[0]}", file=sys.stderr)
        sock.sendto(data, self.client_address)
# ANCHOR_END: handler


# ANCHOR: main
port = int(sys.argv[1])
if "--forking" in sys.argv:
    ServerClass = socketserver.ForkingUDPServer
else:
    ServerClass = socketserver.ThreadingUDPServer
with ServerClass(("127.0.0.1", port), EchoHandler) as server:
    print(f"Serving on 127.0.0.1 port {server.server_address[1]}", flush=True)
    server.serve_forever()
# ANCHOR_END: main
