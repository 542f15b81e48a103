"""The per-issue job of a build: read, extract and serialise one issue, in worker processes.

A pure function of (file, series, catalog), so :func:`results` can run it in this process, in a process
pool, or in killable workers with a time budget per file (:mod:`kg.workers`); the writer
(:mod:`kg.build`) stores what it returns.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, serialize

from kg import aggregates, ids
from kg.errors import InputError, shown
from kg.store import GraphWrite, trig_chunk

# Extracted issues waiting for the writer: enough for the workers to keep busy during a bulk load.
IN_FLIGHT = 256


@dataclass
class Processed:
    """The result of the per-issue stage, plain data that crosses process boundaries."""

    path: str
    content_hash: str
    write: GraphWrite | None = None  # what the writer stores (None when the issue failed)
    issue_id: str = ""
    graph_quads: int = 0  # quads in the issue's own graph
    newsletter: str = ""
    tallies: list[tuple[tuple[str, ...], int]] = field(default_factory=list)  # see kg.aggregates.Totals
    error: str | None = None


_worker_state: dict[str, Any] = {}


def _init_worker(catalog: Any) -> None:
    """Load the catalog and NLP pipeline once per process."""
    from kg.extract import load_pipeline

    _worker_state["catalog"] = catalog
    _worker_state["nlp"] = load_pipeline(catalog)


def _init_pool_worker(catalog: Any, parent_pid: int) -> None:
    from kg.workers import die_with_parent

    die_with_parent(parent_pid)  # a killed build must not leave its workers running
    _init_worker(catalog)


def process_file(path: str, content_hash: str, series: str | None = None) -> Processed:
    """Read, extract and serialise one issue: a pure function of the file (with its companion files, such as
    LWCN's articles page), the series it is given (``--series``) and the loaded catalog."""
    from kg.extract import extract
    from kg.ingest import read_issue
    from kg.rdf import extraction_quads

    try:
        issue = read_issue(path, series=series, companions=True)
        extraction = extract(issue, _worker_state["catalog"], _worker_state.get("nlp"))
        quads = extraction_quads(extraction, source_name=Path(path).name)
        graph = ids.issue_graph(extraction.issue_id)
        # Distinct quads: the summary's count must match the store's (a set), and a worker's chunk the store's.
        own = list(dict.fromkeys(q for q in quads if q.graph_name.value == graph))
        shared = [q for q in quads if q.graph_name.value != graph]
        own_nquads = serialize(own, format=RdfFormat.N_QUADS).decode("utf-8")
        nquads = own_nquads + serialize(shared, format=RdfFormat.N_QUADS).decode("utf-8")
        write = GraphWrite(path, graph, content_hash, nquads, trig_chunk(own), shared_from=len(own_nquads))
        return Processed(
            path,
            content_hash,
            write,
            issue_id=extraction.issue_id,
            graph_quads=len(set(own)),  # the store keeps a set: a quad stated twice counts once
            newsletter=ids.newsletter_iri(issue.series),
            tallies=aggregates.tallies_of(own),
        )
    except InputError as err:
        return Processed(path, content_hash, error=str(err))
    except Exception as err:  # noqa: BLE001 - one bad issue must never stop the others
        return Processed(path, content_hash, error=f"{path}: extraction failed: {type(err).__name__}: {err}")


def results(
    todo: Sequence[tuple[str, str, str | None]], catalog: Any, workers: int, file_timeout: float | None = None
) -> Iterator[Processed]:
    """Processed issues, in completion order, with a bounded number in flight.

    With a ``file_timeout`` (seconds), each file is extracted in a worker process that is killed and
    replaced when it runs past it (one worker too): the file is reported, the others are built.
    (:func:`kg.cluster.dask_results` is the same on a Dask cluster.)"""
    if not todo:
        return  # nothing to extract: do not load the NLP pipeline
    if file_timeout:
        from kg.workers import WorkerPool

        def timed_out(task: tuple[Any, ...], seconds: float) -> Processed:
            return Processed(
                task[0],
                task[1],
                error=f"{shown(task[0])}: extraction took longer than {file_timeout:g} s (--file-timeout); skipped",
            )

        def died(task: tuple[Any, ...], code: int | None) -> Processed:
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            return Processed(task[0], task[1], error=f"{shown(task[0])}: extraction worker died ({how}); skipped")

        pool = WorkerPool(workers, process_file, _init_worker, (catalog,), file_timeout, timed_out, died)
        yield from pool.run(todo, in_flight=workers * 4 + IN_FLIGHT)
        return
    if workers <= 1 or len(todo) < 2:
        _init_worker(catalog)
        for path, content_hash, series in todo:
            yield process_file(path, content_hash, series)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=(catalog, os.getpid())
    ) as pool:
        pending: set[Future[Processed]] = set()
        queue = iter(todo)
        limit = workers * 4 + IN_FLIGHT
        while True:
            while len(pending) < limit:
                nxt = next(queue, None)
                if nxt is None:
                    break
                pending.add(pool.submit(process_file, *nxt))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
