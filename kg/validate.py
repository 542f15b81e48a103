"""`kg validate`: SHACL validation of the built graph against ontology/shapes.ttl (pyshacl)."""

from __future__ import annotations

from pathlib import Path

from kg.resources import data_file
from kg.store import GraphStore

SHAPES_FILE = data_file("shapes.ttl")


def validate_store(store: Path, shapes: Path = SHAPES_FILE) -> tuple[bool, str]:
    """(conforms, report text) for the union of the store's graphs."""
    import pyshacl
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    with GraphStore.open(store, read_only=True) as graph:
        data = rdflib.Graph()
        nt = serialize((q.triple for q in graph.content_quads()), format=RdfFormat.N_TRIPLES)
        data.parse(data=nt.decode("utf-8"), format="nt")
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", advanced=True)
    summary = f"{len(data)} triples validated against {shapes.name}: " + ("conforms" if conforms else "VIOLATIONS")
    return bool(conforms), summary if conforms else summary + "\n" + text
