"""The RDF vocabulary: closed namespaces, the prefixes, the name key.

Each namespace lists the terms the code may use, in the spirit of rdflib's ``DefinedNamespace``:
``CNKG.Project`` / ``CNKG["hasRelease"]`` give the term's ``NamedNode`` (made once, as this is on the
per-mention hot path), and an unknown term raises instead of minting an IRI, so a typo fails where it
is written.  ``CNKG`` holds exactly the terms ``ontology/cnkg.ttl`` declares (``tests/test_vocab.py``
checks both directions).  This module is the lowest layer of the graph side: it imports only
pyoxigraph and :mod:`kg.ids`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from pyoxigraph import NamedNode

from kg import ids


class Vocabulary:
    """A closed namespace: ``NS.term`` or ``NS["term"]`` for a listed term, an error for any other."""

    def __init__(self, prefix: str, base: str, terms: Iterable[str]) -> None:
        self.prefix = prefix
        self.base = base
        self._terms = {name: NamedNode(base + name) for name in terms}

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._terms[name]
        except KeyError:
            raise AttributeError(f"{self.prefix}:{name} is not a term of the vocabulary (kg/vocab.py)") from None

    def __getitem__(self, name: str) -> NamedNode:
        try:
            return self._terms[name]
        except KeyError:
            raise KeyError(f"{self.prefix}:{name} is not a term of the vocabulary (kg/vocab.py)") from None

    def __contains__(self, name: object) -> bool:
        return name in self._terms

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __repr__(self) -> str:
        return f"Vocabulary({self.prefix!r}, {self.base!r}, {len(self._terms)} terms)"


# The project's ontology: classes, then properties, as ontology/cnkg.ttl declares them.
CNKG = Vocabulary(
    "cnkg",
    ids.ONTOLOGY,
    [
        # entity classes (kg.model.ENTITY_TYPES)
        "Project", "Organization", "Person", "Release", "KEP", "Feature", "Vulnerability", "Event",
        "Technology", "Article",
        # document structure, provenance and counts
        "Newsletter", "Issue", "Section", "Mention", "Evidence",
        "CoMentionTally", "MentionTotal", "CoMentionTotal",
        # relations between entities (kg.model.PREDICATES, camel-cased)
        "about", "affects", "authoredBy", "developedBy", "editedBy", "featureOf", "fixedIn", "hasRelease",
        "integrates", "partOf", "publishedBy", "recommends", "replaces", "targetsRelease", "uses", "writtenBy",
        # issues, sections, mentions
        "hasSection", "sectionKind", "mentions", "refersTo", "inIssue", "inSection", "linksTo", "sourceFormat",
        "sourceFile", "contentHash", "backsSharedFacts", "dateInferred", "builds", "nameKey",
        # entity properties
        "category", "subcategory", "maturity", "stage", "kepNumber", "url", "repository", "sig", "discovered",
        "milestone",
        # tallies and totals
        "tallyOf", "inSeries", "entityCount", "mentionCount", "sentenceCount", "issueCount", "statsStamp",
    ],
)  # fmt: skip
RDF = Vocabulary(
    "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", ["type", "Statement", "subject", "predicate", "object"]
)
RDFS = Vocabulary("rdfs", "http://www.w3.org/2000/01/rdf-schema#", ["label"])
XSD = Vocabulary(
    "xsd",
    "http://www.w3.org/2001/XMLSchema#",
    ["integer", "decimal", "double", "float", "boolean", "date", "anyURI"],
)
SKOS = Vocabulary("skos", "http://www.w3.org/2004/02/skos/core#", ["altLabel"])
SCHEMA = Vocabulary("schema", "https://schema.org/", ["datePublished", "isPartOf", "issueNumber", "url"])
DCTERMS = Vocabulary("dcterms", "http://purl.org/dc/terms/", ["title", "license", "description", "modified"])
DOAP = Vocabulary("doap", "http://usefulinc.com/ns/doap#", ["revision"])
FOAF = Vocabulary("foaf", "http://xmlns.com/foaf/0.1/", ["homepage"])
PROV = Vocabulary("prov", "http://www.w3.org/ns/prov#", ["wasDerivedFrom"])
NIF = Vocabulary(
    "nif",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    ["beginIndex", "endIndex", "anchorOf", "sentence", "referenceContext", "Context", "isString"],
)
# The dataset's description (kg.rdf.void_quads).
VOID = Vocabulary(
    "void",
    "http://rdfs.org/ns/void#",
    ["Dataset", "triples", "entities", "distinctSubjects", "subset", "sparqlEndpoint", "rootResource", "vocabulary"],
)

# Prefixes of queries and serialisations (the order is graph.trig's header order).
PREFIXES = {
    "cnkg": ids.ONTOLOGY,
    "id": ids.ID,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "schema": SCHEMA.base,
    "dcterms": DCTERMS.base,
    "doap": DOAP.base,
    "foaf": FOAF.base,
    "prov": PROV.base,
    "nif": NIF.base,
    "owl": "http://www.w3.org/2002/07/owl#",
    "void": VOID.base,
}


def name_key(name: str) -> str:
    """The case- and width-insensitive key under which an entity's names are looked up (cnkg:nameKey)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def span_text(span: str, text: str) -> str:
    """SPARQL binding ``text`` to the text of the evidence span ``span`` (a variable or IRI): the span
    keeps only its offsets in its context (docs/graph-shape.md), so its text is the context's string
    between them (SUBSTR counts characters from 1, the offsets code points from 0, as Python does)."""
    tag = text.lstrip("?$")
    return (
        f"{span} nif:referenceContext ?{tag}_context ; nif:beginIndex ?{tag}_begin ; nif:endIndex ?{tag}_end . "
        f"?{tag}_context nif:isString ?{tag}_string "
        f"BIND(SUBSTR(?{tag}_string, ?{tag}_begin + 1, ?{tag}_end - ?{tag}_begin) AS {text})"
    )
