"""Sharded output for a server store (``kg build --emit DIR``): one N-Quads file per named graph.

Each issue graph and each shared graph (catalog, ontology, entities, stats, dataset description) becomes
one ``.nq`` file whose lines are sorted, so the same store gives the same bytes.  The file names follow the
graph IRIs (``…/id/graph/issue/lwkd/2020-01-05`` -> ``issue/lwkd/2020-01-05.nq``), which keeps a
million issues in one folder per series.  ``manifest.json`` lists every shard with its graph, quads and
SHA-256; it is written last, so a folder whose manifest is there is complete.

Emitting again writes nothing that has not changed: an issue graph whose build hash (its file's bytes and
the extractor) is the one the manifest recorded is not even read from the store, and a shared graph is
rewritten only when its bytes differ.  Shards of graphs the store no longer holds are removed.  Any
server store's own bulk loader takes the folder (``oxigraph load --file DIR/**/*.nq``, QLever's
``IndexBuilderMain``, Virtuoso's ``ld_dir``, GraphDB's ``importrdf``); docs/scale.md says which to pick.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, serialize

from kg import ids, safeio
from kg.errors import KgError
from kg.store import GraphStore, is_static

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
GRAPH_PREFIX = ids.ID + "graph/"
# A path segment taken from a graph IRI as it is: what ids.slug makes (no slash, no leading dot).
_SAFE_SEGMENT = re.compile(r"[\w\-~\u3000-\u9fff\uff00-\uffef][\w.\-~\u3000-\u9fff\uff00-\uffef]{0,120}")


@dataclass
class EmitReport:
    folder: Path
    shards: int = 0
    written: int = 0
    removed: int = 0
    quads: int = 0

    def render(self) -> str:
        return (
            f"emitted {self.shards} shards ({self.quads} quads) to {self.folder}: "
            f"{self.written} written, {self.shards - self.written} unchanged, {self.removed} removed"
        )


def shard_name(graph: str) -> str:
    """The shard file of a graph, relative to the emit folder: the IRI's path below ``…/id/graph/``, or a
    hash of the IRI under ``other/`` when that path would not make safe file names."""
    if graph.startswith(GRAPH_PREFIX):
        segments = graph[len(GRAPH_PREFIX) :].split("/")
        if segments and all(_SAFE_SEGMENT.fullmatch(s) for s in segments) and segments[0] != "other":
            return "/".join(segments) + ".nq"
    return "other/" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:32] + ".nq"


def graph_nquads(graph: GraphStore, name: str) -> bytes:
    """One graph's quads as sorted N-Quads (no blank nodes are written, so sorted is canonical)."""
    quads = graph.quads(graph=name)
    lines = serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True)
    return "".join(sorted(lines)).encode("utf-8")


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("version") != MANIFEST_VERSION
        or not isinstance(data.get("graphs"), dict)
    ):
        return {}
    return data["graphs"]


def emit(graph: GraphStore, folder: str | Path) -> EmitReport:
    """Write (or bring up to date) one N-Quads shard per named graph of ``graph`` (all but the bookkeeping)
    in ``folder``, then ``manifest.json``."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"{folder}: cannot make the emit folder: {err.strerror}") from None
    if not folder.is_dir():
        raise KgError(f"{folder}: not a folder (--emit)")
    before = _read_manifest(folder)
    build_hashes = {r.graph: r.content_hash for p, r in graph.sources().items() if not is_static(p)}
    report = EmitReport(folder)
    entries: dict[str, dict[str, Any]] = {}
    for name in graph.named_graphs():
        if name == ids.GRAPH_BUILD:
            continue
        relative = shard_name(name)
        target = folder / relative
        known = before.get(name)
        build_hash = build_hashes.get(name)
        if (
            build_hash is not None
            and isinstance(known, dict)
            and known.get("build_hash") == build_hash
            and known.get("file") == relative
            and target.is_file()
            and target.stat().st_size == known.get("bytes")
        ):
            entries[name] = known  # the same source and extractor made it: the same bytes
            report.shards += 1
            report.quads += int(known.get("quads", 0))
            continue
        data = graph_nquads(graph, name)
        digest = hashlib.sha256(data).hexdigest()
        entry = {"file": relative, "sha256": digest, "quads": data.count(b"\n"), "bytes": len(data)}
        if build_hash is not None:
            entry["build_hash"] = build_hash
        if not (isinstance(known, dict) and known.get("sha256") == digest and _same_file(target, data)):
            target.parent.mkdir(parents=True, exist_ok=True)
            safeio.write_bytes(target, data)
            report.written += 1
        entries[name] = entry
        report.shards += 1
        report.quads += entry["quads"]
    for name, known in before.items():
        if name not in entries and isinstance(known, dict) and isinstance(known.get("file"), str):
            stale = folder / known["file"]
            if stale.resolve().is_relative_to(folder.resolve()) and stale.is_file():
                stale.unlink()
                report.removed += 1
    manifest = {"version": MANIFEST_VERSION, "graphs": dict(sorted(entries.items()))}
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if not _same_file(folder / MANIFEST, text.encode("utf-8")):
        safeio.write_text(folder / MANIFEST, text)
    return report


def _same_file(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def shard_files(folder: str | Path) -> list[Path]:
    """The shards an emit folder's manifest lists, in graph order."""
    folder = Path(folder)
    return [folder / entry["file"] for _, entry in sorted(_read_manifest(folder).items())]
