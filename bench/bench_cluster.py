"""What docs/scale.md is projected from: per-issue cost, and builds with local workers vs a Dask LocalCluster.

    python bench/bench_cluster.py [--corpus DIR] [--runs 3] [--configs workers1,workers2,dask1,dask2] [--per-issue]
                                  [--dask-overhead]

Each build is a fresh ``python -m kg.cli build CORPUS --out TMP --no-html`` with ``--workers N`` (the local
pool) or ``--executor dask --workers N`` (a LocalCluster of N single-threaded worker processes, started and
stopped by the build, so its start-up is in the time).  Prints the median [min–max] wall time of ``--runs``
builds per configuration, the CPU of the process tree, and the load average before and after each run.
``--per-issue`` measures, in this process, each issue's extraction CPU (``process_file``), quads and
N-Quads bytes, and the store and shard sizes of one build with ``--emit``.  ``--dask-overhead`` times what
Dask adds whatever the work: starting and stopping a 2-worker LocalCluster, and 383 tasks that only return
an issue-sized result (263 KB) to this process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LWKD = REPO.parent / "shared" / "corpus" / "lwkd"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def build_once(corpus: Path, config: str, scratch: Path) -> tuple[float, float, str, str]:
    """One fresh build: (wall s, CPU s of the process tree, load before, load after)."""
    workers = config.removeprefix("workers").removeprefix("dask")
    out = scratch / f"build-{config}"
    shutil.rmtree(out, ignore_errors=True)
    args = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "--no-html", "--workers", workers]
    if config.startswith("dask"):
        args += ["--executor", "dask"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before, cpu = _load(), _children_cpu()
    started = time.perf_counter()
    run = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{config}: build failed: {run.stderr.strip().splitlines()[-1:]}")
    return wall, _children_cpu() - cpu, before, _load()


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s [{min(values):.1f}–{max(values):.1f}], n={len(values)}"


def per_issue(corpus: Path, scratch: Path) -> None:
    sys.path.insert(0, str(REPO))
    from kg.build import build, extractor_fingerprint, file_hash
    from kg.catalog import load_catalog
    from kg.ingest import discover
    from kg.issue_job import _init_worker, process_file

    catalog = load_catalog()
    fingerprint = extractor_fingerprint(catalog)
    _init_worker(catalog)
    cpu, quads, nbytes = [], [], []
    for path in discover([corpus]):
        raw = path.read_bytes()
        started = time.process_time()
        result = process_file(str(path), file_hash(raw, fingerprint))
        cpu.append(time.process_time() - started)
        if result.write is not None:
            quads.append(result.write.nquads.count("\n"))
            nbytes.append(len(result.write.nquads.encode("utf-8")))
    source = statistics.mean(p.stat().st_size for p in discover([corpus]))
    print(f"issues: {len(cpu)}; source bytes per issue: mean {source:.0f}")
    print(
        f"extraction CPU per issue (process_file, one process): mean {statistics.mean(cpu) * 1000:.1f} ms, "
        f"median {statistics.median(cpu) * 1000:.1f} ms, max {max(cpu) * 1000:.1f} ms"
    )
    print(
        f"quads per issue (own graph + shared facts as sent to the writer): mean {statistics.mean(quads):.0f}, "
        f"median {statistics.median(quads):.0f}; N-Quads bytes per issue: mean {statistics.mean(nbytes):.0f}"
    )
    out, shards = scratch / "build-sizes", scratch / "shards"
    shutil.rmtree(out, ignore_errors=True)
    summary = build([corpus], out, workers=2, write_html=False, emit=shards)
    store = sum(f.stat().st_size for f in (out / "store").rglob("*") if f.is_file())
    shard_bytes = sum(f.stat().st_size for f in shards.rglob("*.nq"))
    print(
        f"store: {summary.triples} triples, {store / 2**20:.1f} MiB on disk ({store / summary.triples:.0f} B/triple); "
        f"shards: {summary.emitted.shards} files, {shard_bytes / 2**20:.1f} MiB"
    )


def dask_overhead(tasks: int = 383, result_bytes: int = 263_000) -> None:
    import logging

    from distributed import Client, LocalCluster, as_completed

    cpu0, wall0 = time.process_time(), time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    client = Client(cluster, set_as_default=False)
    started = time.perf_counter()
    futures = [client.submit(_payload, i, result_bytes, pure=False) for i in range(tasks)]
    received = sum(len(f.result()) for f in as_completed(futures, loop=client.loop))
    ran = time.perf_counter()
    client.close()
    cluster.close()
    ended = time.perf_counter()
    print(
        f"Dask LocalCluster(2): start {started - wall0:.1f} s, {tasks} tasks returning {result_bytes} B each "
        f"{ran - started:.2f} s ({(ran - started) / tasks * 1000:.1f} ms per task, {received / 2**20:.0f} MiB), "
        f"close {ended - ran:.1f} s; this process's CPU {time.process_time() - cpu0:.1f} s; load {_load()}"
    )


def _payload(index: int, size: int) -> bytes:
    return bytes([index % 256]) * size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=LWKD)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--configs", default="workers1,workers2,dask1,dask2")
    parser.add_argument("--per-issue", action="store_true")
    parser.add_argument("--dask-overhead", action="store_true")
    args = parser.parse_args()
    if args.dask_overhead:
        dask_overhead()
    with tempfile.TemporaryDirectory(prefix="cnkg-bench-cluster-") as tmp:
        scratch = Path(tmp)
        if args.per_issue:
            per_issue(args.corpus, scratch)
        configs = [c for c in args.configs.split(",") if c]
        if not configs:
            return
        print(f"builds of {args.corpus} ({args.runs} runs each, configurations interleaved)")
        walls: dict[str, list[float]] = {c: [] for c in configs}
        cpus: dict[str, list[float]] = {c: [] for c in configs}
        loads: dict[str, list[str]] = {c: [] for c in configs}
        for run in range(args.runs):
            for config in configs:  # interleaved so that a busy spell of the machine hits every configuration
                wall, cpu, before, after = build_once(args.corpus, config, scratch)
                walls[config].append(wall)
                cpus[config].append(cpu)
                loads[config].append(f"{before}→{after}")
                print(
                    f"  run {run + 1} {config}: {wall:.1f} s wall, {cpu:.1f} s CPU, load {before}→{after}", flush=True
                )
        print("| configuration | wall | CPU (tree) | load average (1 min, before→after) |")
        print("| --- | --- | --- | --- |")
        for config in configs:
            print(f"| {config} | {_spread(walls[config])} | {_spread(cpus[config])} | {', '.join(loads[config])} |")


if __name__ == "__main__":
    main()
