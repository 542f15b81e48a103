"""The live explorer: `kg serve`'s /explore on the small real build of tests/test_explorer_browser.py, in
real headless Chromium; the page asks the front for its pieces (search, neighbours, evidence) and for
nothing outside its own origin.  Also `kg viz` and the build's graph.html, which are the explorer too.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.endpoint import EndpointHandle, Limits, start_endpoint
from kg.explorer import ExplorerOptions, explorer_data, overview
from kg.explorer.sparql import store_select
from kg.store import GraphStore

from .conftest import CHROMIUM
from .test_explorer_browser import (  # noqa: F401 - explorer_build is a fixture
    Watched,
    explorer_build,
    open_watched,
    shown,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.shared,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]
BUDGET = 15


def page_data(html: str) -> dict:
    """The JSON a written page carries (the script element's text, as the page parses it)."""
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found[1])


@pytest.fixture(scope="module")
def endpoint(explorer_build: Path) -> Iterator[EndpointHandle]:  # noqa: F811
    with start_endpoint(explorer_build, None, limits=Limits(timeout_s=30, max_queries=2)) as running:
        yield running


@pytest.fixture(scope="module")
def whole(explorer_build: Path) -> dict:  # noqa: F811
    """Every entity of the store, most mentioned first (the offline data with no cap)."""
    with GraphStore.open(explorer_build, read_only=True) as graph:
        return explorer_data(store_select(graph), ExplorerOptions(budget=BUDGET, cap=100_000))


@pytest.fixture
def live(browser: Any, endpoint: EndpointHandle) -> Iterator[Watched]:  # noqa: F811
    watched = open_watched(browser, f"{endpoint.base_url}/explore?budget={BUDGET}", endpoint.base_url)
    watched.requests = []  # type: ignore[attr-defined]
    watched.page.on("request", lambda r: watched.requests.append(r.url))  # type: ignore[attr-defined]
    yield watched
    watched.assert_clean()
    watched.page.close()


def iris_shown(page: Any) -> set[str]:
    return set(page.evaluate("window.kg.nodes.getIds().map(n => window.kg.data.entities[n].iri)"))


def test_live_page_draws_the_most_mentioned_from_the_endpoint(live: Watched, whole: dict) -> None:
    page = live.page
    drawn = iris_shown(page)
    # The most mentioned, in order: a tie at the budget's edge is left out whole (kg.explorer.data.ranked_entities).
    assert 0.8 * BUDGET <= len(drawn) <= BUDGET
    assert drawn == {e["iri"] for e in whole["entities"][: len(drawn)]}
    assert page.evaluate("window.kg.live !== null")
    line = page.inner_text("#kg-budget")
    assert f"of the graph's {len(whole['entities'])} mentioned entities" in line
    live.shot("live-overview")


def test_live_search_finds_an_undrawn_entity_and_draws_it(live: Watched, whole: dict) -> None:
    page = live.page
    target = next(e for e in whole["entities"][BUDGET:] if len(e["label"]) > 5 and e["label"].isascii())
    assert target["iri"] not in iris_shown(page)
    assert page.evaluate("(iri) => window.kg.byIri[iri] === undefined", target["iri"])  # not even in the page
    page.fill("#kg-search", target["label"][1:].lower())
    button = page.locator("#kg-results button", has_text=target["label"]).first
    button.wait_for(timeout=30_000)
    live.shot("live-search")
    button.click()
    for _ in range(100):  # the page's CSP forbids eval (wait_for_function): poll by hand
        if target["iri"] in iris_shown(page):
            break
        page.wait_for_timeout(100)
    assert target["iri"] in iris_shown(page)
    assert page.inner_text("#kg-panel h2") == target["label"]
    assert any("/explore/search?q=" in u for u in live.requests)  # type: ignore[attr-defined]
    live.shot("live-search-drawn")


def test_live_click_expands_neighbours_from_the_endpoint(live: Watched, whole: dict) -> None:
    page = live.page
    index = {e["iri"]: n for n, e in enumerate(whole["entities"])}
    near: dict[str, set[str]] = {}
    for edge in whole["edges"]:
        a, b = whole["entities"][edge["from"]]["iri"], whole["entities"][edge["to"]]["iri"]
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    before = iris_shown(page)
    iri = max(before, key=lambda i: (len(near.get(i, set()) - before), -index[i]))
    assert near[iri] - before  # it has neighbours the page has not drawn
    n = page.evaluate("(iri) => window.kg.byIri[iri]", iri)
    point = page.evaluate(
        """(id) => { const net = window.kg.network; net.focus(id, {scale: 1.2, animation: false});
                     const d = net.canvasToDOM(net.getPositions([id])[id]);
                     const r = document.getElementById('kg-network').getBoundingClientRect();
                     return {x: r.left + d.x, y: r.top + d.y}; }""",
        n,
    )
    page.mouse.click(point["x"], point["y"])
    for _ in range(100):
        if len(iris_shown(page)) > len(before):
            break
        page.wait_for_timeout(100)
    after = iris_shown(page)
    added = after - before
    assert added and added <= near[iri]  # only its neighbours were added
    assert any(u.endswith("/explore/neighbours") for u in live.requests)  # type: ignore[attr-defined]
    live.shot("live-expanded")


def test_live_panel_shows_evidence_with_a_link_to_the_issue(live: Watched, whole: dict) -> None:
    page = live.page
    kube = next(e for e in whole["entities"] if e["label"] == "Kubernetes")
    page.evaluate("(iri) => window.kg.bring(window.kg.byIri[iri])", kube["iri"])
    for _ in range(100):
        if page.locator("#kg-panel blockquote .kg-source a").count() >= 2:
            break
        page.wait_for_timeout(100)
    quotes = page.locator("#kg-panel blockquote")
    assert quotes.count() >= 2
    sources = page.eval_on_selector_all("#kg-panel .kg-source a", "as => as.map(a => a.href)")
    urls = {i["url"] for i in whole["issues"] if i["url"]}
    assert sources and set(sources) <= urls
    assert any("/explore/entity?iri=" in u for u in live.requests)  # type: ignore[attr-defined]
    live.shot("live-panel")


def test_live_routes_refuse_bad_input(endpoint: EndpointHandle) -> None:
    def status(path: str, body: bytes | None = None) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(endpoint.base_url + path, data=body)) as r:
                return int(r.status)
        except urllib.error.HTTPError as err:
            return err.code

    assert status("/explore/entity?iri=" + urllib.request.quote("<bad> iri")) == 400
    assert status("/explore/neighbours", b"not json") == 400
    assert status("/explore/nothing") == 404
    with urllib.request.urlopen(endpoint.base_url + "/explore/search?q=" + urllib.request.quote('"} } DROP ALL')) as r:
        assert json.load(r)["entities"] == []  # the text is a string literal, never SPARQL
    page = urllib.request.urlopen(endpoint.base_url + "/explore").read().decode()
    assert "connect-src &#39;self&#39;" in page and "kg-network" in page and '"entities"' not in page


def test_kg_viz_writes_the_explorer_with_its_options(explorer_build: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "v.html"
    args = ["viz", "--store", str(explorer_build), "--focus", "cilium", "--depth", "1", "--types", "Project,Release"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["types"] == ["Project", "Release"]
    assert {e["type"] for e in data["entities"]} <= {"Project", "Release"}
    focus = next(n for n, e in enumerate(data["entities"]) if e["focus"])
    near = {x["to"] if x["from"] == focus else x["from"] for x in data["edges"] if focus in (x["from"], x["to"])}
    drawn = {n for n, e in enumerate(data["entities"]) if e["drawn"]}
    assert focus in drawn and drawn - {focus} <= near and len(drawn) > 1  # --depth 1: its neighbours only
    limited = page_data(
        CliRunner()
        .invoke(app, ["viz", "--store", str(explorer_build), "--limit", "4", "--min-mentions", "2", "-o", "-"])
        .output
    )
    assert sum(e["drawn"] for e in limited["entities"]) == 4
    assert all(sum(e["mentions"][1::2]) >= 2 for e in limited["entities"]) and limited["min_mentions"] == 2
    bad = CliRunner().invoke(app, ["viz", "--store", str(explorer_build), "--types", "Nope", "-o", str(out)])
    assert bad.exit_code == 1 and "unknown entity type 'Nope'" in bad.output


def test_kg_viz_page_searches_an_undrawn_entity(browser: Any, explorer_build: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "viz.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(explorer_build), "--limit", "10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    url = out.resolve().as_uri()
    watched = open_watched(browser, url)
    page = watched.page
    target = next(n for n, e in enumerate(data["entities"]) if not e["drawn"] and e["label"].isascii())
    assert target not in shown(page)
    page.fill("#kg-search", data["entities"][target]["label"].lower())
    page.click(f"#kg-results button[data-entity='{target}']")
    assert target in shown(page)
    watched.shot("viz-search-drawn")
    watched.assert_clean()
    page.close()


def test_build_overview_is_the_explorer(browser: Any, explorer_build: Path, tmp_path: Path) -> None:  # noqa: F811
    with GraphStore.open(explorer_build, read_only=True) as graph:
        out = overview(graph, tmp_path / "graph.html", budget=12, cap=200)
    data = page_data(out.read_text(encoding="utf-8"))
    assert sum(e["drawn"] for e in data["entities"]) == 12 and len(data["entities"]) > 12
    url = out.resolve().as_uri()
    watched = open_watched(browser, url)
    assert len(shown(watched.page)) == 12 and watched.page.is_visible("#kg-search")
    watched.shot("build-overview")
    watched.assert_clean()
    watched.page.close()
