"""Throughput of read_issue + extract (+ the issue's quads) over a corpus folder (default: ../shared/corpus/lwkd).

    python bench/bench_extract.py [DIR] [--no-quads] [--repeat N] [--runs N]

Prints files, megabytes, seconds and MB/s end to end (text to quads, what ``kg build`` does per
issue), then CPU seconds per phase: read, nlp (tokenizer + components), extract, quads.
Pipeline load time is reported apart.  CPU time is the figure to compare: the machine may be shared.

``--runs N`` runs the measurement in N fresh processes (each one pass, as a build worker meets the
corpus: spaCy's vocabulary starts empty) and prints the median [min-max] of each figure, with the load
average before and after.  ``--repeat N`` instead keeps the best of N passes in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.catalog import load_catalog  # noqa: E402
from kg.extract import load_pipeline  # noqa: E402
from kg.extract.pipeline import run_extractor  # noqa: E402
from kg.ingest import discover, read_issue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "corpus" / "lwkd"))
    parser.add_argument("--no-quads", action="store_true", help="leave out kg.rdf.extraction_quads")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the corpus (the best one is kept)")
    parser.add_argument("--runs", type=int, default=1, help="fresh processes to run; prints medians")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures (used by --runs)")
    args = parser.parse_args()
    if args.runs > 1:
        runs(args)
        return
    paths = discover([Path(args.folder)])
    t0 = time.perf_counter()
    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    quads_of = None
    if not args.no_quads:
        from kg.rdf import extraction_quads

        quads_of = extraction_quads
    print(f"load catalog + pipeline: {time.perf_counter() - t0:.2f} s")
    size = sum(p.stat().st_size for p in paths)
    mb = size / 1e6
    best: tuple[float, float, dict[str, float], tuple[int, int, int]] | None = None
    for _ in range(max(1, args.repeat)):
        phase = {"read": 0.0, "nlp": 0.0, "extract": 0.0, "quads": 0.0}
        entities = relations = quads = 0
        w0, c0 = time.perf_counter(), time.process_time()
        for path in paths:
            a = time.process_time()
            issue = read_issue(path)
            b = time.process_time()
            doc = nlp(issue.text)
            c = time.process_time()
            ex = run_extractor(issue, catalog, doc)
            d = time.process_time()
            if quads_of is not None:
                quads += len(quads_of(ex, path.name))
            e = time.process_time()
            phase["read"] += b - a
            phase["nlp"] += c - b
            phase["extract"] += d - c
            phase["quads"] += e - d
            entities += len(ex.entities)
            relations += len(ex.relations)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if best is None or cpu < best[1]:
            best = (wall, cpu, phase, (entities, relations, quads))
    assert best is not None
    wall, cpu, phase, (entities, relations, quads) = best
    what = "read + extract" + ("" if args.no_quads else " + quads")
    if args.json:
        figures = {"wall": wall, "cpu": cpu, **phase, "mb": mb, "files": len(paths)}
        print(json.dumps({**figures, "entities": entities, "relations": relations, "quads": quads}))
        return
    print(f"{len(paths)} files, {mb:.2f} MB, {what}: {wall:.2f} s wall, {mb / wall:.2f} MB/s")
    print(f"cpu time {cpu:.2f} s, {mb / cpu:.2f} MB/s of CPU (the machine may be shared)")
    print("cpu per phase: " + ", ".join(f"{k} {v:.2f} s" for k, v in phase.items()))
    print(f"{entities} entities, {relations} relations, {quads} quads")


def runs(args: argparse.Namespace) -> None:
    """``--runs N``: the measurement in N fresh processes, medians printed."""
    command = [sys.executable, __file__, args.folder, "--json", "--repeat", str(args.repeat)]
    if args.no_quads:
        command.append("--no-quads")
    load_before = os.getloadavg()
    results = []
    for _ in range(args.runs):
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    load_after = os.getloadavg()

    def med(key: str) -> str:
        values = [r[key] for r in results]
        return f"{statistics.median(values):.2f} s [{min(values):.2f}-{max(values):.2f}]"

    mb = results[0]["mb"]
    walls = [r["wall"] for r in results]
    what = "read + extract" + ("" if args.no_quads else " + quads")
    print(f"{results[0]['files']} files, {mb:.2f} MB, {what}, {args.runs} fresh processes, median [min-max]:")
    print(f"wall {med('wall')}, {mb / statistics.median(walls):.2f} MB/s")
    print(f"cpu {med('cpu')}, {mb / statistics.median(r['cpu'] for r in results):.2f} MB/s of CPU")
    print("cpu per phase: " + ", ".join(f"{k} {med(k)}" for k in ("read", "nlp", "extract", "quads")))
    inner = [r["read"] + r["nlp"] + r["extract"] for r in results]
    print(f"read + nlp + extract: {statistics.median(inner):.2f} s [{min(inner):.2f}-{max(inner):.2f}]")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")


if __name__ == "__main__":
    main()
