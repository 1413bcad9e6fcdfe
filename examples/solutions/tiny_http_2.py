"""The tiny_http chapter's exercise 2: 100 clients connect at once, each sends
`GET /` on its own kept-alive connection, and waits up to 2 s for an answer while
every other connection stays open. Prints how many were answered.

    python3 examples/solutions/tiny_http_2.py [PORT]     # default 8000
"""
import socket
import sys
import threading

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
clients = 100
start = threading.Barrier(clients)  # every thread connects at the same moment
done = threading.Barrier(clients)   # and keeps its connection until all have read
answered = []


def client():
    start.wait()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        connection.settimeout(2)
        try:
            if connection.recv(1000):
                answered.append(1)
        except TimeoutError:
            pass  # starved: queued behind a kept-alive connection
        done.wait()


threads = [threading.Thread(target=client) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{len(answered)} of {clients} connections answered")
