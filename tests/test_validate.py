"""`kg validate` (SHACL compiled to SPARQL, run by Oxigraph) reports what the reference validator, pyshacl,
reports: a store with a planted violation of every kind of constraint in ontology/shapes.ttl."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from kg import ids
from kg.rdf import ontology_quads
from kg.store import STORE_SUBDIR
from kg.validate import SHAPES_FILE, validate, validate_store

PLANTED = """
@prefix cnkg: <https://w3id.org/cnkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix t: <urn:test#> .

<urn:graph:issue> {
  t:news a cnkg:Newsletter, schema:Periodical ; rdfs:label "News" .
  t:issue a cnkg:Issue ;                                    # no rdfs:label, no dcterms:title
      schema:issueNumber "1", "2" ;                         # maxCount
      schema:isPartOf t:notANewsletter ;                    # class
      schema:datePublished "2024-13-45"^^xsd:date ;         # ill-formed date: datatype
      cnkg:recommends "Helm" .                              # class of a literal
  t:good a cnkg:Issue, schema:PublicationIssue ; rdfs:label "Good" ; dcterms:title "Good" ; schema:issueNumber "3" ;
      schema:isPartOf t:news ; schema:datePublished "2024-01-05"^^xsd:date .
  t:section a cnkg:Section ; rdfs:label "S" ; cnkg:sectionKind "gossip" ;       # in
      nif:beginIndex "0"^^xsd:integer ; nif:endIndex "ten" .                      # datatype
  t:mention a cnkg:Mention ; cnkg:refersTo "Helm" ;                              # nodeKind
      nif:beginIndex "-3"^^xsd:integer ; nif:endIndex "-5"^^xsd:integer, "7"^^xsd:integer ;  # minInclusive, maxCount
      nif:anchorOf "" .                                                           # minLength; no inIssue
  t:backwards a cnkg:Mention ; cnkg:refersTo t:helm ; cnkg:inIssue t:good ;      # the SPARQL constraint
      nif:beginIndex "9"^^xsd:integer ; nif:endIndex "4"^^xsd:integer ; nif:anchorOf "Helm" .
  t:tally a cnkg:CoMentionTally ; cnkg:inIssue t:good ; cnkg:tallyOf t:helm ;   # minCount 2
      cnkg:sentenceCount "0"^^xsd:integer .                                       # minInclusive
  t:helm a cnkg:Project ; rdfs:label "Helm" .
  t:flag a cnkg:Feature ; rdfs:label "Flag" ; cnkg:featureOf t:news .           # or
  t:post cnkg:writtenBy t:helm .                                                  # node-level class; value class
  t:v1 a cnkg:Release ; rdfs:label "v1" ; cnkg:stage "gamma" .                   # in
  t:kep a cnkg:KEP ; rdfs:label "KEP" ; cnkg:kepNumber "12" .                    # datatype
  t:special a t:SpecialProject .                                                  # subclass target, no label
  t:SpecialProject rdfs:subClassOf cnkg:Project .
  t:lonely nif:beginIndex "5"^^xsd:integer ; nif:endIndex "1"^^xsd:integer .    # not a Mention: not reported
}
"""


def _store(root: Path, trig: str) -> Path:
    store = Store(str(root / STORE_SUBDIR))
    store.extend(ontology_quads())
    store.load(trig.encode("utf-8"), format=RdfFormat.TRIG)
    store.flush()
    del store
    return root


def _pyshacl_results(trig: str) -> set[tuple[str, str, str | None]]:
    pyshacl = pytest.importorskip("pyshacl")
    import rdflib
    from pyoxigraph import serialize

    data = rdflib.Graph()
    data.parse(data=serialize(ontology_quads(), format=RdfFormat.N_QUADS).decode(), format="nquads")
    for quad in rdflib.Dataset().parse(data=trig, format="trig").quads((None, None, None, None)):
        data.add(quad[:3])
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    found = set()
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        path = results.value(result, sh.resultPath)
        component = str(results.value(result, sh.sourceConstraintComponent)).replace(str(sh), "sh:")
        found.add((results.value(result, sh.focusNode).n3(), component, path.n3() if path is not None else None))
    return found


def test_every_planted_violation_is_reported_as_pyshacl_reports_it(tmp_path: Path) -> None:
    report = validate(_store(tmp_path, PLANTED), progress=False)
    ours = {(v.focus, v.component, v.path) for v in report.violations}
    assert not report.conforms
    assert ours == _pyshacl_results(PLANTED)
    # Every kind of constraint in the shapes file was exercised.
    assert {v.component for v in report.violations} >= {
        f"sh:{kind}ConstraintComponent"
        for kind in ("MinCount", "MaxCount", "Datatype", "Class", "NodeKind", "In", "MinInclusive", "MinLength")
        + ("Or", "SPARQL")
    }
    sparql = [v for v in report.violations if v.component == "sh:SPARQLConstraintComponent"]
    assert {v.focus for v in sparql} == {"<urn:test#backwards>", "<urn:test#mention>"}  # not <urn:test#lonely>
    assert {v.message for v in sparql} == {"a mention must end after it starts"}


def test_report_wording_is_honest(tmp_path: Path) -> None:
    conforms, text = validate_store(_store(tmp_path, PLANTED), progress=False)
    assert not conforms
    assert "does NOT conform" in text and "conforms (no violations)" not in text
    assert "Less than 1 values on <urn:test#issue>->rdfs:label" in text


def test_a_clean_store_conforms(tmp_path: Path) -> None:
    prefixes = "".join(line + "\n" for line in PLANTED.splitlines() if line.startswith("@prefix"))
    body = "".join(line + "\n" for line in PLANTED.splitlines() if line.lstrip().startswith(("t:good", "t:news a")))
    clean = (
        prefixes
        + "<urn:graph:issue> {\n"
        + body
        + '  schema:isPartOf t:news ; schema:datePublished "2024-01-05"^^xsd:date .\n}\n'
    )
    conforms, text = validate_store(_store(tmp_path, clean), progress=False)
    assert conforms, text
    assert text.endswith("conforms (no violations)")
    assert "named graphs (all but the build's bookkeeping)" in text
    assert ids.GRAPH_BUILD not in text
