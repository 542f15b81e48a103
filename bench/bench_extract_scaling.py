"""How extraction time grows with the size of one issue (it must grow linearly).

    python bench/bench_extract_scaling.py [--dense 25,50,100,200] [--oneline 100,200,400] [--lwkd 1.6,3.2,6.4]
                                          [--phases]

Dense text (KB): lines packed with names, versions, KEPs, links and @handles, repeated to the size.
One line (KB): the same dense items joined into a single line (one list item of that size).
LWKD text (MB): the real LWKD issues (../shared/corpus/lwkd) concatenated to the size, under one front
matter.  Prints CPU seconds per size and per KB (a flat seconds-per-KB column is linear growth);
``--phases`` adds the slowest phases of the largest size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.catalog import load_catalog  # noqa: E402
from kg.extract import load_pipeline  # noqa: E402
from kg.extract import pipeline as extract_pipeline  # noqa: E402
from kg.ingest import read_issue  # noqa: E402

LWKD = REPO.parent / "shared" / "corpus" / "lwkd"
DENSE_LINE = (
    "- [Kubernetes v1.{n}.0](https://github.com/kubernetes/kubernetes/releases/tag/v1.{n}.0) adds KEP-{n}4 "
    "and fixes CVE-2024-{n}31; @user{n} of Google and Red Hat moved etcd, Prometheus, Envoy and containerd "
    "to beta in `PodSchedulingReadiness`; see https://github.com/org{n}/repo{n} and kubernetes/enhancements#{n}\n"
)


def dense_text(kb: float) -> str:
    head = "---\nlayout: post\ntitle: Week Ending January 6, 2019\ndate: 2019-01-06\n---\n\n## Developer News\n\n"
    lines, size, n = [head], len(head), 0
    while size < kb * 1024:
        if n % 40 == 0:
            lines.append(f"\n## Section {n}\n\n")
        line = DENSE_LINE.format(n=n % 997)
        lines.append(line)
        size += len(line)
        n += 1
    return "".join(lines)


def one_line_text(kb: float) -> str:
    head, _, body = dense_text(kb).partition("## Developer News\n\n")
    items = [line for line in body.splitlines() if line.startswith("- ")]
    return head + "## Developer News\n\n" + " ".join(items) + "\n"


def lwkd_text(mb: float) -> str:
    bodies = []
    for path in sorted(LWKD.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text.split("\n---\n", 1)[-1] if text.startswith("---") else text)
    head = "---\nlayout: post\ntitle: Week Ending January 6, 2019\ndate: 2019-01-06\n---\n\n"
    out, size, i = [head], 0, 0
    while size < mb * 1e6:
        body = bodies[i % len(bodies)]
        out.append(body)
        size += len(body.encode())
        i += 1
    return "".join(out)


def timed(path: Path, catalog: object, nlp: object, phase_times: dict[str, float]) -> float:
    phases = tuple(
        extract_pipeline.Phase(p.name, _timing(p.name, p.run, phase_times), p.reads, p.writes)
        for p in extract_pipeline.PHASES
    )
    start = time.process_time()
    issue = read_issue(path)
    doc = nlp(issue.text)  # type: ignore[operator]
    phase_times["nlp"] = time.process_time() - start
    hits = sorted(extract_pipeline.hits_of(doc), key=lambda h: (h.start, -(h.end - h.start)))
    extract_pipeline.run_phases(extract_pipeline.Context(issue, catalog, hits), phases)
    return time.process_time() - start


def _timing(name: str, run, phase_times: dict[str, float]):  # type: ignore[no-untyped-def]
    def wrapped(ctx) -> None:  # type: ignore[no-untyped-def]
        start = time.process_time()
        try:
            run(ctx)
        finally:
            phase_times[name] = phase_times.get(name, 0.0) + time.process_time() - start

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dense", default="25,50,100,200", help="sizes in KB ('' for none)")
    parser.add_argument("--oneline", default="100,200,400", help="sizes in KB ('' for none)")
    parser.add_argument("--lwkd", default="1.6,3.2,6.4", help="sizes in MB ('' for none)")
    parser.add_argument("--phases", action="store_true", help="print the slowest phases of the largest size")
    parser.add_argument("--tmp", default="/tmp/bench-extract-scaling")
    args = parser.parse_args()
    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, float, str]] = []
    runs += [(f"dense {kb:g} KB", kb, dense_text(kb)) for kb in (float(x) for x in args.dense.split(",") if x)]
    runs += [(f"1 line {kb:g} KB", kb, one_line_text(kb)) for kb in (float(x) for x in args.oneline.split(",") if x)]
    if LWKD.is_dir():
        runs += [(f"LWKD {mb:g} MB", mb * 1000, lwkd_text(mb)) for mb in (float(x) for x in args.lwkd.split(",") if x)]
    print(f"{'input':>14} {'CPU s':>8} {'ms/KB':>7}")
    last: dict[str, float] = {}
    for label, kb, text in runs:
        path = tmp / "2019-01-06-update.md"
        path.write_text(text, encoding="utf-8")
        phase_times: dict[str, float] = {}
        seconds = timed(path, catalog, nlp, phase_times)
        print(f"{label:>14} {seconds:8.2f} {1000 * seconds / kb:7.2f}", flush=True)
        last = phase_times
    if args.phases:
        for name, seconds in sorted(last.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {name:>18} {seconds:8.2f} s")


if __name__ == "__main__":
    main()
