"""`kg build --emit DIR`: one sorted N-Quads shard per graph, deterministic and idempotent (no Dask needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store, parse

from kg import ids
from kg.build import build
from kg.errors import KgError
from kg.shards import MANIFEST, emit, shard_files
from kg.store import GraphStore

from .conftest import REPO, SEED

VOL_18 = "https://w3id.org/cnkg/id/graph/issue/cloud-native-weekly/18"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (folder / SEED.name).write_text(text, encoding="utf-8")
    (folder / "vol-18.txt").write_text(text.replace("Vol. 17", "Vol. 18"), encoding="utf-8")
    return folder


def test_shards_hold_every_quad_of_the_store_once_and_follow_its_changes(corpus: Path, tmp_path: Path) -> None:
    out, shards = tmp_path / "build", tmp_path / "shards"
    first = build([corpus], out, write_html=False, emit=shards)
    assert first.ok and first.emitted.written == first.emitted.shards == 7  # 2 issues + 5 shared graphs
    manifest = json.loads((shards / MANIFEST).read_text(encoding="utf-8"))["graphs"]
    assert manifest[VOL_18]["file"] == "issue/cloud-native-weekly/18.nq"
    assert ids.GRAPH_BUILD not in manifest  # the bookkeeping stays local
    # Loaded back, the shards are the store's content: the same canonical N-Quads.
    loaded = Store()
    for path in shard_files(shards):
        data = path.read_bytes()
        assert data.splitlines() == sorted(data.splitlines()), path  # sorted: the same store, the same bytes
        loaded.extend(parse(data, RdfFormat.N_QUADS))
    lines = sorted(str(q) + " ." for q in loaded)
    with GraphStore.open(out, read_only=True) as graph:
        assert "\n".join(lines) + "\n" == graph.canonical_nquads()

    again = build([corpus], out, write_html=False, emit=shards)
    assert again.emitted.written == 0 and again.emitted.removed == 0

    (corpus / "vol-18.txt").unlink()
    removed = build([corpus], out, write_html=False, emit=shards)
    assert removed.emitted.removed == 1 and removed.emitted.shards == 6
    assert not (shards / "issue/cloud-native-weekly/18.nq").exists()
    assert VOL_18 not in json.loads((shards / MANIFEST).read_text(encoding="utf-8"))["graphs"]
    # The shared graphs changed with it (stats, entities backed only by vol. 18, the dataset description).
    assert 1 <= removed.emitted.written <= 5


def test_a_damaged_shard_is_written_again(corpus: Path, tmp_path: Path) -> None:
    out, shards = tmp_path / "build", tmp_path / "shards"
    build([corpus], out, write_html=False, emit=shards)
    target = shards / "catalog.nq"
    good = target.read_bytes()
    target.write_bytes(good[:100])
    with GraphStore.open(out, read_only=True) as graph:
        report = emit(graph, shards)
    assert report.written == 1 and target.read_bytes() == good


def test_emit_into_a_file_is_one_clear_error(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build([corpus], out, write_html=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with GraphStore.open(out, read_only=True) as graph, pytest.raises(KgError, match=r"not-a-folder: cannot make"):
        emit(graph, blocker)
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "--no-html", "--emit", str(blocker)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
        check=False,
    )
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith(f"kg: {blocker}: cannot make the emit folder")
