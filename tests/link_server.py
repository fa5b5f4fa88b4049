"""A local HTTP server for the link checker's tests: one path per kind of server.

Bound to 127.0.0.1 on a free port; the `server` fixture (tests/conftest.py)
starts it and stops it.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

released = threading.Event()


class Handler(BaseHTTPRequestHandler):
    """Each path is one kind of server a source link may lead to."""

    def log_message(self, *args):  # keep the test output quiet
        pass

    def answer(self, status, headers=(), body=b"ok"):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        if self.path == "/no-head":
            return self.answer(405)
        self.do_GET()

    def do_GET(self):
        self.server.seen_agents.append(self.headers.get("User-Agent"))
        routes = {
            "/ok": (200,),
            "/no-head": (200,),
            "/moved": (301, [("Location", "/ok")]),
            "/gone": (404,),
            "/broken": (500,),
            "/loop": (302, [("Location", "/loop")]),
            "/to-private": (301, [("Location", "http://10.0.0.1/admin")]),
            "/to-metadata": (302, [("Location", "http://169.254.169.254/latest/")]),
            "/to-ftp": (302, [("Location", "ftp://example.org/file")]),
        }
        if self.path == "/slow":
            # Held until the test ends (or 5 s): far past the client's timeout.
            released.wait(5)
            return self.answer(200)
        if self.path == "/huge":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the client must stop itself
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass  # the client stopped reading, as it should
            return None
        return self.answer(*routes.get(self.path, (404,)))


def start():
    released.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.seen_agents = []
    # shutdown() waits for serve_forever's next poll (0.5 s by default).
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return httpd


def stop(httpd):
    released.set()  # lets /slow answer, so its thread ends
    httpd.shutdown()
    httpd.server_close()
