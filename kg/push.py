"""`kg push URL`: upload the store's named graphs to a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Each graph goes as ``PUT <url>?graph=<graph IRI>`` with an N-Triples body: PUT *replaces* the graph, so
pushing twice leaves the target as it was after the first push.  Uploads run ``--jobs`` at a time, and a
ledger graph in the target (``…/id/graph/push``: each graph's content hash) lets a push skip the graphs the
target already holds with the same content, so a push cut off is resumed by running it again.  The
bookkeeping graph of `kg build` (``…/id/graph/build``) stays local.  Graph-store URLs: Oxigraph
``http://host:7878/store``, Fuseki ``http://host:3030/<dataset>/data``, GraphDB ``http://host:7200/repositories/<repo>/rdf-graphs/service``,
Neptune ``https://<cluster>:8182/sparql/gsp/`` (docs/endpoint.md).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Store, parse
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kg.errors import KgError
from kg.ids import GRAPH_BUILD, GRAPH_PUSH
from kg.serve import store_location

# Connection failures (a store still starting, a dropped connection) are retried with backoff by httpx's
# transport (0.5 s, 1 s, 2 s, …); an HTTP error answer is not retried: the store said no.
RETRIES = 4
CONTENT_TYPE = "application/n-triples"  # UTF-8 by definition; understood by every graph store we target
_PUT_HEADERS = {"Content-Type": CONTENT_TYPE}
# Uploads at once (``kg push --jobs``): a graph store takes parallel PUTs of different graphs; more than
# a few buys little on one server and holds that many graphs' bodies in memory.
JOBS = 4
LEDGER_BATCH = 256  # graphs per round of ledger records (two small POSTs per round, not per graph)
PUSHING = "pushing:"  # the ledger's record of an upload started (see _Ledger)
LEDGER_PREDICATE = NamedNode("https://w3id.org/cnkg/ontology#contentHash")


@dataclass
class PushReport:
    """What a push uploaded: (graph IRI, triples) in graph order; the graphs the target already held."""

    url: str
    graphs: list[tuple[str, int]] = field(default_factory=list)
    default_graph_triples: int = 0  # not pushed: the graph store protocol's default graph is the target's own
    skipped: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)

    def summary(self) -> str:
        count = len(self.graphs)
        text = f"pushed {count} graph{'' if count == 1 else 's'} ({self.triples} triples) to {self.url}"
        if self.skipped:
            text += f"; {len(self.skipped)} unchanged there, skipped"
        if self.default_graph_triples:
            text += f"; {self.default_graph_triples} triples of the default graph were not pushed"
        return text


def display_url(url: str) -> str:
    """The URL without a password, for messages (credentials may be given as http://user:pass@host/…)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return url
    if parsed.password:
        return str(parsed.copy_with(username=parsed.username, password="***"))
    return url


def check_url(url: str) -> httpx.URL:
    """The endpoint URL parsed, or a KgError saying what a graph-store URL looks like."""
    example = "e.g. http://127.0.0.1:7878/store"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as err:
        raise KgError(f"{display_url(url)}: not a valid URL ({err}); give the graph-store endpoint, {example}") from err
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise KgError(f"{display_url(url)}: not an http(s) URL with a host; give the graph-store endpoint, {example}")
    return parsed


def _progress(total: int) -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("push"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # quiet when piped or in CI
    )


def _http_error(response: httpx.Response) -> str:
    reason = response.reason_phrase or ""
    text = f"HTTP {response.status_code} {reason}".rstrip()
    if 300 <= response.status_code < 400 and "location" in response.headers:
        text += f" (redirect to {response.headers['location']})"
    body = response.text.strip().splitlines()
    if body:
        text += f": {body[0][:200]}"
    if response.status_code in (404, 405, 415):
        text += " (is this the graph-store endpoint? Oxigraph: …/store, Fuseki: …/<dataset>/data)"
    return text


def graph_body(store: Store, graph: str) -> bytes:
    """One graph as sorted N-Triples: the same content gives the same bytes (and content hash)."""
    lines = store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph)).splitlines(keepends=True)
    return b"".join(sorted(lines))


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class _Ledger:
    """The target's record of what `kg push` put there: ``<graph> cnkg:contentHash "sha256"`` in the
    target's own ``…/id/graph/push`` graph.

    Before a batch is uploaded a ``"pushing:<hash>"`` record is added for each graph, after it the hash
    itself, and at the end of the push the ledger is replaced by a clean one (one hash per graph).  A graph
    is skipped only when its records name one hash, equal to the local content's, and say its upload
    completed: a push cut off at any point leaves the graphs it may have been uploading without that (or
    with two hashes), so the next push uploads them again and skips the ones that completed.
    Records live in the target, beside the data they describe: a target wiped or restored loses or
    restores them with it.  A target that does not answer GET (some write-only endpoints) has no ledger:
    everything is pushed, as before."""

    def __init__(self, client: httpx.Client, endpoint: httpx.URL) -> None:
        self.client = client
        self.endpoint = endpoint
        self.records: dict[str, set[str]] = {}
        self.enabled = False

    def read(self) -> None:
        response = self.client.get(self.endpoint, params={"graph": GRAPH_PUSH}, headers={"Accept": CONTENT_TYPE})
        if response.status_code == 404:  # no push recorded there yet
            self.enabled = True
            return
        if response.status_code in (405, 501) or not response.is_success:
            return  # cannot be read: no skipping
        self.enabled = True
        for triple in parse(response.content, RdfFormat.N_TRIPLES):
            if triple.predicate == LEDGER_PREDICATE and isinstance(triple.subject, NamedNode):
                self.records.setdefault(triple.subject.value, set()).add(triple.object.value)

    def known(self, graph: str) -> str | None:
        """The content the target surely holds for ``graph``: its one recorded hash, when no upload of other
        content was started since (a ``pushing:`` record of another hash); else None."""
        values = self.records.get(graph, set())
        hashes = {v.removeprefix(PUSHING) for v in values}
        if len(hashes) == 1 and (digest := next(iter(hashes))) in values:
            return digest
        return None

    def holds(self, graph: str, digest: str) -> bool:
        return self.enabled and self.known(graph) == digest

    def _lines(self, items: list[tuple[str, str]]) -> bytes:
        return "".join(f"{NamedNode(g)} {LEDGER_PREDICATE} {Literal(v)} .\n" for g, v in items).encode("utf-8")

    def add(self, items: list[tuple[str, str]]) -> httpx.Response | None:
        """Append records (a GSP POST merges into the graph)."""
        if not self.enabled or not items:
            return None
        return self.client.post(
            self.endpoint,
            params={"graph": GRAPH_PUSH},
            content=self._lines(items),
            headers={"Content-Type": CONTENT_TYPE},
        )

    def replace(self, current: dict[str, str]) -> httpx.Response | None:
        """The clean ledger: one hash per graph known to be in the target."""
        if not self.enabled:
            return None
        clean = {g: h for g in self.records if g not in current and (h := self.known(g)) is not None}
        clean.update(current)
        return self.client.put(
            self.endpoint,
            params={"graph": GRAPH_PUSH},
            content=self._lines(sorted(clean.items())),
            headers=_PUT_HEADERS,
        )


def push(
    store_dir: Path,
    url: str,
    graphs: list[str] | None = None,
    timeout_s: float = 60,
    jobs: int = JOBS,
    force: bool = False,
) -> PushReport:
    """PUT each named graph of the built store (all but the bookkeeping graph, or just `graphs`) to `url`,
    ``jobs`` at a time, skipping those the target's ledger says it holds with the same content (unless
    ``force``)."""
    endpoint = check_url(url)
    shown = display_url(url)
    location = store_location(Path(store_dir))
    # Read-only opening takes no lock: pushing works while `kg serve` runs on the same store.
    try:
        store = Store.read_only(str(location))
    except OSError as err:
        raise KgError(f"{location}: cannot open the store: {str(err).splitlines()[0]}") from err
    local_only = (GRAPH_BUILD, GRAPH_PUSH)
    available = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode) and g.value not in local_only)
    if graphs:
        unknown = [g for g in graphs if g not in available]
        if unknown:
            raise KgError(
                f"{store_dir}: no graph <{unknown[0]}> in the store ({len(available)} graphs; see `kg stats`)"
            )
        selected = list(dict.fromkeys(graphs))
    else:
        selected = available
    report = PushReport(shown)
    report.default_graph_triples = sum(1 for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    pushed: dict[str, int] = {}

    def failed(problem: str, graph: str) -> KgError:
        done = [(g, pushed[g]) for g in selected if g in pushed]
        return KgError(
            f"{shown}: {problem} while pushing <{graph}>; "
            f"{len(done)} of {len(selected)} graphs pushed before the failure ({sum(n for _, n in done)} triples)"
        )

    def send(what: str, request: Callable[[], httpx.Response | None]) -> httpx.Response | None:
        try:
            response = request()
        except httpx.ConnectError as err:
            raise failed(f"cannot connect ({err})", what) from err
        except httpx.TimeoutException as err:
            raise failed(f"no answer within {timeout_s:g} s ({type(err).__name__})", what) from err
        except httpx.HTTPError as err:
            raise failed(f"{type(err).__name__}: {err}", what) from err
        if response is not None and not response.is_success:
            raise failed(_http_error(response), what)
        return response

    # Environment proxies / .netrc apply to remote stores, but a proxy must never swallow a push to a local one.
    local = endpoint.host in ("127.0.0.1", "::1", "localhost")
    transport = httpx.HTTPTransport(retries=RETRIES)
    limits = httpx.Limits(max_connections=max(1, jobs), max_keepalive_connections=max(1, jobs))
    client = httpx.Client(timeout=timeout_s, trust_env=not local, transport=transport, limits=limits)
    ledger = _Ledger(client, endpoint)
    hashes: dict[str, str] = {}
    with client, _progress(len(selected)) as progress, ThreadPoolExecutor(max(1, jobs)) as pool:
        task = progress.add_task("", total=len(selected))
        send(GRAPH_PUSH, lambda: ledger.read() or None)  # read with --force too: the new records go in it

        def upload(graph: str) -> int:
            body = graph_body(store, graph)
            send(graph, lambda: client.put(endpoint, params={"graph": graph}, content=body, headers=_PUT_HEADERS))
            return body.count(b"\n")  # N-Triples: one triple per line

        for start in range(0, len(selected), LEDGER_BATCH):
            batch: list[tuple[str, str]] = []
            for graph in selected[start : start + LEDGER_BATCH]:
                hashes[graph] = content_hash(graph_body(store, graph))
                if not force and ledger.holds(graph, hashes[graph]):
                    report.skipped.append(graph)
                    progress.advance(task)
                else:
                    batch.append((graph, hashes[graph]))
            if not batch:
                continue
            send(batch[0][0], lambda b=batch: ledger.add([(g, PUSHING + h) for g, h in b]))
            futures = {pool.submit(upload, graph): graph for graph, _ in batch}
            problem: BaseException | None = None
            for future in as_completed(futures):
                graph = futures[future]
                progress.update(task, description=graph)
                try:
                    pushed[graph] = future.result()
                except KgError as err:
                    problem = problem or err
                progress.advance(task)
            done = [(g, h) for g, h in batch if g in pushed]
            if problem is not None:
                for future in futures:
                    future.cancel()
                with contextlib.suppress(KgError):
                    send(done[0][0] if done else batch[0][0], lambda d=done: ledger.add(d))
                raise problem
            send(batch[0][0], lambda d=done: ledger.add(d))
        current = {g: hashes[g] for g in selected}
        send(GRAPH_PUSH, lambda: ledger.replace(current))
    report.graphs = [(g, pushed[g]) for g in selected if g in pushed]
    return report
