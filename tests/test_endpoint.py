"""`kg serve` end to end: the real command, its Oxigraph servers, queried over HTTP (issues 12.4 and 17.6).

Each server here is `python -m kg.cli serve` in a subprocess over a store built from the seed issue, always
stopped (and its Oxigraph children killed) at the end.  Time bounds are generous and only guard against
hangs: the timings themselves are measured by bench/bench_serve.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from kg import query as q
from kg.build import build
from kg.endpoint.pages import ready_link
from kg.serve import free_port
from kg.store import GraphStore

from .conftest import SEED

REPO = Path(__file__).resolve().parents[1]
JSON = {"Accept": "application/sparql-results+json"}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEAVY_SORT = "SELECT ?c WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 5"
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("endpoint")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    assert build([corpus], root / "build", write_html=False).ok
    return root / "build"


@dataclass
class Serve:
    process: subprocess.Popen[str]
    base: str

    @property
    def url(self) -> str:
        return self.base + "/query"

    def backends(self) -> list[int]:
        return _children(self.process.pid)


@contextlib.contextmanager
def kg_serve(store: Path, *options: str) -> Iterator[Serve]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port), *options],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once every server answers
        assert first.startswith("SPARQL endpoint"), first + (process.stderr.read() if process.stderr else "")
        serve = Serve(process, f"http://127.0.0.1:{port}")
        seen = serve.backends()
        yield serve
        seen += serve.backends()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in set(seen):  # never leave an Oxigraph server behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def serve(store_dir: Path) -> Iterator[Serve]:
    with kg_serve(store_dir, "--timeout", "2", "--max-queries", "3") as running:
        yield running


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by `pids` (those still alive)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def _rows(results: QuerySolutions) -> list[tuple[str, ...]]:
    columns = [v.value for v in results.variables]
    return [tuple(str(row[c]) if row[c] is not None else "" for c in columns) for row in results]


def _kg_query_rows(store_dir: Path, name: str, given: dict[str, str]) -> list[tuple[str, ...]]:
    """The rows `kg query NAME --param k=v` computes (the same resolve and binding, in this process)."""
    sparql, params = q.resolve(name, None, given)
    with GraphStore.open(store_dir, read_only=True) as graph:
        result = graph.query(sparql, params)
        assert isinstance(result, QuerySolutions)
        return _rows(result)


def _http_rows(response: httpx.Response) -> list[tuple[str, ...]]:
    assert response.status_code == 200, response.text
    parsed = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(parsed, QuerySolutions)
    return _rows(parsed)


# ---------------------------------------------------------------------------- canned queries


def test_every_canned_file_runs_as_it_is_with_the_rows_of_kg_query(serve: Serve, store_dir: Path) -> None:
    for name, canned in q.canned_queries().items():
        # The file itself, byte for byte, as any SPARQL client would send it: no prefixes predefined.
        as_is = httpx.post(
            serve.url,
            content=canned.path.read_bytes(),  # type: ignore[union-attr]
            headers={**JSON, "Content-Type": "application/sparql-query"},
            timeout=30,
        )
        required = [p for p in canned.params if not p.optional]
        if not required:
            assert _http_rows(as_is) == _kg_query_rows(store_dir, name, {}), name
            continue
        assert as_is.status_code == 200, (name, as_is.text)  # unbound required parameters: it runs, matching nothing
        # With parameters: through the canned-query page, which binds them as `kg query --param` does.
        examples = dict(httpx.QueryParams(ready_link(canned).partition("?")[2]))
        assert set(examples) == {p.name for p in required}, name
        page = httpx.get(serve.base + f"/queries/{name}", params={**examples, "_format": "json"}, timeout=30)
        assert _http_rows(page) == _kg_query_rows(store_dir, name, examples), name


def test_kg_query_still_pages_the_canned_files(store_dir: Path) -> None:
    """The paging line's default (LIMIT 100 in the file) gives way to the one asked for."""
    assert len(_kg_query_rows(store_dir, "issues", {"limit": "0"})) == 0
    everything = _kg_query_rows(store_dir, "most-mentioned-projects", {})
    assert everything and len(everything) <= 20


def test_page_lists_every_canned_query_and_its_links_run(serve: Serve) -> None:
    index = httpx.get(serve.base + "/queries", timeout=10)
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert "<script" not in index.text and "http" not in re.sub(r'href="[^"]*"', "", index.text).replace(
        "http-equiv", ""
    ), "the page must load nothing from elsewhere"
    links = [unescape(link) for link in re.findall(r'<a class="run" href="([^"]+)"', index.text)]
    queries = q.canned_queries()
    assert len(links) == len(queries)
    for name, canned in queries.items():
        assert f'id="{name}"' in index.text and canned.title in unescape(index.text)
        for param in canned.params:  # every parameter has a field, with its default filled in
            assert f'name="{param.name}"' in index.text
    for link in links:
        page = httpx.get(serve.base + link, timeout=30)
        assert page.status_code == 200, (link, page.text[-500:])
        assert "<table>" in page.text and re.search(r"<p>\d+ rows?</p>", page.text), link


def test_page_parameters_are_validated_and_escaped(serve: Serve) -> None:
    bad = httpx.get(serve.base + "/queries/keps", params={"limit": "3; DROP ALL"}, timeout=10)
    assert bad.status_code == 400 and "parameter limit must be a whole number" in unescape(bad.text)
    hostile = '<script>alert(1)</script>") } } SELECT * WHERE { ?s ?p ?o } #'
    page = httpx.get(serve.base + "/queries/project-mentions", params={"name": hostile}, timeout=10)
    assert page.status_code == 200 and "<p>0 rows</p>" in page.text
    assert "<script>" not in page.text
    missing = httpx.get(serve.base + "/queries/project-mentions", timeout=10)
    assert missing.status_code == 400 and "missing parameter name" in missing.text
    assert httpx.get(serve.base + "/queries/nope", timeout=10).status_code == 404
    csv = httpx.get(serve.base + "/queries/keps", params={"limit": "2", "_format": "csv"}, timeout=10)
    assert csv.headers["content-type"].startswith("text/csv") and len(csv.text.strip().splitlines()) <= 3


# ---------------------------------------------------------------------------- the SPARQL protocol through the front


def test_protocol_paths_and_content_negotiation(serve: Serve) -> None:
    got = httpx.get(serve.url, params={"query": LIGHT}, headers={"Accept": "text/csv"}, timeout=10)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    posted = httpx.post(serve.url, data={"query": LIGHT}, headers=JSON, timeout=10)
    assert json.loads(posted.text)["results"]["bindings"][0]["n"]["value"] == got.text.split()[1]
    direct = httpx.post(serve.url, content=LIGHT, headers={**JSON, "Content-Type": "application/sparql-query"})
    assert direct.status_code == 200
    ui = httpx.get(serve.base + "/", timeout=10)
    assert ui.status_code == 200 and "Oxigraph" in ui.text
    assert httpx.get(serve.base + "/yasgui.min.js", timeout=10).status_code == 200
    update = httpx.post(
        serve.base + "/update", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert update.status_code == 403
    assert httpx.get(serve.url, params={"query": "SELECT nonsense"}, timeout=10).status_code == 400


def test_service_is_refused_by_default(serve: Serve) -> None:
    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    for response in (
        httpx.get(serve.url, params={"query": federated}, timeout=10),
        httpx.post(serve.url, data={"query": federated}, timeout=10),
        httpx.post(serve.url, content=federated, headers={"Content-Type": "application/sparql-query"}),
        httpx.get(serve.base + "/sparql", params={"query": federated}, timeout=10),  # the UI's path
        # Two query values (whichever one the engine would take), a body under another content type.
        httpx.get(serve.url, params=[("query", LIGHT), ("query", federated)], timeout=10),
        httpx.post(serve.url, content=federated, headers={"Content-Type": "text/plain"}),
    ):
        assert response.status_code == 400
        assert "SERVICE is disabled" in response.text and "--allow-service" in response.text
    # The word in a string or an IRI is no SERVICE clause.
    fine = 'SELECT ?s WHERE { ?s ?p ?o FILTER(?o = "SERVICE" || ?s = <http://e.org/service>) }'
    assert httpx.get(serve.url, params={"query": fine}, headers=JSON, timeout=10).status_code == 200


# ---------------------------------------------------------------------------- limits


def test_an_overdue_query_is_stopped_with_an_error_status(serve: Serve) -> None:
    answers: dict[str, tuple[int, str, float]] = {}

    def ask(label: str, sparql: str) -> None:
        start = time.monotonic()
        response = httpx.get(serve.url, params={"query": sparql}, headers={"Accept": "text/csv"}, timeout=30)
        answers[label] = (response.status_code, response.text, time.monotonic() - start)

    heavy = [
        threading.Thread(target=ask, args=(label, sparql)) for label, sparql in (("count", HEAVY), ("sort", HEAVY_SORT))
    ]
    for thread in heavy:
        thread.start()
    time.sleep(0.5)
    ask("light", LIGHT)  # answered meanwhile, by the third slot
    for thread in heavy:
        thread.join(timeout=20)
    assert answers["light"][0] == 200 and answers["light"][2] < 2
    for label in ("count", "sort"):
        status, text, elapsed = answers[label]
        assert status == 504 and "query stopped after 2 s" in text, (label, status, text[:200])
        assert elapsed < 2 + 2, (label, elapsed)
        assert "cancelled" not in text
    # The overdue queries' servers were killed: the endpoint's processes are idle again within a second or two.
    time.sleep(1.0)
    pids = [serve.process.pid, *serve.backends()]
    before = _cpu_seconds(pids)
    time.sleep(1.0)
    assert _cpu_seconds(pids) - before < 0.3
    assert len(serve.backends()) == 3  # fresh servers took the killed ones' places
    assert httpx.get(serve.url, params={"query": LIGHT}, headers=JSON, timeout=10).status_code == 200


def test_concurrent_queries_are_capped(store_dir: Path) -> None:
    with kg_serve(store_dir, "--timeout", "3", "--max-queries", "1", "--queue-wait", "0.3") as one:
        heavy = threading.Thread(target=httpx.get, args=(one.url,), kwargs={"params": {"query": HEAVY}, "timeout": 30})
        heavy.start()
        time.sleep(0.5)
        start = time.monotonic()
        busy = httpx.get(one.url, params={"query": LIGHT}, headers=JSON, timeout=10)
        assert busy.status_code == 503 and "busy" in busy.text and busy.headers["retry-after"] == "1"
        assert time.monotonic() - start < 1.5
        heavy.join(timeout=20)
        assert httpx.get(one.url, params={"query": LIGHT}, headers=JSON, timeout=10).status_code == 200


class _Remote(BaseHTTPRequestHandler):
    """Another SPARQL endpoint, for SERVICE to call."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def log_message(self, *args: object) -> None:
        pass


def test_service_when_allowed_and_the_result_size_cap(store_dir: Path) -> None:
    remote = ThreadingHTTPServer(("127.0.0.1", 0), _Remote)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    try:
        with kg_serve(store_dir, "--allow-service", "--max-result-mb", "0.02") as open_one:
            federated = (
                f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{remote.server_address[1]}/sparql> {{ ?x ?y ?z }} }}"
            )
            rows = httpx.get(open_one.url, params={"query": federated}, headers=JSON, timeout=10).json()
            assert rows["results"]["bindings"] == [{"x": {"type": "literal", "value": "remote"}}]
            big = httpx.get(open_one.url, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON, timeout=10)
            assert big.status_code == 507 and "result larger than 0.02 MB" in big.text
            assert httpx.get(open_one.url, params={"query": LIGHT}, headers=JSON, timeout=10).status_code == 200
    finally:
        remote.shutdown()
        remote.server_close()


def test_the_curl_examples_of_the_docs_run(serve: Serve) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    doc = (REPO / "docs" / "endpoint.md").read_text(encoding="utf-8")
    block = doc.split("### From a SPARQL client", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip().startswith("curl ")]
    assert len(commands) >= 3
    port = serve.base.rsplit(":", 1)[1]
    for command in commands:
        runnable = command.replace("curl ", f"{curl} -sS --fail ", 1).replace(":7878/", f":{port}/")
        done = subprocess.run(["bash", "-c", runnable], cwd=REPO, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command


@pytest.mark.parametrize("remote", ["closed port", "answers with an HTML error page"])
def test_kg_query_with_a_failing_service_is_one_error_line(store_dir: Path, remote: str) -> None:
    port = free_port()
    server = None
    if remote != "closed port":  # Python's http.server: 501 and an HTML page for a SPARQL POST
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(port)
    federated = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", "query", federated, "--store", str(store_dir)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if server is not None:
            server.kill()
            server.wait()
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "SERVICE request failed" in done.stderr and "Traceback" not in done.stderr


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")
