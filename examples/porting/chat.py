# A chat room over TCP: a client's first line is its name, and every line after it
# goes to everyone else in the room. The Rust port is examples/porting/chat.rs.
#
#     python3 examples/porting/chat.py 9999
#     nc 127.0.0.1 9999     (in two terminals: type a name, then lines)

import socketserver
import sys
import threading


# ANCHOR: server
class ChatServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.clients = {}
        self.lock = threading.Lock()

    def broadcast(self, line, sender):
        with self.lock:
            for name, wfile in self.clients.items():
                if name != sender:
                    wfile.write(line.encode())
# ANCHOR_END: server


# ANCHOR: handler
class ChatHandler(socketserver.StreamRequestHandler):
    def handle(self):
        name = self.rfile.readline().decode().strip()
        with self.server.lock:
            self.server.clients[name] = self.wfile
            online = len(self.server.clients)
        print(f"{name} joined from {self.client_address[0]}", file=sys.stderr)
        self.server.broadcast(f"* {name} joined\n", name)
        self.wfile.write(f"welcome {name}, {online} online\n".encode())
        try:
            for line in self.rfile:
                self.server.broadcast(f"{name}: {line.decode().strip()}\n", name)
        finally:
            with self.server.lock:
                del self.server.clients[name]
            print(f"{name} left", file=sys.stderr)
            self.server.broadcast(f"* {name} left\n", name)
# ANCHOR_END: handler


# ANCHOR: main
port = int(sys.argv[1])
with ChatServer(("127.0.0.1", port), ChatHandler) as server:
    print(f"Serving on 127.0.0.1 port {server.server_address[1]}", flush=True)
    server.serve_forever()
# ANCHOR_END: main
