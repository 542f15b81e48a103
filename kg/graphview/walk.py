"""The issues of a window newest (or oldest) first, and which of them mention each entity of a view.

A view's sources (the newest MAX_SOURCES issues of a node, and its first) and its evidence are found by
walking the window's issues in order a page at a time, checking each page against the per-issue tallies,
until every node has what it needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from kg.graphview.read import IssueInfo, among, chunks, iris_text, issue_facts, issue_info
from kg.graphview.window import Window
from kg.store import GraphStore

FIRST_PAGE = 64  # issues in the first page of a walk; pages double up to MAX_PAGE
MAX_PAGE = 4096

IssueHit = tuple[str, str]  # (issue IRI, its graph IRI): one issue mentioning an entity


class IssueWalk:
    """The window's issues in the views' order — (date, number zero-filled to 8, IRI) — a page at a time.

    A page is every issue of a run of whole dates, so pages follow one another exactly and only the
    issues of one date need their numbers.  Ordering by the date alone is one index range in Oxigraph
    (dates are stored inline): a page of a 10,000-issue store costs a few milliseconds.  Undated issues
    come first (oldest) as the views always sorted them."""

    def __init__(self, graph: GraphStore, window: Window, newest_first: bool) -> None:
        self.graph, self.window, self.newest_first = graph, window, newest_first
        self.size = FIRST_PAGE
        self.cursor: Any = None  # the last date paged (a pyoxigraph Literal)
        self.dated_done = False
        self.undated_done = window.dated  # a date range leaves undated issues out
        self.undated_first = not newest_first

    def pages(self) -> Iterator[list[tuple[str, str]]]:
        """(issue IRI, its graph IRI) lists, in walking order."""
        if self.undated_first and not self.undated_done:
            yield self._undated()
        while not self.dated_done:
            yield self._dated_page()
        if not self.undated_done:
            yield self._undated()

    def _dated_page(self) -> list[tuple[str, str]]:
        after = ""
        if self.cursor is not None:
            after = f"FILTER(?d {'<' if self.newest_first else '>'} {self.cursor})"
        order = "DESC(?d)" if self.newest_first else "?d"
        q = f"SELECT ?i ?g ?d WHERE {{ {self.window.dated_issues()} {after} }} ORDER BY {order} LIMIT {self.size}"
        rows = [(r["i"], r["g"], r["d"]) for r in self.graph.query(q)]
        if len(rows) < self.size:
            self.dated_done = True
        else:
            # The last date may go on past the limit: take that date's issues whole.
            last = rows[-1][2]
            rows = [r for r in rows if r[2] != last]
            q = f"SELECT ?i ?g ?d WHERE {{ {self.window.dated_issues()} FILTER(?d = {last}) }}"
            rows.extend((r["i"], r["g"], r["d"]) for r in self.graph.query(q))
            self.cursor = last
        self.size = min(self.size * 2, MAX_PAGE)
        return self._in_order([(i.value, g.value, d.value[:10]) for i, g, d in rows])

    def _undated(self) -> list[tuple[str, str]]:
        self.undated_done = True
        # Counting both is two index ranges (with a series, a lookup per issue); listing the undated
        # ones needs a lookup per issue, so it is done only when some issue has no date.
        scope = self.window.series_scope() or "GRAPH ?g { ?i a cnkg:Issue }"
        issues = self.graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {scope} }}")
        dated = self.graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {self.window.dated_issues()} }}")
        if int(issues[0]["n"]) <= int(dated[0]["n"]):
            return []
        q = f"SELECT ?i ?g WHERE {{ {scope} FILTER NOT EXISTS {{ GRAPH ?g {{ ?i schema:datePublished ?d }} }} }}"
        return self._in_order([(r["i"], r["g"], "") for r in self.graph.select(q)])

    def _in_order(self, rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        by_date: dict[str, list[str]] = defaultdict(list)
        for issue, _graph, date in rows:
            by_date[date].append(issue)
        tied = sorted({i for group in by_date.values() if len(group) > 1 for i in group})
        numbers: dict[str, str] = {}
        for chunk in chunks(tied):
            q = (
                f"SELECT ?i (MIN(STR(?n)) AS ?num) WHERE {{ VALUES ?i {{ {iris_text(chunk)} }} "
                "?i schema:issueNumber ?n } GROUP BY ?i"
            )
            numbers.update((r["i"], r["num"]) for r in self.graph.select(q))
        rows.sort(key=lambda r: (r[2], numbers.get(r[0], "").zfill(8), r[0]), reverse=self.newest_first)
        return [(issue, issue_graph) for issue, issue_graph, _date in rows]


def issue_hits(
    graph: GraphStore, window: Window, newest_first: bool, pending: set[str]
) -> Iterator[dict[str, list[IssueHit]]]:
    """Page by page in walking order, the issues that mention each entity still in ``pending``.

    The caller shrinks ``pending`` between pages and stops when it is empty.  A page is checked through
    the ``cnkg:mentions`` of its issue graphs (an index range per graph, no join; rows only for pending
    entities),
    and all of a page's hits are reported, so what an entity has been given is always a complete
    prefix of its issues."""
    for page in IssueWalk(graph, window, newest_first).pages():
        if not pending:
            return
        if not page:
            continue
        by_graph: dict[str, set[str]] = defaultdict(set)
        # IN compares each row with every entity listed: for many entities (a big view) the page's
        # rows are read whole and sorted out here.
        only_pending = among("?e", sorted(pending)) if len(pending) <= 100 else ""
        for graphs in chunks([g for _i, g in page], 1000):
            q = (
                f"SELECT DISTINCT ?g ?e WHERE {{ VALUES ?g {{ {iris_text(graphs)} }} "
                f"GRAPH ?g {{ ?i cnkg:mentions ?e }} {only_pending} }}"
            )
            for row in graph.select(q):
                if row["e"] in pending:
                    by_graph[row["g"]].add(row["e"])
        hits: dict[str, list[IssueHit]] = defaultdict(list)
        for issue, issue_graph in page:
            for e in by_graph.get(issue_graph, ()):
                hits[e].append((issue, issue_graph))
        yield hits


def walk(graph: GraphStore, window: Window, wanted: dict[str, int], newest_first: bool) -> dict[str, list[IssueHit]]:
    """For each entity, at least its first ``wanted[e]`` issues inside the window in walking order (or all)."""
    found: dict[str, list[IssueHit]] = defaultdict(list)
    pending = {e for e, n in wanted.items() if n > 0}
    for hits in issue_hits(graph, window, newest_first, pending):
        for e, issues in hits.items():
            found[e].extend(issues)
        pending -= {e for e in pending if len(found[e]) >= wanted[e]}
    return found


def issue_infos(graph: GraphStore, iris: list[str]) -> dict[str, IssueInfo]:
    """Label, date, number, series and URL of these issues."""
    facts: dict[str, dict[str, str]] = {}
    for chunk in chunks(iris):
        q = (
            f"SELECT DISTINCT ?i ?p ?v WHERE {{ VALUES ?i {{ {iris_text(chunk)} }} ?i ?p ?v FILTER(?p IN (rdfs:label, "
            "schema:datePublished, schema:issueNumber, schema:isPartOf, cnkg:url)) }"
        )
        facts.update(issue_facts(graph.select(q)))
    series = sorted({f["isPartOf"] for f in facts.values() if f.get("isPartOf")})
    newsletters: dict[str, str] = {}
    if series:
        q = f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {iris_text(series)} }} ?n a cnkg:Newsletter ; rdfs:label ?l }}"
        for row in graph.select(q):
            newsletters.setdefault(row["n"], row["l"])
    return {iri: issue_info(iri, fact, newsletters) for iri, fact in facts.items()}
