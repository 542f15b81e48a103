"""What an incremental build reads again: sources by their stat (.source-stats.json), graph.trig from the
previous file (.exports/layout.json), the shared graphs' chunks from a fast path that must give the same bytes."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from kg.build import EXPORTS_CACHE, SOURCE_STATS, SourceHashes, build
from kg.fingerprint import file_hash
from kg.store import EXPORT_LAYOUT, GraphStore, trig_chunk

from .conftest import LWKD, SEED


def _hash(hashes: SourceHashes, file: Path, salt: str = "salt") -> str:
    return hashes.content_hash(str(file), [file], [os.stat(file)], salt)


def test_a_source_is_read_again_only_when_its_stat_or_salt_changed(tmp_path: Path) -> None:
    file = tmp_path / "issue.md"
    file.write_bytes(b"# issue one\n")
    stats = tmp_path / "stats.json"
    first = SourceHashes(stats, racy_ns=0)
    assert _hash(first, file) == file_hash(b"# issue one\n", "salt")
    first.save()
    # The cache is what answers while the stat holds: a hash planted in it comes back, the file is not read.
    data = json.loads(stats.read_text())
    data["sources"][str(file)]["hash"] = "planted"
    stats.write_text(json.dumps(data))
    assert _hash(SourceHashes(stats, racy_ns=0), file) == "planted"
    assert _hash(SourceHashes(stats, racy_ns=0), file, salt="another extractor") == file_hash(
        b"# issue one\n", "another extractor"
    )
    # Touched, not changed: read again and found equal.
    os.utime(file, ns=(time.time_ns(), time.time_ns()))
    assert _hash(SourceHashes(stats, racy_ns=0), file) == file_hash(b"# issue one\n", "salt")
    # Edited to the same size with its mtime put back: the ctime still moved, so it is read again.
    before = os.stat(file)
    file.write_bytes(b"# issue two\n")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(file).st_mtime_ns == before.st_mtime_ns
    assert _hash(SourceHashes(stats, racy_ns=0), file) == file_hash(b"# issue two\n", "salt")


def test_a_file_changed_just_now_is_not_remembered(tmp_path: Path) -> None:
    # Within the same tick of the file system's clock a rewrite keeps size and times: not trusted yet.
    file = tmp_path / "issue.md"
    file.write_bytes(b"# issue\n")
    hashes = SourceHashes(tmp_path / "stats.json")
    _hash(hashes, file)
    hashes.save()
    assert not (tmp_path / "stats.json").exists() or str(file) not in json.loads(
        (tmp_path / "stats.json").read_text()
    ).get("sources", {})


def test_a_damaged_stat_cache_costs_a_read_not_a_wrong_hash(tmp_path: Path) -> None:
    file = tmp_path / "issue.md"
    file.write_bytes(b"# issue\n")
    (tmp_path / "stats.json").write_text("{not json")
    assert _hash(SourceHashes(tmp_path / "stats.json", racy_ns=0), file) == file_hash(b"# issue\n", "salt")


def test_an_edit_that_keeps_size_and_mtime_is_rebuilt(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    issue = corpus / SEED.name
    shutil.copy(SEED, issue)
    time.sleep(2.1)  # past the racy window: the next build remembers the file's stat
    out = tmp_path / "out"
    assert build([corpus], out, write_html=False, file_timeout=None).ok
    assert str(issue.resolve()) in json.loads((out / SOURCE_STATS).read_text())["sources"]
    before = os.stat(issue)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("Kubernetes", "Kubernetez", 1), encoding="utf-8")
    os.utime(issue, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(issue).st_size == before.st_size
    summary = build([corpus], out, write_html=False, file_timeout=None)
    assert summary.ok and len(summary.built) == 1
    os.utime(issue)  # touched only
    summary = build([corpus], out, write_html=False, file_timeout=None)
    assert summary.ok and not summary.built and summary.skipped == 1


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store built from three LWKD issues and the seed, then brought up to date after one more issue."""
    if not LWKD.is_dir():
        pytest.skip("../shared/corpus/lwkd is absent")
    lwkd_dir = LWKD
    root = tmp_path_factory.mktemp("splice")
    corpus = root / "corpus"
    corpus.mkdir()
    files = sorted(lwkd_dir.glob("*.md"))[:4]
    for f in files[:3]:
        shutil.copy(f, corpus / f.name)
    shutil.copy(SEED, corpus / SEED.name)
    out = root / "out"
    assert build([corpus], out, write_html=False, file_timeout=None).ok
    # The chunks the first build cached go: copied from its graph.trig, they are not read, so not made again.
    for chunk in (out / EXPORTS_CACHE).glob("*.trig"):
        chunk.unlink()
    shutil.copy(files[3], corpus / files[3].name)
    assert build([corpus], out, write_html=False, file_timeout=None).ok
    return corpus, out


def test_graph_trig_spliced_from_the_previous_file_equals_a_full_export(tmp_path: Path, two_builds: tuple) -> None:
    _corpus, out = two_builds
    layout = json.loads((out / EXPORTS_CACHE / EXPORT_LAYOUT).read_text())
    assert len(layout["chunks"]) == 5 + 2  # issues, catalog, ontology
    assert len(list((out / EXPORTS_CACHE).glob("*.trig"))) == 1  # the new issue's, from its worker
    with GraphStore.open(out, read_only=True) as graph:
        graph.export_trig_cached(tmp_path / "full.trig", tmp_path / "empty-cache")
    assert (out / "graph.trig").read_bytes() == (tmp_path / "full.trig").read_bytes()


def test_an_edited_graph_trig_is_not_spliced_from(tmp_path: Path, two_builds: tuple) -> None:
    corpus, built = two_builds
    out = tmp_path / "out"
    shutil.copytree(built, out)
    trig = out / "graph.trig"
    trig.write_bytes(trig.read_bytes().replace(b"cnkg:", b"cnkx:"))  # same size, another mtime
    (corpus / SEED.name).write_text(SEED.read_text(encoding="utf-8") + "\nKubernetes 1.30.\n", encoding="utf-8")
    try:
        assert build([corpus], out, write_html=False, file_timeout=None).ok
    finally:
        shutil.copy(SEED, corpus / SEED.name)
    with GraphStore.open(out, read_only=True) as graph:
        graph.export_trig_cached(tmp_path / "full.trig", tmp_path / "empty-cache")
    assert b"cnkx:" not in trig.read_bytes()
    assert trig.read_bytes() == (tmp_path / "full.trig").read_bytes()


def test_the_fast_chunk_of_a_graph_equals_its_sorted_serialisation(two_builds: tuple) -> None:
    _corpus, out = two_builds
    with GraphStore.open(out, read_only=True) as graph:
        names = graph.named_graphs()
        assert len(names) > 4
        for name in names:
            quads = graph.quads(graph=name)
            assert graph._shared_chunk(name) == trig_chunk(quads).encode("utf-8"), name
        assert graph._shared_chunk("https://example.org/no-such-graph") == b""
        assert not graph.has_graph("https://example.org/no-such-graph")
