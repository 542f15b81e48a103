"""The rendered pages in real headless Chromium (Debian's /usr/bin/chromium through Playwright).

Every request other than the page's own file is aborted and fails the test;
so do console errors, page errors and dialogs (alert() from injected text).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from bench.synthetic_view import synthetic_view
from kg import viz
from kg.graphview import load_view
from kg.store import GraphStore
from tests.tallies import add_tallies

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "small.trig"
ARTIFACTS = Path(__file__).parent / "artifacts"
K8S = "https://w3id.org/cnkg/id/project/kubernetes"
EVIL = "https://w3id.org/cnkg/id/project/evil"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def graph() -> GraphStore:
    s = pyoxigraph.Store()
    s.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    add_tallies(s)  # what `kg build` materialises; the views rank with it
    return GraphStore(Path(), s, True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev dependency) is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    page: Any
    foreign: list[str] = field(default_factory=list)  # requests other than the file itself
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign == [], f"the page made network requests: {self.foreign}"
        assert self.failed == [], f"requests failed: {self.failed}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"a dialog opened (script ran): {self.dialogs}"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Any] = []

    def opener(path: Path, viewport: tuple[int, int] = (1200, 800)) -> Watched:
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        pages.append(page)
        watched = Watched(page)
        url = path.resolve().as_uri()

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                watched.foreign.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: watched.failed.append(req.url))
        page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watched.errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            watched.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        # Physics pages become ready on stabilizationIterationsDone, precomputed ones on first draw.
        # The page's CSP forbids eval, which Playwright's polling wait_for_function needs: wait on the DOM flag.
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
        assert page.evaluate("window.kg.ready") is True
        return watched

    yield opener
    for page in pages:
        page.close()


def node_id(page: Any, iri: str) -> int:
    return page.evaluate("(iri) => window.kg.nodes.get({filter: (n) => n.kg.iri === iri})[0].id", iri)


def hover(page: Any, nid: int) -> None:
    """Move the mouse onto a node (canvas coordinates -> page coordinates)."""
    point = page.evaluate(
        """(id) => { const net = window.kg.network; const d = net.canvasToDOM(net.getPositions([id])[id]);
                     const r = document.getElementById('kg-network').getBoundingClientRect();
                     return {x: r.left + d.x, y: r.top + d.y}; }""",
        nid,
    )
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"], steps=4)


def test_page_loads_offline_with_every_node(graph: GraphStore, tmp_path: Path, open_page: Any) -> None:
    view = load_view(graph)
    watched = open_page(viz.render_html(view, tmp_path / "v.html", title="cnkg test"))
    page = watched.page
    assert page.evaluate("window.kg.nodes.length") == view.number_of_nodes() == 7
    assert page.evaluate("window.kg.edges.length") == view.number_of_edges()
    # Physics stabilised once, then was switched off: the picture stays still.
    assert page.evaluate("window.kg.network.physics.options.enabled") is False
    before = page.evaluate("JSON.stringify(window.kg.network.getPositions())")
    page.wait_for_timeout(300)
    assert page.evaluate("JSON.stringify(window.kg.network.getPositions())") == before
    legend = page.inner_text("#kg-legend")
    assert "Project (6)" in legend and "Release (1)" in legend
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz-small.png"))
    watched.assert_clean()


def test_tooltip_shows_mentions_first_and_last_issue(graph: GraphStore, tmp_path: Path, open_page: Any) -> None:
    watched = open_page(viz.render_html(load_view(graph), tmp_path / "v.html", title="t"))
    page = watched.page
    hover(page, node_id(page, K8S))
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert "Kubernetes (en) / 库伯内特斯 (zh)" in text
    assert "Project · 4 mentions in 3 issues" in text
    assert "first: 云原生生态周报 Vol. 17 (2019-08-20)" in text
    assert "last: LWKD <b>2020</b>-01-05 (2020-01-05)" in text  # markup in an issue title stays text
    # Links back to the source issues.
    hrefs = tip.locator("a").evaluate_all("(as) => as.map((a) => a.href)")
    assert "https://w3id.org/cnkg/id/issue/cloud-native-weekly/17" in hrefs
    watched.assert_clean()


def test_search_box_selects_and_focuses_a_node(graph: GraphStore, tmp_path: Path, open_page: Any) -> None:
    watched = open_page(viz.render_html(load_view(graph), tmp_path / "v.html", title="t"))
    page = watched.page
    page.fill("#kg-search", "K8S")  # an altLabel, in other case
    page.press("#kg-search", "Enter")
    nid = node_id(page, K8S)
    assert page.evaluate("window.kg.network.getSelectedNodes()") == [nid]
    centre = page.evaluate("window.kg.network.getViewPosition()")
    pos = page.evaluate("(id) => window.kg.network.getPositions([id])[id]", nid)
    assert abs(centre["x"] - pos["x"]) < 1 and abs(centre["y"] - pos["y"]) < 1
    assert page.evaluate("window.kg.network.getScale()") == pytest.approx(1.4)
    assert "4 mentions" in page.inner_text("#kg-details")
    page.fill("#kg-search", "Nomad")
    page.press("#kg-search", "Enter")
    assert page.inner_text("#kg-status") == "not found"
    watched.assert_clean()


def test_hostile_issue_text_runs_no_script(graph: GraphStore, tmp_path: Path, open_page: Any) -> None:
    title = "<script>alert('title')</script><img src=x onerror=alert(2)>"
    watched = open_page(viz.render_html(load_view(graph), tmp_path / "xss.html", title=title))
    page = watched.page
    evil = node_id(page, EVIL)
    assert page.evaluate("(id) => window.kg.nodes.get(id).label", evil) == "<script>alert(1)</script>"
    hover(page, evil)  # renders the tooltip with the hostile sentence
    page.locator("div.vis-tooltip").wait_for(state="visible", timeout=5_000)
    tip = page.inner_text("div.vis-tooltip")
    assert "<img src=x onerror=alert(1)>" in tip and "</script><script>alert(1)</script>" in tip
    page.fill("#kg-search", "<img src=x onerror=alert(1)>")  # details panel with the same text
    page.press("#kg-search", "Enter")
    assert 'Bob\'s "quoted" tool' in page.inner_text("#kg-details")
    page.wait_for_timeout(300)
    assert page.title() == title
    assert page.locator("img").count() == 0  # no injected element anywhere
    assert page.locator("script").count() == 3  # vis, data, our code
    assert page.locator("#kg-details a[href^='javascript']").count() == 0
    watched.assert_clean()


def test_large_view_is_still_and_searchable(tmp_path: Path, open_page: Any) -> None:
    view = synthetic_view(600)
    watched = open_page(viz.render_html(view, tmp_path / "big.html", title="600"), viewport=(1400, 900))
    page = watched.page
    assert page.evaluate("window.kg.nodes.length") == 600
    assert page.evaluate("window.kg.network.physics.options.enabled") is False
    before = page.evaluate("JSON.stringify(window.kg.network.getPositions())")
    page.wait_for_timeout(300)
    assert page.evaluate("JSON.stringify(window.kg.network.getPositions())") == before
    assert page.evaluate("window.kg.focusNode('Project 0')") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz-large.png"))
    watched.assert_clean()


def test_physics_page_waits_for_stabilisation(tmp_path: Path, open_page: Any) -> None:
    # 250 nodes with physics: still laying out when the load event fires.
    watched = open_page(viz.render_html(synthetic_view(250), tmp_path / "mid.html", title="250"))
    page = watched.page
    assert page.evaluate("window.kg.network.physics.options.enabled") is False
    assert page.is_hidden("#kg-loading")
    watched.assert_clean()


def test_overview_page(graph: GraphStore, tmp_path: Path, open_page: Any) -> None:
    watched = open_page(viz.overview(graph, tmp_path / "graph.html"))
    page = watched.page
    assert page.evaluate("window.kg.nodes.length") == 7
    # Co-mention edges tie the most mentioned together (Helm and Kubernetes share two sentences).
    titles = page.evaluate("window.kg.edges.get().map((e) => e.title)")
    assert "Helm and Kubernetes: co-mentioned in 2 sentences" in titles
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz-overview.png"))
    watched.assert_clean()


def test_csp_blocks_injected_handlers_even_if_text_became_markup(
    graph: GraphStore, tmp_path: Path, open_page: Any
) -> None:
    """Defence in depth: the page's CSP allows only its own two scripts (by hash)."""
    watched = open_page(viz.render_html(load_view(graph), tmp_path / "csp.html", title="t"))
    page = watched.page
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>')")
    page.wait_for_timeout(300)
    assert watched.dialogs == []
    assert any("Content Security Policy" in e for e in watched.errors)
