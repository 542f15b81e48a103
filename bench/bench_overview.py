"""Benchmark: ``kg.viz.overview`` (the graph.html `kg build` writes) on a built store.

Run: ``python bench/bench_overview.py STORE_DIR [--runs 5] [--top 70] [--trace] [--viz FILE]``.  Each run is a fresh
process (so its peak RSS is its own): it opens the store read-only, writes the overview to a temporary
file and reports wall time and ``ru_maxrss`` (the whole process, Oxigraph included) before and after the
call; with ``--trace`` also the tracemalloc peak of Python objects during the call (tracing slows Python
code down: take times from runs without it).  Prints the median, min and max over the runs.
"""

from __future__ import annotations

import argparse
import json
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


def one_run(store_dir: str, top: int, trace: bool, viz_file: str | None) -> dict[str, float]:
    import importlib.util

    import kg
    from kg import viz

    if viz_file:  # another version of kg/viz.py, e.g. `git show <commit>:kg/viz.py > old_viz.py`
        spec = importlib.util.spec_from_file_location("kg.viz", viz_file)
        assert spec is not None and spec.loader is not None
        viz = importlib.util.module_from_spec(spec)
        sys.modules["kg.viz"] = viz
        spec.loader.exec_module(viz)

    graph = kg.open_graph(store_dir)
    out = Path(tempfile.mkdtemp()) / "graph.html"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    viz.overview(graph, out, top=top)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "py_peak_mib": peak / 2**20, "rss_mib": rss, "rss_before_mib": rss_before}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=70)
    parser.add_argument(
        "--trace", action="store_true", help="also trace Python allocations (slower: time in another run)"
    )
    parser.add_argument("--viz", help="load kg.viz from this file instead (to measure an older version)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.store, args.top, args.trace, args.viz)))
        return 0
    runs = []
    for _ in range(args.runs):
        text = subprocess.run(
            [
                sys.executable,
                __file__,
                args.store,
                "--top",
                str(args.top),
                "--child",
                *(["--trace"] if args.trace else []),
                *(["--viz", args.viz] if args.viz else []),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(text.strip().splitlines()[-1]))
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
