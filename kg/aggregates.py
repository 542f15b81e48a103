"""Materialised counts: the stats graph, sums of the per-issue tallies.

Each issue graph holds what is summed: its mention nodes (``?m cnkg:refersTo ?entity``: one per distinct
span and entity) and its ``cnkg:CoMentionTally`` nodes (written by :func:`kg.rdf.tally_quads`), one per
pair of projects sharing a sentence.  The stats graph (``ids.GRAPH_STATS``) holds their sums over the whole store:

- one ``cnkg:MentionTotal`` per (entity, newsletter): ``cnkg:mentionCount``, ``cnkg:issueCount``;
- one ``cnkg:CoMentionTotal`` per project pair: ``cnkg:sentenceCount``, ``cnkg:issueCount``.

The ranking queries read these few thousand rows instead of joining every mention.  A stamp in the
bookkeeping graph (:func:`current_stamp`) says which versions of which issues the totals were summed
from.  The builder keeps them current with :class:`Totals`: into an empty store it sums the tallies the
workers report (:func:`tallies_of`) and writes the graph (:meth:`Totals.write`); into a store whose stamp
matches it adds the new versions' tallies, subtracts those of the versions it replaces or removes
(:func:`stored_tallies`) and applies the difference to the changed keys (:meth:`Totals.apply`, one
transaction).  Otherwise (a new extractor, a build cut off before its stats) :func:`refresh` sums every
tally again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolution, QuerySolutions, RdfFormat, serialize

from kg import ids
from kg.store import GraphStore
from kg.vocab import CNKG, RDF, SCHEMA, XSD

_STATS = f"<{ids.GRAPH_STATS}>"
_BUILD = f"<{ids.GRAPH_BUILD}>"


def refresh(graph: GraphStore, stamp: str) -> None:
    """Sum every tally of every issue graph again and replace the stats graph with the totals, writing
    ``stamp`` into the bookkeeping graph: one transaction.

    The sums are read first (plain queries: reads inside an update's transaction are several times
    slower once it has written), then written with the stamp in one update; the builder is the only
    writer, so nothing changes in between."""
    stats = NamedNode(ids.GRAPH_STATS)
    fresh = [*_mention_totals(graph), *_co_mention_totals(graph)]
    build = NamedNode(ids.GRAPH_BUILD)
    operations = [
        f"DROP SILENT GRAPH {stats}",
        f"INSERT DATA {{ GRAPH {stats} {{\n{_triples(fresh)}}} }}" if fresh else "",
        f"DELETE WHERE {{ GRAPH {build} {{ {stats} {CNKG.statsStamp} ?stamp }} }}",
        f"INSERT DATA {{ GRAPH {build} {{ {stats} {CNKG.statsStamp} {Literal(stamp)} }} }}",
    ]
    graph.update(" ;\n".join(op for op in operations if op))


def current_stamp(graph: GraphStore) -> str | None:
    """The stamp of the last :func:`refresh`, None when the stats graph was never computed."""
    quad = next(graph.quads(NamedNode(ids.GRAPH_STATS), CNKG.statsStamp, None, ids.GRAPH_BUILD), None)
    return None if quad is None else quad.object.value


def _triples(quads: Iterable[Quad]) -> str:
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


def _select(graph: GraphStore, sparql: str) -> Iterator[QuerySolution]:
    """The solutions of a SELECT as RDF terms (the totals are written back as terms)."""
    result = graph.query(sparql)
    assert isinstance(result, QuerySolutions)
    return iter(result)


def total_quads(iris: Sequence[NamedNode], newsletter: NamedNode | None, count: int, issues: int) -> list[Quad]:
    """One total of the stats graph: a MentionTotal of an entity in a series (``newsletter`` given) or
    a CoMentionTotal of a project pair, with its count (mentions or sentences) and issue count."""
    stats = NamedNode(ids.GRAPH_STATS)
    if newsletter is not None:
        (entity,) = iris
        node = NamedNode(ids.tally_iri("mention-total", entity.value, newsletter.value))
        head = [Quad(node, RDF.type, CNKG.MentionTotal, stats), Quad(node, CNKG.tallyOf, entity, stats)]
        head.append(Quad(node, CNKG.inSeries, newsletter, stats))
        counted = CNKG.mentionCount
    else:
        first, second = iris
        node = NamedNode(ids.tally_iri("co-mention-total", first.value, second.value))
        head = [Quad(node, RDF.type, CNKG.CoMentionTotal, stats)]
        head += [Quad(node, CNKG.tallyOf, first, stats), Quad(node, CNKG.tallyOf, second, stats)]
        counted = CNKG.sentenceCount
    return [
        *head,
        Quad(node, counted, Literal(str(count), datatype=XSD.integer), stats),
        Quad(node, CNKG.issueCount, Literal(str(issues), datatype=XSD.integer), stats),
    ]


def _mention_totals(graph: GraphStore) -> Iterator[Quad]:
    """The MentionTotal quads of every entity, summed from the tallies.

    Hash joins of three sub-selects (the tallies, their counts, every issue graph's newsletter) rather
    than a lookup per tally: Oxigraph's point lookups cost several microseconds each."""
    # Mentions per (issue graph, entity) first, then summed per newsletter: COUNT(*) counts issues.
    sparql = """SELECT ?entity ?newsletter (SUM(?count) AS ?mentions) (COUNT(*) AS ?issues)
WHERE {
  { SELECT ?graph ?entity (COUNT(*) AS ?count) WHERE { GRAPH ?graph { ?mention cnkg:refersTo ?entity } }
    GROUP BY ?graph ?entity }
  { SELECT ?graph ?newsletter WHERE { GRAPH ?graph { ?issue schema:isPartOf ?newsletter } } }
}
GROUP BY ?entity ?newsletter"""
    for row in _select(graph, sparql):
        counts = int(row["mentions"].value), int(row["issues"].value)
        yield from total_quads([row["entity"]], row["newsletter"], *counts)


def _co_mention_totals(graph: GraphStore) -> Iterator[Quad]:
    """The CoMentionTotal quads of every project pair, summed from the tallies."""
    stats = NamedNode(ids.GRAPH_STATS)  # holds CoMentionTotals, with sentenceCount and tallyOf too
    tallies = f"""GRAPH ?graph {{ ?tally cnkg:sentenceCount ?count ; cnkg:tallyOf ?first , ?second }}
  FILTER(?graph != {stats} && STR(?first) < STR(?second))"""
    # One CoMentionTally per (issue graph, pair): COUNT(*) counts issues.
    sparql = f"""SELECT ?first ?second (SUM(?count) AS ?sentences) (COUNT(*) AS ?issues)
WHERE {{
  {tallies}
}}
GROUP BY ?first ?second"""
    for row in _select(graph, sparql):
        yield from total_quads(
            [row["first"], row["second"]], None, int(row["sentences"].value), int(row["issues"].value)
        )


class Totals:
    """Totals summed in Python from the tallies the workers report: the whole stats graph for a build
    into an empty store (the same quads as :func:`refresh`, tested, at a fraction of its cost: ~17 s
    for the grouped SPARQL pass at 10,000 issues), or the difference an incremental build makes."""

    def __init__(self) -> None:
        self.mentions: dict[tuple[str, str], list[int]] = {}  # (entity, newsletter) -> [mentions, issues]
        self.pairs: dict[tuple[str, str], list[int]] = {}  # (first, second) -> [sentences, issues]

    def add_issue(self, newsletter: str, tallies: Iterable[tuple[tuple[str, ...], int]], sign: int = 1) -> None:
        """One issue's tallies, (entity,) -> mentions or (first, second) -> sentences: added for a
        version stored, subtracted (``sign=-1``) for a version replaced or removed."""
        for iris, count in tallies:
            if len(iris) == 1:
                row = self.mentions.setdefault((iris[0], newsletter), [0, 0])
            else:
                first, second = sorted(iris)
                row = self.pairs.setdefault((first, second), [0, 0])
            row[0] += sign * count
            row[1] += sign

    def _rows(self) -> list[tuple[list[NamedNode], NamedNode | None, list[int]]]:
        """(IRIs counted, newsletter or None for a pair, [count, issues]) of every key."""
        return [([NamedNode(e)], NamedNode(n), change) for (e, n), change in self.mentions.items()] + [
            ([NamedNode(a), NamedNode(b)], None, change) for (a, b), change in self.pairs.items()
        ]

    def apply(self, graph: GraphStore, stamp: str) -> None:
        """Add these changes to the stats graph's totals and set the stamp, in one transaction.

        Reads only the totals of the keys that changed (index lookups by their IRIs): adding one
        issue to 10,000 touches ~100 keys, whereas summing their tallies again reads ~100,000."""
        old: list[Quad] = []
        new: list[Quad] = []
        for iris, newsletter, (count_change, issue_change) in self._rows():
            if count_change == 0 and issue_change == 0:
                continue
            node = total_quads(iris, newsletter, 0, 0)[0].subject
            current = list(graph.quads(node, None, None, ids.GRAPH_STATS))
            values = {q.predicate.value: int(q.object.value) for q in current if isinstance(q.object, Literal)}
            counted = (CNKG.mentionCount if newsletter is not None else CNKG.sentenceCount).value
            count = values.get(counted, 0) + count_change
            issues = values.get(CNKG.issueCount.value, 0) + issue_change
            old.extend(current)
            if issues > 0:
                new.extend(total_quads(iris, newsletter, count, issues))
        parts = []
        for verb, quads in (("DELETE DATA", old), ("INSERT DATA", new)):
            if quads:
                parts.append(f"{verb} {{ GRAPH {_STATS} {{\n{_triples(quads)}}} }}")
        parts.append(f"DELETE WHERE {{ GRAPH {_BUILD} {{ {_STATS} cnkg:statsStamp ?stamp }} }}")
        parts.append(f"INSERT DATA {{ GRAPH {_BUILD} {{ {_STATS} cnkg:statsStamp {Literal(stamp)} }} }}")
        graph.update(" ;\n".join(parts))

    def write(self, graph: GraphStore, stamp: str) -> None:
        """Replace the stats graph with these totals and set the stamp.  Two steps: the stamp goes
        first, so a crash in between leaves stats that the next build knows to be stale."""
        graph.update(
            f"DROP SILENT GRAPH {_STATS} ;\nDELETE WHERE {{ GRAPH {_BUILD} {{ {_STATS} cnkg:statsStamp ?stamp }} }}"
        )
        quads = [
            q
            for iris, newsletter, (count, issues) in self._rows()
            for q in total_quads(iris, newsletter, count, issues)
        ]
        graph.load(serialize(quads, format=RdfFormat.N_QUADS), bulk=True)
        stamp_line = f"{_STATS} {CNKG.statsStamp} {Literal(stamp)} {_BUILD} .\n"
        graph.load(stamp_line.encode("utf-8"))


def tallies_of(quads: Iterable[Any]) -> list[tuple[tuple[str, ...], int]]:
    """The tallies in one issue graph's quads, as plain data for :class:`Totals`: (entity,) -> its
    mentions (``cnkg:refersTo`` quads: one per distinct span) and (first, second) -> the sentences of a
    CoMentionTally."""
    mentioned: set[tuple[Any, str]] = set()  # (mention node, entity): a list of quads may repeat one
    counted: dict[Any, list[str]] = {}
    counts: dict[Any, int] = {}
    for quad in quads:
        if quad.predicate == CNKG.refersTo:
            mentioned.add((quad.subject, quad.object.value))
        elif quad.predicate == CNKG.tallyOf:
            counted.setdefault(quad.subject, []).append(quad.object.value)
        elif quad.predicate == CNKG.sentenceCount:
            counts[quad.subject] = int(quad.object.value)
    mentions: dict[str, int] = {}
    for _node, entity in mentioned:
        mentions[entity] = mentions.get(entity, 0) + 1
    pairs = [(tuple(iris), counts[node]) for node, iris in counted.items() if node in counts]
    return [((entity,), count) for entity, count in sorted(mentions.items())] + pairs


def stored_tallies(graph: GraphStore, issue_graph: str) -> tuple[str, list[tuple[tuple[str, ...], int]]]:
    """The newsletter and tallies of an issue graph as stored (before it is replaced or removed)."""
    quads = [
        q
        for predicate in (CNKG.refersTo, CNKG.tallyOf, CNKG.sentenceCount)
        for q in graph.quads(None, predicate, None, issue_graph)
    ]
    part_of = next(graph.quads(None, SCHEMA.isPartOf, None, issue_graph), None)
    return ("" if part_of is None else part_of.object.value), tallies_of(quads)
