"""Benchmark: a 2,000-node view in headless Chromium, time from navigation until the page is still and ready.

Run: ``python bench/bench_viz.py [--nodes 2000] [--runs 5]``.  Prints the Python-side layout/render
time and the browser time-to-ready (median, min, max over the runs).  Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic_view import synthetic_view  # noqa: E402
from kg import viz  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    from playwright.sync_api import sync_playwright

    view = synthetic_view(args.nodes)
    out = Path(tempfile.mkdtemp()) / "bench.html"
    start = time.perf_counter()
    viz.render_html(view, out, title=f"bench {args.nodes}")
    render_s = time.perf_counter() - start
    print(
        f"view: {view.number_of_nodes()} nodes, {view.number_of_edges()} edges; "
        f"layout+render in Python {render_s:.2f} s; page {out.stat().st_size / 1e6:.1f} MB"
    )
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(out.as_uri())
            # Not wait_for_function: the page's CSP forbids the eval it polls with.
            page.wait_for_selector("body[data-ready='1']", state="attached", timeout=120_000)
            times.append(time.perf_counter() - start)
            assert page.evaluate("window.kg.nodes.length") == view.number_of_nodes()
            page.close()
        browser.close()
    print(
        f"browser time to ready over {args.runs} runs: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f} s, max {max(times):.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
