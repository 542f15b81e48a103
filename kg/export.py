"""`kg export`: the built graph in RDF formats, GraphML/GEXF for Gephi, or CSV of mentions."""

from __future__ import annotations

import csv
import functools
import shutil
import sys
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat

from kg import safeio
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


def export(build_dir: Path, fmt: str, output: Path | None = None, progress: bool = False) -> Path:
    """Write the graph in ``fmt``; returns the file written (default ``<build_dir>/graph.<fmt>``; ``-``: stdout).

    ``progress`` shows a bar on stderr for the slow formats (GraphML/GEXF, JSON-LD)."""
    if output is not None and str(output) == "-":
        with tempfile.TemporaryDirectory() as scratch:  # the writers want a file; then copy it to stdout
            written = export(build_dir, fmt, Path(scratch) / f"graph.{fmt}", progress)
            with open(written, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.flush()
        return Path("-")
    if fmt not in (*RDF_FORMATS, "graphml", "gexf", "csv"):
        raise KgError(f"unknown export format {fmt!r}")
    out = output or Path(build_dir) / f"graph.{fmt}"
    # Every format is written beside ``out`` and renamed into place: a kill or a full disk leaves the old file.
    with GraphStore.open(build_dir, read_only=True) as graph, safeio.atomic_path(out) as tmp:
        if fmt == "jsonld":
            _export_jsonld(graph, tmp, progress)
        elif fmt in RDF_FORMATS:
            graph.export(tmp, RDF_FORMATS[fmt])
        elif fmt in ("graphml", "gexf"):
            from kg.analytics import EXPORT_STEPS, export_graph
            from kg.progress import steps

            with steps(EXPORT_STEPS, f"export {fmt}", progress) as step:
                export_graph(graph, fmt, tmp, step=step)
        else:
            rows = graph.select(MENTIONS_CSV)
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["issue"])
                writer.writeheader()
                writer.writerows(rows)
    return out


def _export_jsonld(graph: GraphStore, out: Path, progress: bool = False) -> None:
    """JSON-LD with an ``@context`` of the graph's prefixes, each named graph kept as an ``@graph`` object.

    Oxigraph writes the quads (expanded JSON-LD, no context); IRIs in keys, ``@id`` and ``@type`` are
    then written as ``prefix:local`` where a prefix covers them.  One named graph at a time, so memory
    stays bounded by the largest graph.
    """
    import json

    from pyoxigraph import DefaultGraph, NamedNode, serialize

    from kg import ids
    from kg.progress import bar
    from kg.vocab import PREFIXES

    names = [g for g in graph.named_graphs() if g != ids.GRAPH_BUILD]
    advance, stop = bar(len(names) + 1, "export jsonld", progress)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write('{\n"@context": ' + json.dumps(PREFIXES, ensure_ascii=False) + ',\n"@graph": [\n')
        first = True
        for name in [*names, None]:
            advance(name or "default graph")
            term = DefaultGraph() if name is None else NamedNode(name)
            quads = list(graph.quads(graph=name)) if name else list(graph.oxi.quads_for_pattern(None, None, None, term))
            if not quads:
                continue
            for item in json.loads(serialize(quads, format=RdfFormat.JSON_LD)):
                handle.write(("" if first else ",\n") + json.dumps(_compact(item), ensure_ascii=False))
                first = False
        handle.write("\n]\n}\n")
    stop()


def _compact(value: object) -> object:
    """Expanded JSON-LD with IRIs (keys, ``@id``, ``@type``) as ``prefix:local`` when a prefix covers them."""
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, object] = {}
    for key, item in value.items():
        if key in ("@id", "@type") and isinstance(item, str):
            result[key] = _curie(item)
        elif key == "@type" and isinstance(item, list):
            result[key] = [_curie(t) if isinstance(t, str) else t for t in item]
        elif key.startswith("@"):
            result[key] = _compact(item)
        else:
            result[_curie(key)] = _compact(item)
    return result


@functools.lru_cache(maxsize=65536)
def _curie(iri: str) -> str:
    from kg.vocab import PREFIXES

    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace) :]
        # Only locals JSON-LD reads back as this IRI: no '/', '#' or ':' that could make it look like another IRI.
        if iri.startswith(namespace) and local and not any(c in local for c in "/#:?"):
            return f"{prefix}:{local}"
    return iri
