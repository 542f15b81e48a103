"""`kg build` against damaged caches, kills and bad paths: nothing lost, nothing stale, one line per problem."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import EXPORTS_CACHE, GRAPH_SIZES, build
from kg.store import GraphStore

from .conftest import REPO, SEED


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


def _long_issue(lwkd_dir: Path, megabytes: float) -> str:
    """Real LWKD text concatenated under one front matter: an issue that takes many seconds to extract."""
    bodies = [p.read_text(encoding="utf-8").split("\n---\n", 1)[-1] for p in sorted(lwkd_dir.glob("*.md"))]
    out, size = ["---\nlayout: post\ntitle: Week Ending January 6, 2019\ndate: 2019-01-06\n---\n\n"], 0
    while size < megabytes * 1e6:
        out.append(bodies[len(out) % len(bodies)])
        size += len(out[-1])
    return "".join(out)


def test_a_file_past_the_size_limit_is_reported_and_the_others_built(tmp_path: Path, small_corpus: Path) -> None:
    big = small_corpus / "2000-01-01-huge.md"
    big.write_text("---\nlayout: post\ntitle: Huge\n---\n\n" + "Kubernetes etcd " * 20_000, encoding="utf-8")
    lines: list[str] = []
    summary = build([small_corpus], tmp_path / "out", write_html=False, report=lines.append, max_file_size=200_000)
    assert summary.errors == [f"{big}: too large (0.3 MB; the limit is 0.2 MB, --max-file-size); skipped"]
    assert lines == summary.errors
    assert summary.issues_in_store == 4


def test_a_file_past_the_time_budget_is_killed_and_the_files_behind_it_built(
    tmp_path: Path, small_corpus: Path, lwkd_dir: Path
) -> None:
    (small_corpus / SEED.name).unlink()  # its first read loads the Chinese tokenizer: seconds, not a stuck file
    slow = small_corpus / "0000-01-01-long.md"  # first in order: the good files wait behind it
    slow.write_text(_long_issue(lwkd_dir, 4), encoding="utf-8")
    summary = build([small_corpus], tmp_path / "out", workers=1, write_html=False, file_timeout=3)
    assert summary.errors == [f"{slow.resolve()}: extraction took longer than 3 s (--file-timeout); skipped"]
    assert summary.issues_in_store == 3 and len(summary.built) == 3


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("timeout", ["300", "0"])  # the worker pool with a time budget, and without
def test_workers_die_with_a_killed_build(tmp_path: Path, small_corpus: Path, lwkd_dir: Path, timeout: str) -> None:
    for f in sorted(lwkd_dir.glob("*.md"))[3:40]:
        shutil.copy(f, small_corpus / f.name)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = ["build", str(small_corpus), "--out", str(tmp_path / "out"), "--workers", "2", "--file-timeout", timeout]
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], env=env, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        time.sleep(0.2)
        workers = {pid for pid in _children(proc.pid) if _cmdline(pid) == _cmdline(proc.pid)}
    assert len(workers) >= 2, "the build did not start its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    assert not alive, f"workers outlived the build: {alive}"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


# --------------------------------------------------------------------------- paths, permissions, full disk


# Permissions mean nothing to a root that keeps its capabilities: the build runs as root without
# the two that override file modes, so it meets permissions as a user's build would. (Switching to
# the nobody user instead fails where the interpreter lives under a folder only root may enter.)
_OVERRIDES = "dac_override,dac_read_search"
_WITHOUT_OVERRIDES = [
    "setpriv",
    f"--inh-caps=-{_OVERRIDES.replace(',', ',-')}",
    f"--bounding-set=-{_OVERRIDES.replace(',', ',-')}",
]


def kg_as_user(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    prefix = _WITHOUT_OVERRIDES if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder the unprivileged build can use (pytest's own is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="kg-faults-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_bad_paths_are_reported_one_line_each_and_the_rest_built(shared_tmp: Path, lwkd_dir: Path) -> None:
    corpus = shared_tmp / "corpus"
    (corpus / "locked").mkdir(parents=True)
    good = sorted(lwkd_dir.glob("*.md"))[:2]
    shutil.copy(good[0], corpus / good[0].name)
    shutil.copy(good[0], corpus / "locked" / good[0].name)
    (corpus / "locked").chmod(0)
    unreadable = shared_tmp / good[1].name
    shutil.copy(good[1], unreadable)
    unreadable.chmod(0)
    (corpus / "evil\x1b[31m\nbuilt 9, unchanged 0.md").write_bytes(b"")
    fifo = shared_tmp / "fifo.md"
    os.mkfifo(fifo)
    loop = shared_tmp / "loop.md"
    os.symlink(shared_tmp / "loop2.md", loop)
    os.symlink(loop, shared_tmp / "loop2.md")
    for p in (corpus, corpus / good[0].name):
        p.chmod(0o777 if p.is_dir() else 0o666)
    out = shared_tmp / "out"
    result = kg_as_user("build", str(unreadable), str(corpus), str(fifo), str(loop), "--out", str(out), "--no-html")
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert "Usage" not in result.stderr and "Traceback" not in result.stderr
    assert f"{corpus}/locked: cannot list the directory: Permission denied" in lines
    assert f"{fifo}: a FIFO, not an issue file; skipped" in lines
    assert f"{loop}: symbolic link loop" in lines
    assert f"{unreadable}: cannot read: Permission denied" in lines
    assert f"{corpus}/evil\\x1b[31m\\nbuilt 9, unchanged 0.md: empty file" in lines
    assert "\x1b" not in result.stderr
    assert result.stdout.startswith("built 1, unchanged 0, removed 0, failed 5;"), result.stdout


def test_a_built_source_that_became_unreadable_is_one_line(shared_tmp: Path, lwkd_dir: Path) -> None:
    first, second = shared_tmp / "a", shared_tmp / "b"
    for folder, source in zip((first, second), sorted(lwkd_dir.glob("*.md"))[:2], strict=True):
        folder.mkdir()
        shutil.copy(source, folder / source.name)
        for p in (folder, folder / source.name):
            p.chmod(0o777 if p.is_dir() else 0o666)
    out = shared_tmp / "out"
    assert kg_as_user("build", str(first), "--out", str(out), "--no-html").returncode == 0
    stored = next(first.iterdir())
    stored.chmod(0)
    result = kg_as_user("build", str(second), "--out", str(out), "--no-html")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines()[0] == f"{stored}: cannot read: Permission denied; its stored graph is kept"
    assert "store holds 2 issues" in result.stdout


def test_an_output_directory_that_cannot_be_made_is_one_line(shared_tmp: Path, small_corpus: Path) -> None:
    small_corpus = Path(shutil.copytree(small_corpus, shared_tmp / "corpus"))
    blocker = shared_tmp / "file"
    blocker.write_text("not a directory")
    result = kg_as_user("build", str(small_corpus), "--out", str(blocker / "out"), "--no-html")
    assert result.returncode == 1
    assert result.stderr.strip() == f"kg: {blocker}/out: cannot write {blocker}/out: Not a directory"
    locked = shared_tmp / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = kg_as_user("build", str(small_corpus), "--out", str(locked / "out"), "--no-html")
    assert result.returncode == 1
    assert result.stderr.strip() == f"kg: {locked}/out: cannot write {locked}/out: Permission denied"


def test_a_full_disk_is_one_line_leaves_no_bulk_files_and_the_next_build_completes(
    tmp_path: Path, small_corpus: Path
) -> None:
    def limited() -> None:
        # RLIMIT_FSIZE stands in for a full disk (no root needed): writes past it fail with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(small_corpus), "--out", str(out), "--no-html"],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limited,  # noqa: PLW1509
        timeout=600,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"kg: {out}: cannot write: file size limit reached; the store keeps what earlier builds stored"
    )
    assert not list((out / "store").glob("bulk-*.sst"))
    assert build([small_corpus], out, write_html=False).ok
    fresh = tmp_path / "fresh"
    assert build([small_corpus], fresh, write_html=False).ok
    with GraphStore.open(out, read_only=True) as a, GraphStore.open(fresh, read_only=True) as b:
        assert a.canonical_nquads() == b.canonical_nquads()
    assert (out / "graph.trig").read_bytes() == (fresh / "graph.trig").read_bytes()


def test_a_loop_a_dangling_link_and_a_fifo_inside_a_folder_are_reported_not_skipped_silently(tmp_path: Path) -> None:
    from kg.ingest import discover

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text("# An issue\n\nSome text.\n", encoding="utf-8")
    os.mkfifo(corpus / "fifo.md")
    os.symlink(corpus / "loop-b.md", corpus / "loop-a.md")
    os.symlink(corpus / "loop-a.md", corpus / "loop-b.md")
    os.symlink(tmp_path / "gone.md", corpus / "dangling.md")
    problems: list[Exception] = []
    assert discover([corpus], problems) == [corpus / "good.md"]
    assert sorted(str(p) for p in problems) == [
        f"{corpus}/dangling.md: broken symbolic link (its target does not exist)",
        f"{corpus}/fifo.md: a FIFO, not an issue file; skipped",
        f"{corpus}/loop-a.md: symbolic link loop",
        f"{corpus}/loop-b.md: symbolic link loop",
    ]
