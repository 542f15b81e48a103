"""Beyond one machine, on a real local Dask cluster and a real Oxigraph server (issue 16).

A LocalCluster of 2 worker processes builds the LWKD corpus to the same canonical N-Quads (and the same
shards) as ``kg build --workers 2``; a worker killed mid-build loses and duplicates no issue; the shards
loaded with Oxigraph's own loader into ``oxigraph serve`` answer the canned queries as the local store does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from kg import ids
from kg import query as q
from kg.build import BuildSummary, build, extractor_fingerprint, file_hash
from kg.catalog import load_catalog
from kg.cluster import extract_task
from kg.endpoint.pages import ready_link
from kg.errors import KgError
from kg.serve import ServerHandle, oxigraph_binary, start_server
from kg.shards import MANIFEST, shard_files, shard_name
from kg.store import GraphStore
from kg.terms import bind_values

from .conftest import LWKD, REPO

distributed = pytest.importorskip("distributed")  # the cluster extra (installed by the dev extra, so in CI)

needs_lwkd = pytest.mark.skipif(not LWKD.is_dir(), reason="../shared/corpus/lwkd is absent")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """LWKD built as `kg build --workers 2` does (local processes), with its shards: (build, shards, N-Quads)."""
    root = tmp_path_factory.mktemp("reference")
    summary = build([LWKD], root / "build", workers=2, write_html=False, emit=root / "shards")
    assert summary.ok, summary.errors[:3]
    with GraphStore.open(root / "build", read_only=True) as graph:
        return root / "build", root / "shards", graph.canonical_nquads()


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )


@needs_lwkd
def test_local_cluster_builds_lwkd_like_two_local_workers(reference: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, shards, nquads = reference
    out, emitted = tmp_path / "build", tmp_path / "shards"
    run = _kg("build", str(LWKD), "--out", str(out), "--executor", "dask", "--workers", "2", "--no-html")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("built 383, unchanged 0, removed 0, failed 0; store holds 383 issues")
    with GraphStore.open(out, read_only=True) as graph:
        assert graph.canonical_nquads() == nquads
    # Emitting from either store gives the same shards, byte for byte; emitting again writes nothing.
    again = _kg("build", str(LWKD), "--out", str(out), "--executor", "dask", "--no-html", "--emit", str(emitted))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "built 0, unchanged 383" in again.stdout and "388 written, 0 unchanged, 0 removed" in again.stdout
    assert (emitted / MANIFEST).read_bytes() == (shards / MANIFEST).read_bytes()
    for mine, theirs in zip(shard_files(emitted), shard_files(shards), strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine
    third = _kg("build", str(LWKD), "--out", str(out), "--no-html", "--emit", str(emitted))
    assert "0 written, 388 unchanged, 0 removed" in third.stdout, third.stdout


def _executed(client: distributed.Client) -> dict[str, tuple[int, int]]:
    """Per worker address: (tasks finished, tasks running now)."""
    return client.run(lambda dask_worker: (dask_worker.state.executed_count, dask_worker.state.executing_count))


@needs_lwkd
def test_a_worker_killed_mid_build_loses_and_duplicates_no_issue(
    reference: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, _, nquads = reference
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        address = cluster.scheduler_address.removeprefix("tcp://")
        outcome: list[BuildSummary | BaseException] = []

        def run() -> None:
            try:
                outcome.append(build([LWKD], tmp_path / "build", write_html=False, executor=f"dask://{address}"))
            except BaseException as err:  # noqa: BLE001 - handed to the test's thread
                outcome.append(err)

        builder = threading.Thread(target=run)
        builder.start()
        deadline = time.monotonic() + 600
        victim = None
        while builder.is_alive() and time.monotonic() < deadline:
            counts = _executed(client)
            busy = [w for w, (_, running) in counts.items() if running]
            if sum(done for done, _ in counts.values()) >= 40 and busy:
                victim = busy[0]
                break
            time.sleep(0.2)
        assert victim is not None, "the build ended before a worker could be killed mid-task"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)  # as the OOM killer would: no goodbye to the scheduler
        killed_while_running = builder.is_alive()
        builder.join(900)
        assert not builder.is_alive()
    assert killed_while_running
    summary = outcome[0]
    assert isinstance(summary, BuildSummary), summary
    assert summary.ok, summary.errors[:3]
    assert len(summary.built) == len(set(summary.built)) == summary.issues_in_store == 383
    with GraphStore.open(tmp_path / "build", read_only=True) as graph:
        assert graph.canonical_nquads() == nquads


def _answers(server: ServerHandle, sparql: str) -> list[tuple[str, ...]]:
    response = httpx.post(
        server.url,
        content=sparql.encode("utf-8"),
        headers={"Accept": "application/sparql-results+json", "Content-Type": "application/sparql-query"},
        timeout=120,
    )
    assert response.status_code == 200, response.text[:500]
    results = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(results, QuerySolutions)
    columns = [v.value for v in results.variables]
    # Sorted: rows that tie under a query's ORDER BY may come in another order from another database.
    return sorted(tuple(str(row[c]) if row[c] is not None else "" for c in columns) for row in results)


@pytest.fixture
def loaded_shards(reference: tuple[Path, Path, str], tmp_path: Path) -> Iterator[tuple[ServerHandle, ServerHandle]]:
    """The reference store served as it is, and its shards loaded by `oxigraph load` into another database."""
    build_dir, shards, _ = reference
    database = tmp_path / "server-db"
    files = [str(f) for f in shard_files(shards)]
    load = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(database), "--file", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert load.returncode == 0, load.stderr[-2000:]
    with (
        start_server(build_dir, None, timeout_s=120) as local,
        start_server(database, None, timeout_s=120, read_only=False) as loaded,  # `oxigraph serve`
    ):
        yield local, loaded


@needs_lwkd
def test_shards_loaded_into_oxigraph_serve_answer_the_canned_queries_as_the_local_store(
    loaded_shards: tuple[ServerHandle, ServerHandle],
) -> None:
    local, loaded = loaded_shards
    with_rows = 0
    for name, canned in q.canned_queries().items():
        examples = dict(httpx.QueryParams(ready_link(canned).partition("?")[2]))
        sparql, params = q.resolve(name, None, examples)
        text = bind_values(sparql, params)
        mine = _answers(loaded, text)
        assert mine == _answers(local, text), name
        with_rows += bool(mine)
    assert with_rows >= 8  # the comparison is not between empty answers
    # Every quad but the local store's bookkeeping (which is not emitted) is there.
    count = (
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ids.GRAPH_BUILD}>) }} GROUP BY ?g"
    )
    assert _answers(loaded, count) == _answers(local, count)


def test_shard_names_follow_the_graph_iris_and_stay_inside_the_folder() -> None:
    assert shard_name("https://w3id.org/cnkg/id/graph/issue/lwkd/2020-01-05") == "issue/lwkd/2020-01-05.nq"
    assert shard_name("https://w3id.org/cnkg/id/graph/catalog") == "catalog.nq"
    for odd in ("https://w3id.org/cnkg/id/graph/../../etc/x", "urn:other", "https://w3id.org/cnkg/id/graph/a//b"):
        name = shard_name(odd)
        assert name.startswith("other/") and ".." not in name


def test_bad_executor_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"^--executor ray://x: not an executor; give dask"):
        build([REPO / "corpus"], tmp_path / "build", executor="ray://x")
    assert not (tmp_path / "build").exists()  # refused before anything was written
    run = _kg("build", str(REPO / "corpus"), "--out", str(tmp_path / "b"), "--executor", "dask://nohost:1")
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith("kg: tcp://nohost:1: cannot reach the Dask scheduler")


def test_a_worker_with_other_code_or_another_copy_of_the_file_reports_it(tmp_path: Path) -> None:
    """What each Dask task checks before extracting, run here as a worker runs it."""
    issue = tmp_path / "vol-17.txt"
    issue.write_bytes((REPO / "corpus" / "cloud-native-weekly-vol-17.txt").read_bytes())
    catalog = load_catalog()
    fingerprint = extractor_fingerprint(catalog)
    content_hash = file_hash(issue.read_bytes(), fingerprint)
    done = extract_task(str(issue), content_hash, None, catalog, fingerprint)
    assert done.error is None and done.write is not None and done.graph_quads > 0
    other_code = extract_task(str(issue), content_hash, None, catalog, "0" * 32)
    assert other_code.write is None
    assert other_code.error == f"{issue}: the Dask worker runs other cnkg code than this build; skipped"
    issue.write_bytes(issue.read_bytes() + b"\nedited on the worker's side\n")
    other_copy = extract_task(str(issue), content_hash, None, catalog, fingerprint)
    assert other_copy.write is None
    assert other_copy.error == f"{issue}: differs on the Dask worker from this machine's copy; skipped"
    issue.unlink()
    gone = extract_task(str(issue), content_hash, None, catalog, fingerprint)
    assert gone.error is not None and gone.error.startswith(f"{issue}: cannot read on the Dask worker")
