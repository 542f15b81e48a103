"""`kg export`: the built graph in RDF formats, GraphML/GEXF for Gephi, or CSV of mentions."""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat

from kg.errors import KgError
from kg.store import GraphStore

RDF_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
}

MENTIONS_CSV = """
SELECT ?issue ?date ?section ?entity (MIN(?l) AS ?label) ?type ?start ?end ?anchor WHERE {
  ?m a cnkg:Mention ; cnkg:refersTo ?entity ; cnkg:inIssue ?issue ; nif:beginIndex ?start ;
     nif:endIndex ?end ; nif:anchorOf ?anchor .
  ?entity a ?c ; rdfs:label ?l . FILTER(STRSTARTS(STR(?c), STR(cnkg:)))
  BIND(STRAFTER(STR(?c), "#") AS ?type)
  OPTIONAL { ?issue schema:datePublished ?date }
  OPTIONAL { ?m cnkg:inSection ?s . ?s rdfs:label ?section }
} GROUP BY ?issue ?date ?section ?entity ?type ?start ?end ?anchor ORDER BY ?date ?issue ?start
"""


def export(build_dir: Path, fmt: str, output: Path | None = None) -> Path:
    """Write the graph in ``fmt``; returns the file written (default ``<build_dir>/graph.<fmt>``; ``-``: stdout)."""
    if output is not None and str(output) == "-":
        with tempfile.TemporaryDirectory() as scratch:  # the writers want a file; then copy it to stdout
            written = export(build_dir, fmt, Path(scratch) / f"graph.{fmt}")
            with open(written, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.flush()
        return Path("-")
    out = output or Path(build_dir) / f"graph.{fmt}"
    with GraphStore.open(build_dir, read_only=True) as graph:
        if fmt in RDF_FORMATS:
            if fmt == "jsonld":
                _export_jsonld(graph, out)
            else:
                graph.export(out, RDF_FORMATS[fmt])
        elif fmt in ("graphml", "gexf"):
            from kg.analytics import export_graph

            export_graph(graph, fmt, out)
        elif fmt == "csv":
            rows = graph.select(MENTIONS_CSV)
            with open(out, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["issue"])
                writer.writeheader()
                writer.writerows(rows)
        else:
            raise KgError(f"unknown export format {fmt!r}")
    return out


def _export_jsonld(graph: GraphStore, out: Path) -> None:
    # Oxigraph writes JSON-LD for datasets; fall back to rdflib when this build lacks it.
    try:
        graph.export(out, RdfFormat.JSON_LD)
    except (ValueError, AttributeError):
        graph.to_rdflib().serialize(destination=str(out), format="json-ld")
