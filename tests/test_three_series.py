"""Three series in one graph: the canned queries' `series` parameters, `week-releases`, the first issue of
`project-releases` and what `cross-series-entities` says per series.

Two small stores: the seed with a hand-written LWCN-style week (always), and the seed with two LWKD and
two LWCN weeks of March 2026 from ../shared (skipped when it is absent).  Counts are checked against the
same questions asked directly of the mentions, the releases against the issue's own text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from kg import query as q
from kg.build import build
from kg.store import GraphStore

from .conftest import LWKD, SEED, SHARED

LWCN = SHARED / "corpus" / "lwcn"
NEWSLETTER = "https://w3id.org/cnkg/id/newsletter/"

# A week in LWCN's shape (Hugo front matter, release categories under Notable Releases, one bold link per
# release); the summaries name versions that are not listed (v1.35, v2.8.0, Helm v4).
SYNTHETIC_WEEK = """---
title: "Week 10, Mar 2-8, 2026"
date: "2026-03-02"
summary: 'This week: 4 releases.'
keywords:
    - kubernetes
---

## 👋 Welcome
A short week in Cloud Native.

## 🚀 Notable Releases

### Orchestration
- **[Kubernetes v1.35.2](https://github.com/kubernetes/kubernetes/releases/tag/v1.35.2)** - A patch release of v1.35.
- **[Kubernetes v1.34.5](https://github.com/kubernetes/kubernetes/releases/tag/v1.34.5)** - Another patch release.

### Monitoring
- **[Prometheus v3.10.0](https://github.com/prometheus/prometheus/releases/tag/v3.10.0)** - A distroless image variant.

### GitOps
- **[Flux2 v2.8.1](https://github.com/fluxcd/flux2/releases/tag/v2.8.1)** - Fixes, with Helm v4 support since v2.8.0.

## 📰 This Week in Cloud Native
Kubernetes v1.36 is on its way; Prometheus and Flux keep shipping.
"""

# A release entry of an LWCN week: `- **[Name vX](…/releases/tag/vX)** - summary`.
RELEASE_LINE = re.compile(r"^\s*[-*]\s+\*\*\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]*/releases/tag/(?P<tag>[^)\s]+))\)\*\*")


def _build(root: Path, files: dict[str, str | Path]) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for name, source in files.items():
        if isinstance(source, Path):
            shutil.copy(source, corpus / name)
        else:
            (corpus / name).write_text(source, encoding="utf-8")
    summary = build([corpus], root / "build", write_html=False, report=lambda _line: None)
    assert summary.ok, summary.errors
    return root / "build"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed (cloud-native-weekly) and a hand-written LWCN week: two series, no ../shared needed."""
    return _build(tmp_path_factory.mktemp("two-series"), {SEED.name: SEED, "2026-week-10.md": SYNTHETIC_WEEK})


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, LWKD of 2026-02-22 and 2026-03-01, LWCN weeks 09 and 10 (with their articles pages)."""
    if not (LWKD.is_dir() and LWCN.is_dir()):
        pytest.skip("../shared/corpus/lwkd or ../shared/corpus/lwcn is absent")
    files: dict[str, str | Path] = {SEED.name: SEED}
    for name in ("2026-02-22-update.md", "2026-03-01-update.md"):
        files[name] = LWKD / name
    for week in ("2026-week-09", "2026-week-10"):
        for path in sorted(LWCN.glob(f"{week}*.md")):
            files[path.name] = path
    return _build(tmp_path_factory.mktemp("three-series"), files)


def _table(graph: GraphStore, query: str, /, **params: str) -> list[dict[str, object]]:
    sparql, bound = q.resolve(query, None, params)
    columns, rows = q.run(graph, sparql, bound)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _mention_counts(graph: GraphStore, series: str) -> list[tuple[object, ...]]:
    """Projects by mentions in one series, counted over the Mention nodes (the oracle)."""
    sparql = f"""
SELECT (MIN(?l) AS ?label) (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?issue) AS ?issues)
WHERE {{
  ?m cnkg:refersTo ?p ; cnkg:inIssue ?issue .
  ?issue schema:isPartOf <{NEWSLETTER}{series}> .
  ?p a cnkg:Project ; rdfs:label ?l .
}}
GROUP BY ?p
ORDER BY DESC(?mentions) ?label
LIMIT 20"""
    return [tuple(row) for row in q.run(graph, sparql)[1]]


def _listed(text: str) -> set[tuple[str, str]]:
    """(category, version) of every release entry of an LWCN week, the category its ### heading."""
    found, category = set(), ""
    for line in text.splitlines():
        if line.startswith("#"):
            category = line.lstrip("#").strip()
        elif match := RELEASE_LINE.match(line):
            tag = unquote(match["tag"]).rsplit("/", 1)[-1]
            found.add((category, re.sub(r"^\D*", "", tag)))
    return found


# --------------------------------------------------------------------------- without ../shared


def test_series_parameter_counts_one_series(small_store: Path) -> None:
    with GraphStore.open(small_store, read_only=True) as graph:
        everything = _table(graph, "most-mentioned-projects")
        for series in ("lwcn", "cloud-native-weekly"):
            rows = _table(graph, "most-mentioned-projects", series=series)
            assert [tuple(r.values()) for r in rows] == _mention_counts(graph, series)
            assert rows and rows != everything
        assert _table(graph, "most-mentioned-projects", series="no-such-series") == []


def test_every_series_parameter_filters(small_store: Path) -> None:
    """With a series each query keeps what that series says, and without one it is the union."""
    with GraphStore.open(small_store, read_only=True) as graph:
        lwcn_labels = {row["issueLabel"] for row in _table(graph, "project-mentions", name="Kubernetes", series="lwcn")}
        all_labels = {row["issueLabel"] for row in _table(graph, "project-mentions", name="Kubernetes")}
        assert len(lwcn_labels) == 1 and len(all_labels) == 2 and lwcn_labels < all_labels
        weekly = _table(graph, "project-releases", name="Kubernetes", series="cloud-native-weekly")
        lwcn = _table(graph, "project-releases", name="Kubernetes", series="lwcn")
        assert {r["firstIssue"] for r in weekly} == {"cloud-native-weekly 17"}
        assert {r["firstIssue"] for r in lwcn} == {"lwcn 2026-week-10"}
        assert {r["release"] for r in lwcn} >= {"Kubernetes 1.35.2", "Kubernetes 1.34.5"}
        months = _table(graph, "mentions-over-time", name="Kubernetes", series="lwcn")
        assert [r["month"] for r in months] == ["2026-03"]
        for name in ("co-mentioned-projects", "discovered-projects"):
            assert _table(graph, name, series="no-such-series") == [], name


def test_week_releases_lists_the_linked_releases_by_category(small_store: Path) -> None:
    with GraphStore.open(small_store, read_only=True) as graph:
        rows = _table(graph, "week-releases", issue="2026-week-10")
        assert _table(graph, "week-releases", issue="2026-week-10", series="lwcn") == rows
        assert _table(graph, "week-releases", issue="2026-week-10", series="lwkd") == []
        assert _table(graph, "week-releases", issue="2026-week-99") == []
    assert list(rows[0]) == ["category", "project", "release", "version"]
    assert [(r["category"], r["project"], r["version"]) for r in rows] == [
        ("GitOps", "Flux", "2.8.1"),
        ("Monitoring", "Prometheus", "3.10.0"),
        ("Orchestration", "Kubernetes", "1.35.2"),  # the issue's order within a project
        ("Orchestration", "Kubernetes", "1.34.5"),
    ]
    assert {(c, v) for c, _p, _r, v in (r.values() for r in rows)} == _listed(SYNTHETIC_WEEK)


def test_cross_series_entities_says_where_and_how_often(small_store: Path) -> None:
    with GraphStore.open(small_store, read_only=True) as graph:
        rows = {r["label"]: r for r in _table(graph, "cross-series-entities", type="Project")}
        both = _table(graph, "cross-series-entities", series1="lwcn", series2="cloud-native-weekly")
        assert _table(graph, "cross-series-entities", series1="lwkd") == []
        counts = {
            series: {r["label"]: r for r in _table(graph, "most-mentioned-projects", series=series)}
            for series in ("cloud-native-weekly", "lwcn")
        }
    kubernetes = rows["Kubernetes"]
    assert kubernetes["series"] == 2 and kubernetes["issues"] == 2
    weekly, lwcn = counts["cloud-native-weekly"]["Kubernetes"], counts["lwcn"]["Kubernetes"]
    assert kubernetes["mentions"] == weekly["mentions"] + lwcn["mentions"]
    assert kubernetes["bySeries"] == (
        f"cloud-native-weekly: 1 issue, {weekly['mentions']} mentions; lwcn: 1 issue, {lwcn['mentions']} mentions"
    )
    assert "Kubernetes" in {r["label"] for r in both}


# --------------------------------------------------------------------------- LWKD and LWCN from ../shared


@pytest.mark.shared
def test_three_series_counts(shared_store: Path) -> None:
    with GraphStore.open(shared_store, read_only=True) as graph:
        for series in ("lwcn", "lwkd", "cloud-native-weekly"):
            rows = [tuple(r.values()) for r in _table(graph, "most-mentioned-projects", series=series)]
            assert rows == _mention_counts(graph, series), series
        lwcn_projects = {
            row["label"]
            for row in graph.select(
                f"""SELECT DISTINCT ?label WHERE {{
                  ?m cnkg:refersTo ?p ; cnkg:inIssue ?i . ?i schema:isPartOf <{NEWSLETTER}lwcn> .
                  ?p a cnkg:Project ; rdfs:label ?label }}"""
            )
        }
        top = _table(graph, "most-mentioned-projects", series="lwcn")
        assert {r["label"] for r in top} <= lwcn_projects
        kubernetes = next(r for r in _table(graph, "cross-series-entities") if r["label"] == "Kubernetes")
    assert kubernetes["series"] == 3
    assert [part.split(":")[0] for part in str(kubernetes["bySeries"]).split("; ")] == [
        "cloud-native-weekly",
        "lwcn",
        "lwkd",
    ]


@pytest.mark.shared
def test_week_releases_match_the_issue_text(shared_store: Path) -> None:
    text = (LWCN / "2026-week-10.md").read_text(encoding="utf-8")
    listed = _listed(text)
    with GraphStore.open(shared_store, read_only=True) as graph:
        rows = _table(graph, "week-releases", issue="2026-week-10", series="lwcn")
        lwkd = _table(graph, "week-releases", issue="2026-03-01")
    got = {(str(r["category"]), str(r["version"])) for r in rows}
    assert len(listed) > 40
    for sample in [
        ("Orchestration", "1.35.2"),
        ("Monitoring", "3.10.0"),
        ("GitOps", "2.8.1"),
        ("Networking", "1.5.0"),
        ("Service Mesh", "2.9.12"),
    ]:
        assert sample in listed and sample in got, sample
    assert got == listed, f"missing {sorted(listed - got)}, not listed {sorted(got - listed)}"
    # LWKD's releases section is its Release Schedule: the Kubernetes patch releases of that week.
    assert {r["category"] for r in lwkd} == {"Release Schedule"}
    assert {"1.35.2", "1.34.5", "1.33.9", "1.32.13"} <= {r["version"] for r in lwkd if r["project"] == "Kubernetes"}


@pytest.mark.shared
def test_project_releases_names_the_first_issue(shared_store: Path) -> None:
    with GraphStore.open(shared_store, read_only=True) as graph:
        every = {r["version"]: r for r in _table(graph, "project-releases", name="Kubernetes")}
        lwcn = {r["version"]: r for r in _table(graph, "project-releases", name="Kubernetes", series="lwcn")}
    # LWKD (2026-03-01) named the patch release a day before LWCN's week 10 (2026-03-02) listed it.
    assert every["1.35.2"]["firstIssue"] == "lwkd 2026-03-01"
    assert str(every["1.35.2"]["firstMentioned"]) == "2026-03-01" and every["1.35.2"]["issues"] == 2
    assert lwcn["1.35.2"]["firstIssue"] == "lwcn 2026-week-10" and lwcn["1.35.2"]["issues"] == 1
    assert set(lwcn) < set(every)
    assert all(str(r["firstIssue"]).startswith("lwcn ") for r in lwcn.values())
