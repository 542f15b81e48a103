"""The HTTP front of `kg serve`: time and size limits, a cap on concurrent queries, SERVICE refused, and pages.

Every request is handled here, in Python (stdlib ``http.server``), and SPARQL work is handed to the real
Oxigraph server through kg.endpoint.pool: the SPARQL protocol paths (``/query``, ``/sparql``, GET and POST,
content negotiation by ``Accept``), ``/store`` and the Oxigraph query UI at ``/`` are Oxigraph's own answers,
passed on whole once complete, so a query that overruns gets an error *status*, never a 200 with a cut body.

Pages of our own are registered in `Endpoint.pages` (path prefix -> handler): the canned-query page is one
(kg.endpoint.pages), the live explorer at ``/explore`` another (kg.endpoint.explore).
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.endpoint.pool import BackendPool, Overrun, Reply
from kg.errors import KgError
from kg.serve import LoopbackURLs, _hostport
from kg.sparql_inspect import uses_service

MAX_REQUEST_BYTES = 1_000_000  # a query text, not an upload: the endpoint is read-only
# Static parts of Oxigraph's UI: kept after the first answer so the UI loads even while every slot is busy.
_STATIC = {"/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg", "/favicon.ico"}
# Request headers worth passing to Oxigraph (content negotiation and the body's type).
_PASSED = ("accept", "content-type")

SERVICE_REFUSED = (
    "SERVICE is disabled on this endpoint: it would make the server fetch another URL on the caller's behalf; "
    "start it with `kg serve --allow-service` to allow federated queries"
)


@dataclass(frozen=True)
class Limits:
    timeout_s: float | None = 30.0  # None: no time limit
    max_queries: int = 4  # queries running at once (one Oxigraph server each)
    queue_wait_s: float = 5.0  # how long a query waits for a free slot before 503
    max_waiting: int = 32  # queries waiting at once; more get 503 at once
    max_result_bytes: int = 64_000_000
    allow_service: bool = False


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]  # the URL's query string
    headers: Mapping[str, str]
    body: bytes
    target: str  # path and query string as received

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def sparql_texts(self) -> list[str]:
        """Every text of the request that Oxigraph might run as SPARQL.

        Each ``query=``/``update=`` value of the URL and of a form body, and the body itself: a request with two
        ``query`` values, or a body under an unexpected content type, must not slip a query past a check.
        """
        texts = [v for key in ("query", "update") for v in self.query.get(key, [])]
        if self.body:
            body = self.body.decode("utf-8", "replace")
            form = parse_qs(body)
            texts += [v for key in ("query", "update") for v in form.get(key, [])]
            texts.append(body)
        return texts


Page = Callable[["Endpoint", Request], Reply]


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, (message + "\n").encode(), {"Content-Type": "text/plain; charset=utf-8"})


@dataclass
class Endpoint:
    """The front's state: the backend pool, the limits, and the pages served by Python."""

    store_dir: Path
    limits: Limits = field(default_factory=Limits)
    pages: dict[str, Page] = field(default_factory=dict)
    _pool: BackendPool | None = None
    _static: dict[str, Reply] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from kg.endpoint import explore, pages

        pages.register(self)
        explore.register(self)
        limits = self.limits
        self._pool = BackendPool(self.store_dir, limits.max_queries, limits.queue_wait_s, limits.max_waiting)

    @property
    def pool(self) -> BackendPool:
        assert self._pool is not None
        return self._pool

    def handle(self, request: Request) -> Reply:
        for prefix, page in self.pages.items():
            if request.path == prefix or request.path.startswith(prefix.rstrip("/") + "/"):
                return page(self, request)
        # On every path (/query, /sparql that its UI posts to, …): whatever Oxigraph might run as SPARQL.
        if not self.limits.allow_service and any(uses_service(text) for text in request.sparql_texts()):
            return text_reply(400, SERVICE_REFUSED)
        if request.method == "GET" and request.path in _STATIC and request.path in self._static:
            return self._static[request.path]
        reply = self.proxy(request.method, request.target, request.headers, request.body or None)
        if request.method == "GET" and request.path in _STATIC and reply.status == 200:
            self._static[request.path] = reply
        return reply

    def proxy(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None) -> Reply:
        """Run one request on a free Oxigraph server within the limits; errors become 5xx replies."""
        handle = self.pool.acquire()
        if handle is None:
            reply = text_reply(503, f"busy: all {self.limits.max_queries} query slots are taken; try again in a moment")
            reply.headers["Retry-After"] = "1"
            return reply
        passed = {k: v for k, v in headers.items() if k.lower() in _PASSED}
        try:
            reply = self.pool.forward(
                handle, method, target, passed, body, self.limits.timeout_s, self.limits.max_result_bytes
            )
        except Overrun as overrun:
            return text_reply(overrun.status, str(overrun))
        except BaseException:
            self.pool.replace(handle)  # an unexpected failure must not leak the slot
            raise
        self.pool.release(handle)
        return reply

    def run_sparql(self, sparql: str, accept: str) -> Reply:
        """A query of our own (a page's) through the same limits and checks as a client's."""
        if not self.limits.allow_service and uses_service(sparql):
            return text_reply(400, SERVICE_REFUSED)
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept}
        return self.proxy("POST", "/query", headers, sparql.encode("utf-8"))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply has a Content-Length
    server: _FrontServer
    server_version = "cnkg-endpoint"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without NODELAY, Nagle's algorithm meets the client's delayed
        # ACK and each answer waits ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(text_reply(413, f"request body over {MAX_REQUEST_BYTES // 1000} kB"), close=True)
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, url.path, parse_qs(url.query), headers, body, self.path)
        try:
            reply = self.server.endpoint.handle(request)
        except KgError as err:
            reply = text_reply(500, str(err))
        self._send(reply)

    def _send(self, reply: Reply, close: bool = False) -> None:
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left; nothing to tell it

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        if self.server.log_requests:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: Endpoint, log_requests: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.endpoint = endpoint
        self.log_requests = log_requests


class EndpointHandle(LoopbackURLs):
    """A running `kg serve` front in this process: `.url` is the SPARQL endpoint; stop with `.stop()` or `with`."""

    def __init__(self, endpoint: Endpoint, server: _FrontServer, host: str) -> None:
        self.endpoint = endpoint
        self.server = server
        self.host = host
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(target=server.serve_forever, name=f"kg-serve-{self.port}", daemon=True)
        self._thread.start()

    @property
    def backend_pids(self) -> list[int]:
        return self.endpoint.pool.pids

    def wait(self) -> None:
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.endpoint.close()


def start_endpoint(
    store_dir: Path,
    port: int | None = None,
    bind: str = "127.0.0.1",
    limits: Limits | None = None,
    log_requests: bool = False,
) -> EndpointHandle:
    """Start the front and its Oxigraph servers over `store_dir`; `port=None` picks a free port."""
    endpoint = Endpoint(Path(store_dir), limits or Limits())
    try:
        server = _FrontServer((bind, port or 0), endpoint, log_requests)
    except OSError as err:
        endpoint.close()
        if err.errno in (errno.EADDRINUSE, errno.EACCES):
            raise KgError(f"{_hostport(bind, port or 0)}: port already in use; choose another with --port") from None
        raise KgError(f"{_hostport(bind, port or 0)}: cannot bind: {err.strerror}") from None
    return EndpointHandle(endpoint, server, bind)
