"""`kg build`: files -> ingest -> extract -> rdf -> store, incrementally.

The per-issue part (:func:`process_file`) is a pure function of (file,
catalog) returning plain data (N-Quads text), so it runs in worker
processes; one writer (this process) puts the results into the store in
batches, each batch one transaction.  Unchanged issues (same bytes, same
extractor fingerprint) are skipped; issues whose file was deleted are removed.
"""

from __future__ import annotations

import errno
import hashlib
import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import aggregates, ids, safeio
from kg.errors import InputError, KgError, shown
from kg.fingerprint import extractor_fingerprint, file_hash
from kg.fingerprint import source_bytes as _source_bytes
from kg.issue_job import results
from kg.mention_counts import IssueCounts, current_counts, issue_counts
from kg.shards import EmitReport
from kg.store import EXPORTS_STAMP, GraphStore, GraphWrite, SourceRecord, chunk_file_name, is_static

# Batching bounds memory (at most this many extracted issues wait in memory) and amortises the cost
# of a write: Oxigraph's bulk loads cost less per issue in large batches (10,000 issues: ~2x less
# wall time with batches of ~500 issues than of 128; each batch overlaps the store's older files and
# sets off compactions), at the price of ~1 GB held by the loader.  $CNKG_BATCH_ISSUES lowers the
# count (less memory per batch; the kill-and-resume test uses it to get several batches from a few issues).
BATCH_ISSUES = int(os.environ.get("CNKG_BATCH_ISSUES", "512"))
BATCH_BYTES = 96 * 1024 * 1024
# Per-file bounds (``kg build --max-file-size``, ``--file-timeout``): the largest issue in the corpora is
# ~0.2 MB and takes well under a second; a file past these is reported and skipped, the others built.
MAX_FILE_SIZE = 10 * 1024 * 1024
FILE_TIMEOUT = 300.0
GRAPH_SIZES = ".graph-sizes.json"  # quads per named graph, for the summary's triple count
EXPORTS_CACHE = ".exports"  # per-graph chunks of graph.trig, under the build directory
SOURCE_STATS = ".source-stats.json"  # each source's stat and content hash (SourceHashes)


@dataclass(frozen=True)
class Source:
    """A source file as this build finds it on disk: its path (the bookkeeping key), the content hash it
    would be stored under, and the series it is given (``--series``, remembered)."""

    path: str
    content_hash: str | None  # None: the file is there but could not be read
    series: str | None = None


@dataclass
class Plan:
    """What a build does to the store: the sources to (re)extract, how many are unchanged, and the
    stored sources whose files are gone."""

    todo: list[Source] = field(default_factory=list)
    unchanged: int = 0
    gone: list[SourceRecord] = field(default_factory=list)


def plan(files: Sequence[Source], records: dict[str, SourceRecord], roots: Sequence[Path]) -> Plan:
    """Decide the build from what is on disk and what the store records; no I/O.

    ``files`` are the readable sources found under the build's roots, then the stored sources outside
    them whose files still exist (an issue an earlier extractor built is brought up to date too: the
    store holds one extractor's output, never a mix).  A source is extracted when the store has no
    record of it or one with another content hash.  A stored source under one of ``roots`` (resolved)
    that is not among ``files`` is gone: its graph goes too."""
    result = Plan()
    present: set[str] = set()
    for source in files:
        present.add(source.path)
        if source.content_hash is None:
            continue
        record = records.get(source.path)
        if record is not None and record.content_hash == source.content_hash:
            result.unchanged += 1
        else:
            result.todo.append(source)
    result.gone = [
        record
        for path, record in records.items()
        if not is_static(path) and path not in present and any(Path(path).is_relative_to(root) for root in roots)
    ]
    return result


@dataclass
class BuildSummary:
    built: list[str] = field(default_factory=list)
    skipped: int = 0
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    issues_in_store: int = 0
    triples: int = 0
    seconds: float = 0.0
    exports_written: bool = False
    emitted: EmitReport | None = None  # what ``--emit`` wrote

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> str:
        return (
            f"built {len(self.built)}, unchanged {self.skipped}, removed {len(self.removed)}, "
            f"failed {len(self.errors)}; store holds {self.issues_in_store} issues, {self.triples} triples; "
            f"{self.seconds:.1f} s"
        )


# ---------------------------------------------------------------------- orchestration (writer side)


def _progress(total: int, enabled: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    from kg.progress import bar

    return bar(total, "extracting", enabled)


def build(*args: Any, **kwargs: Any) -> BuildSummary:
    """Build (or bring up to date) the graph of every issue under ``paths`` in ``out`` (see :func:`_build`).

    A failed write (a full disk, an output directory that cannot be made or written) is one KgError
    naming the directory and the problem; what earlier builds stored stays (and the bulk loader's
    temporary files go: see :meth:`kg.store.GraphStore.close`)."""
    bound = inspect.signature(_build).bind(*args, **kwargs)
    bound.apply_defaults()
    out = Path(bound.arguments["out"])
    try:
        return _build(*args, **kwargs)
    except OSError as err:
        raise KgError(f"{shown(out)}: {_write_problem(err)}") from None


def _write_problem(err: OSError) -> str:
    text = f"{err.strerror or ''} {err}"
    if err.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text or "quota" in text.lower():
        return "cannot write: the disk is full; the store keeps what earlier builds stored"
    if err.errno == errno.EFBIG or "File too large" in text:
        return "cannot write: file size limit reached; the store keeps what earlier builds stored"
    where = f" {shown(err.filename)}" if err.filename else ""
    return f"cannot write{where}: {err.strerror or str(err).splitlines()[0]}"


def _build(
    paths: Iterable[str | Path],
    out: str | Path = "build",
    workers: int = 1,
    progress: bool | None = None,
    write_html: bool = True,
    report: Callable[[str], None] | None = None,
    series: str | None = None,
    max_file_size: int | None = MAX_FILE_SIZE,
    file_timeout: float | None = FILE_TIMEOUT,
    executor: str | None = None,
    emit: str | Path | None = None,
) -> BuildSummary:
    """Build (or bring up to date) the graph of every issue under ``paths`` in ``out``.

    ``series`` names the series of the issues under ``paths`` (for newsletters the generic reader
    reads); it is remembered in ``out/series.json`` so that later builds keep it.  A file larger than
    ``max_file_size`` bytes, or whose extraction takes longer than ``file_timeout`` seconds, is reported
    and skipped (None or 0: no limit).  ``executor`` extracts on a Dask cluster instead of local processes
    (:mod:`kg.cluster`; the per-file time limit is then not enforced); ``emit`` names a folder where the
    store's graphs are written as one N-Quads shard each (:mod:`kg.shards`)."""
    from kg.catalog import files_fingerprint
    from kg.ingest import discover

    started = time.perf_counter()
    if executor:
        from kg.cluster import parse_executor

        parse_executor(executor)  # a bad --executor is a usage error before anything is read or written
    tell = report or (lambda line: print(line, file=sys.stderr))

    def say(line: str) -> None:
        tell(shown(line))  # file names may hold control characters

    summary = BuildSummary()
    if progress is None:
        progress = sys.stderr.isatty()

    roots = [Path(p) for p in paths]
    files: list[Path] = []
    for root in roots:
        problems: list[InputError] = []
        try:
            files.extend(discover([root], problems=problems))
        except InputError as err:
            problems.append(err)
        for problem in problems:
            summary.errors.append(str(problem))
            say(str(problem))

    # The catalog is parsed only when something is extracted or its graph rewritten (most of a second):
    # what the extractor's fingerprint needs of it is its files' digest.
    catalog_digest = files_fingerprint()
    fingerprint = extractor_fingerprint(catalog_digest)
    catalog = _CatalogOnDemand(catalog_digest)
    build_dir = Path(out)
    build_dir.mkdir(parents=True, exist_ok=True)
    graph = GraphStore.open(build_dir, create=True)
    for folder in (build_dir, build_dir / EXPORTS_CACHE):  # what a killed build was writing; the lock is ours now
        safeio.remove_stale_temporaries(folder)
    try:
        static_changed = _store_static_graphs(graph, catalog, fingerprint)
        graph.drop_orphan_graphs()
        records = graph.sources()
        records_before = _records_digest(records)
        claimed = {r.graph: p for p, r in records.items() if not is_static(p)}
        claimed_before = bool(claimed)
        # The stats graph sums every issue's tallies.  Unless its stamp matches the store (a new extractor,
        # a build cut off before its stats were written), every tally is summed again after the writes.
        stats_current = aggregates.current_stamp(graph) == records_before and not static_changed
        # Into an empty store the totals are summed here from what the workers report; into a store whose
        # stats are current, the changes are: the new versions' tallies minus the replaced ones'.
        totals = aggregates.Totals() if not claimed_before or stats_current else None
        given_series = _load_series(build_dir)
        if series:
            given_series.update({str(f.resolve()): series for f in files})
            _save_series(build_dir, given_series)
        hashes = SourceHashes(build_dir / SOURCE_STATS)
        found = _find_sources(files, records, fingerprint, given_series, summary, say, max_file_size, hashes)
        work = plan(found, records, [r.resolve() for r in roots if r.exists()])
        summary.skipped = work.unchanged
        if work.gone:
            if totals is not None:
                for record in work.gone:
                    totals.add_issue(*aggregates.stored_tallies(graph, record.graph), sign=-1)
            graph.remove_sources(work.gone)
            summary.removed = [r.path for r in work.gone]
            for record in work.gone:
                claimed.pop(record.graph, None)
        counted: dict[str, IssueCounts] = {}  # issue graph -> mentions per entity, for the overview
        written_sizes = _extract_and_store(
            graph,
            work.todo,
            catalog.get() if work.todo else None,
            workers,
            progress,
            build_dir,
            claimed,
            totals,
            summary,
            say,
            counted,
            file_timeout,
            executor,
            fingerprint,
        )
        sources = graph.sources()
        records_now = _records_digest(sources)
        _update_stats(graph, totals, claimed_before, bool(summary.built or summary.removed), records_now)
        changed = bool(static_changed or summary.built or summary.removed)
        sizes = _graph_sizes(graph, build_dir, written_sizes if changed else None, records_before)
        _describe_dataset(graph, changed, sizes)
        _save_graph_sizes(build_dir, sizes, records_now)
        summary.exports_written = write_exports(graph, build_dir, write_html, sources, counted)
        summary.issues_in_store = sum(1 for p in sources if not is_static(p))
        summary.triples = sum(sizes.values())
        if emit is not None:
            from kg.shards import emit as emit_shards

            summary.emitted = emit_shards(graph, emit)
    finally:
        graph.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _describe_dataset(graph: GraphStore, changed: bool, sizes: dict[str, int]) -> None:
    """The VoID description (sizes, licences: kg.rdf.describe_dataset), when the content changed.

    Its triple count comes from the per-graph ``sizes`` (a count over the store would scan every quad);
    ``sizes`` gets the new VoID graph's own size."""
    from kg.rdf import GRAPH_VOID, describe_dataset

    if changed or not graph.has_graph(GRAPH_VOID):
        describe_dataset(graph, sum(n for name, n in sizes.items() if name not in (ids.GRAPH_BUILD, GRAPH_VOID)))
        sizes[GRAPH_VOID] = graph.count(GRAPH_VOID)


class _CatalogOnDemand:
    """The catalog of a build, parsed on first use; ``fingerprint`` is its files' digest, known without parsing."""

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self._loaded: Any = None

    def get(self) -> Any:
        if self._loaded is None:
            from kg.catalog import CATALOG_DIR, load_catalog

            self._loaded = load_catalog()
            if self._loaded.fingerprint != self.fingerprint:  # edited since the build read its digest
                raise KgError(f"{shown(CATALOG_DIR)}: the catalog changed during the build; run it again")
        return self._loaded


def _store_static_graphs(graph: GraphStore, catalog: _CatalogOnDemand, fingerprint: str) -> bool:
    """Replace the catalog and ontology graphs when their sources changed; True when either was rewritten."""
    from kg.rdf import ONTOLOGY_FILE, catalog_quads, ontology_quads

    static_hash = hashlib.sha256((catalog.fingerprint + fingerprint).encode()).hexdigest()
    # A new extractor (code, catalog or patterns) re-extracts every stored issue: the shared facts
    # are rebuilt from scratch with them, so none of the old extractor's survives.
    changed = graph.replace_static_graph(
        ids.GRAPH_CATALOG, lambda: catalog_quads(catalog.get()), static_hash, clear=[ids.GRAPH_ENTITIES]
    )
    # The ontology graph is the file's triples: its bytes say whether it changed, without parsing it.
    ontology_hash = hashlib.sha256(ONTOLOGY_FILE.read_bytes()).hexdigest()
    changed |= graph.replace_static_graph(ids.GRAPH_ONTOLOGY, ontology_quads, ontology_hash)
    return changed


def _find_sources(
    files: Sequence[Path],
    records: dict[str, SourceRecord],
    fingerprint: str,
    given_series: dict[str, str],
    summary: BuildSummary,
    say: Callable[[str], None],
    max_file_size: int | None = MAX_FILE_SIZE,
    hashes: SourceHashes | None = None,
) -> list[Source]:
    """The sources under the build's roots that can be read (with their content hashes), then the stored
    ones outside them whose files still exist (see :func:`plan`).  ``hashes`` gives the content hash of a
    file whose stat did not change since it was last read without reading it again."""
    from kg.ingest import source_files

    hashes = hashes or SourceHashes(None)
    found: list[Source] = []
    seen: set[str] = set()
    directories: dict[str, str] = {}
    for file in files:
        key = _resolved(file, directories)
        if key in seen:
            continue
        seen.add(key)
        salt = fingerprint + given_series.get(key, "")
        try:
            parts = source_files(file)
            stats = [os.stat(p) for p in parts]
            too_large = _too_large(sum(st.st_size for st in stats), max_file_size)
            if too_large:
                summary.errors.append(f"{shown(file)}: {too_large}; skipped")
                say(summary.errors[-1])
                found.append(Source(key, None))  # present, so not gone, but left as it is
                continue
            content_hash = hashes.content_hash(key, parts, stats, salt)
        except OSError as err:
            summary.errors.append(f"{shown(file)}: cannot read: {err.strerror}")
            say(summary.errors[-1])
            found.append(Source(key, None))  # present, so not gone, but left as it is
            continue
        found.append(Source(key, content_hash, given_series.get(key)))
    for key in sorted(records):
        if is_static(key) or key in seen or not Path(key).is_file():
            continue
        try:
            parts = source_files(Path(key))
            stats = [os.stat(p) for p in parts]
            content_hash = hashes.content_hash(key, parts, stats, fingerprint + given_series.get(key, ""))
        except OSError as err:  # it became unreadable since it was built: its stored graph stays
            summary.errors.append(f"{key}: cannot read: {err.strerror}; its stored graph is kept")
            say(summary.errors[-1])
            found.append(Source(key, None))
            continue
        found.append(Source(key, content_hash, given_series.get(key)))
    hashes.save()
    return found


def _resolved(file: Path, directories: dict[str, str]) -> str:
    """``str(file.resolve())``, resolving each directory once: a file that is no symbolic link resolves to its
    directory's real path and its name (10,000 files: ~1.4 s -> ~0.1 s)."""
    if file.is_symlink():
        return str(file.resolve())
    folder = str(file.parent)
    real = directories.get(folder)
    if real is None:
        real = directories[folder] = os.path.realpath(folder)
    return os.path.join(real, file.name)


# A file is hashed again when its stat changed, and when it changed less than this long before it was
# stat'ed: a file rewritten within the same tick of the file system's clock keeps its size and times.
RACY_NS = 2_000_000_000


class SourceHashes:
    """The content hash of each source, read again only when its files' stat changed (``.source-stats.json``).

    A source's entry records, per file (the issue and its companions), name, size, mtime, ctime and inode,
    with the salt (the extractor's fingerprint and the series) and the content hash computed then.  The
    ctime cannot be set back by a program (``touch -d`` sets it to now), so an edit that keeps size and
    mtime still changes the stat; a file touched but unchanged is read, hashed and found equal.  The
    cache says only what a file's bytes hash to, never what the store holds: a stale or damaged one costs
    reading the files again, never a wrong build."""

    def __init__(self, path: Path | None, racy_ns: int = RACY_NS) -> None:
        self.path = path
        self.racy_ns = racy_ns
        self.entries: dict[str, Any] = {}
        self.changed = False
        if path is not None:
            try:
                data = json.loads(path.read_text())
                if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("sources"), dict):
                    self.entries = data["sources"]
            except (OSError, ValueError):
                pass
        self.kept: dict[str, Any] = {}  # the entries of the sources seen by this build

    def content_hash(self, key: str, parts: Sequence[Path], stats: Sequence[os.stat_result], salt: str) -> str:
        signature = [
            [p.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] for p, st in zip(parts, stats, strict=True)
        ]
        entry = self.entries.get(key)
        if isinstance(entry, dict) and entry.get("files") == signature and entry.get("salt") == salt:
            self.kept[key] = entry
            return str(entry["hash"])
        raw = _source_bytes(parts)
        content_hash = file_hash(raw, salt)
        settled = time.time_ns() - self.racy_ns
        if all(st.st_mtime_ns < settled and st.st_ctime_ns < settled for st in stats):
            self.kept[key] = {"files": signature, "salt": salt, "hash": content_hash}
            self.changed = True
        elif key in self.entries:
            self.changed = True
        return content_hash

    def save(self) -> None:
        """Write the entries of the sources this build saw, when any changed (dropped: sources not seen)."""
        if self.path is None or not (self.changed or set(self.kept) != set(self.entries)):
            return
        text = json.dumps({"version": 1, "sources": self.kept}, separators=(",", ":"), sort_keys=True)
        safeio.write_text(self.path, text)
        self.entries, self.changed = dict(self.kept), False


def _extract_and_store(
    graph: GraphStore,
    todo: Sequence[Source],
    catalog: Any,
    workers: int,
    progress: bool,
    build_dir: Path,
    claimed: dict[str, str],
    totals: aggregates.Totals | None,
    summary: BuildSummary,
    say: Callable[[str], None],
    counted: dict[str, IssueCounts],
    file_timeout: float | None = FILE_TIMEOUT,
    executor: str | None = None,
    fingerprint: str = "",
) -> dict[str, int]:
    """Extract ``todo`` (in worker processes, or on Dask with ``executor``) and store the results in batches;
    the quads per issue graph written.  ``counted`` gets each written issue graph's mentions per entity."""
    advance, stop = _progress(len(todo), progress)
    batch: list[GraphWrite] = []
    batch_bytes = 0
    written_sizes: dict[str, int] = {}
    try:
        tasks = [(s.path, s.content_hash, s.series) for s in todo]
        if executor:  # the same writer, fed by a Dask cluster instead of local processes
            from kg.cluster import dask_results, parse_executor

            extracted = dask_results(tasks, catalog, workers, parse_executor(executor), fingerprint)
        else:
            extracted = results(tasks, catalog, workers, file_timeout)
        for result in extracted:
            advance(shown(Path(result.path).name))
            if result.error is not None or result.write is None:
                summary.errors.append(result.error or f"{result.path}: nothing extracted")
                say(summary.errors[-1])
                continue
            write = result.write
            owner = claimed.get(write.graph)
            if owner is not None and owner != result.path and Path(owner).exists():
                summary.errors.append(f"{result.path}: same issue as {owner} ({result.issue_id}); not stored")
                say(summary.errors[-1])
                continue
            claimed[write.graph] = result.path
            batch.append(write)
            batch_bytes += len(write.nquads)
            summary.built.append(result.path)
            written_sizes[write.graph] = result.graph_quads
            counted[write.graph] = issue_counts(result.issue_id, write.content_hash, result.tallies)
            if totals is not None:
                totals.add_issue(result.newsletter, result.tallies)
            if len(batch) >= BATCH_ISSUES or batch_bytes >= BATCH_BYTES:
                _write_batch(graph, batch, build_dir / EXPORTS_CACHE, totals)
                batch, batch_bytes = [], 0
        _write_batch(graph, batch, build_dir / EXPORTS_CACHE, totals)
    finally:
        stop()
    return written_sizes


def _update_stats(
    graph: GraphStore, totals: aggregates.Totals | None, claimed_before: bool, changed: bool, stamp: str
) -> None:
    """Bring the stats graph up to date: written from the totals into an empty store, the changes applied
    to current stats, or every tally summed again."""
    if totals is not None and not claimed_before:
        totals.write(graph, stamp)
    elif totals is not None:
        if changed:
            totals.apply(graph, stamp)
    else:
        aggregates.refresh(graph, stamp)


def _write_batch(
    graph: GraphStore, batch: Sequence[GraphWrite], chunk_cache: Path, totals: aggregates.Totals | None
) -> None:
    """Store a batch of issue graphs, then cache their graph.trig chunks for the export.

    With ``totals``, subtracts the tallies of the versions the batch replaces."""
    if totals is not None:
        for write in batch:
            if graph.has_graph(write.graph):
                totals.add_issue(*aggregates.stored_tallies(graph, write.graph), sign=-1)
    graph.write_graphs(batch)
    chunk_cache.mkdir(parents=True, exist_ok=True)
    for write in batch:
        if write.trig_chunk:
            safeio.write_checked(
                chunk_cache / chunk_file_name(write.graph, write.content_hash), write.trig_chunk.encode()
            )


def _records_digest(records: dict[str, Any]) -> str:
    """Which versions of which issues the store holds, as the stats graph's stamp."""
    items = sorted((path, r.content_hash) for path, r in records.items() if not is_static(path))
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _graph_sizes(
    graph: GraphStore, build_dir: Path, written: dict[str, int] | None, counted_from: str
) -> dict[str, int]:
    """The size of each named graph, from per-graph sizes cached in ``.graph-sizes.json``.

    The sizes of the issue graphs this build wrote come from the workers (``written``; None when
    nothing changed); only the shared graphs and uncached graphs are counted again: counting a
    10,000-issue store takes seconds, one graph milliseconds.  ``counted_from`` is the digest of the
    issues the store held before this build's writes; the cache is used only if it was made for them.
    """
    cache = build_dir / GRAPH_SIZES
    # The cache names the store content it was counted from: after a build cut off before it was rewritten,
    # graphs replaced by that build have other sizes than it says, so it is not trusted.
    try:
        cached = json.loads(cache.read_text())
        sizes: dict[str, int] = cached["sizes"] if cached.get("version") == counted_from else {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        sizes = {}
    graphs = graph.named_graphs()
    if written is None and sizes and set(sizes) == set(graphs):
        return sizes
    sizes.update(written or {})
    return {
        name: sizes[name] if name in sizes and name.startswith(ids.GRAPH_ISSUE_PREFIX) else graph.count(name)
        for name in graphs
    }


def _save_graph_sizes(build_dir: Path, sizes: dict[str, int], version: str) -> None:
    """Cache ``sizes`` for the next build, named by the store content they were counted from (``version``)."""
    safeio.write_text(build_dir / GRAPH_SIZES, json.dumps({"version": version, "sizes": sizes}, sort_keys=True))


def write_exports(
    graph: GraphStore,
    build_dir: Path,
    write_html: bool,
    sources: dict[str, SourceRecord],
    counted: dict[str, IssueCounts] | None = None,
) -> bool:
    """The export step: write graph.trig (and graph.html) when the store's content changed since they
    were written (``sources``: the store's bookkeeping records, which say what it holds; ``counted``: the
    mentions per entity of the issue graphs this build wrote, see kg.mention_counts)."""
    records = sorted((r.path, r.content_hash) for r in sources.values())
    version = hashlib.sha256(repr((records, write_html)).encode()).hexdigest()
    stamp = build_dir / EXPORTS_STAMP
    trig = build_dir / "graph.trig"
    html = build_dir / "graph.html"
    if stamp.exists() and stamp.read_text() == version and trig.exists() and (html.exists() or not write_html):
        return False
    stamp.unlink(missing_ok=True)  # stale until both files are rewritten
    graph.export_trig_cached(trig, build_dir / EXPORTS_CACHE)
    if write_html:
        from kg.explorer import overview

        counts = current_counts(graph, build_dir, sources, counted or {})
        overview(graph, html, counts=counts)  # written beside and renamed into place: a kill leaves the old page
    safeio.write_text(stamp, version)
    return True


def _too_large(size: int, limit: int | None) -> str | None:
    """Why an issue's files (``size`` bytes together) are too large to extract (before reading them), else None."""
    if not limit or size <= limit:
        return None
    return f"too large ({_megabytes(size)}; the limit is {_megabytes(limit)}, --max-file-size)"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _load_series(build_dir: Path) -> dict[str, str]:
    path = build_dir / "series.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_series(build_dir: Path, given: dict[str, str]) -> None:
    safeio.write_text(build_dir / "series.json", json.dumps(given, ensure_ascii=False, indent=1, sort_keys=True))


def check_paths(paths: Iterable[str | Path]) -> None:
    for path in paths:
        if not Path(path).exists():
            raise KgError(f"{path}: no such file or directory")
