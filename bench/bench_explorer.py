"""Benchmark: the explorer with 2,000 drawn nodes in headless Chromium — time to ready, and how long the
page takes to answer a search (draw an undrawn entity with its neighbours), a legend toggle, a period
change and a click that expands a node; the build's overview (build/graph.html: read and write); and the
live page of `kg serve` (/explore): time to its first paint and to a search's answer.

Run: ``python bench/bench_explorer.py [--store build] [--budget 2000] [--runs 3] [--only offline|overview|live]``.
Reads the built graph (the three-series build in ``build/``, read-only), prints the Python-side read/render
times, the page size and the browser figures (median, min, max over the runs) with the load average.
Needs /usr/bin/chromium.  Not a test: figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.explorer import ExplorerOptions, explorer_data, render_page  # noqa: E402
from kg.explorer.sparql import store_select  # noqa: E402
from kg.store import GraphStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

# Each action runs in the page and reports its own duration, up to the next painted frame.
ACTIONS = {
    "search+draw": """() => new Promise((done) => { const kg = window.kg, t = performance.now();
        const n = kg.data.entities.findIndex((e) => !e.drawn && e.label.length > 3);
        const box = document.getElementById('kg-search'); box.value = kg.data.entities[n].label;
        box.dispatchEvent(new Event('input')); document.querySelector('#kg-results button').click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })""",
    "legend toggle": """() => new Promise((done) => { const t = performance.now();
        document.querySelector("#kg-legend button[data-type='Project']").click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })""",
    "period change": """() => new Promise((done) => { const t = performance.now();
        const s = document.getElementById('kg-from'); s.value = String(Math.floor(+s.max / 2));
        s.dispatchEvent(new Event('input'));
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })""",
    "click expand": """() => new Promise((done) => { const kg = window.kg, t = performance.now();
        const n = kg.nodes.getIds()[0]; kg.network.selectNodes([n]);
        kg.network.body.emitter.emit('click', {nodes: [n], edges: []});
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })""",
}


def line(name: str, values: list[float]) -> str:
    return f"{name}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def overview_figures(store: str, runs: int) -> None:
    """The overview `kg build` writes after every change (kg.explorer.overview), timed in this process."""
    from kg.explorer import OVERVIEW_BUDGET, OVERVIEW_CAP, overview

    times = []
    with GraphStore.open(store, read_only=True) as graph:
        for _ in range(runs):
            out = Path(tempfile.mkdtemp()) / "graph.html"
            start = time.perf_counter()
            overview(graph, out)
            times.append(time.perf_counter() - start)
    print(
        f"build overview ({OVERVIEW_BUDGET} drawn, {OVERVIEW_CAP} searchable; {out.stat().st_size / 1e6:.1f} MB; "
        f"load average {os.getloadavg()[0]:.1f}): "
        + line("read+write", times).split(": ", 1)[1]
        + " — runs: "
        + ", ".join(f"{t:.2f}" for t in times)
    )


def live_figures(store: str, runs: int, browser: object) -> None:
    """`kg serve`'s /explore: navigation to the first painted frame, and a search's answer on screen."""
    from kg.endpoint import Limits, start_endpoint

    ready, searched = [], []
    with start_endpoint(Path(store), None, limits=Limits(timeout_s=60, max_queries=2)) as endpoint:
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
            start = time.perf_counter()
            page.goto(endpoint.base_url + "/explore")
            page.wait_for_selector("body[data-ready='1']", state="attached", timeout=120_000)
            ready.append(time.perf_counter() - start)
            drawn = len(page.evaluate("window.kg.nodes.getIds()"))
            start = time.perf_counter()
            page.fill("#kg-search", "gateway")
            page.wait_for_selector("#kg-results button", timeout=60_000)
            searched.append(time.perf_counter() - start)
            page.close()
    print(f"live /explore ({drawn} drawn; load average {os.getloadavg()[0]:.1f}):")
    print("  " + line("first paint", ready) + " — runs: " + ", ".join(f"{t:.2f}" for t in ready))
    print("  " + line("search answered (incl. 0.2 s typing pause)", searched))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="build")
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["offline", "overview", "live"])
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    from playwright.sync_api import sync_playwright

    if args.only in (None, "overview"):
        overview_figures(args.store, args.runs)
    if args.only in (None, "live"):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            live_figures(args.store, args.runs, browser)
            browser.close()
    if args.only not in (None, "offline"):
        return 0

    start = time.perf_counter()
    with GraphStore.open(args.store, read_only=True) as graph:
        data = explorer_data(store_select(graph), ExplorerOptions(budget=args.budget))
    read_s = time.perf_counter() - start
    out = Path(tempfile.mkdtemp()) / "explore.html"
    start = time.perf_counter()
    render_page(data, out)
    render_s = time.perf_counter() - start
    drawn = sum(1 for e in data["entities"] if e["drawn"])
    print(
        f"data: {drawn} drawn of {len(data['entities'])} entities, {len(data['edges'])} edges, "
        f"{len(data['issues'])} issues; read {read_s:.1f} s, layout+render {render_s:.1f} s; "
        f"page {out.stat().st_size / 1e6:.1f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    ready: list[float] = []
    acted: dict[str, list[float]] = {name: [] for name in ACTIONS}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(out.as_uri())
            # Not wait_for_function: the page's CSP forbids the eval it polls with.
            page.wait_for_selector("body[data-ready='1']", state="attached", timeout=120_000)
            ready.append(time.perf_counter() - start)
            timing = page.evaluate("window.kg.timing")
            print(
                "  in the page (ms since navigation): script starts {start:.0f}, JSON parsed {parsed:.0f}, "
                "graph built {built:.0f}, first frame {drawn:.0f}".format(**timing)
            )
            for name, script in ACTIONS.items():
                acted[name].append(page.evaluate(script) / 1000)
            page.close()
        browser.close()

    print(line(f"ready ({drawn} nodes drawn)", ready))
    for name, values in acted.items():
        print(line(name, values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
