"""The benchmarks of cnkg: extraction throughput, `kg build` at scale, canned queries, incremental builds.

Run: ``python bench/run.py`` (what ``make bench`` does) or with flags::

    python bench/run.py --sizes 1000,10000 --runs 5 --big-runs 1 --big-workers 2

The defaults (sizes 100,1000,10000; 3 runs, 1 run of the 10,000-issue build with 2 workers; queries capped at
15 s; rdflib on 100 issues; 2 incremental runs) take about 40 minutes on 2 shared cores; 5 runs of every build
do not fit that (a 10,000-issue build takes ~7 minutes).
    python bench/run.py --quick            # sizes 100,1000, 3 runs, 60 LWKD files, rdflib on 100 issues
    python bench/run.py --skip-builds      # reuse the stores of a previous run (queries, incremental only)

Prints a table and writes bench/RESULTS.md (machine, date, load, medians with min/max, targets).
Synthetic corpora come from bench/synth.py (deterministic; kept in --workdir between runs).
Every build is ``python -m kg.cli build CORPUS --out DIR --workers N`` in a subprocess: wall time,
CPU time of the process tree (wait4), and peak memory: the sum of the RSS of the build process and
all its workers (psutil, sampled every 0.1 s) and the largest single process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The code measured: a snapshot of HEAD (see snapshot()), or the working tree with --no-snapshot.
CODE = Path(os.environ.get("CNKG_BENCH_CODE", str(ROOT)))
sys.path.insert(0, str(CODE))
BENCH = ROOT / "bench"
LWKD = ROOT.parent / "shared" / "corpus" / "lwkd"
GiB = 1024**3

# Values for the canned queries' required parameters (and a few optional ones worth exercising).
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "mentions-over-time": {"name": "Cilium"},
    "project-mentions": {"name": "Cilium"},
    "project-releases": {"name": "Kubernetes"},
    "relations-with-evidence": {"name": "Cilium"},
}
FALLBACK_PARAM = "Kubernetes"

TARGETS = {
    "build_s": 120.0,  # 10,000 issues, 2 workers
    "build_mem": 2 * GiB,
    "query_ms": 50.0,
    "query_ratio": 20.0,
    "add_one_s": 2.0,
    "no_change_s": 5.0,
    "extract_mbps": 1.0,  # read + extract + quads, one process
    "issue_quads": 500.0,  # distinct quads of an LWKD issue's own graph, on average
}


# --------------------------------------------------------------------------- measurements


@dataclass
class Stat:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def lo(self) -> float:
        return min(self.values)

    @property
    def hi(self) -> float:
        return max(self.values)

    def fmt(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        if not self.values:
            return "n/a"
        m, lo, hi = (v * scale for v in (self.median, self.lo, self.hi))
        if len(self.values) == 1:
            return f"{m:.{digits}f} {unit} (1 run)"
        return f"{m:.{digits}f} {unit} [{lo:.{digits}f}–{hi:.{digits}f}], n={len(self.values)}"


@dataclass
class ProcRun:
    wall: float
    cpu: float
    peak_tree: int  # bytes: max over samples of the summed RSS of the process tree
    peak_single: int  # bytes: ru_maxrss of the largest process (wait4, includes reaped workers)
    returncode: int
    output: str
    loads: list[float] = field(default_factory=list)


def run_measured(cmd: Sequence[str], cwd: Path | None = None, interval: float = 0.1) -> ProcRun:
    """Run ``cmd``; wall time, CPU time and peak memory of its process tree."""
    import psutil

    env = dict(os.environ, PYTHONPATH=str(CODE))
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"cnkg-bench-{os.getpid()}.out"
    with open(out_path, "w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd or CODE, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        loads = [os.getloadavg()[0]]
        root = psutil.Process(proc.pid)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                members = []
            for member in members:
                try:
                    total += member.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, total)
            time.sleep(interval)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
        loads.append(os.getloadavg()[0])
        out.seek(0)
        output = out.read()
    out_path.unlink(missing_ok=True)
    return ProcRun(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_tree=peak,
        peak_single=usage.ru_maxrss * 1024,
        returncode=proc.returncode,
        output=output,
        loads=loads,
    )


def kg_build(corpus: Path, store: Path, workers: int) -> ProcRun:
    run = run_measured(
        [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(store), "--workers", str(workers)]
    )
    if run.returncode != 0:
        print(f"  ! kg build exited {run.returncode}: {run.output.strip().splitlines()[-3:]}", file=sys.stderr)
    return run


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
        ram = f"{kib / 1024**2:.1f} GiB"
    except (OSError, TypeError):
        pass

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "absent"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "pyoxigraph": version("pyoxigraph"),
        "rdflib": version("rdflib"),
        "spaCy": version("spacy"),
        "commit": commit.stdout.strip() or "?",
    }


def load_now() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# --------------------------------------------------------------------------- corpora


def snapshot(workdir: Path) -> tuple[Path, str]:
    """HEAD's kg/, ontology/ and bench/ extracted under ``workdir``: the code a run measures stays fixed while
    others commit (a changed catalog would otherwise turn a no-change rebuild into a full one mid-run)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = workdir / f"src-{commit}"
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        # pyproject.toml marks the copy as a checkout (kg.resources), which then reads its own ontology/.
        archive = subprocess.run(
            ["git", "archive", "HEAD", "kg", "ontology", "bench", "pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        # The imported catalog (`kg catalog import-*`, not in git) is part of what the extractor reads.
        imported = ROOT / "ontology" / "catalog" / "imported"
        if imported.is_dir():
            shutil.copytree(imported, target / "ontology" / "catalog" / "imported")
        (target / ".complete").write_text(commit)
    return target, commit


def corpus(workdir: Path, size: int, seed: int) -> Path:
    """The synthetic corpus of ``size`` issues (made once; synth.py is deterministic)."""
    path = workdir / f"corpus-{size}-s{seed}"
    stamp = path / ".complete"
    if not stamp.exists():
        shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(BENCH / "synth.py"), str(size), str(path), "--seed", str(seed)], check=True)
        stamp.write_text("")
        print(f"  synthetic corpus of {size} issues in {time.perf_counter() - started:.1f} s")
    return path


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- extraction


def bench_extraction(files: list[Path], runs: int) -> dict[str, Any]:
    """read_issue + extract + extraction_quads over ``files``, in this process (one core)."""
    from kg import ids
    from kg.catalog import load_catalog
    from kg.extract import extract, load_pipeline
    from kg.ingest import read_issue
    from kg.rdf import extraction_quads

    started = time.perf_counter()
    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    setup = time.perf_counter() - started
    size = sum(f.stat().st_size for f in files)
    walls, cpus, quads = [], [], 0
    for _ in range(runs):
        quads = 0
        w0, c0 = time.perf_counter(), time.process_time()
        for f in files:
            quads += len(extraction_quads(extract(read_issue(f), catalog, nlp), source_name=f.name))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    # The graph's shape, outside the timed runs: distinct quads of each issue's own graph, and the distinct
    # shared facts (entities graph) all the issues state together.
    own, shared = 0, set()
    for f in files:
        extraction = extract(read_issue(f), catalog, nlp)
        graph = ids.issue_graph(extraction.issue_id)
        issue_quads = extraction_quads(extraction, source_name=f.name)
        own += len({q for q in issue_quads if q.graph_name.value == graph})
        shared.update(q for q in issue_quads if q.graph_name.value != graph)
    return {
        "files": len(files),
        "bytes": size,
        "quads": quads,
        "own_per_issue": own / len(files),
        "shared_per_issue": len(shared) / len(files),
        "setup_s": setup,
        "mbps_wall": Stat([size / 1e6 / w for w in walls]),
        "mbps_cpu": Stat([size / 1e6 / c for c in cpus]),
        "ms_per_issue": Stat([w / len(files) * 1000 for w in walls]),
    }


# --------------------------------------------------------------------------- queries


class QueryTimeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise QueryTimeout


def timed(fn: Callable[[], int], runs: int, timeout: float | None = None, warmup: bool = True) -> tuple[Stat, int]:
    """Median etc. of ``fn()`` (returns a row count); QueryTimeout when one run exceeds ``timeout``."""
    rows = 0
    times: list[float] = []
    for i in range(runs + (1 if warmup else 0)):
        if timeout:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            start = time.perf_counter()
            rows = fn()
            elapsed = time.perf_counter() - start
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if i > 0 or not warmup:
            times.append(elapsed)
    return Stat(times), rows


def query_texts() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, SPARQL, bound parameters) of every canned query."""
    from kg.query import canned_queries, resolve

    out = []
    for name, query in canned_queries().items():
        given = dict(QUERY_PARAMS.get(name, {}))
        for param in query.params:
            if not param.optional and param.name not in given:
                given[param.name] = FALLBACK_PARAM
        sparql, bound = resolve(name, None, given)
        out.append((name, sparql, bound))
    return out


def _query_child(store_dir: str, name: str, runs: int, cap: float) -> None:
    """In a subprocess: warm-up and timed runs of one canned query; prints JSON (times in s, rows)."""
    import json

    from kg.query import run
    from kg.store import GraphStore

    sparql, bound = next((s, b) for n, s, b in query_texts() if n == name)
    times: list[float] = []
    rows = 0
    with GraphStore.open(store_dir, read_only=True) as graph:
        spent = 0.0
        for i in range(runs + 1):
            start = time.perf_counter()
            rows = len(run(graph, sparql, bound)[1])
            elapsed = time.perf_counter() - start
            spent += elapsed
            if i > 0 or elapsed > cap:
                times.append(elapsed)
            if spent > cap:
                break
    print(json.dumps({"times": times, "rows": rows}))


def bench_oxigraph_queries(store_dir: Path, runs: int, cap: float) -> dict[str, tuple[Stat, int] | str]:
    """Each canned query in its own process (Oxigraph cannot be interrupted mid-query): a warm-up, then ``runs``
    timed runs, fewer when they add up to more than ``cap`` seconds; "> cap s" when one run does not finish."""
    import json

    results: dict[str, tuple[Stat, int] | str] = {}
    for name, _sparql, _bound in query_texts():
        cmd = [sys.executable, __file__, "--_query", str(store_dir), name, str(runs), str(cap)]
        try:
            proc = subprocess.run(cmd, cwd=CODE, capture_output=True, text=True, timeout=2 * cap + 5)
        except subprocess.TimeoutExpired:
            results[name] = f"> {cap:g} s"
            print(f"    {name}: > {cap:g} s")
            continue
        if proc.returncode != 0:
            results[name] = "error: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        results[name] = (Stat(data["times"]), data["rows"])
        print(f"    {name}: {results[name][0].fmt('ms', 1000, 1)}, {data['rows']} rows")
    return results


def bench_rdflib_queries(store_dir: Path, runs: int, timeout: float) -> tuple[float, int, dict[str, Any]]:
    """Load the store's N-Quads into rdflib.Dataset(default_union=True); run the same SPARQL text."""
    import rdflib
    from pyoxigraph import RdfFormat

    from kg.store import GraphStore
    from kg.terms import bind_values
    from kg.vocab import PREFIXES

    with GraphStore.open(store_dir, read_only=True) as graph:
        data = graph.oxi.dump(format=RdfFormat.N_QUADS)
    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    load_s = time.perf_counter() - started
    triples = len(dataset)
    del data
    results: dict[str, Any] = {}
    for name, sparql, bound in query_texts():
        text = bind_values(sparql, bound)

        def once(text: str = text) -> int:
            return len(list(dataset.query(text, initNs=PREFIXES)))

        try:
            results[name] = timed(once, runs, timeout=timeout, warmup=False)
        except QueryTimeout:
            results[name] = f"> {timeout:g} s"
        except Exception as err:  # noqa: BLE001 - report and go on with the next query
            results[name] = f"error: {type(err).__name__}: {str(err).splitlines()[0][:80]}"
    return load_s, triples, results


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    args: argparse.Namespace
    machine: dict[str, str]
    started: dt.datetime
    load_start: str
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, str, str, str]] = field(default_factory=list)  # (target, figure, status, limit)

    def section(self, title: str) -> None:
        self.lines += ["", f"## {title}", ""]
        print(f"\n== {title}")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join(" --- " for _ in header) + "|")
        for row in rows:
            self.lines.append("| " + " | ".join(row) + " |")
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
        for row in [header, *rows]:
            print("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))

    def text(self, line: str) -> None:
        if self.lines and self.lines[-1].startswith("|"):
            self.lines.append("")
        self.lines.append(line)
        print("  " + line)

    def verdict(self, target: str, figure: str, ok: bool | None, limit: str = "") -> None:
        status = "n/a" if ok is None else ("met" if ok else "**missed**")
        self.verdicts.append((target, figure, status, limit))

    def write(self, path: Path) -> None:
        out = ["# cnkg benchmarks", ""]
        out.append(f"Generated by `python bench/run.py {' '.join(sys.argv[1:])}` on {self.started:%Y-%m-%d %H:%M}.")
        out.append("Figures: median [min–max] over n runs.  The machine is shared; load average (1/5/15 min)")
        out.append(f"at the start: {self.load_start}; at the end: {load_now()}.")
        out += ["", "## Machine", "", "| | |", "| --- | --- |"]
        out += [f"| {k} | {v} |" for k, v in self.machine.items()]
        out += ["", "## Targets", "", "| target | figure | status | what limits it |", "| --- | --- | --- | --- |"]
        out += [f"| {t} | {f} | {s} | {limit} |" for t, f, s, limit in self.verdicts]
        out += self.lines
        if self.notes:
            out += ["", "## Notes on this run", ""] + [f"- {n}" for n in self.notes]
        analysis = BENCH / "analysis.md"
        if analysis.exists():
            out += ["", analysis.read_text(encoding="utf-8").rstrip()]
        path.write_text("\n".join(out) + "\n", encoding="utf-8")


def mib(n: float) -> str:
    return f"{n / 1024**2:.0f} MiB"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_query"]:
        _query_child(argv[1], argv[2], int(argv[3]), float(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="synthetic corpus sizes (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--big", type=int, default=10000, help="sizes >= this are 'big' (default 10000)")
    parser.add_argument("--big-runs", type=int, default=1, help="runs of each big build (default 1)")
    parser.add_argument("--workers", default="1,2", help="worker counts for builds (default 1,2)")
    parser.add_argument("--big-workers", default="2", help="worker counts for big builds (default 2)")
    parser.add_argument("--extract-files", type=int, default=0, help="LWKD files for throughput (default all)")
    parser.add_argument("--extract-runs", type=int, default=0, help="runs of the extraction (default --runs)")
    parser.add_argument("--query-timeout", type=float, default=15.0, help="cap per canned query (s, default 15)")
    parser.add_argument("--rdflib-size", type=int, default=100, help="store size for the rdflib comparison (100)")
    parser.add_argument("--rdflib-timeout", type=float, default=30.0, help="cap per rdflib query run (s, 30)")
    parser.add_argument("--rdflib-runs", type=int, default=3, help="runs per rdflib query (default 3)")
    parser.add_argument("--incr-runs", type=int, default=2, help="runs of each incremental build (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cnkg-bench"))
    parser.add_argument("--skip-builds", action="store_true", help="reuse the stores of a previous run")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: extract,build,query,rdflib,incr")
    parser.add_argument("--quick", action="store_true", help="sizes 100,1000; 3 runs; 60 LWKD files; rdflib on 100")
    parser.add_argument("--no-snapshot", action="store_true", help="measure the working tree, not a copy of HEAD")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.extract_files, args.rdflib_size = "100,1000", 3, args.extract_files or 60, 100
        args.big_runs, args.rdflib_runs = 1, 2
    sizes = sorted(int(s) for s in args.sizes.split(","))
    skip = set(filter(None, args.skip.split(",")))
    if args.skip_builds:
        skip.add("build")
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    global CODE
    info = machine()
    if not args.no_snapshot:
        CODE, commit = snapshot(workdir)
        os.environ["CNKG_BENCH_CODE"] = str(CODE)
        sys.path.insert(0, str(CODE))
        info["commit"] = f"{commit} (a snapshot of HEAD; uncommitted changes are not measured)"
    else:
        info["commit"] += " (working tree)"
    report = Report(args, info, dt.datetime.now(), load_now())
    print("machine:", ", ".join(f"{k} {v}" for k, v in report.machine.items()), "| load", report.load_start)

    # ------------------------------------------------------------ extraction
    if "extract" not in skip:
        report.section("Extraction throughput (one process)")
        if LWKD.is_dir():
            files = sorted(LWKD.glob("*.md"))
            if args.extract_files:
                files = files[: args.extract_files]
            res = bench_extraction(files, args.extract_runs or args.runs)
            report.text(
                f"read_issue + extract + extraction_quads over {res['files']} LWKD issues "
                f"({res['bytes'] / 1e6:.2f} MB, {res['quads']} quads), catalog + pipeline loaded once "
                f"({res['setup_s']:.1f} s, not counted)."
            )
            report.table(
                ["measure", "median [min–max]"],
                [
                    ["throughput (wall)", res["mbps_wall"].fmt("MB/s", digits=3)],
                    ["throughput (CPU time)", res["mbps_cpu"].fmt("MB/s", digits=3)],
                    ["per issue (wall)", res["ms_per_issue"].fmt("ms", digits=1)],
                ],
            )
            report.text(
                f"Graph shape: {res['own_per_issue']:.0f} distinct quads per issue graph on average, plus "
                f"{res['shared_per_issue']:.0f} per issue of distinct shared facts (entities graph; the catalog, "
                "ontology and stats graphs come on top)."
            )
            report.verdict(
                f"extraction, one process, text -> quads: >= {TARGETS['extract_mbps']:.0f} MB/s (wall)",
                res["mbps_wall"].fmt("MB/s", digits=3),
                res["mbps_wall"].median >= TARGETS["extract_mbps"],
            )
            report.verdict(
                f"<= {TARGETS['issue_quads']:.0f} quads per LWKD issue graph on average",
                f"{res['own_per_issue']:.0f} (+ {res['shared_per_issue']:.0f} shared)",
                res["own_per_issue"] <= TARGETS["issue_quads"],
            )
            if (BENCH / "bench_extract.py").exists():
                proc = subprocess.run(
                    [sys.executable, str(CODE / "bench" / "bench_extract.py"), str(LWKD)],
                    cwd=CODE,
                    env=dict(os.environ, PYTHONPATH=str(CODE)),
                    capture_output=True,
                    text=True,
                    timeout=1800,
                )
                report.text("")
                report.text("bench/bench_extract.py says:")
                report.lines += ["", "```", (proc.stdout + proc.stderr).strip(), "```"]
        else:
            report.text(f"skipped: {LWKD} is absent")

    # ------------------------------------------------------------ builds
    stores: dict[int, Path] = {}
    build_rows: list[list[str]] = []
    big_w2: dict[str, Stat] = {}
    per_issue: dict[tuple[int, int], float] = {}
    for size in sizes:
        big = size >= args.big
        worker_counts = [int(w) for w in (args.big_workers if big else args.workers).split(",")]
        runs = args.big_runs if big else args.runs
        corpus_dir = corpus(workdir, size, args.seed)
        for workers in worker_counts:
            store = workdir / f"store-{size}-w{workers}"
            if workers == max(worker_counts):
                stores[size] = store
            if "build" in skip:
                continue
            print(f"  building {size} issues with {workers} worker(s), {runs} run(s)")
            walls, cpus, trees, singles, loads = [], [], [], [], []
            last: ProcRun | None = None
            for _ in range(runs):
                shutil.rmtree(store, ignore_errors=True)
                last = kg_build(corpus_dir, store, workers)
                walls.append(last.wall)
                cpus.append(last.cpu)
                trees.append(last.peak_tree)
                singles.append(last.peak_single)
                loads += last.loads
                print(f"    {last.wall:.1f} s wall, {last.cpu:.1f} s CPU, peak {mib(last.peak_tree)}")
            assert last is not None
            summary = next((ln for ln in last.output.splitlines() if ln.startswith("built ")), last.output[-200:])
            wall = Stat(walls)
            per_issue[(size, workers)] = wall.median / size
            build_rows.append(
                [
                    f"{size:,}",
                    str(workers),
                    wall.fmt("s", digits=1),
                    Stat(cpus).fmt("s", digits=1),
                    f"{size / wall.median:.1f}",
                    Stat([t / 1024**2 for t in trees]).fmt("MiB", digits=0),
                    mib(max(singles)),
                    mib(dir_size(store / "store")),
                    f"{min(loads):.1f}–{max(loads):.1f}",
                ]
            )
            report.notes.append(f"{size:,} issues, {workers} worker(s), last run: `{summary.strip()}`")
            if big and workers == 2:
                big_w2 = {"wall": wall, "tree": Stat([float(t) for t in trees])}
    if build_rows:
        report.section("kg build of synthetic corpora")
        report.text(
            "Each run builds a fresh store (`python -m kg.cli build CORPUS --out DIR --workers N`, "
            "graph.trig and graph.html included).  Peak memory: RSS summed over the build process "
            "and its workers (psutil, 0.1 s samples); 'largest process': ru_maxrss."
        )
        report.table(
            [
                "issues",
                "workers",
                "wall",
                "CPU (tree)",
                "issues/s",
                "peak RSS (sum)",
                "largest process",
                "store on disk",
                "load avg",
            ],
            build_rows,
        )
        for (size, workers), seconds in sorted(per_issue.items()):
            if size < args.big and any(s >= args.big for s in sizes):
                report.text(
                    f"Extrapolated (linear) from {size:,} issues with {workers} worker(s): "
                    f"{seconds * args.big:.0f} s for {args.big:,} issues."
                )
    top = max(sizes)
    if big_w2:
        wall, tree = big_w2["wall"], big_w2["tree"]
        report.verdict(
            f"{top:,} issues, 2 workers: build <= {TARGETS['build_s']:.0f} s",
            wall.fmt("s", digits=1),
            wall.median <= TARGETS["build_s"],
        )
        report.verdict(
            f"{top:,} issues, 2 workers: peak memory <= 2 GiB",
            mib(tree.hi),
            tree.hi <= TARGETS["build_mem"],
        )

    # ------------------------------------------------------------ queries
    big_store = stores.get(top)
    if "query" not in skip and big_store and (big_store / "store").is_dir():
        report.section(f"Canned queries on the {top:,}-issue store (Oxigraph, in-process)")
        results = bench_oxigraph_queries(big_store, args.runs, args.query_timeout)
        report.text(
            f"Each query: one warm-up, then up to {args.runs} runs (fewer when they pass {args.query_timeout:g} s), "
            "in its own process; latency includes turning the rows into Python values (kg.query.run)."
        )
        rows = [
            [name, r[0].fmt("ms", 1000, 1), str(r[1])] if isinstance(r, tuple) else [name, r, ""]
            for name, r in results.items()
        ]
        report.table(["query", "latency", "rows"], rows)
        medians = {n: (r[0].median if isinstance(r, tuple) else float("inf")) for n, r in results.items()}
        over = [n for n, m in medians.items() if m * 1000 > TARGETS["query_ms"]]
        fast = [n for n, m in medians.items() if m * 1000 <= TARGETS["query_ms"]]
        report.verdict(
            f"canned queries on {top:,} issues: median <= 50 ms",
            f"{len(fast)}/{len(results)} within; over: " + (", ".join(over) or "none"),
            not over,
        )
        if "rdflib" not in skip:
            small = args.rdflib_size
            rdf_store = stores.get(small)
            if rdf_store is None or not (rdf_store / "store").is_dir():
                rdf_store = workdir / f"store-{small}-w1"
                if not (rdf_store / "store").is_dir():
                    kg_build(corpus(workdir, small, args.seed), rdf_store, 2)
            report.section(f"Oxigraph vs rdflib's memory store, on the {small:,}-issue store")
            ox = bench_oxigraph_queries(rdf_store, args.runs, args.query_timeout)
            load_s, triples, rd = bench_rdflib_queries(rdf_store, args.rdflib_runs, args.rdflib_timeout)
            report.text(
                f"rdflib.Dataset(default_union=True) loaded {triples:,} quads from the store's N-Quads in "
                f"{load_s:.1f} s; the same SPARQL text (parameters in the same VALUES block) with the same "
                f"prefixes; each rdflib run capped at {args.rdflib_timeout:g} s."
            )
            rows, ratios = [], []
            for name, result in ox.items():
                other = rd.get(name)
                if not isinstance(result, tuple):
                    rows.append(
                        [name, result, other[0].fmt("ms", 1000, 0) if isinstance(other, tuple) else str(other), "", ""]
                    )
                    continue
                stat, n = result
                if isinstance(other, tuple):
                    ratio = other[0].median / stat.median
                    ratios.append((name, ratio))
                    rows.append([name, stat.fmt("ms", 1000, 1), other[0].fmt("ms", 1000, 0), f"{ratio:.0f}x", str(n)])
                else:
                    lower = ""
                    if isinstance(other, str) and other.startswith(">"):
                        lower = f"> {args.rdflib_timeout / stat.median:.0f}x"
                        ratios.append((name, args.rdflib_timeout / stat.median))
                    rows.append([name, stat.fmt("ms", 1000, 1), str(other), lower, str(n)])
            report.table(["query", "Oxigraph", "rdflib", "rdflib / Oxigraph", "rows"], rows)
            if ratios:
                slowest = min(ratios, key=lambda kv: kv[1])
                report.verdict(
                    f"canned queries >= 20x faster than rdflib (measured on {small:,} issues)",
                    f"lowest {slowest[0]} {slowest[1]:.0f}x; median {statistics.median(r for _, r in ratios):.0f}x",
                    all(r >= TARGETS["query_ratio"] for _, r in ratios),
                )

    # ------------------------------------------------------------ incremental
    if "incr" not in skip and big_store and (big_store / "store").is_dir():
        report.section(f"Incremental builds on the {top:,}-issue store (2 workers)")
        corpus_dir = corpus(workdir, top, args.seed)
        ledger = workdir / "added.txt"  # issues added by an interrupted run go before timing anything
        if ledger.exists():
            for name in ledger.read_text().split():
                (corpus_dir / name).unlink(missing_ok=True)
        incr_runs = args.incr_runs or args.runs
        warm = kg_build(corpus_dir, big_store, 2)  # untimed: bring the store up to date with the measured code
        if "built 0," not in warm.output:
            report.notes.append(
                f"before the incremental runs, the store was brought up to date with the measured code "
                f"(the extractor's fingerprint differed): {warm.wall:.0f} s wall, peak {mib(warm.peak_tree)}"
            )
        nochange = [kg_build(corpus_dir, big_store, 2) for _ in range(incr_runs)]
        adds, removes = [], []
        for r in range(incr_runs):
            tmp = workdir / "extra"
            shutil.rmtree(tmp, ignore_errors=True)
            subprocess.run(
                [sys.executable, str(BENCH / "synth.py"), "1", str(tmp), "--seed", str(args.seed), "--offset"]
                + [str(top + r)],
                check=True,
                capture_output=True,
            )
            added = [corpus_dir / f.name for f in tmp.iterdir()]
            ledger.write_text(" ".join(f.name for f in added))
            for f in tmp.iterdir():
                shutil.move(str(f), corpus_dir / f.name)
            adds.append(kg_build(corpus_dir, big_store, 2))
            for f in added:
                f.unlink()
            removes.append(kg_build(corpus_dir, big_store, 2))
            ledger.unlink()
        rows = []
        for label, runs_ in (("no change", nochange), ("add one issue", adds), ("remove that issue", removes)):
            rows.append(
                [
                    label,
                    Stat([p.wall for p in runs_]).fmt("s", digits=2),
                    Stat([p.cpu for p in runs_]).fmt("s", digits=2),
                    mib(max(p.peak_tree for p in runs_)),
                ]
            )
        report.table(["build", "wall", "CPU (tree)", "peak RSS"], rows)
        summary = next((ln for ln in adds[-1].output.splitlines() if ln.startswith("built ")), "")
        report.notes.append(f"add one issue, last run: `{summary.strip()}`")
        add_s, same_s = Stat([p.wall for p in adds]), Stat([p.wall for p in nochange])
        report.verdict(f"add one issue to {top:,}: <= 2 s", add_s.fmt("s"), add_s.median <= TARGETS["add_one_s"])
        report.verdict(
            f"no-change rebuild of {top:,}: <= 5 s", same_s.fmt("s"), same_s.median <= TARGETS["no_change_s"]
        )

    if top < 10000:
        report.notes.append(f"largest size here is {top:,} issues, not 10,000: targets are judged at {top:,}")
    if any(s >= args.big for s in sizes) and args.big_runs < args.runs:
        report.notes.append(
            f"builds of >= {args.big:,} issues: {args.big_runs} run(s) each, workers {args.big_workers} "
            f"(the full set would not fit the time box); smaller sizes: {args.runs} runs, workers {args.workers}"
        )
    report.write(args.out)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
