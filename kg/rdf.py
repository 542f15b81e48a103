"""Extraction (plain data) -> RDF quads, one named graph per issue.

Evidence: every extracted relation is written twice — as the direct triple
(``<s> cnkg:hasRelease <o>``) so queries stay simple, and as a reified
``rdf:Statement`` with ``prov:wasDerivedFrom`` an evidence node (a
``cnkg:Evidence`` span with offsets and its text).  Reification was chosen
over RDF-star because rdflib, pyshacl and every SPARQL 1.1 store read it.

Graphs: what belongs to the issue (its metadata, sections, mentions,
evidence, statements, issue-level relations) goes to the issue's graph; facts
about shared things (an entity's type, labels and properties, relations
between entities, the newsletter) go to the shared entities graph, once
however many issues state them.  Catalogued entities are described by the
catalog graph and not again.  The store drops shared facts no issue backs any
more, in the transaction that replaces or removes an issue (:meth:`kg.store.GraphStore.write_graphs`).
Each issue graph also carries its counts (tallies) that :mod:`kg.aggregates` sums.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import ids
from kg.model import Extraction, Issue, Section, Span
from kg.resources import data_file
from kg.text import SentenceIndex, has_cjk
from kg.vocab import CNKG, DCTERMS, DOAP, FOAF, NIF, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, name_key

ONTOLOGY_FILE = data_file("cnkg.ttl")


_INT = XSD.integer
_BOOL = XSD.boolean
_DATE = XSD.date
_URI = XSD.anyURI


def label_literal(text: str) -> Literal:
    """A label tagged @zh when it holds Chinese characters, plain otherwise (names are not English words)."""
    return Literal(text, language="zh") if has_cjk(text) else Literal(text)


def ontology_quads() -> list[Quad]:
    graph = NamedNode(ids.GRAPH_ONTOLOGY)
    return [Quad(t.subject, t.predicate, t.object, graph) for t in parse(path=ONTOLOGY_FILE, format=RdfFormat.TURTLE)]


def newsletter_quads(issue: Issue, graph: NamedNode) -> Iterator[Quad]:
    """The newsletter series an issue belongs to (a shared node)."""
    node = NamedNode(ids.newsletter_iri(issue.series))
    yield Quad(node, RDF.type, CNKG.Newsletter, graph)
    yield Quad(node, RDFS.label, label_literal(issue.series_title), graph)


def extraction_quads(extraction: Extraction, source_name: str | None = None) -> list[Quad]:
    """All quads of one issue: its named graph and its shared facts.  Deterministic: same extraction,
    same quads in the same order (duplicates are left to the store, which keeps a set)."""
    issue = extraction.issue
    issue_node = NamedNode(extraction.issue_id)
    graph = NamedNode(ids.issue_graph(extraction.issue_id))
    shared = NamedNode(ids.GRAPH_ENTITIES)
    quads: list[Quad] = []
    add = quads.append

    def lit(value: object) -> Literal:
        if isinstance(value, bool):
            return Literal("true" if value else "false", datatype=_BOOL)
        if isinstance(value, int):
            return Literal(str(value), datatype=_INT)
        return Literal(str(value))

    # The issue and its newsletter.
    add(Quad(issue_node, RDF.type, CNKG.Issue, graph))
    add(Quad(issue_node, RDFS.label, label_literal(issue.title), graph))
    add(Quad(issue_node, DCTERMS.title, label_literal(issue.title), graph))
    add(Quad(issue_node, SCHEMA.issueNumber, Literal(issue.number), graph))
    add(Quad(issue_node, SCHEMA.isPartOf, NamedNode(ids.newsletter_iri(issue.series)), graph))
    add(Quad(issue_node, CNKG.sourceFormat, Literal(issue.format), graph))
    add(Quad(issue_node, CNKG.contentHash, Literal(issue.content_hash), graph))
    if source_name:
        add(Quad(issue_node, CNKG.sourceFile, Literal(source_name), graph))
    if issue.date:
        add(Quad(issue_node, SCHEMA.datePublished, Literal(issue.date, datatype=_DATE), graph))
        if issue.date_inferred:
            add(Quad(issue_node, CNKG.dateInferred, lit(True), graph))
    if issue.url:  # the issue's public page, as its file or its series says (kg/ingest/source_url.py)
        add(Quad(issue_node, SCHEMA.url, Literal(issue.url, datatype=_URI), graph))
    quads.extend(newsletter_quads(issue, shared))
    for url in sorted({link.url for link in issue.links}):
        add(Quad(issue_node, CNKG.linksTo, Literal(url, datatype=_URI), graph))

    # Sections.
    section_nodes: dict[int, NamedNode] = {}
    for index, section in enumerate(issue.sections):
        node = NamedNode(ids.section_iri(extraction.issue_id, index))
        section_nodes[id(section)] = node
        add(Quad(node, RDF.type, CNKG.Section, graph))
        add(Quad(node, RDFS.label, label_literal(section.title), graph))
        add(Quad(node, CNKG.sectionKind, Literal(section.kind), graph))
        add(Quad(node, NIF.beginIndex, lit(section.start), graph))
        add(Quad(node, NIF.endIndex, lit(section.end), graph))
        add(Quad(issue_node, CNKG.hasSection, node, graph))

    # Terms of the per-mention loops, looked up once.
    rdf_type, c_mention, c_evidence = RDF.type, CNKG.Mention, CNKG.Evidence
    refers_to, in_issue, in_section = CNKG.refersTo, CNKG.inIssue, CNKG.inSection
    begin, end_, anchor_of, nif_sentence = NIF.beginIndex, NIF.endIndex, NIF.anchorOf, NIF.sentence
    sentences = SentenceIndex(issue.text)
    sections = _SectionIndex(issue)

    evidence_nodes: dict[tuple[int, int], NamedNode] = {}

    def evidence(span: Span) -> NamedNode:
        key = (span.start, span.end)
        node = evidence_nodes.get(key)
        if node is None:
            node = evidence_nodes[key] = NamedNode(ids.evidence_iri(extraction.issue_id, span.start, span.end))
            add(Quad(node, rdf_type, c_evidence, graph))
            add(Quad(node, in_issue, issue_node, graph))
            add(Quad(node, begin, Literal(str(span.start), datatype=_INT), graph))
            add(Quad(node, end_, Literal(str(span.end), datatype=_INT), graph))
            add(Quad(node, anchor_of, Literal(span.text), graph))
        return node

    # Entities and their mentions; what the tallies count is collected on the way.
    mention_spans: dict[str, set[tuple[int, int]]] = {}  # entity IRI -> its distinct mention spans
    projects_by_sentence: dict[tuple[int, int], set[str]] = {}  # sentence span -> projects mentioned in it
    for entity in extraction.entities:
        node = NamedNode(entity.id)
        if not entity.props.get("catalog"):  # catalogued entities are described in the catalog graph
            add(Quad(node, RDF.type, CNKG[entity.type], shared))
            add(Quad(node, RDFS.label, label_literal(entity.label), shared))
            for alias in sorted(set(entity.aliases) - {entity.label}):
                add(Quad(node, SKOS.altLabel, label_literal(alias), shared))
            for key in sorted({name_key(n) for n in [entity.label, *entity.aliases]}):
                add(Quad(node, CNKG.nameKey, Literal(key), shared))
            quads.extend(_entity_props(node, entity.props, shared))
        if entity.mentions:
            add(Quad(issue_node, CNKG.mentions, node, graph))
        for mention in entity.mentions:
            m_node = NamedNode(ids.mention_iri(extraction.issue_id, mention.start, mention.end))
            add(Quad(m_node, rdf_type, c_mention, graph))
            add(Quad(m_node, refers_to, node, graph))
            add(Quad(m_node, in_issue, issue_node, graph))
            add(Quad(m_node, begin, Literal(str(mention.start), datatype=_INT), graph))
            add(Quad(m_node, end_, Literal(str(mention.end), datatype=_INT), graph))
            add(Quad(m_node, anchor_of, Literal(issue.text[mention.start : mention.end]), graph))
            section = sections.at(mention.start)
            if section is not None:
                add(Quad(m_node, in_section, section_nodes[id(section)], graph))
            sentence_start, sentence_end = sentences.around(mention.start, mention.end)
            sentence = Span(sentence_start, sentence_end, issue.text[sentence_start:sentence_end])
            add(Quad(m_node, nif_sentence, evidence(sentence), graph))
            mention_spans.setdefault(entity.id, set()).add((mention.start, mention.end))
            if entity.type == "Project":
                projects_by_sentence.setdefault((sentence.start, sentence.end), set()).add(entity.id)
    quads.extend(tally_quads(extraction.issue_id, mention_spans, projects_by_sentence))

    # Relations: direct triple + reified statement with its evidence.
    for relation in extraction.relations:
        subject, obj = NamedNode(relation.subject), NamedNode(relation.object)
        predicate = CNKG[ids.camel(relation.predicate)]
        add(Quad(subject, predicate, obj, graph if relation.subject == extraction.issue_id else shared))
        statement = NamedNode(
            ids.statement_iri(extraction.issue_id, relation.subject, relation.predicate, relation.object)
        )
        add(Quad(statement, RDF.type, RDF.Statement, graph))
        add(Quad(statement, RDF.subject, subject, graph))
        add(Quad(statement, RDF.predicate, predicate, graph))
        add(Quad(statement, RDF.object, obj, graph))
        add(Quad(statement, PROV.wasDerivedFrom, evidence(relation.evidence), graph))
    return quads


def tally_quads(
    issue_id: str,
    mention_spans: dict[str, set[tuple[int, int]]],
    projects_by_sentence: dict[tuple[int, int], set[str]],
) -> Iterator[Quad]:
    """The issue's materialised counts, in its graph: ``cnkg:entityCount`` on the issue, one
    ``cnkg:MentionTally`` per entity mentioned (``cnkg:mentionCount``: distinct mention spans) and one
    ``cnkg:CoMentionTally`` per unordered pair of projects sharing a sentence (``cnkg:sentenceCount``:
    distinct sentences).  kg.aggregates sums them into the stats graph."""
    issue_node = NamedNode(issue_id)
    graph = NamedNode(ids.issue_graph(issue_id))
    rdf_type, in_issue, tally_of = RDF.type, CNKG.inIssue, CNKG.tallyOf
    yield Quad(issue_node, CNKG.entityCount, Literal(str(len(mention_spans)), datatype=_INT), graph)
    for entity in sorted(mention_spans):
        node = NamedNode(ids.tally_iri("mention", issue_id, entity))
        yield Quad(node, rdf_type, CNKG.MentionTally, graph)
        yield Quad(node, in_issue, issue_node, graph)
        yield Quad(node, tally_of, NamedNode(entity), graph)
        yield Quad(node, CNKG.mentionCount, Literal(str(len(mention_spans[entity])), datatype=_INT), graph)
    sentences_by_pair: dict[tuple[str, str], int] = {}
    for projects in projects_by_sentence.values():
        ordered = sorted(projects)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                sentences_by_pair[(first, second)] = sentences_by_pair.get((first, second), 0) + 1
    for (first, second), count in sorted(sentences_by_pair.items()):
        node = NamedNode(ids.tally_iri("co-mention", issue_id, first, second))
        yield Quad(node, rdf_type, CNKG.CoMentionTally, graph)
        yield Quad(node, in_issue, issue_node, graph)
        yield Quad(node, tally_of, NamedNode(first), graph)
        yield Quad(node, tally_of, NamedNode(second), graph)
        yield Quad(node, CNKG.sentenceCount, Literal(str(count), datatype=_INT), graph)


_PROP_PREDICATES = {
    "version": DOAP.revision,
    "stage": CNKG.stage,
    "number": CNKG.kepNumber,
    "url": CNKG.url,
    "homepage": FOAF.homepage,
    "repo": CNKG.repository,
    "category": CNKG.category,
    "subcategory": CNKG.subcategory,
    "maturity": CNKG.maturity,
    "discovered": CNKG.discovered,
    "sig": CNKG.sig,
    "title": DCTERMS.title,
    "label_zh": RDFS.label,
}


def _entity_props(node: NamedNode, props: dict[str, object], graph: NamedNode) -> Iterator[Quad]:
    for key in sorted(props):
        predicate = _PROP_PREDICATES.get(key)
        value = props[key]
        if predicate is None or value is None or value == "":
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        for item in values:
            if isinstance(item, bool):
                if item:
                    yield Quad(node, predicate, Literal("true", datatype=_BOOL), graph)
            elif isinstance(item, int):
                yield Quad(node, predicate, Literal(str(item), datatype=_INT), graph)
            elif key in ("url", "homepage", "repo"):
                yield Quad(node, predicate, Literal(str(item), datatype=_URI), graph)
            else:
                yield Quad(node, predicate, label_literal(str(item)), graph)


class _SectionIndex:
    """The innermost section at each offset, precomputed per stretch between section boundaries."""

    def __init__(self, issue: Issue) -> None:
        points = sorted({p for s in issue.sections for p in (s.start, s.end)})
        self.points = points
        self.inner = [issue.section_at(p) for p in points]

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self.points, offset) - 1
        return self.inner[i] if i >= 0 else None


def catalog_quads(catalog: object) -> list[Quad]:
    """The curated catalog as quads in its own named graph."""
    graph = NamedNode(ids.GRAPH_CATALOG)
    quads: list[Quad] = []
    entries = getattr(catalog, "entries", [])
    keys = {(e.type, e.key) for e in entries}
    for entry in entries:
        node = NamedNode(ids.entity_iri(entry.type, entry.key))
        quads.append(Quad(node, RDF.type, CNKG[entry.type], graph))
        quads.append(Quad(node, RDFS.label, label_literal(entry.name), graph))
        if getattr(entry, "name_zh", None):
            quads.append(Quad(node, RDFS.label, Literal(entry.name_zh, language="zh"), graph))
        for alias in sorted(set(entry.aliases) - {entry.name}):
            quads.append(Quad(node, SKOS.altLabel, label_literal(alias), graph))
        names = [entry.name, *entry.aliases, *([entry.name_zh] if getattr(entry, "name_zh", None) else [])]
        for key in sorted({name_key(n) for n in names}):
            quads.append(Quad(node, CNKG.nameKey, Literal(key), graph))
        props = {
            "homepage": getattr(entry, "homepage", None),
            "repo": getattr(entry, "repo", None),
            "category": getattr(entry, "category", None),
            "subcategory": getattr(entry, "subcategory", None),
            "maturity": getattr(entry, "maturity", None),
            "stage": getattr(entry, "stage", None),
            "sig": getattr(entry, "sig", None),
            "title": getattr(entry, "title", None),
            "number": getattr(entry, "number", None),
        }
        quads.extend(_entity_props(node, props, graph))
        for milestone in sorted((getattr(entry, "milestones", None) or {}).items()):
            quads.append(Quad(node, CNKG.milestone, Literal(f"{milestone[0]}: {milestone[1]}"), graph))
        links: list[tuple[NamedNode, str, Iterable[str]]] = [
            (CNKG.partOf, "Project", [entry.part_of] if getattr(entry, "part_of", None) else []),
            (CNKG.developedBy, "Organization", getattr(entry, "developed_by", ()) or ()),
            (CNKG.uses, "Project", getattr(entry, "uses", ()) or ()),
            (CNKG.integrates, "Project", getattr(entry, "integrates", ()) or ()),
        ]
        for predicate, target_type, targets in links:
            for target in targets:
                # `uses` may point at a Technology: pick the type the catalog has.
                for candidate in (target_type, "Technology", "Project"):
                    if (candidate, target) in keys:
                        quads.append(Quad(node, predicate, NamedNode(ids.entity_iri(candidate, target)), graph))
                        break
    return sorted(set(quads), key=str)
