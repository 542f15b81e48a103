"""kg push: upload to a real read-write Oxigraph server on a free loopback port, read back over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from kg import ids
from kg.errors import KgError
from kg.push import CONTENT_TYPE, PushReport, content_hash, graph_body, push
from kg.serve import ServerHandle, free_port, start_server
from tests.test_serve import CILIUM, ISSUE_GRAPH, small_graph

CONTENT_GRAPHS = sorted([ISSUE_GRAPH, ids.GRAPH_CATALOG])
EXPECTED = {ISSUE_GRAPH: 3, ids.GRAPH_CATALOG: 3}


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return small_graph(tmp_path / "build")


@pytest.fixture
def target(tmp_path: Path) -> Iterator[ServerHandle]:
    """A writable Oxigraph with its own database: the push target."""
    handle = start_server(tmp_path / "target-db", None, read_only=False)
    try:
        yield handle
    finally:
        handle.stop()


def counts_per_graph(handle: ServerHandle, ledger: bool = False) -> dict[str, int]:
    """Triples per graph in the target (without the push ledger graph unless ``ledger``)."""
    response = httpx.get(
        handle.url,
        params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    response.raise_for_status()
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in response.json()["results"]["bindings"]}
    return counts if ledger else {g: n for g, n in counts.items() if g != ids.GRAPH_PUSH}


def ledger_of(handle: ServerHandle) -> dict[str, set[str]]:
    """The push ledger the target holds: graph -> its recorded content hashes."""
    response = httpx.get(handle.store_url, params={"graph": ids.GRAPH_PUSH}, headers={"Accept": CONTENT_TYPE})
    response.raise_for_status()
    records: dict[str, set[str]] = {}
    for triple in parse(response.content, RdfFormat.N_TRIPLES):
        records.setdefault(triple.subject.value, set()).add(triple.object.value)
    return records


def test_push_uploads_each_graph_and_is_idempotent(build_dir: Path, target: ServerHandle) -> None:
    report = push(build_dir, target.store_url)
    assert report.graphs == [(g, EXPECTED[g]) for g in CONTENT_GRAPHS]
    assert report.triples == 6
    assert report.summary() == f"pushed 2 graphs (6 triples) to {target.store_url}"
    assert counts_per_graph(target) == EXPECTED  # the bookkeeping graph stays local
    again = push(build_dir, target.store_url)
    assert again.graphs == [] and again.skipped == CONTENT_GRAPHS  # the target holds them unchanged
    assert again.summary() == f"pushed 0 graphs (0 triples) to {target.store_url}; 2 unchanged there, skipped"
    assert counts_per_graph(target) == EXPECTED
    forced = push(build_dir, target.store_url, force=True)
    assert forced.graphs == report.graphs and not forced.skipped
    assert counts_per_graph(target) == EXPECTED


def test_the_ledger_records_one_hash_per_graph_and_a_changed_graph_is_pushed_again(
    build_dir: Path, target: ServerHandle
) -> None:
    push(build_dir, target.store_url)
    store = Store.read_only(str(build_dir / "store"))
    hashes = {g: content_hash(graph_body(store, g)) for g in CONTENT_GRAPHS}
    del store
    assert ledger_of(target) == {g: {h} for g, h in hashes.items()}
    extra = Store(str(build_dir / "store"))
    extra.add(Quad(NamedNode(CILIUM), NamedNode("urn:p"), Literal("new"), NamedNode(ids.GRAPH_CATALOG)))
    extra.flush()
    del extra
    report = push(build_dir, target.store_url)
    assert report.graphs == [(ids.GRAPH_CATALOG, 4)] and report.skipped == [ISSUE_GRAPH]
    assert counts_per_graph(target) == {ISSUE_GRAPH: 3, ids.GRAPH_CATALOG: 4}
    assert len(ledger_of(target)[ids.GRAPH_CATALOG]) == 1


def test_push_replaces_what_the_target_held(build_dir: Path, target: ServerHandle) -> None:
    stale = b"<urn:old> <urn:p> <urn:o> .\n<urn:old> <urn:p> <urn:o2> .\n<urn:old> <urn:p> <urn:o3> .\n"
    extra = b"<urn:x> <urn:p> <urn:y> .\n"
    for graph, body in ((ids.GRAPH_CATALOG, stale + extra), ("urn:other", extra)):
        put = httpx.put(
            target.store_url, params={"graph": graph}, content=body, headers={"Content-Type": "application/n-triples"}
        )
        assert put.status_code in (201, 204)
    push(build_dir, target.store_url)
    counts = counts_per_graph(target)
    assert counts == {**EXPECTED, "urn:other": 1}  # a graph the store does not know is left alone
    rows = httpx.get(
        target.url,
        params={"query": f"ASK {{ GRAPH <{ids.GRAPH_CATALOG}> {{ <urn:old> ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert rows["boolean"] is False


def test_push_selected_graphs(build_dir: Path, target: ServerHandle) -> None:
    report = push(build_dir, target.store_url, graphs=[ids.GRAPH_CATALOG])
    assert report.graphs == [(ids.GRAPH_CATALOG, 3)]
    assert counts_per_graph(target) == {ids.GRAPH_CATALOG: 3}
    with pytest.raises(KgError, match=rf"no graph <{CILIUM}> in the store"):
        push(build_dir, target.store_url, graphs=[CILIUM])


def test_unreachable_endpoint_names_the_url(build_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(KgError) as err:
        push(build_dir, url, timeout_s=5)
    message = str(err.value)
    assert message.startswith(f"{url}: cannot connect")
    assert message.endswith("0 of 2 graphs pushed before the failure (0 triples)")
    assert "\n" not in message


def test_password_is_not_shown(build_dir: Path) -> None:
    port = free_port()
    with pytest.raises(KgError) as err:
        push(build_dir, f"http://admin:s3cret@127.0.0.1:{port}/store", timeout_s=5)
    assert "s3cret" not in str(err.value)
    assert f"http://admin:***@127.0.0.1:{port}/store: cannot connect" in str(err.value)


def test_not_a_graph_store_is_a_4xx_error(build_dir: Path, target: ServerHandle) -> None:
    wrong = target.base_url + "/nothing"
    with pytest.raises(KgError, match=rf"^{wrong}: HTTP 404 Not Found: .*is this the graph-store endpoint\?"):
        push(build_dir, wrong)


def test_read_only_server_refuses(build_dir: Path, tmp_path: Path) -> None:
    with start_server(small_graph(tmp_path / "other"), None) as readonly:
        with pytest.raises(
            KgError, match=r"HTTP 403 Forbidden: The server is read-only while pushing <.*0 of 2 graphs"
        ):
            push(build_dir, readonly.store_url)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/store", "127.0.0.1:7878/store", "http://", "http://[::1/store"])
def test_bad_urls(build_dir: Path, url: str) -> None:
    with pytest.raises(KgError, match=r"not (a valid|an http\(s\)) URL"):
        push(build_dir, url)


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"nowhere: no built graph here; run `kg build` first"):
        push(tmp_path / "nowhere", "http://127.0.0.1:7878/store")


class _FailSecond(BaseHTTPRequestHandler):
    """A graph store that accepts the first PUT and fails on the second."""

    seen: list[str] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["Content-Length"]))
        _FailSecond.seen.append(self.path)
        ok = len(_FailSecond.seen) == 1
        self.send_response(204 if ok else 500)
        body = b"" if ok else b"disk full\nsecond line\n"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_failure_midway_says_what_was_pushed(build_dir: Path) -> None:
    _FailSecond.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FailSecond)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ds/data"
        with pytest.raises(KgError) as err:
            push(build_dir, url, jobs=1)  # one at a time: which graph comes second is then known
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert len(_FailSecond.seen) == 2 and _FailSecond.seen[0].startswith("/ds/data?graph=")
    assert str(err.value) == (
        f"{url}: HTTP 500 Internal Server Error: disk full while pushing <{CONTENT_GRAPHS[1]}>; "
        "1 of 2 graphs pushed before the failure (3 triples)"
    )


def test_report_counts_default_graph_triples_left_behind() -> None:
    report = PushReport("http://x/store", [("urn:g", 2)], default_graph_triples=5)
    assert (
        report.summary()
        == "pushed 1 graph (2 triples) to http://x/store; 5 triples of the default graph were not pushed"
    )


class _Accept(BaseHTTPRequestHandler):
    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_push_retries_a_store_that_is_still_starting(build_dir: Path) -> None:
    port = free_port()
    holder: list[ThreadingHTTPServer] = []

    def start_late() -> None:
        time.sleep(2.0)  # the first connection attempts are refused
        server = ThreadingHTTPServer(("127.0.0.1", port), _Accept)
        holder.append(server)
        server.serve_forever()

    thread = threading.Thread(target=start_late, daemon=True)
    thread.start()
    try:
        report = push(build_dir, f"http://127.0.0.1:{port}/store", timeout_s=5)
    finally:
        while not holder and thread.is_alive():
            time.sleep(0.05)
        if holder:
            holder[0].shutdown()
            holder[0].server_close()
        thread.join(timeout=5)
    assert len(report.graphs) == len(CONTENT_GRAPHS)


class _FailingProxy(BaseHTTPRequestHandler):
    """Passes requests on to a real graph store, but answers the ``fail_at``-th PUT of a graph with a 500:
    a push cut off midway."""

    target = ""
    fail_at = 2
    puts: list[str] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.command == "PUT" and ids.GRAPH_PUSH not in self.path.replace("%2F", "/").replace("%3A", ":"):
            _FailingProxy.puts.append(self.path)
            if len(_FailingProxy.puts) == _FailingProxy.fail_at:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        answer = httpx.request(self.command, _FailingProxy.target + self.path, content=body, headers=headers)
        self.send_response(answer.status_code)
        self.send_header("Content-Length", str(len(answer.content)))
        if "content-type" in answer.headers:
            self.send_header("Content-Type", answer.headers["content-type"])
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_PUT = do_POST = _forward  # noqa: N815 - http.server's naming

    def log_message(self, *args: object) -> None:
        pass


def test_a_push_cut_off_midway_resumes_with_the_graphs_not_yet_pushed(build_dir: Path, target: ServerHandle) -> None:
    _FailingProxy.target, _FailingProxy.puts = target.base_url, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FailingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(KgError, match=r"HTTP 500 .*1 of 2 graphs pushed before the failure"):
            push(build_dir, f"http://127.0.0.1:{server.server_address[1]}/store", jobs=1)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    first, cut = CONTENT_GRAPHS
    assert counts_per_graph(target) == {first: EXPECTED[first]}
    resumed = push(build_dir, target.store_url)
    assert resumed.skipped == [first]  # pushed before the failure: not again
    assert resumed.graphs == [(cut, EXPECTED[cut])]
    assert counts_per_graph(target) == EXPECTED
    assert {g: len(v) for g, v in ledger_of(target).items()} == {first: 1, cut: 1}  # clean again


def test_parallel_push_uploads_every_graph(build_dir: Path, target: ServerHandle) -> None:
    report = push(build_dir, target.store_url, jobs=8)
    assert report.graphs == [(g, EXPECTED[g]) for g in CONTENT_GRAPHS]
    assert counts_per_graph(target) == EXPECTED
