"""`kg build` against damaged caches, kills and bad paths: nothing lost, nothing stale, one line per problem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.build import EXPORTS_CACHE, GRAPH_SIZES, build
from kg.store import GraphStore

from .conftest import SEED


@pytest.fixture
def small_corpus(tmp_path: Path, lwkd_dir: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(lwkd_dir.glob("*.md"))[:3]:
        shutil.copy(f, corpus / f.name)
    shutil.copy(SEED, corpus / SEED.name)
    return corpus


def test_a_damaged_export_chunk_is_made_again_not_reused(tmp_path: Path, small_corpus: Path) -> None:
    clean = tmp_path / "clean"
    assert build([small_corpus], clean, write_html=False).ok
    out = tmp_path / "out"
    assert build([small_corpus], out, write_html=False).ok
    # What a kill during a plain write left: an empty chunk, and another cut in half.
    chunks = sorted((out / EXPORTS_CACHE).glob("*.trig"))
    chunks[0].write_bytes(b"")
    chunks[1].write_bytes(chunks[1].read_bytes()[: len(chunks[1].read_bytes()) // 2])
    (out / "graph.trig").unlink()
    assert build([small_corpus], out, write_html=False).ok
    assert (out / "graph.trig").read_bytes() == (clean / "graph.trig").read_bytes()


def test_summary_counts_distinct_quads_like_the_store(tmp_path: Path, small_corpus: Path) -> None:
    out = tmp_path / "out"
    summary = build([small_corpus], out, write_html=False)
    with GraphStore.open(out, read_only=True) as graph:
        assert summary.triples == graph.count()


def test_a_stale_size_cache_is_not_trusted(tmp_path: Path, small_corpus: Path) -> None:
    out = tmp_path / "out"
    assert build([small_corpus], out, write_html=False).ok
    cache = out / GRAPH_SIZES
    before = json.loads(cache.read_text())
    # An issue is edited and rebuilt, but the build is cut off before the size cache was rewritten.
    issue = sorted(small_corpus.glob("*.md"))[0]
    issue.write_text(issue.read_text(encoding="utf-8") + "\n\nKubernetes and etcd and Prometheus.\n", encoding="utf-8")
    assert build([small_corpus], out, write_html=False).ok
    cache.write_text(json.dumps(before))
    summary = build([small_corpus], out, write_html=False)
    with GraphStore.open(out, read_only=True) as graph:
        assert summary.triples == graph.count()
