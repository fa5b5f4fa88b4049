"""A small HTTP server on 127.0.0.1 for the fetching tests: pages, feeds, traps.

`serve(routes)` answers each path from `routes`: a (status, headers, body)
tuple. test settings allow 127.0.0.1 only (FETCH_ALLOW_PRIVATE_ADDRESSES).
"""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    routes = {}
    requests = []

    def do_GET(self):
        self.requests.append((self.path, dict(self.headers)))
        status, headers, body = self.routes.get(
            self.path.split("?")[0], (404, {"Content-Type": "text/plain"}, b"missing")
        )
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size cap): expected

    def log_message(self, *args):
        pass


@contextmanager
def serve(routes):
    """Serve `routes` on 127.0.0.1; yields (base URL, list of requests seen)."""
    handler = type("Handler", (_Handler,), {"routes": routes, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, for
    # every test that serves something.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
