"""The analyst notebooks run top to bottom (nbclient, fresh kernel each) and say something meaningful.

One build per session (corpus/ and, when ../shared is present, LWKD and LWCN, workers=2) in a tmp dir passed to
the notebooks as CNKG_BUILD; CNKG_REBUILD=never makes them open it as is.  Each notebook ends with a
cell tagged ``check`` printing ``CHECK name = <json>`` lines (kg.notebook.check) that the tests read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from kg import notebook as nb
from kg.store import GraphStore
from tests.conftest import LWKD, REPO, SHARED

LWCN = SHARED / "corpus" / "lwcn"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = REPO / "notebooks"
NAMES = ("01-getting-started", "02-project-relationships", "03-timeline", "04-two-sources", "05-three-series")
CELL_TIMEOUT = 300  # seconds per cell
MAX_COMMITTED_OUTPUT = 4096  # bytes of outputs a committed notebook may carry


@pytest.fixture(scope="session")
def notebook_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build import build

    out = tmp_path_factory.mktemp("notebook-build")
    summary = build(nb.sources(), out, workers=2, progress=False, report=lambda _line: None)
    assert summary.issues_in_store > 0, summary.errors
    return out


def execute(name: str, build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run one notebook in a fresh python3 kernel; return the CHECK values of its ``check`` cells.

    The kernel inherits this process's environment (set through ``monkeypatch``).
    """
    monkeypatch.setenv("CNKG_BUILD", str(build_dir))
    monkeypatch.setenv("CNKG_REBUILD", "never")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    checks: dict[str, Any] = {}
    for cell in notebook.cells:
        if "check" in cell.metadata.get("tags", []):
            checks.update(nb.read_checks(cell.outputs))
    assert checks, f"{name}: no CHECK lines printed by a cell tagged 'check'"
    return checks


def test_getting_started(notebook_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = execute("01-getting-started", notebook_build, monkeypatch)
    assert checks["issues"] >= 1 + (383 if LWKD.is_dir() else 0)
    assert "云原生生态周报" in checks["series"]
    assert checks["top_project"] == "Kubernetes"
    assert checks["canned_queries"] == len(list((REPO / "ontology" / "queries").glob("*.rq")))
    assert checks["ontology_classes"] >= 10 and checks["ontology_edges"] >= 10
    assert checks["quads"] > 1000


def test_project_relationships(notebook_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = execute("02-project-relationships", notebook_build, monkeypatch)
    assert checks["focus_found"] >= 1
    assert checks["mentions"] >= 1  # the weekly mentions Cilium (1.6 release)
    assert checks["view_nodes"] >= 2
    assert checks["html_bytes"] > 10_000
    assert checks["html_remote_assets"] == 0  # offline: vis-network inlined, no CDN
    if LWKD.is_dir():
        assert checks["co_mentioned"] >= 1 and checks["relations_with_evidence"] >= 1


def test_timeline(notebook_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = execute("03-timeline", notebook_build, monkeypatch)
    assert checks["periods"] >= 1
    assert checks["releases"] >= 1
    assert checks["kep_source"] in ("catalog", "newsletters")
    if LWKD.is_dir():
        assert checks["top_project"] == "Kubernetes"
        assert checks["periods"] > 20  # 2018 to today, by quarter
        assert checks["kubernetes_minor_releases"] >= 10
        assert checks["mentioned_keps"] >= 10
        # Every mentioned KEP, not the canned query's first page (it said 100 when there were 212).
        with GraphStore.open(notebook_build, read_only=True) as graph:
            (row,) = graph.select("SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k a cnkg:KEP ; ^cnkg:tallyOf ?t }")
        assert checks["mentioned_keps"] == row["n"]


def test_two_sources(notebook_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = execute("04-two-sources", notebook_build, monkeypatch)
    assert checks["weekly_issues"] == 1
    assert checks["lwkd_present"] == nb.has_lwkd()
    assert checks["weekly_only"] > 0
    if LWKD.is_dir():
        assert checks["lwkd_in_window"] >= 2  # LWKD is weekly: several issues within three weeks of 2019-08-20
        assert "Kubernetes" in checks["both_labels"]
        assert checks["lwkd_only"] > 0 and checks["cross_series"] > 0
    else:
        assert checks["lwkd_in_window"] == 0 and checks["both"] == 0


def test_two_sources_without_lwkd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As when ../shared is absent: only the weekly is built; the notebook says so and still runs."""
    from kg.build import build

    monkeypatch.setenv("CNKG_LWKD", str(tmp_path / "no-lwkd"))
    monkeypatch.setenv("CNKG_LWCN", str(tmp_path / "no-lwcn"))
    assert nb.sources() == [nb.CORPUS]
    build(nb.sources(), tmp_path / "build", workers=1, progress=False, write_html=False, report=lambda _line: None)
    checks = execute("04-two-sources", tmp_path / "build", monkeypatch)
    assert checks["lwkd_present"] is False
    assert checks["weekly_issues"] == 1 and checks["lwkd_in_window"] == 0
    assert checks["both"] == 0 and checks["lwkd_only"] == 0 and checks["weekly_only"] > 0


def test_three_series(notebook_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = execute("05-three-series", notebook_build, monkeypatch)
    assert checks["lwkd_present"] == LWKD.is_dir() and checks["lwcn_present"] == LWCN.is_dir()
    if LWKD.is_dir() and LWCN.is_dir():
        assert checks["weeks_both"] >= 20  # 28 LWCN weeks of 2026, LWKD weekly: most have a partner
        assert checks["k8s_weeks"] >= 10 and checks["k8s_agree"] >= 1  # the same patch releases, a day apart
        assert checks["lwcn_releases"] > 500 and checks["categories"] >= 10
        assert checks["shared_lwkd_lwcn"] > 0 and checks["three_series"] > 0
    else:
        assert checks["weeks_both"] == 0 and checks["lwcn_releases"] == 0


def test_three_series_without_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As when ../shared is absent: only the weekly is built; the notebook says so and still runs."""
    from kg.build import build

    monkeypatch.setenv("CNKG_LWKD", str(tmp_path / "no-lwkd"))
    monkeypatch.setenv("CNKG_LWCN", str(tmp_path / "no-lwcn"))
    build(nb.sources(), tmp_path / "build", workers=1, progress=False, write_html=False, report=lambda _line: None)
    checks = execute("05-three-series", tmp_path / "build", monkeypatch)
    assert checks["lwkd_present"] is False and checks["lwcn_present"] is False
    assert checks["weeks_both"] == 0 and checks["lwcn_releases"] == 0 and checks["cross_series"] == 0


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebooks_are_stripped(name: str) -> None:
    """Committed notebooks carry no (or tiny) outputs: run them to see results, strip before committing."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    size = sum(len(json.dumps(cell.get("outputs", []))) for cell in notebook.cells)
    assert size <= MAX_COMMITTED_OUTPUT, f"{name}.ipynb has {size} bytes of outputs: clear them before committing"
    assert any("check" in cell.metadata.get("tags", []) for cell in notebook.cells)
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_every_notebook_is_tested() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


def test_catalog_keps_reads_imported_metadata() -> None:
    """The KEP branch of 03-timeline when `kg catalog import-keps` was run: milestones split per stage."""
    from types import SimpleNamespace

    from pyoxigraph import Store

    from kg.rdf import catalog_quads
    from kg.store import GraphStore

    entry = SimpleNamespace(
        type="KEP", key="1287", name="KEP-1287", aliases=[], number=1287, title="In-place Pod resize",
        sig="sig-node", stage="beta", milestones={"alpha": "1.27", "beta": "1.33"},
    )  # fmt: skip
    bare = SimpleNamespace(type="KEP", key="9", name="KEP-9", aliases=[], number=9, title="x", milestones=None)
    store = Store()
    store.bulk_extend(catalog_quads(SimpleNamespace(entries=[entry, bare])))
    frame = nb.catalog_keps(GraphStore(Path("."), store, True))
    assert frame["kep"].nunique() == 2
    rows = frame[frame["label"] == "KEP-1287"]
    assert sorted(zip(rows["milestone_stage"], rows["release"], strict=True)) == [("alpha", "1.27"), ("beta", "1.33")]
    assert set(rows["sig"]) == {"sig-node"} and set(rows["stage"]) == {"beta"}
    assert frame.loc[frame["label"] == "KEP-9", "release"].isna().all()


def test_read_checks_parses_stream_outputs() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": 'noise\nCHECK a = 1\nCHECK b = ["x", "云"]\n'},
        {"output_type": "execute_result", "data": {"text/plain": "CHECK c = 2"}},
    ]
    assert nb.read_checks(outputs) == {"a": 1, "b": ["x", "云"]}
