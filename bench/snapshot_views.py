"""Snapshot every output that reads the graph through the views, to compare two versions of the code byte for byte.

Run: ``python bench/snapshot_views.py --store BUILD_DIR --out DIR`` with one checkout's interpreter, then with the
other's, and ``diff -r`` the two output directories.  Writes the overview page (`kg build`'s graph.html), `kg viz`
pages for a few views, the `kg analytics` report, the GraphML and GEXF exports and the notebook helpers' tables as
CSV.  Everything goes through the CLI and the public helpers, which both versions share, so the script runs
unchanged on the code before and after a refactor.  The store is opened read-only.

Runs with ``PYTHONHASHSEED=0`` (it restarts itself with it when unset), so that nothing iterating a set of
IRIs can make two runs differ.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

# `kg viz` views: (file stem, CLI options).  A focused view small enough for vis physics, a two-hop one, a
# series and date window, a type filter with a limit, and the whole graph (big enough for the precomputed layout).
VIEWS: list[tuple[str, list[str]]] = [
    ("focus-kubernetes", ["--focus", "Kubernetes"]),
    ("focus-kubectl-depth2", ["--focus", "kubectl", "--depth", "2"]),
    ("series-lwkd-since-2023", ["--series", "lwkd", "--since", "2023"]),
    ("window-until-2021-06", ["--since", "2020", "--until", "2021-06", "--limit", "120"]),
    ("types-project-limit-50", ["--types", "Project,Organization", "--limit", "50"]),
    ("everything", []),
]


def run_cli(args: list[str]) -> str:
    """One `kg` command in this process; its standard output."""
    from kg.cli import app

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        app(args, standalone_mode=False)
    return captured.getvalue()


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a built directory (read-only)")
    parser.add_argument("--out", type=Path, required=True, help="where the snapshot files go")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    store = str(args.store)
    import kg

    print(f"kg from {Path(kg.__file__).parent}", file=sys.stderr)

    def timed(what: str, step: object) -> None:
        start = time.perf_counter()
        step()  # type: ignore[operator]
        print(f"{what}: {time.perf_counter() - start:.1f} s", file=sys.stderr)

    for stem, options in VIEWS:
        timed(
            f"viz {stem}",
            lambda o=options, s=stem: run_cli(["viz", *o, "--store", store, "-o", str(out / f"{s}.html")]),
        )
    timed("analytics", lambda: (out / "analytics.txt").write_text(run_cli(["analytics", "--store", store])))
    for fmt in ("graphml", "gexf"):
        timed(fmt, lambda f=fmt: run_cli(["export", "--format", f, "--store", store, "-o", str(out / f"graph.{f}")]))

    from kg import notebook
    from kg.explorer import overview

    graph = kg.open_graph(store)
    try:
        timed("overview", lambda: overview(graph, out / "overview.html"))
        for name in ("entities_frame", "issues_frame", "mentions_frame"):
            timed(name, lambda n=name: getattr(notebook, n)(graph).to_csv(out / f"{n}.csv", index=False))
    finally:
        graph.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
