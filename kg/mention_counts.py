"""Each issue's mentions per entity, kept beside the store for the overview (build/.mention-counts.json).

The overview (build/graph.html, :func:`kg.explorer.overview`) needs, for its most mentioned entities, the
mentions in every issue (its period slider filters by them): at 10,000 issues some 300,000 (entity, issue)
counts, which took ~40 s to read back from the store's mentions after every build, even one that added a
single issue.  The workers already report these counts (``Processed.tallies``), so the build keeps them in
this file instead, keyed by issue graph and stamped with the content hash the store's bookkeeping records
for it.  An entry that does not match the store (a build killed before the file was written, a store built
by an older version) is counted again from that issue graph alone; entries of issues no longer stored are
dropped.  The file is a cache: deleting it costs one pass over the store's mentions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg import ids, safeio
from kg.store import GraphStore, SourceRecord, is_static

CACHE_FILE = ".mention-counts.json"
_FORMAT = 1


@dataclass
class IssueCounts:
    """One issue graph's mentions per entity, as of one version (content hash) of its source."""

    content_hash: str
    issue: str
    counts: dict[str, int]


def issue_counts(issue_id: str, content_hash: str, tallies: Iterable[tuple[tuple[str, ...], int]]) -> IssueCounts:
    """From the tallies a worker reports (kg.aggregates.tallies_of): the single-entity ones are mentions."""
    return IssueCounts(content_hash, issue_id, {iris[0]: n for iris, n in tallies if len(iris) == 1})


def current_counts(
    graph: GraphStore, build_dir: Path, sources: dict[str, SourceRecord], fresh: dict[str, IssueCounts]
) -> dict[str, dict[str, int]]:
    """Issue IRI -> entity -> mentions, for every issue the store holds: the cache file brought up to date
    with ``fresh`` (issue graph -> counts of the versions this build wrote) and, for entries that still do
    not match the store's bookkeeping, counted from the store; the file is rewritten when anything changed."""
    path = build_dir / CACHE_FILE
    cached = _load(path)
    stored = {r.graph: r.content_hash for r in sources.values() if not is_static(r.path)}
    kept: dict[str, IssueCounts] = {}
    changed = set(cached) != set(stored)
    for issue_graph, content_hash in stored.items():
        entry = fresh.get(issue_graph) or cached.get(issue_graph)
        if entry is None or entry.content_hash != content_hash:
            entry = _from_store(graph, issue_graph, content_hash)
        if cached.get(issue_graph) != entry:
            changed = True
        kept[issue_graph] = entry
    if changed:
        _save(path, kept)
    return {entry.issue: entry.counts for entry in kept.values()}


def _from_store(graph: GraphStore, issue_graph: str, content_hash: str) -> IssueCounts:
    issue = issue_graph.replace(ids.GRAPH_ISSUE_PREFIX, ids.ID + "issue/", 1)
    rows = graph.select(
        f"SELECT ?e (COUNT(*) AS ?n) WHERE {{ GRAPH <{issue_graph}> {{ ?m cnkg:refersTo ?e }} }} GROUP BY ?e"
    )
    return IssueCounts(content_hash, issue, {row["e"]: int(row["n"]) for row in rows})


def _load(path: Path) -> dict[str, IssueCounts]:
    """The cache file's entries; none when it is missing, unreadable or of another format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return {}
        entities = data["entities"]
        issues = data["issues"].items()
        return {g: IssueCounts(h, issue, {entities[k]: n for k, n in pairs}) for g, (h, issue, pairs) in issues}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}


def _save(path: Path, entries: dict[str, IssueCounts]) -> None:
    # Entity IRIs numbered once: the counts of 10,000 issues take ~5 MB instead of ~30 MB.
    index: dict[str, int] = {}
    issues = {
        g: [e.content_hash, e.issue, [[index.setdefault(iri, len(index)), n] for iri, n in sorted(e.counts.items())]]
        for g, e in sorted(entries.items())
    }
    data = {"format": _FORMAT, "entities": list(index), "issues": issues}
    safeio.write_text(path, json.dumps(data, separators=(",", ":")))
