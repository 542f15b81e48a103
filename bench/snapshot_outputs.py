"""Snapshot every output of a build, to compare two versions of the code byte for byte.

Run: ``cd /tmp && python /work/wt14/bench/snapshot_outputs.py --out DIR`` with one checkout's interpreter (which
imports that checkout's ``kg``), then with the other's, and ``diff -r`` the two output directories.  Builds the
corpus set (default ``corpus/``, ``../shared/corpus/lwkd`` and ``../shared/corpus/lwcn``, ``--workers 2``) into a
temporary directory and writes: the store's canonical N-Quads, ``graph.trig``, ``kg stats``, every canned query's
result as CSV (default parameters, and again with a limit of 1000 rows), ``kg validate`` and ``kg extract`` JSON for a
fixed sample of source files.  Everything goes through the CLI and ``GraphStore.canonical_nquads``, which both
versions share, so the script runs unchanged on the code before and after a refactor.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = [
    REPO / "corpus",
    REPO.parent / "shared" / "corpus" / "lwkd",
    REPO.parent / "shared" / "corpus" / "lwcn",
]
# Canned queries whose parameters have no default: the value they are snapshot with.
REQUIRED_PARAMS = {"name": "Kubernetes", "issue": "2023-08-20"}
SAMPLE_SIZE = 30


def run_cli(args: list[str]) -> str:
    """One `kg` command in this process; its standard output (and the exit code when it is not 0)."""
    import click

    from kg.cli import app

    captured = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(captured):
        try:
            app(args, standalone_mode=False)
        except click.exceptions.Exit as exit_:
            code = exit_.exit_code
        except Exception as err:  # noqa: BLE001 - recorded in the snapshot, so both versions are compared on it
            return captured.getvalue() + f"\n[error] {type(err).__name__}: {err}\n"
    return captured.getvalue() + (f"\n[exit {code}]\n" if code else "")


def sample_files(corpora: list[Path]) -> list[Path]:
    """Every k-th source file in a stable order, about SAMPLE_SIZE of them."""
    files = sorted(
        p for c in corpora for p in (c.rglob("*") if c.is_dir() else [c]) if p.is_file() and p.suffix in (".md", ".txt")
    )
    step = max(1, len(files) // SAMPLE_SIZE)
    return files[::step][:SAMPLE_SIZE]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path, help="corpus folders or files (default: the three sets)")
    parser.add_argument("--out", type=Path, required=True, help="where the snapshot files go")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reuse", type=Path, help="snapshot this built directory (kept) instead of building into a temporary one"
    )
    args = parser.parse_args()
    corpora: list[Path] = [p.resolve() for p in args.corpora] or [p for p in DEFAULT_CORPORA if p.exists()]
    out: Path = args.out
    if out.exists() and args.reuse is None:
        shutil.rmtree(out)
    (out / "queries").mkdir(parents=True, exist_ok=True)
    (out / "extract").mkdir(exist_ok=True)
    import kg

    print(f"kg from {Path(kg.__file__).parent}")
    build_dir = args.reuse or Path(tempfile.mkdtemp(prefix="snapshot-build-"))
    try:
        started = time.perf_counter()
        if args.reuse is None:
            built = run_cli(["build", *map(str, corpora), "--out", str(build_dir), "--workers", str(args.workers)])
            # The summary's timing differs from run to run.
            (out / "build.txt").write_text(
                re.sub(r"; [\d.]+ s$", "", built.replace(str(build_dir), "BUILD"), flags=re.M)
            )
        print(f"built in {time.perf_counter() - started:.1f} s")
        from kg.store import GraphStore

        with GraphStore.open(build_dir, read_only=True) as graph:
            (out / "canonical.nq").write_text(graph.canonical_nquads())
        shutil.copyfile(build_dir / "graph.trig", out / "graph.trig")
        store = ["--store", str(build_dir)]
        (out / "stats.txt").write_text(run_cli(["stats", *store]))
        from kg.query import canned_queries

        for name, canned in canned_queries().items():
            params = [f"{p.name}={REQUIRED_PARAMS.get(p.name, '')}" for p in canned.params if not p.optional]
            options = [opt for p in params for opt in ("--param", p)]
            pages = [("", [])]
            if any(p.type == "limit" for p in canned.params):
                limit = next(p.name for p in canned.params if p.type == "limit")
                pages.append(("-limit1000", ["--param", f"{limit}=1000"]))
            for suffix, extra in pages:
                result = run_cli(["query", name, *options, *extra, "--format", "csv", *store])
                (out / "queries" / f"{name}{suffix}.csv").write_text(result)
        print(f"queried in {time.perf_counter() - started:.1f} s")
        for file in sample_files(corpora):
            name = f"{file.parent.name}--{file.name}.json"
            (out / "extract" / name).write_text(run_cli(["extract", str(file)]))
        # Last: SHACL over the whole graph (pyshacl) takes the longest by far.
        (out / "validate.txt").write_text(run_cli(["validate", *store]))
        print(f"done in {time.perf_counter() - started:.1f} s")
    finally:
        if args.reuse is None:
            shutil.rmtree(build_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
