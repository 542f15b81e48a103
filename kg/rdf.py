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
import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import ids
from kg.model import Extraction, Issue, Section, Span
from kg.resources import data_file, series_metadata
from kg.text import SentenceIndex, has_cjk
from kg.vocab import CNKG, DCTERMS, DOAP, FOAF, NIF, PROV, RDF, RDFS, SCHEMA, SKOS, VOID, XSD, name_key

if TYPE_CHECKING:
    from kg.store import GraphStore

ONTOLOGY_FILE = data_file("cnkg.ttl")
# The dataset's VoID description: rewritten at the end of each build that changed the store.
GRAPH_VOID = ids.ID + "graph/void"
DATASET = ids.ID + "dataset"


_INT = XSD.integer
_BOOL = XSD.boolean
_DATE = XSD.date
_URI = XSD.anyURI


def label_literal(text: str) -> Literal:
    """A label tagged @zh when it holds Chinese characters, plain otherwise (names are not English words)."""
    return Literal(text, language="zh") if has_cjk(text) else Literal(text)


# Spans keep at most their cnkg type: their standard classes (nif:String, prov:Entity) would cost one quad
# per span, ~72k on the LWKD build (+9%), and nif:referenceContext marks them as NIF strings already
# (`?m nif:referenceContext ?c` finds them).  Mentions are typed cnkg:Mention (the design's contract);
# evidence spans are not typed at all: they are the objects of nif:sentence / prov:wasDerivedFrom.
SPAN_CLASSES = frozenset({CNKG.Mention, CNKG.Evidence})


@functools.cache
def aligned_classes() -> dict[NamedNode, tuple[NamedNode, ...]]:
    """Each cnkg class -> the standard classes the ontology makes it a subclass of (schema:, doap:, foaf:, …).

    Oxigraph does no inference, so every node typed with a cnkg class is also typed with these
    (:func:`types`): ``?x a doap:Project`` then finds the projects.  Read from ontology/cnkg.ttl, so
    a new ``rdfs:subClassOf`` there is asserted by the next build.
    """
    subclass_of = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    aligned: dict[NamedNode, list[NamedNode]] = {}
    for triple in parse(path=ONTOLOGY_FILE, format=RdfFormat.TURTLE):
        if triple.predicate != subclass_of or not isinstance(triple.object, NamedNode):
            continue
        if isinstance(triple.subject, NamedNode) and triple.subject.value.startswith(ids.ONTOLOGY):
            if not triple.object.value.startswith(ids.ONTOLOGY):
                aligned.setdefault(triple.subject, []).append(triple.object)
    return {cls: tuple(sorted(supers, key=str)) for cls, supers in aligned.items()}


def types(node: NamedNode, cls: NamedNode, graph: NamedNode) -> Iterator[Quad]:
    """``node a cls``, and ``node a`` each standard class the ontology aligns ``cls`` with."""
    yield Quad(node, RDF.type, cls, graph)
    for standard in aligned_classes().get(cls, ()):
        yield Quad(node, RDF.type, standard, graph)


def context_iri(issue_id: str) -> str:
    """The issue's text as a NIF context: what its mentions' and evidence spans' offsets count in."""
    return f"{issue_id}/context"


def ontology_quads() -> list[Quad]:
    graph = NamedNode(ids.GRAPH_ONTOLOGY)
    return [Quad(t.subject, t.predicate, t.object, graph) for t in parse(path=ONTOLOGY_FILE, format=RdfFormat.TURTLE)]


def newsletter_quads(issue: Issue, graph: NamedNode) -> Iterator[Quad]:
    """The newsletter series an issue belongs to (a shared node)."""
    node = NamedNode(ids.newsletter_iri(issue.series))
    yield from types(node, CNKG.Newsletter, graph)
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
    quads.extend(types(issue_node, CNKG.Issue, graph))
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
    # The issue's text as a NIF context (nif:isString holds it, so each span's offsets can be checked).
    context = NamedNode(context_iri(extraction.issue_id))
    add(Quad(context, RDF.type, NIF.Context, graph))
    add(Quad(context, NIF.beginIndex, lit(0), graph))
    add(Quad(context, NIF.endIndex, lit(len(issue.text)), graph))
    add(Quad(context, NIF.isString, Literal(issue.text), graph))
    add(Quad(context, CNKG.inIssue, issue_node, graph))

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
    rdf_type, c_mention = RDF.type, CNKG.Mention
    reference_context = NIF.referenceContext
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
            # Its offsets in the context say all: the text is the context's nif:isString between them,
            # the issue the context's cnkg:inIssue (docs/graph-shape.md, "Evidence").
            add(Quad(node, reference_context, context, graph))
            add(Quad(node, begin, Literal(str(span.start), datatype=_INT), graph))
            add(Quad(node, end_, Literal(str(span.end), datatype=_INT), graph))
        return node

    # Entities and their mentions; what the tallies count is collected on the way.
    mention_spans: dict[str, set[tuple[int, int]]] = {}  # entity IRI -> its distinct mention spans
    projects_by_sentence: dict[tuple[int, int], set[str]] = {}  # sentence span -> projects mentioned in it
    for entity in extraction.entities:
        node = NamedNode(entity.id)
        if not entity.props.get("catalog"):  # catalogued entities are described in the catalog graph
            quads.extend(types(node, CNKG[entity.type], shared))
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
            add(Quad(m_node, rdf_type, c_mention, graph))  # no standard class: see SPAN_CLASSES
            add(Quad(m_node, refers_to, node, graph))
            add(Quad(m_node, in_issue, issue_node, graph))
            add(Quad(m_node, reference_context, context, graph))
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

    # Relations: the direct triple, and a reified statement — one node per (subject, predicate, object),
    # described once in the shared graph — derived from this issue's evidence span.
    for relation in extraction.relations:
        subject, obj = NamedNode(relation.subject), NamedNode(relation.object)
        predicate = CNKG[ids.camel(relation.predicate)]
        add(Quad(subject, predicate, obj, graph if relation.subject == extraction.issue_id else shared))
        statement = NamedNode(ids.statement_iri(relation.subject, relation.predicate, relation.object))
        add(Quad(statement, RDF.type, RDF.Statement, shared))
        add(Quad(statement, RDF.subject, subject, shared))
        add(Quad(statement, RDF.predicate, predicate, shared))
        add(Quad(statement, RDF.object, obj, shared))
        add(Quad(statement, PROV.wasDerivedFrom, evidence(relation.evidence), graph))
    return quads


def tally_quads(
    issue_id: str,
    mention_spans: dict[str, set[tuple[int, int]]],
    projects_by_sentence: dict[tuple[int, int], set[str]],
) -> Iterator[Quad]:
    """The issue's materialised counts, in its graph: ``cnkg:entityCount`` on the issue and one
    ``cnkg:CoMentionTally`` per unordered pair of projects sharing a sentence (``cnkg:sentenceCount``:
    distinct sentences).  kg.aggregates sums them, and the mentions per entity (each mention node's
    ``cnkg:refersTo``: the mention count needs no node of its own), into the stats graph."""
    issue_node = NamedNode(issue_id)
    graph = NamedNode(ids.issue_graph(issue_id))
    rdf_type, in_issue, tally_of = RDF.type, CNKG.inIssue, CNKG.tallyOf
    yield Quad(issue_node, CNKG.entityCount, Literal(str(len(mention_spans)), datatype=_INT), graph)
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
            elif key == "homepage" and _is_iri(str(item)):
                yield Quad(node, predicate, NamedNode(str(item)), graph)  # foaf:homepage's range is a document
            elif key in ("url", "homepage", "repo"):
                yield Quad(node, predicate, Literal(str(item), datatype=_URI), graph)
            else:
                yield Quad(node, predicate, label_literal(str(item)), graph)


def _is_iri(text: str) -> bool:
    try:
        NamedNode(text)
    except ValueError:
        return False
    return text.startswith(("http://", "https://"))


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
        quads.extend(types(node, CNKG[entry.type], graph))
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


def dataset_description_quads(
    triples: int, entities: int, series: Iterable[str], metadata: dict[str, dict[str, str]] | None = None
) -> list[Quad]:
    """The dataset described with VoID: its size, and one subset per series held with that series' licence.

    ``triples`` counts the quads of the content graphs (every named graph but the build's bookkeeping
    and this description: a triple two graphs hold counts twice, as in ``kg stats``); ``entities`` the
    distinct nodes typed with an entity class (cnkg:Project, …).
    """
    meta = series_metadata() if metadata is None else metadata
    graph, dataset = NamedNode(GRAPH_VOID), NamedNode(DATASET)
    quads = [
        Quad(dataset, RDF.type, VOID.Dataset, graph),
        Quad(dataset, DCTERMS.title, Literal("cnkg: cloud-native newsletters knowledge graph"), graph),
        Quad(dataset, VOID.triples, Literal(str(triples), datatype=_INT), graph),
        Quad(dataset, VOID.entities, Literal(str(entities), datatype=_INT), graph),
        Quad(dataset, VOID.vocabulary, NamedNode(ids.ONTOLOGY.rstrip("#")), graph),
    ]
    for slug in sorted(set(series)):
        entry = meta.get(slug, {})
        subset = NamedNode(f"{DATASET}/{ids.slug(slug)}")
        quads.append(Quad(dataset, VOID.subset, subset, graph))
        quads.append(Quad(subset, RDF.type, VOID.Dataset, graph))
        quads.append(Quad(subset, VOID.rootResource, NamedNode(ids.newsletter_iri(slug)), graph))
        quads.append(Quad(subset, DCTERMS.title, label_literal(entry.get("title", slug)), graph))
        if entry.get("homepage"):
            quads.append(Quad(subset, FOAF.homepage, NamedNode(entry["homepage"]), graph))
        licence = entry.get("license", "unknown")
        if licence != "unknown":
            quads.append(Quad(subset, DCTERMS.license, NamedNode(licence), graph))
        else:
            text = "Licence unknown: nothing the project holds states it." if entry else "Series not in series.yaml."
            quads.append(Quad(subset, DCTERMS.description, Literal(text, language="en"), graph))
    return quads


_ENTITY_COUNT = """
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
  VALUES ?c { cnkg:Project cnkg:Organization cnkg:Person cnkg:Release cnkg:KEP cnkg:Feature cnkg:Vulnerability
              cnkg:Event cnkg:Technology cnkg:Article }
  ?e a ?c }
"""


def describe_dataset(graph: GraphStore, triples: int | None = None) -> None:
    """Rewrite the VoID graph from the store's current content (one transaction).

    ``triples``: the content's size (every graph but the build's bookkeeping and VoID's own) when the
    caller knows it; else counted here (a scan of every quad)."""
    if triples is None:
        skip = {ids.GRAPH_BUILD, GRAPH_VOID}
        sizes = graph.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        triples = sum(int(row["n"]) for row in sizes if row["g"] not in skip)
    entities = int(graph.select(_ENTITY_COUNT)[0]["n"])
    series = [
        row["n"].removeprefix(ids.ID + "newsletter/")
        for row in graph.select("SELECT DISTINCT ?n WHERE { ?i a cnkg:Issue ; schema:isPartOf ?n }")
    ]
    quads = dataset_description_quads(triples, entities, series)
    body = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)
    void = NamedNode(GRAPH_VOID)
    graph.update(f"DROP SILENT GRAPH {void} ;\nINSERT DATA {{ GRAPH {void} {{\n{body}}} }}")
