"""Time `kg validate` on a build: median of 3 runs and peak memory (each run in a fresh process).

    .venv/bin/python bench/bench_validate.py [--store build] [--runs 3]

Prints the load average with the figures: the machine is shared, and a loaded machine stretches wall time; the
CPU seconds (summed over the two query threads) bound the wall time on an idle two-core machine from above.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from pathlib import Path
from kg.validate import validate
start = time.perf_counter()
report = validate(Path(sys.argv[1]), progress=False)
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - start, usage.ru_maxrss, len(report.violations), cpu)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("build"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times, peaks = [], []
    for run in range(args.runs):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.store)], check=True, capture_output=True, text=True
        ).stdout.split()
        seconds, peak_kb, violations, cpu = float(out[0]), int(out[1]), int(out[2]), float(out[3])
        times.append(seconds)
        peaks.append(peak_kb / 1024)
        print(
            f"run {run + 1}: {seconds:.1f} s validating ({time.perf_counter() - started:.1f} s with start-up), "
            f"{cpu:.1f} s CPU (both threads, with start-up), peak {peak_kb / 1024:.0f} MB, {violations} violation(s), "
            f"load average {load:.1f}"
        )
    print(
        f"kg validate on {args.store}: median {statistics.median(times):.1f} s, peak memory {max(peaks):.0f} MB, "
        f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
