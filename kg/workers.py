"""Worker processes for the per-issue stage, each task with a time budget.

A task that runs past its budget (an issue whose extraction never ends) costs that one file, not the
build: its worker is killed and a fresh one takes the next task, so the good files behind it are built
with one worker as with many.  A worker that dies (killed by the OOM killer, a crash in native code)
costs only its task too.  Workers die with the build: on Linux they ask the kernel for SIGKILL when
their parent goes (``PR_SET_PDEATHSIG``), so a killed ``kg build`` leaves no extraction process behind.

A concurrent.futures pool cannot do this: it cannot kill one worker, and a worker that dies breaks
the whole pool.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from kg.errors import KgError

Task = tuple[Any, ...]
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent exits (Linux; elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent went before the request was made
        os._exit(1)


def _serve(
    conn: Connection, parent_pid: int, initializer: Callable[..., None], initargs: tuple[Any, ...], func: Callable
) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle; it stops the workers
    initializer(*initargs)
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(func(*task))


class _Worker:
    def __init__(self, context: Any, initializer: Callable[..., None], initargs: tuple[Any, ...], func: Callable):
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, os.getpid(), initializer, initargs, func), daemon=True
        )
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0
        self.ready = False  # says so once its initializer has run

    def give(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool(Generic[R]):
    """Runs ``func(*task)`` for each task in ``workers`` processes, yielding results in completion order.

    ``on_timeout(task, seconds)`` and ``on_death(task, exitcode)`` make the result of a task whose worker
    ran past ``timeout`` seconds (then killed) or died; ``timeout`` None is no budget."""

    def __init__(
        self,
        workers: int,
        func: Callable[..., R],
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        timeout: float | None,
        on_timeout: Callable[[Task, float], R],
        on_death: Callable[[Task, int | None], R],
    ) -> None:
        start_method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._context = multiprocessing.get_context(start_method)
        self._spec = (initializer, initargs, func)
        self._size = max(1, workers)
        self._timeout = timeout
        self._on_timeout = on_timeout
        self._on_death = on_death
        self._workers: list[_Worker] = []

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, *self._spec)
        self._workers.append(worker)
        return worker

    def run(self, tasks: Iterable[Task], in_flight: int = 256) -> Iterator[R]:
        """Results in completion order.  A thread of this process feeds the workers and collects up to
        ``in_flight`` results, so the workers keep going while the caller stores the ones it has."""
        results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=max(1, in_flight))
        stop = threading.Event()

        def put(item: tuple[str, Any]) -> bool:
            while not stop.is_set():
                try:
                    results.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def feed() -> None:
            try:
                for result in self._loop(tasks):
                    if not put(("result", result)):
                        return
                put(("done", None))
            except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                put(("error", err))

        thread = threading.Thread(target=feed, name="kg-workers", daemon=True)
        thread.start()
        try:
            while True:
                kind, value = results.get()
                if kind == "result":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop.set()
            self.close()  # kills the workers, which ends the feeding thread's wait
            thread.join(10)

    def _loop(self, tasks: Iterable[Task]) -> Iterator[R]:
        pending = deque(tasks)
        try:
            for _ in range(min(self._size, len(pending))):
                self._spawn()
            while pending or any(w.task is not None for w in self._workers):
                for worker in list(self._workers):
                    if worker.ready and worker.task is None and pending:
                        try:
                            worker.give(pending.popleft())
                        except OSError:  # died while idle: its task waits for a fresh worker
                            pending.appendleft(worker.task)
                            self._replace(worker, True)
                if not self._workers:
                    self._spawn()
                busy = [w for w in self._workers if w.task is not None]
                wait_for = None
                if self._timeout is not None and busy:
                    wait_for = max(0.0, min(w.started for w in busy) + self._timeout - time.monotonic())
                ready = wait([w.conn for w in self._workers], timeout=wait_for)
                now = time.monotonic()
                for worker in list(self._workers):
                    task = worker.task
                    if worker.conn in ready:
                        try:
                            message = worker.conn.recv()
                        except (EOFError, OSError):
                            worker.process.join(5)
                            code = worker.process.exitcode
                            self._replace(worker, bool(pending))
                            if task is not None:
                                yield self._on_death(task, code)
                            elif not worker.ready:  # died while loading: no worker would ever start
                                raise KgError(f"an extraction worker failed to start (exit status {code})") from None
                            continue
                        if not worker.ready:
                            worker.ready = True  # loaded: the clock starts with its first task
                            continue
                        worker.task = None
                        yield message
                    elif task is not None and self._timeout is not None and now - worker.started >= self._timeout:
                        # Stuck: killed, not waited for; a fresh worker takes the next task.
                        self._replace(worker, bool(pending))
                        yield self._on_timeout(task, now - worker.started)
        finally:
            self.close()

    def _replace(self, worker: _Worker, needed: bool) -> None:
        worker.kill()
        self._workers.remove(worker)
        if needed:
            self._spawn()

    def close(self) -> None:
        for worker in list(self._workers):
            if worker.task is None and worker.process.is_alive():
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in list(self._workers):
            worker.process.join(1 if worker.task is None else 0)
            worker.kill()
        self._workers.clear()
