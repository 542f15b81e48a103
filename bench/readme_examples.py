"""The README's tour, run: its example outputs come from a build, not from memory.

    python bench/readme_examples.py --check build     # every tour command runs and prints the columns shown
    python bench/readme_examples.py --write build     # rewrite the tour's outputs from this build

The tour is the first ```console block under "## A tour" in README.md: ``$ kg …`` lines, each
followed by the output it printed.  ``--write`` reruns each ``kg query``/``kg stats`` example against
the build and puts its output (without the trailing "N rows" line) in place, and brings the build
lines' "store holds N issues, M triples" up to date from the store (the timings stay as measured).
``--check`` (what tests/test_readme.py runs on a small build) runs every query example and checks
that it succeeds and prints the columns the README shows.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
TOUR_HEADING = "## A tour"
_BUILD_LINE = re.compile(r"store holds \d+ issues, \d+ triples")


@dataclass
class Example:
    command: str  # as written after "$ ", without its trailing comment
    shown: list[str]  # the output lines the README shows under it
    start: int  # line index of the "$" line in the README
    end: int  # line index after its output

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.command)

    @property
    def runnable(self) -> bool:
        """Read-only examples this script reruns: queries and stats against the given build."""
        return self.argv[:2] in (["kg", "query"], ["kg", "stats"]) and bool(self.shown)


def tour(lines: list[str]) -> tuple[int, int]:
    """Line range (inside the fences) of the tour's console block."""
    heading = lines.index(TOUR_HEADING)
    start = next(i for i in range(heading, len(lines)) if lines[i].startswith("```console")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("```"))
    return start, end


def examples(lines: list[str]) -> list[Example]:
    start, end = tour(lines)
    found: list[Example] = []
    for i in range(start, end):
        if lines[i].startswith("$ "):
            command = lines[i][2:].split("  #", 1)[0].strip()
            j = i + 1
            while j < end and not lines[j].startswith("$ ") and lines[j].strip():
                j += 1
            found.append(Example(command, lines[i + 1 : j], i, j))
    return found


def run(example: Example, store: Path) -> tuple[int, list[str], str]:
    """(exit code, output lines without a trailing "N rows" line, stderr) of the example on ``store``."""
    argv = [sys.executable, "-m", "kg.cli", *example.argv[1:], "--store", str(store)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False, env=_env())
    out = done.stdout.rstrip("\n").splitlines()
    while out and re.fullmatch(r"\d+ rows?( .*)?", out[-1]):
        out.pop()
    return done.returncode, out, done.stderr


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "COLUMNS": "200"}  # rich draws tables as wide as they need


def columns(output: list[str]) -> list[str]:
    """The column names an output shows: a rich table's header row, or a CSV's first line."""
    for line in output:
        if line.startswith("┃"):
            return [cell.strip() for cell in line.strip("┃").split("┃")]
    if output and "," in output[0]:
        return output[0].split(",")
    return []


def check(store: Path, readme: str | None = None) -> list[str]:
    """Problems found: examples that fail, or print other columns than the README (text) shows."""
    problems = []
    text = README.read_text(encoding="utf-8") if readme is None else readme
    for example in examples(text.splitlines()):
        if not example.runnable:
            continue
        code, out, err = run(example, store)
        if code != 0:
            problems.append(f"{example.command}: exit {code}: {err.strip()}")
        elif columns(out) != columns(example.shown):
            problems.append(f"{example.command}: prints columns {columns(out)}, README shows {columns(example.shown)}")
    return problems


def write(store: Path) -> int:
    """Rewrite the tour's outputs from ``store``; returns the number of examples rewritten."""
    from kg.store import GraphStore, is_static

    lines = README.read_text(encoding="utf-8").splitlines()
    with GraphStore.open(store, read_only=True) as graph:
        issues = sum(1 for path in graph.sources() if not is_static(path))
        triples = graph.count()
    rewritten = 0
    for example in reversed(examples(lines)):
        if example.runnable:
            code, out, err = run(example, store)
            if code != 0:
                raise SystemExit(f"{example.command}: exit {code}: {err.strip()}")
            if example.shown and example.shown[-1] == "…":  # an output the README cuts short stays cut
                out = out[: len(example.shown) - 1] + ["…"]
            lines[example.start + 1 : example.end] = out
            rewritten += 1
        elif example.argv[:2] == ["kg", "build"]:
            for k in range(example.start + 1, example.end):
                lines[k] = _BUILD_LINE.sub(f"store holds {issues} issues, {triples} triples", lines[k])
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rewritten


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", type=Path, metavar="BUILD", help="check the tour against this build")
    mode.add_argument("--write", type=Path, metavar="BUILD", help="rewrite the tour's outputs from this build")
    args = parser.parse_args()
    if args.write:
        print(f"rewrote {write(args.write)} examples in {README.name}")
        return
    problems = check(args.check)
    for problem in problems:
        print(problem)
    print("README tour: " + ("OK" if not problems else f"{len(problems)} problem(s)"))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
