"""Deterministic IRIs for everything the graph holds.

The same input always gives the same IRI: IRIs are built from normalised
names, never from counters or hashes of run-time state.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

ONTOLOGY = "https://w3id.org/cnkg/ontology#"
ID = "https://w3id.org/cnkg/id/"

# Named graphs.
GRAPH_ONTOLOGY = ID + "graph/ontology"
GRAPH_CATALOG = ID + "graph/catalog"
GRAPH_BUILD = ID + "graph/build"  # bookkeeping of `kg build` (source hashes)
GRAPH_PUSH = ID + "graph/push"  # in a `kg push` target: the content hash of each graph pushed there
# Facts about shared things (entity descriptions, relations between entities), written once
# however many issues state them: Oxigraph's union default graph does not merge duplicates,
# so repeating them in every issue graph would multiply every join.
GRAPH_ENTITIES = ID + "graph/entities"
# Sums of the per-issue tallies (cnkg:MentionTotal, cnkg:CoMentionTotal), derived from the issue graphs by
# kg.aggregates.refresh: what the ranking queries read instead of every mention.
GRAPH_STATS = ID + "graph/stats"

# Tally nodes (per issue: cnkg:CoMentionTally; per store: cnkg:MentionTotal,
# cnkg:CoMentionTotal) are named by a hash of what they count: ``TALLY + sha1(kind, IRIs…)[:TALLY_DIGITS]``.
# kg.aggregates computes the same IRIs in SPARQL (SHA1, SUBSTR), so both must keep this scheme.
TALLY = ID + "tally/"
TALLY_DIGITS = 24

# Path segment used in entity IRIs, per entity type.
TYPE_SEGMENT = {
    "Project": "project",
    "Release": "release",
    "Feature": "feature",
    "KEP": "kep",
    "Person": "person",
    "Organization": "organization",
    "Article": "article",
    "Technology": "technology",
    "Event": "event",
    "Vulnerability": "vulnerability",
}

_UNSAFE = re.compile(r"[^\w.\-~\u3000-\u9fff\uff00-\uffef]+", re.UNICODE)


def slug(name: str, max_len: int = 80) -> str:
    """A stable, IRI-safe path segment for a name.

    Latin text is lower-cased with runs of other characters turned into '-';
    CJK characters are kept (IRIs allow them).  Over-long names are cut and
    suffixed with a short hash so that two long titles never collide.
    """
    text = unicodedata.normalize("NFKC", name).strip().casefold()
    text = _UNSAFE.sub("-", text).strip("-._~")
    if not text:
        text = "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    if len(text) > max_len:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        text = text[: max_len - 9].rstrip("-") + "-" + digest
    return text


def entity_iri(entity_type: str, key: str) -> str:
    """IRI of an entity: ``…/id/<type>/<slug(key)>``.

    For releases the key is ``"<project key>/<version>"``; for KEPs it is the
    number when known (``…/id/kep/624``).
    """
    segment = TYPE_SEGMENT[entity_type]
    parts = [slug(p) for p in key.split("/") if p] if entity_type == "Release" else [slug(key)]
    return ID + segment + "/" + "/".join(parts)


def issue_iri(series: str, number: str) -> str:
    return f"{ID}issue/{slug(series)}/{slug(number)}"


def newsletter_iri(series: str) -> str:
    return f"{ID}newsletter/{slug(series)}"


GRAPH_ISSUE_PREFIX = ID + "graph/issue/"


def issue_graph(issue_id: str) -> str:
    """The named graph holding one issue's extraction."""
    return issue_id.replace(ID + "issue/", GRAPH_ISSUE_PREFIX, 1)


def section_iri(issue_id: str, index: int) -> str:
    return f"{issue_id}/section/{index}"


def mention_iri(issue_id: str, start: int, end: int) -> str:
    return f"{issue_id}/mention/{start}-{end}"


def statement_iri(subject: str, predicate: str, obj: str) -> str:
    """The reified statement of one relation: the same node for every issue that states it (each issue's
    graph adds its own ``prov:wasDerivedFrom``)."""
    digest = hashlib.sha1(f"{subject} {predicate} {obj}".encode()).hexdigest()[:16]
    return f"{ID}statement/{digest}"


def evidence_iri(issue_id: str, start: int, end: int) -> str:
    return f"{issue_id}/evidence/{start}-{end}"


def tally_iri(kind: str, *iris: str) -> str:
    """IRI of a tally node: ``…/id/tally/<hash>`` of its kind (mention, co-mention, mention-total,
    co-mention-total) and the IRIs it counts (issue, entities, newsletter), space-separated."""
    key = " ".join((kind, *iris))
    return TALLY + hashlib.sha1(key.encode("utf-8")).hexdigest()[:TALLY_DIGITS]


def camel(predicate: str) -> str:
    """FORMAT.md predicate name to ontology property local name."""
    head, *rest = predicate.split("_")
    return head + "".join(p.capitalize() for p in rest)
