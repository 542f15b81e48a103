"""Benchmark: ``kg.explorer.overview`` (the graph.html `kg build` writes) on a built store.

Run: ``python bench/bench_overview.py STORE_DIR [--runs 5] [--budget 100] [--cap 1000] [--trace]``.  Each run is a fresh
process (so its peak RSS is its own): it opens the store read-only, writes the overview to a temporary
file and reports wall time and ``ru_maxrss`` (the whole process, Oxigraph included) before and after the
call; with ``--trace`` also the tracemalloc peak of Python objects during the call (tracing slows Python
code down: take times from runs without it).  Prints the median, min and max over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.explorer import OVERVIEW_BUDGET, OVERVIEW_CAP  # noqa: E402


def one_run(store_dir: str, budget: int, cap: int, trace: bool) -> dict[str, float]:
    import kg
    from kg.explorer import overview

    graph = kg.open_graph(store_dir)
    out = Path(tempfile.mkdtemp()) / "graph.html"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    overview(graph, out, budget=budget, cap=cap)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "py_peak_mib": peak / 2**20, "rss_mib": rss, "rss_before_mib": rss_before}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=int, default=OVERVIEW_BUDGET)
    parser.add_argument("--cap", type=int, default=OVERVIEW_CAP)
    parser.add_argument(
        "--trace", action="store_true", help="also trace Python allocations (slower: time in another run)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.store, args.budget, args.cap, args.trace)))
        return 0
    runs = []
    for _ in range(args.runs):
        text = subprocess.run(
            [
                sys.executable,
                __file__,
                args.store,
                "--budget",
                str(args.budget),
                "--cap",
                str(args.cap),
                "--child",
                *(["--trace"] if args.trace else []),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(text.strip().splitlines()[-1]))
    print(f"load average {os.getloadavg()[0]:.1f}")
    keys = [("seconds", "s"), ("rss_mib", "MiB"), ("rss_before_mib", "MiB")]
    for key, unit in [*keys, *([("py_peak_mib", "MiB")] if args.trace else [])]:
        values = [r[key] for r in runs]
        print(
            f"{key}: median {statistics.median(values):.3f} {unit} "
            f"(min {min(values):.3f}, max {max(values):.3f}; {len(values)} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
