"""A pool of Oxigraph read-only servers, one query at a time each, that can be killed when a query overruns.

Oxigraph 0.5's ``--timeout-s`` does not stop a running computation (docs/endpoint.md): a cartesian product
keeps a core busy long after its client has left.  The one reliable way to stop a query is to kill the
process running it.  So each backend server runs one query at a time; a query past its deadline gets its
server SIGKILLed (CPU and memory back at once) and a fresh server takes its place (~50 ms: opening the store
read-only is cheap).  The pool's size is the cap on concurrent queries.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.serve import LONG_LIVED, ServerHandle, start_server


@dataclass
class Reply:
    """An HTTP answer, from a backend or made by the front."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Overrun(Exception):
    """A query passed its deadline or its size limit: its backend has been killed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# Headers that describe one connection, not the answer (RFC 9110 7.6.1), plus the length we set ourselves.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def _mark_long_lived() -> None:
    setattr(threading.current_thread(), LONG_LIVED, True)


class BackendPool:
    """`size` Oxigraph read-only servers over one store; `acquire` one, `forward` a request to it, `release` it."""

    def __init__(self, store_dir: Path, size: int, queue_wait_s: float = 2.0, max_waiting: int = 32) -> None:
        if size < 1:
            raise KgError("the endpoint needs at least one query slot (--max-queries >= 1)")
        self.store_dir = Path(store_dir)
        self.size = size
        self.queue_wait_s = queue_wait_s
        self.max_waiting = max_waiting
        self._idle: queue.LifoQueue[ServerHandle] = queue.LifoQueue()
        self._all: set[ServerHandle] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self._connections: dict[ServerHandle, http.client.HTTPConnection] = {}  # each used by its handle's holder
        # One long-lived thread starts every server, so each gets a parent-death signal tied to a thread that
        # ends only with the process: a killed `kg serve` leaves no server behind (kg.serve._parent_death_hook).
        self._spawner = concurrent.futures.ThreadPoolExecutor(1, "oxigraph-spawner", initializer=_mark_long_lived)
        try:
            for _ in range(size):
                self._idle.put(self._spawner.submit(self._start).result())
        except BaseException:
            self.close()
            raise

    def _start(self) -> ServerHandle:
        handle = start_server(self.store_dir, None, timeout_s=None)  # the front keeps time, not Oxigraph
        with self._lock:
            self._all.add(handle)
        return handle

    def replace(self, handle: ServerHandle) -> None:
        """Kill `handle` now and have a fresh server take its place in the background."""
        handle.process.kill()  # SIGKILL: the query's CPU and memory are freed now, not when it would finish
        handle.stop(timeout_s=2)
        with self._lock:
            self._all.discard(handle)
            if self._closed:
                return
        self._spawner.submit(self._restart)

    def _restart(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            try:
                self._idle.put(self._start())
                return
            except KgError:
                time.sleep(0.2 * (attempt + 1))

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [h.pid for h in self._all]

    def acquire(self) -> ServerHandle | None:
        """A free backend, waiting up to `queue_wait_s` behind at most `max_waiting` others; None when busy."""
        with self._lock:
            if self._waiting >= self.max_waiting:
                return None
            self._waiting += 1
        try:
            return self._idle.get(timeout=self.queue_wait_s) if self.queue_wait_s > 0 else self._idle.get_nowait()
        except queue.Empty:
            return None
        finally:
            with self._lock:
                self._waiting -= 1

    def release(self, handle: ServerHandle) -> None:
        if handle.alive() and not self._closed:
            self._idle.put(handle)
        else:
            self.replace(handle)

    def forward(
        self,
        handle: ServerHandle,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float | None,
        max_bytes: int,
    ) -> Reply:
        """Send one request to `handle` and read the whole answer, killing the backend on overrun (raises Overrun)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s

        def remaining() -> float | None:
            return None if deadline is None else max(0.001, deadline - time.monotonic())

        # Keep-alive to each backend: a new TCP connection per query costs more than the rest of the front.
        connection = self._connections.pop(handle, None)
        reused = connection is not None
        keep = False
        try:
            while True:
                if connection is None:
                    connection = http.client.HTTPConnection(handle.host, handle.port, timeout=remaining())
                elif connection.sock is not None:
                    connection.sock.settimeout(remaining())
                try:
                    connection.request(method, target, body=body, headers=dict(headers))
                    response = connection.getresponse()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    if not reused:
                        raise
                    # The server closed the idle kept-alive connection: not a failure, open a new one.
                    connection.close()
                    connection, reused = None, False
            chunks, size = [], 0
            while True:
                if connection.sock is not None:
                    connection.sock.settimeout(remaining())
                chunk = response.read(65536)  # read(), not read1(): it marks the answer done at its end
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    self.replace(handle)
                    raise Overrun(507, f"result larger than {max_bytes / 1e6:g} MB (the endpoint's limit); add a LIMIT")
                chunks.append(chunk)
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            keep = not response.will_close
            return Reply(response.status, b"".join(chunks), kept)
        except TimeoutError:
            self.replace(handle)
            raise Overrun(
                504, f"query stopped after {timeout_s:g} s, the endpoint's time limit; narrow it or add a LIMIT"
            ) from None
        except (ConnectionError, http.client.HTTPException, OSError) as err:
            self.replace(handle)
            raise Overrun(
                502, f"the query engine failed ({err.__class__.__name__}: {err}); it has been restarted"
            ) from None
        finally:
            if connection is not None:
                if keep:
                    self._connections[handle] = connection
                else:
                    connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            handles = list(self._all)
        for handle in handles:
            handle.stop(timeout_s=2)
        self._spawner.shutdown(wait=True, cancel_futures=True)
