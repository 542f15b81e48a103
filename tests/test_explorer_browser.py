"""The explorer page in real headless Chromium (Debian's /usr/bin/chromium through Playwright), on a small
real build: the seed, two LWKD weeks, two LWCN weeks (with their articles pages) and a hostile LWKD-shaped
issue whose title and text carry markup.  Screenshots of each state go to tests/artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.build import build
from kg.explorer import ExplorerOptions, explorer_data, render_page
from kg.explorer.sparql import store_select
from kg.store import GraphStore

from .conftest import CHROMIUM, LWKD, SEED, SHARED

ARTIFACTS = Path(__file__).parent / "artifacts"
LWCN = SHARED / "corpus" / "lwcn"
HOSTILE_TITLE = "Week Ending March 8, 2026 <img src=x onerror=alert(1)><script>alert(2)</script>"
HOSTILE = f"""---
layout: post
title: "{HOSTILE_TITLE}"
date: 2026-03-10 10:00:00 -0000
slug: 2026-03-08-update
---

## Developer News

Kubernetes and Helm met <img src=x onerror=alert(3)> and <script>alert(4)</script> this week, said Cilium.
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.shared,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]


@pytest.fixture(scope="session")
def explorer_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (LWKD.is_dir() and LWCN.is_dir()):
        pytest.skip("../shared/corpus/lwkd or ../shared/corpus/lwcn is absent")
    root = tmp_path_factory.mktemp("explorer")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    for name in ("2026-02-22-update.md", "2026-03-01-update.md"):
        shutil.copy(LWKD / name, corpus / name)
    for week in ("2026-week-09", "2026-week-10"):
        for path in sorted(LWCN.glob(f"{week}*.md")):
            shutil.copy(path, corpus / path.name)
    (corpus / "2026-03-08-update.md").write_text(HOSTILE, encoding="utf-8")
    summary = build([corpus], root / "build", write_html=False, report=lambda _line: None)
    assert summary.ok, summary.errors
    return root / "build"


@pytest.fixture(scope="session")
def explorer_file(explorer_build: Path) -> tuple[Path, dict]:
    with GraphStore.open(explorer_build, read_only=True) as graph:
        data = explorer_data(store_select(graph), ExplorerOptions(budget=40))
    out = render_page(data, explorer_build.parent / "explore.html")
    return out, data


@dataclass
class Watched:
    page: Any
    foreign: list[str] = field(default_factory=list)  # any request but the file itself (and data: URLs)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign == [], f"the page made network requests: {self.foreign}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"a script from issue text ran: {self.dialogs}"

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"))


def open_watched(browser: Any, url: str, origin: str | None = None) -> Watched:
    """The page at ``url``, any request but to ``origin`` (None: the file itself) and data: URLs refused."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    watched = Watched(page)

    def route(r: Any) -> None:
        ours = r.request.url.startswith(origin + "/") if origin else r.request.url == url
        if ours or r.request.url.startswith("data:"):
            r.continue_()
        else:
            watched.foreign.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on("dialog", lambda d: (watched.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    # The page's CSP forbids eval (Playwright's polling wait_for_function needs it): wait on the DOM flag.
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    return watched


@pytest.fixture
def explorer(browser: Any, explorer_file: tuple[Path, dict]) -> Iterator[Watched]:
    path, _data = explorer_file
    watched = open_watched(browser, path.resolve().as_uri())
    yield watched
    watched.assert_clean()
    watched.page.close()


def shown(page: Any) -> set[int]:
    return set(page.evaluate("window.kg.nodes.getIds()"))


def index_of(data: dict, label: str) -> int:
    return next(n for n, e in enumerate(data["entities"]) if e["label"] == label)


def click_node(page: Any, n: int, double: bool = False) -> None:
    point = page.evaluate(
        """(id) => { const net = window.kg.network; net.focus(id, {scale: 1.2, animation: false});
                     const d = net.canvasToDOM(net.getPositions([id])[id]);
                     const r = document.getElementById('kg-network').getBoundingClientRect();
                     return {x: r.left + d.x, y: r.top + d.y}; }""",
        n,
    )
    if double:
        page.mouse.dblclick(point["x"], point["y"])
    else:
        page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(150)


def test_page_draws_the_budget_and_says_what_it_left_out(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    drawn = {n for n, e in enumerate(data["entities"]) if e["drawn"]}
    assert len(drawn) == 40 and shown(page) == drawn
    line = page.inner_text("#kg-budget")
    assert f"of {len(data['entities'])} entities" in line and "search" in line and "expand" in line
    explorer.shot("overview")


def test_search_finds_an_undrawn_entity_and_draws_it(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    target = next(
        n for n, e in enumerate(data["entities"]) if not e["drawn"] and len(e["label"]) > 4 and e["label"].isascii()
    )
    assert target not in shown(page)
    page.fill("#kg-search", data["entities"][target]["label"][1:].lower())  # a substring, any case
    explorer.shot("search")
    page.click(f"#kg-results button[data-entity='{target}']")
    page.wait_for_timeout(150)
    assert target in shown(page)
    assert page.inner_text("#kg-panel h2") == data["entities"][target]["label"]
    explorer.shot("search-drawn")


def test_legend_toggle_hides_a_type(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    projects = {n for n in shown(page) if data["entities"][n]["type"] == "Project"}
    assert projects
    page.click("#kg-legend button[data-type='Project']")
    assert not (shown(page) & projects) and shown(page)
    explorer.shot("legend-projects-off")
    page.click("#kg-legend button[data-type='Project']")
    assert projects <= shown(page)


def test_slider_hides_issues_outside_the_period(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    issues = data["issues"]
    first_2026 = next(n for n, i in enumerate(issues) if i["date"] >= "2026")
    only_2019 = {
        n for n in shown(page) if all(issues[i]["date"] < "2026" for i in data["entities"][n]["mentions"][::2])
    }
    assert only_2019  # the seed issue's own entities
    page.evaluate(
        "(v) => { const s = document.getElementById('kg-from'); s.value = String(v); "
        "s.dispatchEvent(new Event('input')); }",
        first_2026,
    )
    left = shown(page)
    assert left and not (left & only_2019)
    assert page.inner_text("#kg-from-date") == issues[first_2026]["date"]
    explorer.shot("period-2026")


def test_click_expands_neighbours_and_double_click_focuses(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    neighbours: dict[int, set[int]] = {}
    for edge in data["edges"]:
        neighbours.setdefault(edge["from"], set()).add(edge["to"])
        neighbours.setdefault(edge["to"], set()).add(edge["from"])
    before = shown(page)
    node = max((n for n in before), key=lambda n: len(neighbours.get(n, set()) - before))
    assert neighbours[node] - before  # it has undrawn neighbours
    click_node(page, node)
    after = shown(page)
    assert neighbours[node] <= after and len(after) > len(before)
    assert page.is_visible("#kg-panel")
    explorer.shot("expanded")
    click_node(page, node, double=True)
    assert shown(page) == {node} | neighbours[node]
    explorer.shot("focused")


def test_panel_evidence_is_text_with_links_to_the_issue_page(
    explorer: Watched, explorer_file: tuple[Path, dict]
) -> None:
    _path, data = explorer_file
    page = explorer.page
    n = index_of(data, "Kubernetes")
    page.evaluate("(n) => window.kg.bring(n)", n)
    panel = page.inner_text("#kg-panel")
    assert "Evidence".upper() in panel.upper() and "Also:" in panel
    quotes = page.locator("#kg-panel blockquote")
    assert quotes.count() >= 2
    for text in quotes.all_inner_texts():
        assert "](" not in text and "###" not in text and "**" not in text, text
    sources = page.eval_on_selector_all("#kg-panel .kg-source a", "as => as.map(a => a.href)")
    urls = {i["url"] for i in data["issues"] if i["url"]}
    assert sources and set(sources) <= urls
    assert all(u.startswith(("https://lwkd.info/", "https://lwcn.dev/newsletter/")) for u in sources)
    hrefs = page.eval_on_selector_all("#kg-panel a", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    # The panel uses the page's sans font, not a serif tooltip font.
    fonts = page.evaluate(
        "[getComputedStyle(document.getElementById('kg-panel')).fontFamily, getComputedStyle(document.body).fontFamily]"
    )
    assert fonts[0] == fonts[1] and "sans" in fonts[0]
    explorer.shot("panel")


def test_no_script_runs_from_issue_text(explorer: Watched, explorer_file: tuple[Path, dict]) -> None:
    _path, data = explorer_file
    page = explorer.page
    hostile = next(n for n, i in enumerate(data["issues"]) if "<script>" in i["title"])
    # Show every entity of the hostile issue, with its panel: its title is on the page as text.
    mentioned = [n for n, e in enumerate(data["entities"]) if hostile in e["mentions"][::2]]
    assert mentioned
    for n in mentioned:
        page.evaluate("(n) => window.kg.bring(n)", n)
    # Its newest issue is the hostile one: the panel shows that title as text.
    assert "<img src=x onerror=alert(1)><script>alert(2)</script>" in page.inner_text("#kg-panel")
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img, #kg-panel script, #kg-results script').length") == 0
    assert explorer.dialogs == []
    explorer.shot("hostile")
