"""The window of a view (which issues' mentions count) and the counts of entities inside it.

Counts come from the totals `kg build` materialises (kg/aggregates.py): the stats graph's
cnkg:MentionTotal rows, or, inside a date range, the mentions of the issues in it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyoxigraph import Literal

from kg.errors import KgError
from kg.graphview.read import STATS, among, chunks, iris_text, local_name
from kg.model import checked_date
from kg.store import GraphStore


@dataclass
class Window:
    """The issues whose mentions count: some newsletters' and/or those inside a date range (all when empty)."""

    series: list[str] | None = None  # newsletter IRIs
    since: str | None = None  # YYYY[-MM[-DD]], inclusive, compared by prefix
    until: str | None = None

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    @property
    def empty(self) -> bool:
        return not self.series and not self.dated

    def dated_issues(self) -> str:
        """SPARQL binding ?i (an issue inside the window that has a date), its graph ?g and its date ?d.

        Only issues carry schema:datePublished (kg/rdf.py), so this is one index range, without a type
        test per subject."""
        parts = ["GRAPH ?g { ?i schema:datePublished ?d }", self.date_filter("?d"), self.series_scope()]
        return " ".join(p for p in parts if p)

    def issues(self) -> str:
        """SPARQL binding ?i (any issue inside the window), its graph ?g and its date ?d when it has one."""
        if self.dated:
            return self.dated_issues()
        scope = self.series_scope() or "GRAPH ?g { ?i a cnkg:Issue }"
        return scope + " OPTIONAL { GRAPH ?g { ?i schema:datePublished ?d } }"

    def series_scope(self) -> str:
        """SPARQL binding ?i to the issues of the window's newsletters ("" without a series)."""
        if not self.series:
            return ""
        return f"GRAPH ?g {{ ?i schema:isPartOf ?series_ }} {among('?series_', self.series)}"

    def date_filter(self, date: str) -> str:
        # Partial dates compare by prefix: --since 2019 keeps 2019-01-01 onwards, --until 2019-08 all of August.
        tests = []
        if self.since:
            tests.append(f"STR({date}) >= {Literal(self.since)}")
        if self.until:
            tests.append(f"SUBSTR(STR({date}), 1, {len(self.until)}) <= {Literal(self.until)}")
        return f"FILTER({' && '.join(tests)})" if tests else ""


def resolve_window(graph: GraphStore, series: str | None, since: str | None, until: str | None) -> Window:
    """The window of ``kg viz --series/--since/--until``; an unknown series is a one-line error."""
    window = Window(since=checked_date(since, "--since"), until=checked_date(until, "--until"))
    if series:
        # Newsletters that have issues: a DISTINCT over one index range, then the labels of those few.
        used = [r["n"] for r in graph.select("SELECT DISTINCT ?n WHERE { GRAPH ?g { ?i schema:isPartOf ?n } }")]
        labels: dict[str, set[str]] = defaultdict(set)
        if used:
            q = f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {iris_text(used)} }} ?n a cnkg:Newsletter ; rdfs:label ?l }}"
            for row in graph.select(q):
                labels[row["n"]].add(row["l"].casefold())
        key = series.casefold()
        window.series = sorted(n for n in used if key == local_name(n).casefold() or key in labels[n])
        if not window.series:
            known = sorted({local_name(n) for n in used})
            raise KgError(f"no newsletter series '{series}' in the graph (known: {', '.join(known) or 'none'})")
    return window


@dataclass
class Count:
    mentions: int
    issues: int


def count_rows(window: Window, issues: bool = True) -> str:
    """SPARQL rows ``?e ?n`` (and ``?k`` with ``issues``) whose sums per entity are its mentions (and
    issues) inside the window."""
    if not window.dated:
        # The stats graph holds one row per (entity, newsletter): a series window is a filter on them.
        # Only a MentionTotal has a mentionCount there, so no type test (a lookup per row) is needed.
        series = f"; cnkg:inSeries ?s }} {among('?s', window.series)}" if window.series else "}"
        k = "; cnkg:issueCount ?k " if issues else ""
        return f"GRAPH {STATS} {{ ?x cnkg:mentionCount ?n ; cnkg:tallyOf ?e {k}{series}"
    # A date range counts the mentions of its issues, one row per (entity, issue): work in proportion to
    # the window.
    return (
        f"{{ SELECT ?e (COUNT(*) AS ?n) WHERE {{ {window.dated_issues()} GRAPH ?g {{ ?m cnkg:refersTo ?e }} }} "
        "GROUP BY ?e ?g } BIND(1 AS ?k)"
    )


def counts_of(graph: GraphStore, window: Window, iris: list[str]) -> dict[str, Count]:
    """Mentions and issues of these entities inside the window (absent: none)."""
    counts: dict[str, Count] = {}
    for chunk in chunks(iris):
        q = (
            f"SELECT ?e (SUM(?n) AS ?m) (SUM(?k) AS ?i) "
            f"WHERE {{ VALUES ?e {{ {iris_text(chunk)} }} {count_rows(window)} }} "
            "GROUP BY ?e"
        )
        for row in graph.select(q):
            counts[row["e"]] = Count(int(row["m"]), int(row["i"]))
    return counts


def ranked_counts(
    graph: GraphStore, window: Window, wanted: set[str] | None, least: int, limit: int | None
) -> list[tuple[str, int]]:
    """(entity, mentions) with at least ``least`` (>= 1) mentions in the window, most first, ``limit`` rows."""
    # A type test costs a lookup per entity: left out when every type is wanted (the caller checks the
    # types of the rows it keeps), like the issue counts (read for those rows only).
    types = (
        f"FILTER EXISTS {{ ?e a ?type FILTER(?type IN ({', '.join(f'cnkg:{t}' for t in sorted(wanted))})) }}"
        if wanted
        else ""
    )
    q = (
        f"SELECT ?e (SUM(?n) AS ?m) WHERE {{ {count_rows(window, issues=False)} {types} }} GROUP BY ?e "
        f"HAVING (SUM(?n) >= {int(least)}) ORDER BY DESC(?m)" + (f" LIMIT {int(limit)}" if limit is not None else "")
    )
    return [(row["e"], int(row["m"])) for row in graph.select(q)]
