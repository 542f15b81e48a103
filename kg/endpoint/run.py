"""`kg serve` in the foreground: the endpoint front started, announced, and stopped on Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from kg.endpoint import explore
from kg.endpoint.app import Limits, start_endpoint
from kg.serve import LOOPBACK


def serve(
    store_dir: Path = Path("build"),
    port: int = 7878,
    bind: str = "127.0.0.1",
    timeout_s: float = 30,
    max_queries: int = 4,
    max_result_mb: float = 64,
    allow_service: bool = False,
    queue_wait_s: float = 5.0,
) -> int:
    """Run the read-only SPARQL endpoint in the foreground until Ctrl-C; returns the exit code (0 on Ctrl-C).

    A Python front (kg.endpoint) in front of `max_queries` Oxigraph read-only servers: it enforces the time
    limit by killing the server running an overdue query, caps concurrent queries and result size, refuses
    SERVICE unless `allow_service`, and serves the canned-query page and the live explorer.
    """
    limits = Limits(
        timeout_s=timeout_s if timeout_s and timeout_s > 0 else None,
        max_queries=max_queries,
        queue_wait_s=queue_wait_s,
        max_result_bytes=int(max_result_mb * 1_000_000),
        allow_service=allow_service,
    )
    front = start_endpoint(store_dir, port, bind=bind, limits=limits)
    # The explorer's first view, made while the user opens the browser (a daemon: Ctrl-C does not wait for it).
    threading.Thread(target=explore.warm, args=(front.endpoint,), name="kg-explore-warm", daemon=True).start()
    limit = f"{timeout_s:g} s query timeout" if limits.timeout_s else "no query timeout"
    print(f"SPARQL endpoint (read-only, {limit}): {front.url}", flush=True)
    print(f"Query UI in a browser: {front.base_url}/  —  press Ctrl-C to stop", flush=True)
    print(f"Canned queries: {front.base_url}/queries", flush=True)
    print(f"Explorer: {front.base_url}/explore", flush=True)
    service = "allowed" if allow_service else "refused (--allow-service to allow)"
    print(f"{max_queries} queries at once, results up to {max_result_mb:g} MB, SERVICE {service}", flush=True)
    if bind not in LOOPBACK:
        print(f"warning: listening on {bind}: the endpoint is reachable from other machines", file=sys.stderr)

    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # SIGTERM (a supervisor, `kill`) stops the servers like Ctrl-C does

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        front.wait()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        front.stop()
    return 0
