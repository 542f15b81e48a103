"""kg serve: a real Oxigraph server on a free loopback port, queried over HTTP, always stopped."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import ids
from kg.errors import KgError
from kg.serve import ServerHandle, free_port, oxigraph_binary, start_server, writer_pid

REPO = Path(__file__).resolve().parents[1]
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CNKG = ids.ONTOLOGY
JSON = {"Accept": "application/sparql-results+json"}

ISSUE = ids.issue_iri("cloud-native-weekly", "17")
ISSUE_GRAPH = ids.issue_graph(ISSUE)
HELM = ids.entity_iri("Project", "helm")
CILIUM = ids.entity_iri("Project", "cilium")


def small_graph(build_dir: Path) -> Path:
    """A built directory in the shape `kg build` writes: build/store with issue, catalog and bookkeeping graphs."""
    build_dir.mkdir(parents=True)
    store = Store(str(build_dir / "store"))
    issue, catalog, book = NamedNode(ISSUE_GRAPH), NamedNode(ids.GRAPH_CATALOG), NamedNode(ids.GRAPH_BUILD)
    quads = [
        Quad(NamedNode(ISSUE), RDF_TYPE, NamedNode(CNKG + "Issue"), issue),
        Quad(NamedNode(ISSUE), NamedNode(CNKG + "mentions"), NamedNode(HELM), issue),
        Quad(NamedNode(ISSUE), NamedNode(CNKG + "mentions"), NamedNode(CILIUM), issue),
        Quad(NamedNode(HELM), RDF_TYPE, NamedNode(CNKG + "Project"), catalog),
        Quad(NamedNode(HELM), RDFS_LABEL, Literal("Helm"), catalog),
        Quad(NamedNode(CILIUM), RDFS_LABEL, Literal("Cilium"), catalog),
        Quad(NamedNode(ids.ID + "source/x"), NamedNode(CNKG + "builds"), issue, book),
    ]
    store.extend(quads)
    store.flush()
    del store  # releases the write lock, as a finished `kg build` does
    return build_dir


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return small_graph(tmp_path / "build")


@pytest.fixture
def server(build_dir: Path) -> Iterator[ServerHandle]:
    handle = start_server(build_dir, free_port(), timeout_s=1)
    try:
        yield handle
    finally:
        handle.stop()


def select(url: str, query: str, method: str = "GET") -> list[dict[str, dict[str, str]]]:
    if method == "GET":
        response = httpx.get(url, params={"query": query}, headers=JSON, timeout=10)
    else:
        headers = {**JSON, "Content-Type": "application/sparql-query"}
        response = httpx.post(url, content=query.encode(), headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return response.json()["results"]["bindings"]


def count(url: str, where: str = "?s ?p ?o") -> int:
    return int(select(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"]["value"])


def children(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (from /proc/*/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def test_binary_is_found_beside_the_interpreter() -> None:
    binary = oxigraph_binary()
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    assert out.stdout.startswith("oxigraph 0.5")


def test_union_default_graph_over_get_and_post(server: ServerHandle) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/query"
    # Without GRAPH, the default graph is the union: the issue graph's and the catalog's triples meet.
    rows = select(
        server.url,
        f"SELECT ?label WHERE {{ <{ISSUE}> <{CNKG}mentions> ?p . ?p <{RDFS_LABEL.value}> ?label }} ORDER BY ?label",
    )
    assert [r["label"]["value"] for r in rows] == ["Cilium", "Helm"]
    posted = select(server.url, f"SELECT ?label WHERE {{ <{CILIUM}> <{RDFS_LABEL.value}> ?label }}", "POST")
    assert [r["label"]["value"] for r in posted] == ["Cilium"]
    assert count(server.url) == 7
    assert count(server.url, f"GRAPH <{ISSUE_GRAPH}> {{ ?s ?p ?o }}") == 3


def test_updates_are_refused(server: ServerHandle) -> None:
    update = f'INSERT DATA {{ <{HELM}> <{RDFS_LABEL.value}> "changed" }}'
    to_update = httpx.post(
        server.update_url, content=update, headers={"Content-Type": "application/sparql-update"}, timeout=10
    )
    assert to_update.status_code == 403
    to_query = httpx.post(server.url, content=update, headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert to_query.status_code == 400
    as_form = httpx.post(server.url, data={"update": update}, timeout=10)
    assert as_form.status_code >= 400
    put = httpx.put(
        server.store_url,
        params={"graph": ids.GRAPH_CATALOG},
        content=b"<urn:a> <urn:b> <urn:c> .\n",
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    )
    assert put.status_code == 403
    assert count(server.url) == 7


class _SlowSparql(BaseHTTPRequestHandler):
    """A remote SPARQL endpoint that takes 1.5 s to answer: a slow query whose time does not depend on the CPU."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(1.5)
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "late"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowSparql)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_query_timeout_is_passed_and_cuts_slow_queries(
    server: ServerHandle, build_dir: Path, slow_endpoint: str
) -> None:
    cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
    assert b"--timeout-s" in cmdline and cmdline[cmdline.index(b"--timeout-s") + 1] == b"1"
    assert b"--union-default-graph" in cmdline and b"serve-read-only" in cmdline
    query = {"query": f"SELECT ?x WHERE {{ SERVICE <{slow_endpoint}> {{ ?x ?y ?z }} }}"}
    # Oxigraph has already sent "200 OK" when it cancels: the body is cut short and names the cancellation.
    cut = httpx.get(server.url, params=query, headers=JSON, timeout=15)
    assert "The SPARQL operation has been cancelled" in cut.text
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.text)
    assert server.alive()
    # The same query without a timeout waits for the answer: the cut above is the flag's doing.
    with start_server(build_dir, None, timeout_s=None) as patient:
        assert b"--timeout-s" not in Path(f"/proc/{patient.pid}/cmdline").read_bytes()
        rows = httpx.get(patient.url, params=query, headers=JSON, timeout=15).json()["results"]["bindings"]
    assert rows == [{"x": {"type": "literal", "value": "late"}}]


def test_stop_ends_the_process(build_dir: Path) -> None:
    with start_server(build_dir, None) as handle:
        pid, port = handle.pid, handle.port
        assert count(handle.url) == 7
    assert handle.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert refuses_connections(port)
    assert handle.stop() == handle.process.returncode  # stopping twice is harmless


def test_missing_store_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"nowhere: no built graph here; run `kg build` first"):
        start_server(tmp_path / "nowhere", free_port())
    (tmp_path / "empty").mkdir()
    with pytest.raises(KgError, match="no built graph here"):
        start_server(tmp_path / "empty", free_port())


def test_port_taken(build_dir: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(KgError, match=rf"127.0.0.1:{port}: port already in use"):
            start_server(build_dir, port)


def test_missing_binary(build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNKG_OXIGRAPH", str(tmp_path / "no-oxigraph"))
    with pytest.raises(KgError, match="no-oxigraph: .*does not name an executable"):
        start_server(build_dir, free_port())
    monkeypatch.delenv("CNKG_OXIGRAPH")
    monkeypatch.setattr("kg.serve.sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("kg.serve.sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KgError, match=r"server binary not found; install it with `pip install"):
        start_server(build_dir, free_port())


def test_refuses_a_store_open_for_writing(build_dir: Path) -> None:
    location = build_dir / "store"
    # Another process (a running `kg build`) holds the write lock.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
            str(location),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert writer_pid(location) == holder.pid
        with pytest.raises(KgError, match=rf"open for writing by process {holder.pid}.*close it first"):
            start_server(build_dir, free_port())
    finally:
        holder.communicate(timeout=10)  # closing stdin lets it exit
    assert writer_pid(location) is None
    # This very process (a notebook) holding it open.
    store = Store(str(location))
    try:
        with pytest.raises(KgError, match="open for writing by this process"):
            start_server(build_dir, free_port())
    finally:
        del store
    with start_server(build_dir, None) as handle:
        assert count(handle.url) == 7


def test_writes_after_start_stay_invisible_until_restart(build_dir: Path) -> None:
    """What docs/endpoint.md says: the read-only server keeps the state it opened; restart after `kg build`."""
    extra = Quad(NamedNode(CILIUM), RDF_TYPE, NamedNode(CNKG + "Project"), NamedNode(ids.GRAPH_CATALOG))
    with start_server(build_dir, None) as handle:
        store = Store(str(build_dir / "store"))  # the writer is not blocked by the running server
        store.add(extra)
        store.flush()
        del store
        assert count(handle.url) == 7
    with start_server(build_dir, None) as handle:
        assert count(handle.url) == 8


def test_serve_runs_in_the_foreground_until_ctrl_c(build_dir: Path) -> None:
    port = free_port()
    code = (
        "import sys; from pathlib import Path; from kg.endpoint import serve; "
        "sys.exit(serve(Path(sys.argv[1]), int(sys.argv[2]), timeout_s=5))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(build_dir), str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    oxigraph: list[int] = []
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # printed once the server answers
        assert first.strip() == f"SPARQL endpoint (read-only, 5 s query timeout): http://127.0.0.1:{port}/query"
        assert "Ctrl-C" in proc.stdout.readline()
        assert count(f"http://127.0.0.1:{port}/query") == 7
        oxigraph = children(proc.pid)
        assert len(oxigraph) == 4  # one Oxigraph server per query slot (--max-queries, default 4)
        proc.send_signal(signal.SIGINT)  # only the Python parent: it must pass the stop on to oxigraph
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in oxigraph:  # never leave the server behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert refuses_connections(port)
    assert not any(_running(pid) for pid in oxigraph)


def test_killed_kg_serve_leaves_no_oxigraph_behind(build_dir: Path) -> None:
    """SIGKILL of `kg serve` runs no cleanup: its servers, started by a long-lived thread, die with it."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(build_dir), "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    oxigraph: list[int] = []
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("SPARQL endpoint")
        # Every server, first ones and replacements alike, is started by the pool's spawner thread.
        oxigraph = children(proc.pid)
        assert len(oxigraph) == 4
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in oxigraph):
            time.sleep(0.05)
        assert not any(_running(pid) for pid in oxigraph)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in oxigraph:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_server_dies_with_a_killed_parent(build_dir: Path) -> None:
    """A notebook kernel or test run killed with SIGKILL runs no cleanup: the kernel still ends the server."""
    code = (
        "import sys; from pathlib import Path; from kg.serve import start_server; "
        "h = start_server(Path(sys.argv[1])); print(h.pid, flush=True); sys.stdin.read()"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code, str(build_dir)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid = 0
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert children(parent.pid) == [server_pid]
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(server_pid):
            time.sleep(0.05)
        assert not _running(server_pid)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if server_pid and _running(server_pid):
            os.kill(server_pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
