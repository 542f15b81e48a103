"""The Oxigraph store on disk: one named graph per issue, one for the catalog, one for the ontology.

A built directory (default ``build/``) holds ``store/`` (the Oxigraph
database), ``graph.trig`` and ``graph.html``.  Every write that *replaces* an
issue is one SPARQL update, which Oxigraph applies as one transaction: the
issue's graph and its bookkeeping entry (source path and content hash, in the
``…/id/graph/build`` graph) change together or not at all.  New issues are
bulk-loaded (several times cheaper, not transactional) and their bookkeeping
entries are written only once their graphs are complete, so an issue graph
without an entry is the trace of an interrupted bulk load: the next build
drops it (:meth:`GraphStore.drop_orphan_graphs`) and extracts the issue again.
A build killed at any point therefore leaves a store that the next build
completes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    serialize,
)

from kg import ids, safeio
from kg.errors import KgError
from kg.terms import bind_values, from_python, to_python
from kg.vocab import CNKG, PREFIXES, RDF, SCHEMA

if TYPE_CHECKING:
    import pandas
    import rdflib

STORE_SUBDIR = "store"
EXPORTS_STAMP = ".exports-version"


@dataclass(frozen=True)
class SourceRecord:
    """What the store remembers of one source file: its issue graph and the hash it was built from."""

    path: str
    graph: str
    content_hash: str


@dataclass
class GraphWrite:
    """One issue graph to (re)place: written with its bookkeeping record in the same transaction."""

    path: str
    graph: str
    content_hash: str
    nquads: str  # the graph's quads as N-Quads text (plain data: made in worker processes)
    trig_chunk: str | None = None  # the issue graph as a graph.trig chunk, when the worker made it
    # Where ``nquads`` switches from the issue's own graph to the shared facts, when the worker put them
    # in that order (-1: not split); the writer then skips shared facts it has already loaded.
    shared_from: int = -1


def trig_chunk(quads: Iterable[Quad]) -> str:
    """One graph's block of graph.trig: its quads sorted, as TriG without the @prefix lines.

    Sorting makes the bytes depend only on the graph's content, so a chunk made by a worker from
    the extracted quads equals the one made later from the store.
    """
    text = serialize(sorted(quads, key=str), format=RdfFormat.TRIG, prefixes=PREFIXES).decode("utf-8")
    # The prefixes are declared once at the top of the file.
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("@prefix "))


def chunk_file_name(graph: str, content_hash: str) -> str:
    """Cache file of one issue graph's chunk, keyed by the graph and the hash it was built from."""
    return hashlib.sha256(f"{graph} {content_hash}".encode()).hexdigest()[:32] + ".trig"


STATIC_PREFIX = "static:"  # bookkeeping key prefix of the graphs not built from a source file (catalog, ontology)


def static_key(graph: str) -> str:
    """The bookkeeping key of a static graph (catalog, ontology)."""
    return STATIC_PREFIX + graph


def is_static(path: str) -> bool:
    """True for the bookkeeping key of a static graph rather than a source file's path."""
    return path.startswith(STATIC_PREFIX)


def remove_bulk_leftovers(root: str | Path) -> list[Path]:
    """Remove ``bulk-*.sst`` files that an interrupted bulk load (a kill, a full disk) left in ``root``'s
    store; they are never part of the database.  Only while no writer has the store open."""
    removed = []
    for leftover in (Path(root) / STORE_SUBDIR).glob("bulk-*.sst"):
        try:
            leftover.unlink()
            removed.append(leftover)
        except OSError:
            pass
    return removed


class GraphStore:
    """A built graph on disk: the one door to its Oxigraph store (queries, updates, quads, named graphs)."""

    def __init__(self, build_dir: Path, oxi: Store, read_only: bool) -> None:
        self.path = build_dir
        self.oxi = oxi  # the pyoxigraph store; code outside this module goes through the methods below
        self.read_only = read_only
        self._sources: dict[str, SourceRecord] | None = None  # bookkeeping as last read; reset on writes
        self._shared_loaded: set[str] = set()  # shared-fact lines bulk-loaded through this object

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, build_dir: str | Path = "build", read_only: bool = False, create: bool = False) -> GraphStore:
        root = Path(build_dir)
        location = root / STORE_SUBDIR
        if not location.is_dir():
            if not create:
                raise KgError(f"{root}: no built graph here (run `kg build` first, or pass --store DIR)")
            location.mkdir(parents=True, exist_ok=True)
        try:
            oxi = Store.read_only(str(location)) if read_only else Store(str(location))
        except OSError as err:
            raise KgError(f"{location}: cannot open the store: {str(err).splitlines()[0]}") from err
        if not read_only:
            remove_bulk_leftovers(root)  # this process holds the store's lock: no bulk load is running
        return cls(root, oxi, read_only)

    def close(self) -> None:
        try:
            if not self.read_only:
                self.oxi.flush()
        finally:
            if not self.read_only:
                remove_bulk_leftovers(self.path)  # still under this process's lock
            del self.oxi

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ querying

    def query(self, sparql: str, params: dict[str, Any] | None = None) -> QuerySolutions | QueryBoolean | Iterator:
        """Run SPARQL over the union of all graphs; ``params`` are bound as RDF terms (see kg.terms.bind_values)."""
        bound = bind_values(sparql, {k: from_python(v) for k, v in (params or {}).items()})
        try:
            return self.oxi.query(bound, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise KgError(f"SPARQL syntax error: {str(err).splitlines()[0]}") from err

    def select(self, sparql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query; rows as dicts of Python values (ints, floats, bools, strings)."""
        result = self.query(sparql, params)
        if not isinstance(result, QuerySolutions):
            raise KgError("expected a SELECT query")
        names = [v.value for v in result.variables]
        return [{name: to_python(row[name]) for name in names} for row in result]

    def ask(self, sparql: str, params: dict[str, Any] | None = None) -> bool:
        """Run an ASK query."""
        result = self.query(sparql, params)
        if not isinstance(result, QueryBoolean):
            raise KgError("expected an ASK query")
        return bool(result)

    def query_df(
        self, sparql: str, params: dict[str, Any] | None = None, *, lang: bool = False, shorten: bool = False
    ) -> pandas.DataFrame | bool:
        """A SELECT as a DataFrame with typed columns (an ASK gives a ``bool``).

        A column whose values are all xsd:date/xsd:dateTime literals is ``datetime64``; all numbers
        (xsd:integer and its kin, decimal, double, float) numeric (``Int64`` when some rows are unbound);
        all xsd:boolean ``bool`` (``boolean`` with gaps); anything else stays text.  ``lang=True`` adds,
        for each column holding language-tagged literals, a ``<column>_lang`` column with the tag (None
        where there is none).  ``shorten=True`` writes IRIs as ``prefix:local`` with the graph's prefixes
        (:data:`kg.vocab.PREFIXES`; for reading: the local part may hold '/'), leaving IRIs no prefix covers whole.
        """
        from kg.frames import solutions_frame

        result = self.query(sparql, params)
        if isinstance(result, QueryBoolean):
            return bool(result)
        if not isinstance(result, QuerySolutions):
            raise KgError("expected a SELECT or ASK query")
        return solutions_frame(result, lang=lang, shorten=shorten)

    def to_rdflib(self) -> rdflib.Dataset:
        """The graph as an rdflib Dataset over the same Oxigraph store (oxrdflib): nothing is copied, so
        it opens at once; rdflib's SPARQL goes to Oxigraph.  It is read-only: writes through it raise."""
        from kg.frames import read_only_dataset

        return read_only_dataset(self.oxi)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        else:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": NamedNode(graph)})
        return int(rows[0]["n"])

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.oxi.named_graphs() if isinstance(g, NamedNode))

    def has_graph(self, graph: str) -> bool:
        return self.oxi.contains_named_graph(NamedNode(graph))

    def quads(
        self, subject: Any = None, predicate: Any = None, obj: Any = None, graph: str | None = None
    ) -> Iterator[Quad]:
        """The quads matching a pattern (None: any), in one named graph when ``graph`` is given."""
        return iter(self.oxi.quads_for_pattern(subject, predicate, obj, None if graph is None else NamedNode(graph)))

    # ------------------------------------------------------------------ writing

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction), with the usual prefixes."""
        self._sources = None
        self._shared_loaded.clear()  # an update may delete shared facts
        self.oxi.update(sparql, prefixes=PREFIXES)

    def load(self, nquads: bytes, bulk: bool = False) -> None:
        """Add N-Quads: in one transaction, or (``bulk``) by Oxigraph's faster, non-transactional bulk loader."""
        self._sources = None
        if bulk:
            self.oxi.bulk_load(nquads, RdfFormat.N_QUADS)
        else:
            self.oxi.load(nquads, RdfFormat.N_QUADS)

    # ------------------------------------------------------------------ bookkeeping

    def sources(self) -> dict[str, SourceRecord]:
        """Source path -> record, from the bookkeeping graph (read once until the next write through this object)."""
        if self._sources is not None:
            return dict(self._sources)
        # Three index scans, one per field: the entries' other values (the lists of shared-fact keys, tens of
        # kilobytes each) are never turned into Python strings (10,000 issues: 2.2 s -> ~0.1 s).
        build = NamedNode(ids.GRAPH_BUILD)
        fields = {}
        for predicate in (CNKG.sourceFile, CNKG.builds, CNKG.contentHash):
            fields[predicate.value] = {
                q.subject: q.object.value for q in self.oxi.quads_for_pattern(None, predicate, None, build)
            }
        paths, graphs, hashes = (fields[p.value] for p in (CNKG.sourceFile, CNKG.builds, CNKG.contentHash))
        records = {}
        for node, path in paths.items():
            graph, content_hash = graphs.get(node), hashes.get(node)
            if path and graph and content_hash:
                records[path] = SourceRecord(path, graph, content_hash)
        self._sources = records
        return dict(records)

    @staticmethod
    def _record_node(path: str) -> NamedNode:
        return NamedNode(ids.ID + "source/" + ids.slug(path, max_len=60))

    def _record_triples(self, path: str, graph: str, content_hash: str, backs: str | None = None) -> str:
        node = self._record_node(path)
        return (
            f"{node} {CNKG.sourceFile} {Literal(path)} .\n"
            f"{node} {CNKG.builds} {NamedNode(graph)} .\n"
            f"{node} {CNKG.contentHash} {Literal(content_hash)} .\n"
        ) + (f"{node} {CNKG.backsSharedFacts} {Literal(backs)} .\n" if backs is not None else "")

    def write_graphs(self, writes: Sequence[GraphWrite], clear: Sequence[str] = ()) -> None:
        """Replace each issue graph, add its shared facts and update its bookkeeping, in ONE transaction.

        Shared facts that only the replaced versions backed are dropped in the same transaction, and
        so are the graphs named in ``clear``.
        """
        if not writes:
            return
        build = NamedNode(ids.GRAPH_BUILD)
        fresh = not any(self.oxi.contains_named_graph(NamedNode(w.graph)) or self._has_record(w.path) for w in writes)
        if fresh and not clear:  # nothing is replaced, so no shared fact can lose its backing
            # Nothing to replace (a fresh build, or new issues): a bulk load costs about a third of a
            # transactional load (1,000 issues: 7.5 s against 19-21 s).  It is not atomic, so the
            # bookkeeping entries follow in a transaction of their own once every graph is complete.
            records = "".join(
                line[:-2] + f" {build} .\n"
                for w in writes
                for line in self._record_triples(w.path, w.graph, w.content_hash, _backing(w)).splitlines()
            )
            known, self._sources = self._sources, None
            self.oxi.bulk_load(self._without_loaded_shared_facts(writes).encode("utf-8"), RdfFormat.N_QUADS)
            self.oxi.load(records.encode("utf-8"), RdfFormat.N_QUADS)
            if known is not None:  # only new entries were added: no need to read 10,000 of them again
                known.update({w.path: SourceRecord(w.path, w.graph, w.content_hash) for w in writes})
                self._sources = known
            return
        garbage = self._unbacked_update([w.path for w in writes], [w.graph for w in writes], writes)
        parts: list[str] = [f"DROP SILENT GRAPH {NamedNode(g)} ;\n" for g in clear]
        for write in writes:
            graph = NamedNode(write.graph)
            record = self._record_node(write.path)
            parts.append(f"DROP SILENT GRAPH {graph} ;\n")
            parts.append(f"DELETE WHERE {{ GRAPH {build} {{ {record} ?p ?o }} }} ;\n")
        parts.append("INSERT DATA {\n")
        for write in writes:
            for graph, triples in _nquads_by_graph(write.nquads).items():
                parts.append(f"GRAPH {graph} {{\n{triples}}}\n")
        parts.append(f"GRAPH {build} {{\n")
        for write in writes:
            parts.append(self._record_triples(write.path, write.graph, write.content_hash, _backing(write)))
        parts.append("}\n}\n")
        if garbage:
            parts.append(" ;\n" + garbage)
        self.update("".join(parts))

    def _without_loaded_shared_facts(self, writes: Sequence[GraphWrite]) -> str:
        """The writes' N-Quads minus shared facts already bulk-loaded: most issues restate the same
        entity descriptions (at 1,000 synthetic issues 125,445 such lines, 28,568 distinct)."""
        parts: list[str] = []
        for write in writes:
            if write.shared_from < 0:
                parts.append(write.nquads)
                continue
            parts.append(write.nquads[: write.shared_from])
            for line in write.nquads[write.shared_from :].splitlines(keepends=True):
                if line not in self._shared_loaded:
                    self._shared_loaded.add(line)
                    parts.append(line)
        return "".join(parts)

    def drop_orphan_graphs(self) -> list[str]:
        """Drop issue graphs that no bookkeeping entry claims (left by a bulk load that was cut off)."""
        claimed = {r.graph for r in self.sources().values()}
        orphans = [g for g in self.named_graphs() if g.startswith(ids.GRAPH_ISSUE_PREFIX) and g not in claimed]
        if orphans:
            garbage = self._garbage_update(orphans)
            self.update("".join(f"DROP SILENT GRAPH {NamedNode(g)} ;\n" for g in orphans) + garbage)
        return orphans

    def _has_record(self, path: str) -> bool:
        record = self._record_node(path)
        return next(iter(self.oxi.quads_for_pattern(record, None, None, NamedNode(ids.GRAPH_BUILD))), None) is not None

    def _unbacked_update(self, paths: Sequence[str], graphs: Sequence[str], writes: Sequence[GraphWrite]) -> str:
        """A ``DELETE DATA`` dropping the shared facts that only the sources ``paths`` backed and that
        ``writes`` (their new versions) do not back ("" when there are none).

        Each source's bookkeeping entry lists keys of the shared lines it stated (``cnkg:backsSharedFacts``),
        so removal is exact: an alias, name key or URL that only an edited or deleted issue gave goes with
        it, as a fresh build would never have made it.  Stores built before the lists existed fall back to
        :meth:`_garbage_update` (which keeps such facts while the entity is mentioned elsewhere)."""
        if any(w.shared_from < 0 for w in writes if not w.path.startswith("static:")):
            return self._garbage_update(graphs, "".join(w.nquads for w in writes))
        replaced = set(paths)
        backs = self._backs()
        issue_paths = {p for p in self.sources() if not p.startswith("static:")} | replaced
        if any(p not in backs for p in issue_paths):  # a source without a list: the old way
            return self._garbage_update(graphs, "".join(w.nquads for w in writes))
        candidates: set[str] = set()
        for path in replaced:
            candidates.update(backs.get(path, "").split())
        for write in writes:
            candidates.difference_update((_backing(write) or "").split())
        for path, keys in backs.items():
            if not candidates:
                return ""
            if path not in replaced:
                candidates.difference_update(keys.split())
        if not candidates:
            return ""
        shared = NamedNode(ids.GRAPH_ENTITIES)
        quads = list(self.oxi.quads_for_pattern(None, None, None, shared))
        lines = serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True)
        garbage = "".join(line for line in lines if _fact_key(line) in candidates)
        if not garbage:
            return ""
        body = "".join(f"GRAPH {g} {{\n{triples}}}\n" for g, triples in _nquads_by_graph(garbage).items())
        return f"DELETE DATA {{\n{body}}}"

    def _backs(self) -> dict[str, str]:
        """Source path -> the keys of the shared facts it backs (sources built before the lists existed: absent)."""
        paths = {
            q.subject: q.object.value
            for q in self.oxi.quads_for_pattern(None, CNKG.sourceFile, None, NamedNode(ids.GRAPH_BUILD))
        }
        return {
            paths[q.subject]: q.object.value
            for q in self.oxi.quads_for_pattern(None, CNKG.backsSharedFacts, None, NamedNode(ids.GRAPH_BUILD))
            if q.subject in paths
        }

    def _garbage_update(self, graphs: Sequence[str], new_nquads: str = "") -> str:
        """A ``DELETE DATA`` dropping the shared facts that the current versions of ``graphs`` back and
        that nothing backs once ``graphs`` hold ``new_nquads`` instead ("" when there are none).

        Decided here with index lookups rather than in SPARQL: a ``FILTER NOT EXISTS`` pass over the
        candidates took seconds per batch on a store of 1,000 issues.
        """
        rdf_subject, rdf_predicate, rdf_object = RDF.subject, RDF.predicate, RDF.object
        refers_to, part_of = CNKG.refersTo, SCHEMA.isPartOf
        replaced = {NamedNode(g) for g in graphs}

        def backing(quads: Iterable[Quad]) -> tuple[set[tuple[Any, Any, Any]], set[Any]]:
            statements: dict[Any, dict[str, Any]] = {}
            entities: set[Any] = set()
            for quad in quads:
                if quad.predicate in (rdf_subject, rdf_predicate, rdf_object):
                    statements.setdefault((quad.subject, quad.graph_name), {})[quad.predicate.value] = quad.object
                elif quad.predicate in (refers_to, part_of):
                    entities.add(quad.object)
            triples = set()
            for parts in statements.values():
                if len(parts) == 3:
                    triple = (parts[rdf_subject.value], parts[rdf_predicate.value], parts[rdf_object.value])
                    triples.add(triple)
                    entities.update((triple[0], triple[2]))
            return triples, entities

        old = (
            q
            for g in replaced
            for predicate in (rdf_subject, rdf_predicate, rdf_object, refers_to, part_of)
            for q in self.oxi.quads_for_pattern(None, predicate, None, g)
        )
        old_triples, old_entities = backing(old)
        if not old_triples and not old_entities:
            return ""
        new_quads = parse(new_nquads.encode("utf-8"), RdfFormat.N_QUADS) if new_nquads else iter(())
        new_triples, new_entities = backing(new_quads)

        def elsewhere(predicate: NamedNode, obj: Any) -> Iterator[Quad]:
            return (q for q in self.oxi.quads_for_pattern(None, predicate, obj, None) if q.graph_name not in replaced)

        def statement_elsewhere(s: Any, p: Any, o: Any) -> bool:
            return any(
                Quad(q.subject, rdf_predicate, p, q.graph_name) in self.oxi
                and Quad(q.subject, rdf_object, o, q.graph_name) in self.oxi
                for q in elsewhere(rdf_subject, s)
            )

        shared = NamedNode(ids.GRAPH_ENTITIES)
        garbage: list[Quad] = []
        for s, p, o in sorted(old_triples - new_triples, key=str):
            if Quad(s, p, o, shared) in self.oxi and not statement_elsewhere(s, p, o):
                garbage.append(Quad(s, p, o, shared))
        for entity in sorted(old_entities - new_entities, key=str):
            if any(next(elsewhere(pred, entity), None) for pred in (refers_to, rdf_subject, rdf_object, part_of)):
                continue
            garbage.extend(self.oxi.quads_for_pattern(entity, None, None, shared))
        if not garbage:
            return ""
        body = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in dict.fromkeys(garbage))
        return f"DELETE DATA {{ GRAPH {shared} {{\n{body}}} }}"

    def remove_sources(self, records: Iterable[SourceRecord]) -> None:
        """Drop the graphs of deleted sources and their bookkeeping, in one transaction."""
        records = list(records)
        build = NamedNode(ids.GRAPH_BUILD)
        garbage = self._unbacked_update([r.path for r in records], [r.graph for r in records], [])
        parts = []
        for record in records:
            parts.append(f"DROP SILENT GRAPH {NamedNode(record.graph)} ;\n")
            parts.append(f"DELETE WHERE {{ GRAPH {build} {{ {self._record_node(record.path)} ?p ?o }} }} ;\n")
        if parts:
            self.update("".join(parts) + garbage)

    def replace_static_graph(
        self, graph: str, make_quads: Callable[[], Sequence[Quad]], content_hash: str, clear: Sequence[str] = ()
    ) -> bool:
        """Replace the catalog or ontology graph when its source changed (and drop the ``clear`` graphs
        with it, in the same transaction); True when it was rewritten.  ``make_quads`` is called only then
        (making the catalog's quads costs most of a second, on every build that adds one issue)."""
        key = static_key(graph)
        current = self.sources().get(key)
        if current is not None and current.content_hash == content_hash:
            return False
        nquads = serialize(make_quads(), format=RdfFormat.N_QUADS).decode("utf-8")
        self.write_graphs([GraphWrite(key, graph, content_hash, nquads)], clear=clear)
        return True

    # ------------------------------------------------------------------ exporting

    def content_quads(self) -> Iterator[Quad]:
        """Every quad but the bookkeeping, graph by graph in a stable order."""
        for graph in self.named_graphs():
            if graph == ids.GRAPH_BUILD:
                continue
            yield from sorted(self.oxi.quads_for_pattern(None, None, None, NamedNode(graph)), key=str)
        yield from sorted(self.oxi.quads_for_pattern(None, None, None, DefaultGraph()), key=str)

    def canonical_nquads(self) -> str:
        """Sorted N-Quads of the content (no blank nodes are written, so sorting is canonical)."""
        lines = serialize(self.content_quads(), format=RdfFormat.N_QUADS).decode("utf-8").splitlines()
        return "\n".join(sorted(lines)) + "\n"

    def export_trig_cached(self, out: Path, cache: Path) -> None:
        """Write graph.trig from per-graph chunks, serialising only graphs whose chunk is not cached.

        Chunks of graphs with a bookkeeping entry (issues, catalog, ontology) are cached under
        ``cache`` by graph and content hash (a build's workers put the new issues' chunks there);
        the other graphs (the shared entities, the stats) are serialised each time
        (:meth:`_shared_chunk`).  A chunk the previous graph.trig already holds is copied from it inside
        the kernel (``os.copy_file_range``) rather than read from its cache file: adding one issue to
        10,000 rewrites ~700 MB, and reading 10,000 files to do it cost seconds.  The previous file is
        trusted only while its size, mtime and inode are those its layout (``cache/layout.json``) records.
        The same bytes as a full rewrite would give, so the file stays deterministic.
        """
        cache.mkdir(parents=True, exist_ok=True)
        hashes = {r.graph: r.content_hash for r in self.sources().values()}
        header = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()).encode("utf-8")
        used: set[str] = set()
        layout: dict[str, list[int]] = {}  # chunk file name -> [offset, length] in the new file
        old = _previous_export(out, cache / EXPORT_LAYOUT)
        try:
            with safeio.atomic_open(out) as handle:
                writer = _SpliceWriter(handle, None if old is None else old[0])
                writer.write(header)
                for graph in self.named_graphs():
                    if graph == ids.GRAPH_BUILD:
                        continue
                    content_hash = hashes.get(graph)
                    if content_hash is None:
                        writer.write(self._shared_chunk(graph))
                        continue
                    name = chunk_file_name(graph, content_hash)
                    used.add(name)
                    start = writer.offset
                    where = None if old is None else old[1].get(name)
                    if where is not None:
                        writer.copy(*where)
                    else:
                        # A chunk is reused only when its checksum holds: a damaged one is made again.
                        chunk = safeio.read_checked(cache / name)
                        if chunk is None:
                            chunk = trig_chunk(self.oxi.quads_for_pattern(None, None, None, NamedNode(graph))).encode()
                            safeio.write_checked(cache / name, chunk)
                        writer.write(chunk)
                    layout[name] = [start, writer.offset - start]
                writer.finish()
        finally:
            if old is not None:
                os.close(old[0])
        written = out.stat()
        stamp = [written.st_size, written.st_mtime_ns, written.st_ino]
        safeio.write_text(cache / EXPORT_LAYOUT, json.dumps({"file": stamp, "chunks": layout}))
        for stale in cache.glob("*.trig"):
            if stale.name not in used:
                stale.unlink()

    def _shared_chunk(self, graph: str) -> bytes:
        """:func:`trig_chunk` of a graph of the store, fast: Oxigraph dumps its N-Quads, the lines are sorted
        as text (the order ``sorted(quads, key=str)`` gives: a line is the quad's string and " ."), and the
        sorted quads are parsed and written as TriG, with no Python call per quad (~70,000 quads of shared
        entities and as many of stats: ~4 s -> well under 1 s)."""
        dumped = self.oxi.dump(format=RdfFormat.N_QUADS, from_graph=NamedNode(graph))
        if not dumped:
            return b""
        lines = dumped.split(b"\n")
        lines = sorted(line for line in lines if line)
        # A quad's string and its N-Quads line escape in the same way; bytes sort as the UTF-8 strings do.
        name = NamedNode(graph)
        triples = parse(b"\n".join(lines) + b"\n", RdfFormat.N_TRIPLES)  # the dump leaves the graph name out
        ordered = (Quad(t.subject, t.predicate, t.object, name) for t in triples)
        text = serialize(ordered, format=RdfFormat.TRIG, prefixes=PREFIXES)
        return b"".join(line for line in text.splitlines(keepends=True) if not line.startswith(b"@prefix "))

    def export(self, out: Path, fmt: RdfFormat) -> None:
        """Write the content (all graphs but the bookkeeping) atomically: a temp file renamed into place."""
        with safeio.atomic_open(out) as handle:
            if fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS):
                serialize(
                    self.content_quads(), handle, format=fmt, prefixes=PREFIXES if fmt == RdfFormat.TRIG else None
                )
            else:
                triples = (q.triple for q in self.content_quads())
                serialize(triples, handle, format=fmt, prefixes=None if fmt == RdfFormat.N_TRIPLES else PREFIXES)


def _fact_key(line: str) -> str:
    """A shared fact's key in a source's ``cnkg:backsSharedFacts`` list: 64 bits of its N-Quads line's hash."""
    return hashlib.blake2b(line.strip().encode("utf-8"), digest_size=8).hexdigest()


def _backing(write: GraphWrite) -> str | None:
    """The keys of the shared facts an issue's write states, sorted and space-separated (None: not known,
    the write did not mark where its shared facts begin; a static graph's write has none)."""
    if write.path.startswith("static:"):
        return None
    if write.shared_from < 0:
        return None
    return " ".join(
        sorted({_fact_key(line) for line in write.nquads[write.shared_from :].splitlines() if line.strip()})
    )


def _nquads_by_graph(nquads: str) -> dict[str, str]:
    """N-Quads text -> N-Triples text per graph term, for the GRAPH blocks of an INSERT DATA."""
    groups: dict[str, list[str]] = {}
    for line in nquads.splitlines():
        line = line.strip()
        if not line:
            continue
        # Each line ends with "<graph> ." — the graph IRI is the last term before the dot.
        body = line[:-1].rstrip()
        cut = body.rfind(" <")
        groups.setdefault(body[cut + 1 :], []).append(body[:cut] + " .")
    return {graph: "\n".join(lines) + "\n" for graph, lines in groups.items()}


EXPORT_LAYOUT = "layout.json"  # where each cached chunk sits in the last graph.trig written (export cache)


def _previous_export(out: Path, layout_file: Path) -> tuple[int, dict[str, tuple[int, int]]] | None:
    """An open descriptor on the graph.trig ``out`` and the place of each chunk in it, when its layout file
    describes it (same size, mtime and inode as recorded); else None (the chunks are read from the cache)."""
    try:
        recorded = json.loads(layout_file.read_text())
        fd = os.open(out, os.O_RDONLY)
    except (OSError, ValueError):
        return None
    try:
        now = os.fstat(fd)
        chunks = {str(name): (int(at), int(length)) for name, (at, length) in recorded["chunks"].items()}
        if recorded["file"] == [now.st_size, now.st_mtime_ns, now.st_ino] and all(
            at + length <= now.st_size for at, length in chunks.values()
        ):
            return fd, chunks
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    os.close(fd)
    return None


class _SpliceWriter:
    """Writes a file from new bytes and byte ranges of an old file; adjacent ranges are copied at once,
    inside the kernel where it can (``os.copy_file_range``)."""

    def __init__(self, handle: BinaryIO, source: int | None) -> None:
        self.handle = handle
        self.source = source
        self.offset = 0  # bytes written so far (this object's writes and copies)
        self._run: list[int] | None = None  # [offset, length] of the range waiting to be copied

    def write(self, data: bytes) -> None:
        self._copy_run()
        self.handle.write(data)
        self.offset += len(data)

    def copy(self, at: int, length: int) -> None:
        if self._run is not None and self._run[0] + self._run[1] == at:
            self._run[1] += length
        else:
            self._copy_run()
            self._run = [at, length]
        self.offset += length

    def finish(self) -> None:
        self._copy_run()
        self.handle.flush()

    def _copy_run(self) -> None:
        if self._run is None:
            return
        assert self.source is not None
        at, length = self._run
        self._run = None
        self.handle.flush()
        target = self.handle.fileno()
        while length > 0:
            try:
                done = os.copy_file_range(self.source, target, length, at)
            except (AttributeError, OSError):  # not Linux, or not between these files: copy through memory
                done = len(chunk := os.pread(self.source, min(length, 1 << 24), at))
                self.handle.write(chunk)
                self.handle.flush()
            if done <= 0:
                raise OSError(f"graph.trig: the previous file ended early at byte {at}")
            at += done
            length -= done
        self.handle.seek(0, os.SEEK_END)
