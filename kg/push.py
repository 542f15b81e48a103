"""`kg push URL`: upload the store's named graphs to a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Each graph goes as ``PUT <url>?graph=<graph IRI>`` with an N-Triples body: PUT *replaces* the graph, so
pushing twice leaves the target as it was after the first push.  The bookkeeping graph of `kg build`
(``…/id/graph/build``) stays local.  Graph-store URLs: Oxigraph ``http://host:7878/store``, Fuseki
``http://host:3030/<dataset>/data``, GraphDB ``http://host:7200/repositories/<repo>/rdf-graphs/service``,
Neptune ``https://<cluster>:8182/sparql/gsp/`` (docs/endpoint.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kg.errors import KgError
from kg.ids import GRAPH_BUILD
from kg.serve import store_location

# Connection failures (a store still starting, a dropped connection) are retried with backoff by httpx's
# transport (0.5 s, 1 s, 2 s, …); an HTTP error answer is not retried: the store said no.
RETRIES = 4
CONTENT_TYPE = "application/n-triples"  # UTF-8 by definition; understood by every graph store we target


@dataclass
class PushReport:
    """What a push uploaded: (graph IRI, triples) in upload order."""

    url: str
    graphs: list[tuple[str, int]] = field(default_factory=list)
    default_graph_triples: int = 0  # not pushed: the graph store protocol's default graph is the target's own

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)

    def summary(self) -> str:
        count = len(self.graphs)
        text = f"pushed {count} graph{'' if count == 1 else 's'} ({self.triples} triples) to {self.url}"
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


def push(store_dir: Path, url: str, graphs: list[str] | None = None, timeout_s: float = 60) -> PushReport:
    """PUT each named graph of the built store (all but the bookkeeping graph, or just `graphs`) to `url`."""
    endpoint = check_url(url)
    shown = display_url(url)
    location = store_location(Path(store_dir))
    # Read-only opening takes no lock: pushing works while `kg serve` runs on the same store.
    try:
        store = Store.read_only(str(location))
    except OSError as err:
        raise KgError(f"{location}: cannot open the store: {str(err).splitlines()[0]}") from err
    available = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode) and g.value != GRAPH_BUILD)
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

    def failed(problem: str, graph: str) -> KgError:
        done = len(report.graphs)
        return KgError(
            f"{shown}: {problem} while pushing <{graph}>; "
            f"{done} of {len(selected)} graphs pushed before the failure ({report.triples} triples)"
        )

    # Environment proxies / .netrc apply to remote stores, but a proxy must never swallow a push to a local one.
    local = endpoint.host in ("127.0.0.1", "::1", "localhost")
    transport = httpx.HTTPTransport(retries=RETRIES)
    client = httpx.Client(timeout=timeout_s, trust_env=not local, transport=transport)
    with client, _progress(len(selected)) as progress:
        task = progress.add_task("", total=len(selected))
        for graph in selected:
            progress.update(task, description=graph)
            body = store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph))
            try:
                response = client.put(
                    endpoint, params={"graph": graph}, content=body, headers={"Content-Type": CONTENT_TYPE}
                )
            except httpx.ConnectError as err:
                raise failed(f"cannot connect ({err})", graph) from err
            except httpx.TimeoutException as err:
                raise failed(f"no answer within {timeout_s:g} s ({type(err).__name__})", graph) from err
            except httpx.HTTPError as err:
                raise failed(f"{type(err).__name__}: {err}", graph) from err
            if not response.is_success:
                raise failed(_http_error(response), graph)
            report.graphs.append((graph, body.count(b"\n")))  # N-Triples: one triple per line
            progress.advance(task)
    return report
