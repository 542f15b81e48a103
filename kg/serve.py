"""`kg serve`: a read-only SPARQL endpoint over the built store, run by the Oxigraph server.

The `oxigraph` package on PyPI ships the server as a plain executable installed next to the
interpreter (``<venv>/bin/oxigraph``); there is no Python module to import.  We run
``oxigraph serve-read-only --location build/store --bind 127.0.0.1:PORT --union-default-graph
--timeout-s N`` as a child process.

What we found about sharing the store (see docs/endpoint.md):

* ``serve-read-only`` takes no lock, so it *starts* even while a pyoxigraph process holds the store open
  for writing; it then answers from the state the store had when it opened and never sees later writes
  (Oxigraph calls this case undefined behaviour).  So we refuse to start when a writer holds the lock.
* The other way round, ``kg build`` can open the store while the server runs; the server keeps serving
  the old state until it is restarted.
* ``oxigraph serve`` (read-write) and a pyoxigraph writer exclude each other through the RocksDB LOCK file.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import ctypes
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from kg.errors import KgError

STORE_SUBDIR = "store"  # build/store holds the Oxigraph database (docs/graph-shape.md)
OXIGRAPH_ENV = "CNKG_OXIGRAPH"  # path of the oxigraph executable, when it is not beside the interpreter
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
LONG_LIVED = "cnkg_long_lived"  # attribute of a thread that lives until the process ends


# ---------------------------------------------------------------------------- locating things


def oxigraph_binary() -> str:
    """Path of the Oxigraph server executable shipped by the `oxigraph` PyPI package."""
    override = os.environ.get(OXIGRAPH_ENV)
    if override:
        if not (Path(override).is_file() and os.access(override, os.X_OK)):
            raise KgError(f"{override}: ${OXIGRAPH_ENV} does not name an executable oxigraph binary")
        return override
    # The wheel installs it into the scripts dir of the environment, which is on PATH only when the
    # venv is activated: look beside the running interpreter first.
    candidates = [Path(sysconfig.get_path("scripts")) / "oxigraph", Path(sys.executable).parent / "oxigraph"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise KgError(
        "oxigraph: server binary not found; install it with `pip install 'oxigraph>=0.5,<0.6'` "
        f"(or set ${OXIGRAPH_ENV} to its path)"
    )


def store_location(store_dir: Path) -> Path:
    """The Oxigraph database inside a built directory (``build/`` -> ``build/store``); the database dir also works."""
    store_dir = Path(store_dir)
    for location in (store_dir / STORE_SUBDIR, store_dir):
        if (location / "CURRENT").is_file():  # RocksDB's marker of an initialised database
            return location
    raise KgError(f"{store_dir}: no built graph here; run `kg build` first")


def writer_pid(location: Path) -> int | None:
    """PID of the process holding the store's write lock (a pyoxigraph Store or `oxigraph serve`), if any.

    Read from /proc/locks rather than by probing the lock with fcntl: opening and closing the LOCK file
    in this process would silently drop a lock that this same process (a notebook) holds.
    Returns None when nobody holds it, or when /proc/locks is unavailable (not Linux).
    """
    try:
        st = os.stat(Path(location) / "LOCK")
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 1234 fe:00:2146641 0 EOF"; blocked waiters have "->" as 2nd field.
        if len(fields) >= 6 and fields[1] != "->" and fields[5] == device:
            with contextlib.suppress(ValueError):
                return int(fields[4])
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now (the OS picks it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def loopback_url(host: str, port: int) -> str:
    """``http://host:port``, through a loopback address when `host` is every interface (0.0.0.0 or ::)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{_hostport(host, port)}"


class LoopbackURLs:
    """A running server's handle: its URLs on ``host``:``port`` (always through a loopback address when it
    listens on every interface) and a ``with`` block that stops it (the Oxigraph server's and the front's)."""

    host: str
    port: int

    def stop(self) -> object:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return loopback_url(self.host, self.port)

    @property
    def url(self) -> str:
        """SPARQL 1.1 Protocol query endpoint."""
        return self.base_url + "/query"


def _port_taken(host: str, port: int) -> bool:
    # SO_REUSEADDR as the server sets it: a port in TIME_WAIT is usable, one with a listener is not.
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise KgError(f"{_hostport(host, port)}: cannot bind: {err.strerror}") from err
    return False


# ---------------------------------------------------------------------------- the server process


def _parent_death_hook() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the server when its parent dies, even by SIGKILL (no stray servers).

    The signal fires when the *thread* that started the child ends, so we only ask for it from the main thread.
    """
    thread = threading.current_thread()
    # A thread that lives as long as the process (the endpoint's spawner, see kg.endpoint.pool) is as good.
    long_lived = thread is threading.main_thread() or getattr(thread, LONG_LIVED, False)
    if not sys.platform.startswith("linux") or not long_lived:
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: the child should do as little as possible
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return hook


_LIVE: weakref.WeakSet[ServerHandle] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    # A notebook or test that forgets to stop its server must not leave a stray process behind.
    for handle in list(_LIVE):
        handle.stop()


class ServerHandle(LoopbackURLs):
    """A running Oxigraph server: `.url` is the SPARQL query endpoint; stop it with `.stop()` or `with`."""

    def __init__(self, process: subprocess.Popen[bytes], host: str, port: int, read_only: bool, echo: bool) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.read_only = read_only
        self.args: list[str] = [str(a) for a in process.args]  # type: ignore[union-attr]
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._listening = threading.Event()
        self._echo = echo
        self._reader = threading.Thread(target=self._read_stderr, name=f"oxigraph-{port}-stderr", daemon=True)
        self._reader.start()
        _LIVE.add(self)

    # The other URLs (base_url and url come from LoopbackURLs).
    @property
    def update_url(self) -> str:
        return self.base_url + "/update"

    @property
    def store_url(self) -> str:
        """SPARQL 1.1 Graph Store HTTP Protocol endpoint (writable only when not read-only)."""
        return self.base_url + "/store"

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_lines(self) -> list[str]:
        return list(self._stderr)

    def error_line(self) -> str:
        """The server's own one-line explanation of why it failed (its 'Error: …' line), if it printed one."""
        lines = self.stderr_lines()
        for line in lines:
            if line.startswith("Error:"):
                return line[len("Error:") :].strip()
        return lines[-1] if lines else ""

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line:
                continue
            self._stderr.append(line)
            if line.startswith("Listening for requests"):
                self._listening.set()
            elif self._echo and self._listening.is_set():
                print(f"oxigraph: {line}", file=sys.stderr, flush=True)

    def wait_ready(self, timeout_s: float = 15.0) -> None:
        """Block until the server accepts connections; KgError if it exits or does not answer in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                self._reader.join(timeout=2)  # let it collect the error line
                raise self._startup_error()
            if self._listening.is_set() or self._connects():
                return
            time.sleep(0.05)
        self.stop()
        raise KgError(f"{self.base_url}: the Oxigraph server did not answer within {timeout_s:g} s")

    def _connects(self) -> bool:
        host = self.base_url.split("//", 1)[1].rsplit(":", 1)[0].strip("[]")
        try:
            with socket.create_connection((host, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def _startup_error(self) -> KgError:
        reason = self.error_line() or f"exit code {self.process.returncode}"
        if "Address already in use" in reason:
            return KgError(f"{_hostport(self.host, self.port)}: port already in use; choose another with --port")
        return KgError(f"oxigraph server failed to start: {reason}")

    def stop(self, timeout_s: float = 5.0) -> int:
        """Stop the server (SIGTERM, then SIGKILL after `timeout_s`) and return its exit code."""
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        if self.process.stderr is not None:
            self.process.stderr.close()
        _LIVE.discard(self)
        return int(self.process.returncode)

    def __repr__(self) -> str:
        state = "running" if self.alive() else f"stopped ({self.process.returncode})"
        return f"<ServerHandle {self.url} pid={self.pid} {state}>"


def start_server(
    store_dir: Path,
    port: int | None = None,
    bind: str = "127.0.0.1",
    timeout_s: int | None = 30,
    read_only: bool = True,
    echo_stderr: bool = False,
    startup_timeout_s: float = 15.0,
) -> ServerHandle:
    """Start an Oxigraph server over `store_dir` and wait until it answers.

    Read-only (the default) serves a built directory (``build/`` or ``build/store``) with the union of the
    named graphs as default graph.  ``read_only=False`` runs ``oxigraph serve`` on `store_dir` as its own
    database directory (created if missing): a writable SPARQL / Graph Store endpoint, e.g. a push target.
    `port=None` picks a free port.  `timeout_s` None or <= 0 means no query timeout.
    """
    binary = oxigraph_binary()
    if read_only:
        location = store_location(store_dir)
        holder = writer_pid(location)
        if holder is not None:
            who = "this process" if holder == os.getpid() else f"process {holder}"
            raise KgError(
                f"{location}: the store is open for writing by {who} (a `kg build` or a notebook); "
                "a read-only server would serve a stale snapshot, so close it first"
            )
    else:
        location = Path(store_dir)
    attempts = 3 if port is None else 1
    for attempt in range(attempts):
        chosen = free_port(bind) if port is None else port
        if _port_taken(bind, chosen):
            if attempt + 1 < attempts:
                continue
            raise KgError(f"{_hostport(bind, chosen)}: port already in use; choose another with --port")
        args = [binary, "serve-read-only" if read_only else "serve", "--location", str(location)]
        args += ["--bind", _hostport(bind, chosen), "--union-default-graph"]
        if timeout_s is not None and timeout_s > 0:
            args += ["--timeout-s", str(int(timeout_s))]
        # No Rust backtraces: a startup error should be the one "Error: …" line we pass on.
        env = {**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=_parent_death_hook(),  # the hook takes no locks, so it is safe with threads
        )
        handle = ServerHandle(process, bind, chosen, read_only, echo_stderr)
        try:
            handle.wait_ready(startup_timeout_s)
        except KgError as err:
            handle.stop()
            # Someone grabbed the free port between our check and the server's bind: try another.
            if "port already in use" in str(err) and attempt + 1 < attempts:
                continue
            raise
        return handle
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------- kg serve
