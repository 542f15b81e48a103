"""Evidence for a view's nodes: the first MAX_EVIDENCE distinct sentences quoting each, newest issue first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal

from kg.graphview.read import CHUNK, MAX_EVIDENCE, iri_text
from kg.graphview.walk import IssueHit, issue_hits
from kg.graphview.window import Count, Window
from kg.store import GraphStore
from kg.vocab import span_text


def _texts(graph: GraphStore, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """(entity, issue graph) -> the sentences quoting the entity in that issue, sorted."""
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for start in range(0, len(pairs), CHUNK):
        values = " ".join(f"({iri_text(g)} {iri_text(e)})" for e, g in pairs[start : start + CHUNK])
        q = (
            f"SELECT DISTINCT ?g ?e ?text WHERE {{ VALUES (?g ?e) {{ {values} }} "
            f"GRAPH ?g {{ ?m cnkg:refersTo ?e ; nif:sentence ?ev . {span_text('?ev', '?text')} }} }}"
        )
        for row in graph.select(q):
            texts[(row["e"], row["g"])].add(row["text"])
    return {key: sorted(found) for key, found in texts.items()}


def _other_texts(graph: GraphStore, window: Window, entity: str, seen: list[str]) -> list[str]:
    """Up to two sentences quoting ``entity`` inside the window other than ``seen``.

    Two lookups per mention until the second one turns up (only ids are compared: no sentence is read
    back but those two); a node quoted by the same one or two sentences in every issue is read through."""
    scope = "" if window.empty else f"GRAPH ?g {{ ?m cnkg:inIssue ?i }} {window.issues()}"
    others = f"FILTER(?text NOT IN ({', '.join(str(Literal(t)) for t in seen)}))" if seen else ""
    q = (
        f"SELECT DISTINCT ?text WHERE {{ GRAPH ?g {{ ?m cnkg:refersTo {iri_text(entity)} ; nif:sentence ?ev . "
        f"{span_text('?ev', '?text')} }} {scope} {others} }} LIMIT 2"
    )
    return sorted(row["text"] for row in graph.select(q))


@dataclass
class _Quotes:
    """The sentences quoting one node, gathered from its issues newest first (in text order within one)."""

    prefix: list[IssueHit]  # the node's newest issues, a complete prefix of them
    issues: int  # how many issues it has in the window
    read: int = 0  # issues of the prefix whose sentences are in ``seen``
    seen: list[str] = field(default_factory=list)
    goal: int = MAX_EVIDENCE  # sentences wanted: fewer when it has fewer

    def add(self, texts: list[str]) -> None:
        for text in texts:
            if text not in self.seen:
                self.seen.append(text)

    @property
    def done(self) -> bool:
        return len(self.seen) >= self.goal or self.read >= self.issues


def evidence_for(
    graph: GraphStore, window: Window, newest: dict[str, list[IssueHit]], counts: dict[str, Count]
) -> dict[str, list[str]]:
    """A few sentences quoting each node: the first MAX_EVIDENCE distinct ones reading its issues newest
    first, and an issue's sentences in text order.

    Read a few issues at a time (most nodes have three sentences in their newest two or three issues).
    A node whose newest issues repeat one or two sentences is the costly case: whether an older issue
    holds another one is asked once (up to two others), and only if the order among several
    new ones matters are its older issues walked."""
    quotes = {e: _Quotes(found, counts[e].issues if e in counts else len(found)) for e, found in newest.items()}

    def read(nodes: list[str], upto: int | None) -> None:
        batch = {e: quotes[e].prefix[quotes[e].read : upto] for e in nodes}
        texts = _texts(graph, [(e, g) for e, hits in batch.items() for _i, g in hits])
        for e, hits in batch.items():
            for _issue, issue_graph in hits:
                quotes[e].add(texts.get((e, issue_graph), []))
            quotes[e].read += len(hits)

    for upto in (3, None):  # the first three issues of each, then the rest of what the walk found
        read([e for e, q in quotes.items() if not q.done and q.read < len(q.prefix)], upto)
    further: set[str] = set()
    for e, q in quotes.items():
        if q.done:
            continue
        missing = _other_texts(graph, window, e, q.seen)
        if len(missing) <= 1:
            # Nothing else quotes it, or one sentence only: it comes next whatever issue holds it.
            q.add(missing)
            q.goal = len(q.seen)
        else:
            further.add(e)  # several: their order is the order of the issues holding them
    if further:
        # Which of several older sentences comes first: walk these nodes' issues again from the newest,
        # reading past what was read, until enough are found.
        given: dict[str, int] = dict.fromkeys(further, 0)  # issues the walk has given each node so far
        for hits in issue_hits(graph, window, True, further):
            for e, issues in hits.items():
                skip = max(0, quotes[e].read - given[e])
                given[e] += len(issues)
                quotes[e].prefix = quotes[e].prefix[: quotes[e].read] + issues[skip:]
            read([e for e in hits if quotes[e].read < len(quotes[e].prefix)], None)
            further -= {e for e in further if quotes[e].done}
    return {e: q.seen[:MAX_EVIDENCE] for e, q in quotes.items()}
