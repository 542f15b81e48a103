"""Extraction on a Dask cluster (``kg build --executor dask[://HOST:PORT]``): the executor the per-issue job
runs on when one machine is not enough.

Only this module imports Dask (the ``cluster`` extra): ``kg build`` without ``--executor`` never loads it.
The writer stays in the building process: each task returns one issue's :class:`~kg.issue_job.Processed`
(its quads and tallies) and :func:`kg.issue_job.results` hands them to the same writer as the local pools.

Workers read the files where they are, so the paths a build finds must mean the same file on every worker
(a shared file system).  Each task checks that: it hashes what it read with the worker's extractor
fingerprint, and a worker whose code or file differs from the building process's is reported, not stored.
A task is keyed by its file and content hash, so a task that Dask runs again (its worker died) replaces its
first run instead of adding a second result; the writer also takes at most one result per file.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from kg.errors import KgError, shown
from kg.issue_job import IN_FLIGHT, Processed

SCHEME = "dask"
CONNECT_TIMEOUT = 10  # seconds to reach a scheduler: one that is up answers in milliseconds

_loaded: dict[str, Any] = {}  # per worker process: the catalog fingerprint last loaded, its extractor fingerprint
_load_lock = threading.Lock()


def parse_executor(spec: str) -> str | None:
    """The scheduler address of ``--executor`` (``dask://HOST:PORT`` -> ``tcp://HOST:PORT``), None for
    ``dask`` alone (a LocalCluster on this machine); a KgError for anything else."""
    if spec == SCHEME:
        return None
    prefix = SCHEME + "://"
    if spec.startswith(prefix) and len(spec) > len(prefix):
        rest = spec[len(prefix) :]
        host, _, port = rest.rpartition(":")
        if host and port.isdigit():
            return f"tcp://{rest}"
    raise KgError(f"--executor {spec}: not an executor; give dask (a local cluster) or dask://HOST:PORT (a scheduler)")


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise KgError(
            "--executor dask: Dask is not installed; install the cluster extra: pip install 'cnkg[cluster]'"
        ) from None
    return distributed


def _worker_fingerprint(catalog: Any) -> str:
    """Load the NLP pipeline for ``catalog`` once per worker process (again only for another catalog) and
    return the extractor fingerprint of this worker's code with it."""
    from kg import issue_job
    from kg.fingerprint import extractor_fingerprint

    key = str(getattr(catalog, "fingerprint", ""))
    with _load_lock:
        if _loaded.get("catalog") != key:
            issue_job._init_worker(catalog)
            _loaded["catalog"] = key
            _loaded["fingerprint"] = extractor_fingerprint(catalog)
        return _loaded["fingerprint"]


def extract_task(path: str, content_hash: str, series: str | None, catalog: Any, fingerprint: str) -> Processed:
    """One issue, on a worker: :func:`kg.issue_job.process_file` after checking that this worker extracts
    as the building process does and reads the same bytes it hashed."""
    from kg import issue_job
    from kg.fingerprint import file_hash, source_bytes
    from kg.ingest import source_files

    mine = _worker_fingerprint(catalog)
    if mine != fingerprint:
        return Processed(
            path, content_hash, error=f"{shown(path)}: the Dask worker runs other cnkg code than this build; skipped"
        )
    try:
        raw = source_bytes(source_files(path))
    except OSError as err:
        return Processed(path, content_hash, error=f"{shown(path)}: cannot read on the Dask worker: {err.strerror}")
    if file_hash(raw, fingerprint + (series or "")) != content_hash:
        return Processed(
            path, content_hash, error=f"{shown(path)}: differs on the Dask worker from this machine's copy; skipped"
        )
    return issue_job.process_file(path, content_hash, series)


def task_key(path: str, content_hash: str) -> str:
    """The Dask key of a file's task: the same file and content always get the same key."""
    return "cnkg-extract-" + hashlib.sha256(f"{path}\0{content_hash}".encode()).hexdigest()[:32]


def dask_results(
    todo: Sequence[tuple[str, str, str | None]], catalog: Any, workers: int, address: str | None, fingerprint: str
) -> Iterator[Processed]:
    """Processed issues from a Dask cluster, in completion order, with a bounded number in flight: what
    :func:`kg.issue_job.results` gives from local processes, for the same writer.

    ``address`` None starts a LocalCluster of ``workers`` single-threaded worker processes for the build."""
    _require_dask()
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    # Dask logs lost workers and retries at WARNING; the build reports what it could not extract itself.
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if address is None:
        cluster = LocalCluster(
            n_workers=max(1, workers),
            threads_per_worker=1,  # extraction holds the GIL: one thread per process
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster, set_as_default=False)
    else:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise KgError(f"{address}: cannot reach the Dask scheduler ({err})") from None
    try:
        yield from _run(client, todo, catalog, workers, fingerprint, as_completed)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run(
    client: Any,
    todo: Sequence[tuple[str, str, str | None]],
    catalog: Any,
    workers: int,
    fingerprint: str,
    as_completed: Any,
) -> Iterator[Processed]:
    from distributed import KilledWorker

    # The catalog goes to every worker once, not with each task.
    shared_catalog = client.scatter(catalog, broadcast=True, hash=False)
    queue = iter(todo)
    task_of: dict[str, tuple[str, str, str | None]] = {}
    slots = max(workers, sum(client.nthreads().values()))  # a remote cluster's size, not --workers
    limit = slots * 4 + IN_FLIGHT

    def submit() -> Any | None:
        nxt = next(queue, None)
        if nxt is None:
            return None
        key = task_key(nxt[0], nxt[1])
        task_of[key] = nxt
        return client.submit(extract_task, *nxt, shared_catalog, fingerprint, key=key, pure=False, retries=0)

    first = [f for f in (submit() for _ in range(min(limit, len(todo)))) if f is not None]
    pending = as_completed(first, loop=client.loop, with_results=False)
    delivered: set[str] = set()
    for future in pending:
        path, content_hash, _ = task_of.pop(future.key)
        try:
            result = future.result()
        except KilledWorker:
            result = Processed(
                path,
                content_hash,
                error=f"{shown(path)}: Dask workers died on it more often than the scheduler allows; skipped",
            )
        except Exception as err:  # noqa: BLE001 - a task that failed on the worker costs that file only
            result = Processed(
                path, content_hash, error=f"{shown(path)}: Dask task failed: {type(err).__name__}: {err}"
            )
        future.release()
        if path in delivered:  # cannot happen with keyed tasks; a second result must never be stored twice
            continue
        delivered.add(path)
        yield result
        following = submit()
        if following is not None:
            pending.add(following)
