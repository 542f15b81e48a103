"""Progress of long work: the steps reported, shown only where someone watches; the notebooks' build errors shown."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import progress
from kg.analytics import EXPORT_STEPS, REPORT_STEPS, export_graph, report
from kg.build import build
from kg.store import GraphStore
from tests.conftest import SEED


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seed-only build made through the notebooks' ensure_graph, with one unreadable file beside it."""
    root = tmp_path_factory.mktemp("progress")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "empty.md").write_text("", encoding="utf-8")
    summary = build([corpus], root / "build", write_html=False, report=lambda _line: None)
    assert summary.errors and summary.built
    return root


def test_ensure_graph_shows_the_files_that_failed(
    built: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.notebook import ensure_graph

    monkeypatch.delenv("CNKG_REBUILD", raising=False)
    with pytest.warns(UserWarning, match=r"1 file\(s\) failed.*empty\.md"):
        graph, summary = ensure_graph(built / "build", paths=[built / "corpus"], workers=1)
    graph.close()
    assert summary is not None and summary.skipped  # the seed issue was built by the fixture
    assert "empty.md" in capsys.readouterr().err  # printed as it failed, not swallowed


def test_analytics_and_graph_export_report_their_steps(built: Path, tmp_path: Path) -> None:
    seen: list[str] = []
    with GraphStore.open(built / "build", read_only=True) as graph:
        report(graph, top=3, step=seen.append)
        assert seen == REPORT_STEPS
        seen.clear()
        export_graph(graph, "gexf", tmp_path / "g.gexf", step=seen.append)
        assert seen == EXPORT_STEPS


def test_progress_is_off_when_quiet_or_not_on_a_terminal(built: Path, tmp_path: Path) -> None:
    assert progress.wanted(quiet=True) is False
    # Run as a pipe (not a TTY): stderr stays free of the bar's terminal codes.
    for args in (["analytics", "--top", "2"], ["export", "--format", "graphml", "-o", str(tmp_path / "g.graphml")]):
        run = subprocess.run(
            [sys.executable, "-m", "kg.cli", *args, "--store", str(built / "build")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert "\x1b[" not in run.stderr and "analytics" not in run.stderr


def test_analytics_draws_a_bar_on_a_terminal(built: Path) -> None:
    import os

    leader, follower = os.openpty()  # stderr a terminal, as for someone at the keyboard
    try:
        run = subprocess.run(
            [sys.executable, "-m", "kg.cli", "analytics", "--top", "2", "--store", str(built / "build")],
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
            env={**os.environ, "COLUMNS": "100"},
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the terminal is closed once read to the end
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert run.returncode == 0
    assert b"analytics" in drawn and b"reading the network" in drawn and b"/3" in drawn
