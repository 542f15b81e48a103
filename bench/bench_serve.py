"""Benchmark: `kg serve` latency under load, the bare Oxigraph server against the front that keeps limits.

Run: ``python bench/bench_serve.py [--store build] [--clients 8] [--requests 50] [--max-queries 4,8] [--mix light|canned]``.

Each client sends `--requests` queries one after the other (round-robin over the `--mix`: light lookups,
or every canned query file as it is plus those), all clients at once, over keep-alive connections.
"Before" is ``oxigraph serve-read-only`` alone (what `kg serve` ran until the front); "after" is
``kg serve`` (the Python front over `--max-queries` Oxigraph servers) in a subprocess, once per value.
Prints p50/p99/max latency, throughput and error count per setup.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.query import canned_queries  # noqa: E402
from kg.serve import free_port, start_server  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LIGHT = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/cnkg/ontology#Project> }",
    "SELECT ?l WHERE { ?p a <https://w3id.org/cnkg/ontology#Project> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    " LIMIT 20",
    "ASK { ?s ?p ?o }",
]


def workload(mix: str) -> list[str]:
    """`light`: small lookups, where the front's own cost shows; `canned`: every canned file as it is, with its
    default LIMIT (several take hundreds of ms of CPU each on the LWKD build), plus the light ones."""
    if mix == "light":
        return LIGHT
    return [c.sparql for c in canned_queries().values() if not any(not p.optional for p in c.params)] + LIGHT


def run_load(url: str, clients: int, requests: int, queries: list[str]) -> dict[str, float]:
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        with httpx.Client(timeout=60, headers={"Accept": "application/sparql-results+json"}) as http:
            for i in range(requests):
                sparql = queries[(index + i) % len(queries)]
                start = time.perf_counter()
                response = http.post(url, content=sparql, headers={"Content-Type": "application/sparql-query"})
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors[response.status_code] = errors.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    latencies.sort()
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "max_ms": 1000 * latencies[-1],
        "req_per_s": len(latencies) / wall,
        "errors": sum(errors.values()),
        "error_codes": str(errors or "-"),
    }


@contextlib.contextmanager
def kg_serve(store: Path, max_queries: int) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)]
    args += ["--max-queries", str(max_queries), "--timeout", "30"]
    process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().startswith("SPARQL endpoint")
        yield f"http://127.0.0.1:{port}/query"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=REPO / "build")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--max-queries", default="4,8", help="comma-separated --max-queries values to try")
    parser.add_argument("--mix", choices=("light", "canned"), default="light")
    args = parser.parse_args()
    queries = workload(args.mix)
    print(f"store {args.store}, {args.clients} clients x {args.requests} requests, {len(queries)} queries in the mix")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    results = []
    with start_server(args.store, None, timeout_s=30) as bare:
        run_load(bare.url, 2, 5, queries)  # warm the page cache
        results.append(("oxigraph serve-read-only (before)", run_load(bare.url, args.clients, args.requests, queries)))
    for size in (int(v) for v in args.max_queries.split(",")):
        with kg_serve(args.store, size) as url:
            run_load(url, 2, 5, queries)
            results.append(
                (f"kg serve front, --max-queries {size}", run_load(url, args.clients, args.requests, queries))
            )
    print(f"{'setup':40} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7} {'errors':>7}")
    for label, figures in results:
        print(
            f"{label:40} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} {figures['max_ms']:8.1f} "
            f"{figures['req_per_s']:7.1f} {figures['errors']:7d} {figures['error_codes'] if figures['errors'] else ''}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
