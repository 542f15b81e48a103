"""Benchmark: `kg serve` latency under load, the bare Oxigraph server against the front that keeps limits.

Run: ``python bench/bench_serve.py [--store build] [--clients 8] [--requests 50] [--max-queries 4,8]
[--mix light|canned]``.

Each client sends `--requests` queries one after the other (round-robin over the `--mix`: light lookups,
or every canned query file as it is plus those), all clients at once, over keep-alive connections.
"Before" is ``oxigraph serve-read-only`` alone (what `kg serve` ran until the front); "after" is
``kg serve`` (the Python front over `--max-queries` Oxigraph servers) in a subprocess, once per value.
Prints p50/p99/max latency, throughput and error count per setup.

``--probe-timeout S`` instead runs the heavy queries of issue 17.6 (a three-way cartesian COUNT and an ORDER BY
cartesian, at once) and a light query against ``kg serve --timeout S``: statuses, times, memory, CPU after.
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
    "SELECT ?l WHERE { ?p a <https://w3id.org/cnkg/ontology#Project> ;"
    " <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 20",
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


HEAVY = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "order-by": "SELECT ?c WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 5",
}


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _cpu_and_rss(pids: list[int]) -> tuple[float, float]:
    """CPU seconds used so far and resident MB now, summed over `pids`."""
    cpu, rss = 0.0, 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    return cpu, rss


def probe_limits(store: Path, timeout_s: int) -> None:
    """Two heavy queries at once plus a light one, against `kg serve --timeout`: statuses, times, CPU after."""
    port = free_port()
    args = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)]
    process = subprocess.Popen(
        [*args, "--timeout", str(timeout_s)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        assert process.stdout is not None and process.stdout.readline().startswith("SPARQL endpoint")
        results: dict[str, str] = {}

        def ask(label: str, sparql: str) -> None:
            start = time.perf_counter()
            response = httpx.get(url, params={"query": sparql}, headers={"Accept": "text/csv"}, timeout=300)
            first = response.text.strip().splitlines()[0][:70] if response.text.strip() else ""
            results[label] = f"HTTP {response.status_code} after {time.perf_counter() - start:5.2f} s: {first}"

        threads = [threading.Thread(target=ask, args=item) for item in HEAVY.items()]
        for thread in threads:
            thread.start()
        time.sleep(1)
        pids = [process.pid, *_children(process.pid)]
        busy_cpu, busy_rss = _cpu_and_rss(pids)
        ask("light, meanwhile", LIGHT[0])
        for thread in threads:
            thread.join()
        time.sleep(1)
        pids = [process.pid, *_children(process.pid)]
        cpu0, rss = _cpu_and_rss(pids)
        time.sleep(2)
        cpu1, _ = _cpu_and_rss(pids)
        for label, line in results.items():
            print(f"{label:18} {line}")
        print(f"RSS of kg serve and its servers: {busy_rss:.0f} MB while busy, {rss:.0f} MB 1 s after the 504s")
        print(f"CPU used by them from 1 s to 3 s after the 504s: {cpu1 - cpu0:.2f} s ({len(pids) - 1} servers)")
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
    parser.add_argument("--probe-timeout", type=int, metavar="S", help="instead: heavy queries vs `--timeout S`")
    args = parser.parse_args()
    if args.probe_timeout:
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        probe_limits(args.store, args.probe_timeout)
        return
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
