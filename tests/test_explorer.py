"""kg.explorer.data on a small real build (fixture shared with the browser tests) and on the same store
served by a real Oxigraph server; evidence text as segments; `kg explore`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import KgError
from kg.explorer import ExplorerOptions, explorer_data
from kg.explorer.evidence import segments, sentence_around, sentence_score
from kg.explorer.sparql import endpoint_select, store_select
from kg.store import GraphStore

from .test_explorer_browser import explorer_build  # noqa: F401 - the session fixture: one build for both files


def test_segments_turn_markdown_into_text_and_safe_links() -> None:
    text = (
        "### [141459: Fix the **kubelet**](https://github.com/k/k/pull/141459) with `x` and [bad](javascript:alert(1))"
    )
    segs = segments(text)
    assert segs[0] == ["141459: Fix the kubelet", "https://github.com/k/k/pull/141459"]
    joined = "".join(s[0] for s in segs)
    assert "###" not in joined and "**" not in joined and "`" not in joined and "](" not in joined
    assert ["bad"] not in segs and all(len(s) == 1 or s[1].startswith("https://") for s in segs)  # no javascript:
    assert "javascript" not in str(segs)
    bold_link = segments("- **[Cilium v1.19.1](https://github.com/cilium/cilium/releases/tag/v1.19.1)** - Fixes")
    assert bold_link == [["Cilium v1.19.1", "https://github.com/cilium/cilium/releases/tag/v1.19.1"], [" - Fixes"]]
    long = segments("word " * 200, limit=50)
    assert len("".join(s[0] for s in long)) <= 50 and long[-1][0].endswith("…")


def test_informative_sentences_beat_boilerplate() -> None:
    boiler = sentence_score("No shoutouts this week", others=0)
    informative = sentence_score("Kubernetes 1.30 ships with Cilium as the default CNI in kind clusters.", others=2)
    heading = sentence_score("## Kubernetes", others=0)
    assert informative > heading > boiler


def test_sentence_around_quotes_the_sentence_with_the_name() -> None:
    text = "Helm 4 is out. Cilium [v1.2](https://x.io/a.b. c) adds eBPF. Done."
    assert sentence_around(text, "Cilium") == "Cilium [v1.2](https://x.io/a.b. c) adds eBPF."
    assert sentence_around("One line only", "nothing") == "One line only"


def _data(build: Path, **options: object) -> dict:
    with GraphStore.open(build, read_only=True) as graph:
        return explorer_data(store_select(graph), ExplorerOptions(**options))  # type: ignore[arg-type]


def test_drawn_set_is_the_budget_most_mentioned(explorer_build: Path) -> None:  # noqa: F811
    data = _data(explorer_build, budget=12)
    totals = [sum(e["mentions"][1::2]) for e in data["entities"]]
    drawn = [n for n, e in enumerate(data["entities"]) if e["drawn"]]
    assert len(drawn) == 12 and len(data["entities"]) > 12  # the rest is there, for search
    assert min(totals[n] for n in drawn) >= max(t for n, t in enumerate(totals) if n not in drawn)
    kube = next(e for e in data["entities"] if e["label"] == "Kubernetes")
    assert kube["drawn"] and "k8s" in kube["aliases"] and kube["type"] == "Project"
    assert all(len(e["evidence"]) <= 3 for e in data["entities"])
    assert {"coMentioned", "hasRelease"} <= {x["predicate"] for x in data["edges"]}


def test_issues_carry_their_source_url(explorer_build: Path) -> None:  # noqa: F811
    data = _data(explorer_build)
    by_series: dict[str, list[str]] = {s["slug"]: [] for s in data["series"]}
    for issue in data["issues"]:
        by_series[data["series"][issue["series"]]["slug"]].append(issue["url"])
    assert by_series["lwkd"] and all(u.startswith("https://lwkd.info/2026/2026") for u in by_series["lwkd"])
    assert set(by_series["lwcn"]) == {
        "https://lwcn.dev/newsletter/2026-week-09/",
        "https://lwcn.dev/newsletter/2026-week-10/",
    }
    assert by_series["cloud-native-weekly"] == [""]  # the seed says no URL, and none is made up


def test_focus_and_window(explorer_build: Path) -> None:  # noqa: F811
    data = _data(explorer_build, focus="cilium", budget=8)
    focus = [n for n, e in enumerate(data["entities"]) if e["focus"]]
    assert [data["entities"][n]["label"] for n in focus] == ["Cilium"] and data["entities"][focus[0]]["drawn"]
    near = {x["to"] if x["from"] == focus[0] else x["from"] for x in data["edges"] if focus[0] in (x["from"], x["to"])}
    drawn = {n for n, e in enumerate(data["entities"]) if e["drawn"]}
    assert len(drawn) == 8 and drawn - set(focus) <= near  # its neighbours first
    lwcn = _data(explorer_build, series="LWCN")
    series = {n for n, s in enumerate(lwcn["series"]) if s["slug"] == "lwcn"}
    assert all(lwcn["issues"][i]["series"] in series for e in lwcn["entities"] for i in e["mentions"][::2])
    since = _data(explorer_build, since="2026-03")
    assert all(since["issues"][i]["date"] >= "2026-03" for e in since["entities"] for i in e["mentions"][::2])
    with pytest.raises(KgError, match="no newsletter series 'nope'"):
        _data(explorer_build, series="nope")
    with pytest.raises(KgError, match="no entity named"):
        _data(explorer_build, focus="no such thing at all")


def test_the_same_data_from_a_sparql_endpoint(explorer_build: Path) -> None:  # noqa: F811
    from kg.serve import start_server

    local = _data(explorer_build, budget=20)
    try:
        handle = start_server(explorer_build, None, timeout_s=None)
    except KgError as err:
        pytest.skip(f"no oxigraph server: {err}")
    with handle:
        served = explorer_data(endpoint_select(handle.url), ExplorerOptions(budget=20))
    assert served == local


def test_kg_explore_writes_the_page(explorer_build: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "e.html"
    runner = CliRunner()
    result = runner.invoke(app, ["explore", "--store", str(explorer_build), "--budget", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 drawn of" in result.output and out.stat().st_size > 100_000
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page  # issue text is data, escaped for the script element
    bad = runner.invoke(app, ["explore", "--store", str(explorer_build), "--series", "nope", "-o", str(out)])
    assert bad.exit_code == 1 and "no newsletter series 'nope'" in bad.output


def test_unconnected_nodes_are_laid_out_beside_the_core_not_over_it() -> None:
    from kg.explorer.page import layout

    entities = [{"drawn": True} for _ in range(30)] + [{"drawn": False}]
    edges = [{"from": i, "to": i + 1} for i in range(19)] + [{"from": 25, "to": 30}]  # 30 is not drawn
    data = {"entities": entities, "edges": edges}
    layout(data)
    core = entities[:20]
    alone = entities[20:30]
    assert all("x" in e and "y" in e for e in entities[:30]) and "x" not in entities[30]
    assert min(e["x"] for e in alone) > max(e["x"] for e in core)


def test_the_stats_graph_ranking_equals_summing_every_tally(explorer_build: Path) -> None:  # noqa: F811
    """Without a date window the ranking comes from the stats graph's totals and co-mentions from its pair
    totals; a date window covering every issue sums the per-issue tallies instead: the same data."""
    by_totals = _data(explorer_build, budget=10, cap=100_000)
    by_tallies = _data(explorer_build, budget=10, cap=100_000, since="1900")
    assert [e["iri"] for e in by_totals["entities"]] == [e["iri"] for e in by_tallies["entities"]]
    assert by_totals["entities"] == by_tallies["entities"] and by_totals["edges"] == by_tallies["edges"]
    assert by_totals["in_window"] == by_tallies["in_window"] == len(by_totals["entities"])


def test_a_cap_through_a_tie_leaves_the_tie_out(explorer_build: Path) -> None:  # noqa: F811
    whole = _data(explorer_build, budget=5, cap=100_000)["entities"]
    totals = [sum(e["mentions"][1::2]) for e in whole]
    cap = next(n for n in range(8, len(totals) - 1) if totals[n - 1] == totals[n] and totals[n - 1] < totals[0])
    cut = _data(explorer_build, budget=5, cap=cap)
    kept = [e["iri"] for e in cut["entities"]]
    assert kept == [e["iri"] for e in whole[: len(kept)]]  # the most mentioned, in order
    if len(kept) < cap:  # the tie the cap cut through is out, whole: what is kept does not depend on its order
        assert set(totals[len(kept) : cap + 1]) == {totals[cap]} and totals[len(kept) - 1] > totals[cap]
    else:  # too much would go: the tie was read again and cut by IRI
        assert len(kept) == cap
    assert cut["in_window"] == len(whole)
