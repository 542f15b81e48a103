"""Throughput of read_issue + extract over a corpus folder (default: ../shared/corpus/lwkd).

    python bench/bench_extract.py [DIR]

Prints files, megabytes, seconds and MB/s (pipeline load time reported apart).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.catalog import load_catalog  # noqa: E402
from kg.extract import extract, load_pipeline  # noqa: E402
from kg.ingest import discover, read_issue  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "corpus" / "lwkd"
    paths = discover([folder])
    t0 = time.perf_counter()
    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    t1 = time.perf_counter()
    c1 = time.process_time()
    size = 0
    entities = relations = 0
    for path in paths:
        size += path.stat().st_size
        issue = read_issue(path)
        ex = extract(issue, catalog, nlp)
        entities += len(ex.entities)
        relations += len(ex.relations)
    t2 = time.perf_counter()
    c2 = time.process_time()
    mb = size / 1e6
    print(f"load catalog + pipeline: {t1 - t0:.2f} s")
    print(f"{len(paths)} files, {mb:.2f} MB, {t2 - t1:.2f} s, {mb / (t2 - t1):.2f} MB/s")
    print(f"cpu time {c2 - c1:.2f} s, {mb / (c2 - c1):.2f} MB/s of CPU (the machine may be shared)")
    print(f"{entities} entities, {relations} relations")


if __name__ == "__main__":
    main()
