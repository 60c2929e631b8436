"""A threaded HTTP/1.1 server on 127.0.0.1 for fetching tests and the refresh benchmark.

Routes map a path to a :class:`Reply` or to a function of the :class:`Request`.
Every response goes out in ONE write with TCP_NODELAY: headers and body in two
writes cost ~45 ms each through Nagle's algorithm and delayed ACKs.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
           404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Service Unavailable"}  # fmt: skip


@dataclass(frozen=True)
class Request:
    """What a route handler sees of a request."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    """A response; ``delay`` seconds pass before it is sent (slow servers)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Reply | Callable[[Request], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        request = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
        self.server.owner.record(request)
        route = self.server.owner.routes.get(self.path.split("?", 1)[0])
        reply = Reply(404, b"not found") if route is None else route
        if callable(reply):
            reply = reply(request)
        if reply.delay:
            time.sleep(reply.delay)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
        headers["Content-Length"] = str(len(reply.body))
        head = f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Unknown')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        try:
            self.wfile.write(head.encode("latin-1") + reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests assert on requests, not on log lines."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early (timeouts, size caps) are expected, not errors."""


class LoopbackServer:
    """A server on 127.0.0.1 with an ephemeral port, run in a background thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.base + path

    def route(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path``; returns the URL."""
        self.routes[path] = route
        return self.url(path)

    def record(self, request: Request) -> None:
        """Count a request (thread-safe)."""
        with self._lock:
            self.hits[request.path.split("?", 1)[0]] += 1
            self.requests.append(request)

    def start(self) -> LoopbackServer:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving() -> Iterator[LoopbackServer]:
    """A started server, stopped on exit."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()
