"""A local HTTP server that replays recorded payloads and injects faults, for end-to-end tests.

The server listens on ``127.0.0.1`` on a free port (``ThreadingHTTPServer`` in a daemon
thread) and answers GET requests from a route table: request path (and optionally some
query parameters) -> a script of :class:`Reply` objects consumed in order, the last one
repeating for ever. Every request is recorded (path, query, headers) so a test can assert
what the client asked for. Unknown paths get a 404 naming the path.

Faults are ordinary replies:

* ``Reply.error(500)``, ``Reply.error(503)``, ``Reply.error(429, retry_after="1")``;
* ``Reply.payload(body, delay_s=2.0)``: the answer starts only after ``delay_s`` (longer
  than the client's read timeout: the client gives up and retries);
* ``Reply.html()``: an HTML page with status 200 (a provider's block or error page);
* ``Reply.payload(body, truncate_at=n)``: ``Content-Length`` announces the whole body,
  only ``n`` bytes are sent, then the connection is closed;
* any bytes at all (a renamed column, a re-encoded file) through ``Reply.payload``;
* ``Reply.stream(chunks, chunk_delay_s=...)``: a body made while it is sent, without
  ``Content-Length`` (it ends when the connection closes): an endless body, a gzip bomb
  (``headers=(("Content-Encoding", "gzip"),)``) or a slow drip;
* ``Reply.redirect(location)``: a 302 to ``location`` (another server's origin, say).

The server is bounded: :meth:`ReplayServer.stop` (or leaving the ``with`` block, or the
end of the :func:`replay_server` fixture) wakes every delayed handler, stops the loop and
closes the socket; handler threads are daemons, so nothing outlives the test process.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

__all__ = [
    "HTML_BLOCK_PAGE",
    "RecordedRequest",
    "ReplayServer",
    "Reply",
    "endless",
    "gzip_bomb",
    "replay_server",
    "replayed_home",
]

#: What a provider's block or maintenance page looks like (served with status 200).
HTML_BLOCK_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Access Denied</title></head>\n"
    b"<body><h1>Access Denied</h1><p>You don't have permission to access this resource."
    b"</p></body></html>\n"
)

_REASONS = {
    200: "OK",
    302: "Found",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def endless(chunk: bytes) -> Iterator[bytes]:
    """``chunk`` for ever: a body that never ends (for :meth:`Reply.stream`)."""
    while True:
        yield chunk


def gzip_bomb(total_mib: int) -> Iterator[bytes]:
    """``total_mib`` MiB of zeros as a gzip stream, compressed while it is consumed
    (about 1000:1, so 2048 MiB is about 2 MB on the wire and never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    for _ in range(total_mib):
        packed = compressor.compress(zeros)
        if packed:
            yield packed
    yield compressor.flush()


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer.

    Attributes
    ----------
    body:
        The bytes sent (exactly, no re-encoding).
    status:
        The HTTP status code.
    content_type:
        The ``Content-Type`` header.
    headers:
        Extra headers, e.g. ``(("Retry-After", "1"),)``.
    delay_s:
        Seconds to wait before answering (interrupted when the server stops).
    truncate_at:
        When set, only this many bytes of ``body`` are sent although ``Content-Length``
        says ``len(body)``; then the connection is closed.
    """

    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0
    truncate_at: int | None = None
    chunks: Callable[[], Iterator[bytes]] | None = None
    chunk_delay_s: float = 0.0

    @classmethod
    def stream(
        cls,
        chunks: Callable[[], Iterator[bytes]],
        *,
        content_type: str = "text/csv",
        headers: tuple[tuple[str, str], ...] = (),
        chunk_delay_s: float = 0.0,
    ) -> Reply:
        """A 200 whose body is ``chunks()``, each chunk sent ``chunk_delay_s`` after the
        previous one, until the iterator ends or the client hangs up."""
        return cls(
            content_type=content_type,
            headers=headers,
            chunks=chunks,
            chunk_delay_s=chunk_delay_s,
        )

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """A redirect to ``location``."""
        return cls(status=status, content_type="text/plain", headers=(("Location", location),))

    @classmethod
    def payload(
        cls,
        body: bytes,
        *,
        content_type: str = "text/csv",
        delay_s: float = 0.0,
        truncate_at: int | None = None,
    ) -> Reply:
        """A successful answer carrying ``body`` (possibly late or truncated)."""
        return cls(body=body, content_type=content_type, delay_s=delay_s, truncate_at=truncate_at)

    @classmethod
    def file(cls, path: Path, *, content_type: str = "text/csv") -> Reply:
        """A successful answer carrying the bytes of ``path``, untouched."""
        return cls.payload(path.read_bytes(), content_type=content_type)

    @classmethod
    def error(cls, status: int, *, retry_after: str | None = None, body: bytes = b"") -> Reply:
        """An error status, with ``Retry-After`` when given."""
        text = body or f"{status} {_REASONS.get(status, 'Error')}\n".encode()
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls(body=text, status=status, content_type="text/plain", headers=headers)

    @classmethod
    def html(cls, status: int = 200) -> Reply:
        """An HTML page (by default with status 200, as block pages often are)."""
        return cls(body=HTML_BLOCK_PAGE, status=status, content_type="text/html; charset=utf-8")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request as the server saw it (``at``: ``time.monotonic()`` on arrival)."""

    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    at: float = 0.0

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)


@dataclass(slots=True)
class _Route:
    path: str
    query: tuple[tuple[str, str], ...]
    script: list[Reply]
    served: int = 0

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        return path == self.path and all(query.get(k) == v for k, v in self.query)

    def next_reply(self) -> Reply:
        reply = self.script[min(self.served, len(self.script) - 1)]
        self.served += 1
        return reply


class ReplayServer:
    """A scripted local HTTP server; see the module docstring.

    Use as a context manager (or :meth:`start`/:meth:`stop`); :attr:`origin` is the
    ``http://127.0.0.1:PORT`` to put in ``CARRYWATCH_<SOURCE>_ORIGIN``.
    """

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> ReplayServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _Httpd(("127.0.0.1", 0), _Handler)
        httpd.replay = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="replay-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # wakes delayed handlers
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the replay server is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- the script ------------------------------------------------------------------

    def route(self, path: str, *replies: Reply, query: Mapping[str, str] | None = None) -> None:
        """Answer GET ``path`` (and, when given, only requests carrying every ``query``
        item) with ``replies`` in order, the last one repeating. Replaces an earlier route
        with the same path and query. Routes with a query are tried first."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        key = tuple(sorted((query or {}).items()))
        with self._lock:
            self._routes = [r for r in self._routes if (r.path, r.query) != (path, key)]
            self._routes.append(_Route(path=path, query=key, script=list(replies)))
            self._routes.sort(key=lambda r: -len(r.query))

    def clear(self) -> None:
        """Forget every route and every recorded request."""
        with self._lock:
            self._routes.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def _answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = tuple(parse_qsl(parts.query, keep_blank_values=True))
        params = dict(query)
        with self._lock:
            self._requests.append(
                RecordedRequest(path=path, query=query, headers=dict(headers), at=time.monotonic())
            )
            for candidate in self._routes:
                if candidate.matches(path, params):
                    return candidate.next_reply()
        return Reply.error(404, body=f"replay server: no route for {path}\n".encode())

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout) makes the late write fail: expected, not noise.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Httpd

    def do_GET(self) -> None:
        replay = self.server.replay
        reply = replay._answer(self.path, dict(self.headers.items()))
        if reply.delay_s > 0:
            replay._wait(reply.delay_s)
        if reply.chunks is not None:
            self._stream(reply)
            return
        try:
            self.send_response(reply.status, _REASONS.get(reply.status))
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.truncate_at is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.truncate_at is None:
                self.wfile.write(reply.body)
                self.wfile.flush()
                return
            self.wfile.write(reply.body[: reply.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            self.close_connection = True

    def _stream(self, reply: Reply) -> None:
        assert reply.chunks is not None
        replay = self.server.replay
        self.close_connection = True
        try:
            self.send_response(reply.status, _REASONS.get(reply.status))
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Connection", "close")  # no length: the body ends at close
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            for chunk in reply.chunks():
                if replay._stopping.is_set():
                    return
                self.wfile.write(chunk)
                self.wfile.flush()
                if reply.chunk_delay_s > 0:
                    replay._wait(reply.chunk_delay_s)
        except OSError:  # the client hung up (as it should, at its limit)
            return

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A running :class:`ReplayServer`, stopped when the test ends."""
    with ReplayServer() as server:
        yield server


def replayed_home(
    home: Path,
    seeded: Path,
    origin: str,
    sources: Iterable[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """``home``: a copy of the seeded home whose ``sources`` point at the replay server at
    ``origin``, with quick retries and a short read timeout."""
    shutil.copytree(seeded, home)
    for name in sources:
        monkeypatch.setenv(f"CARRYWATCH_{name.upper()}_ORIGIN", origin)
    monkeypatch.setenv("CARRYWATCH_RETRY_BASE_S", "0.01")
    monkeypatch.setenv("CARRYWATCH_HTTP_TIMEOUT_S", "10")
    return home
