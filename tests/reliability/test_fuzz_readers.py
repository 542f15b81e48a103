"""Property-based fuzzing of the readers and of front matter, with size and time bounds asserted.

Whatever the bytes, a reader gives an issue or one InputError naming the file (never another
exception), in bounded time and without blowing up in memory.  The generic reader's structural
properties are tested in tests/test_ingest_generic.py; this file throws hostile input at every reader.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import READERS, read_issue

# Bounds per read of inputs of at most a few KB: generous for a loaded 2-core machine, far below
# what the alias bomb cost (51 s, 7.2 GB).
SECONDS_PER_READ = 2.0
PEAK_BYTES_PER_READ = 64 * 1024 * 1024


def alias_bomb(levels: int = 9, width: int = 9, key: str = "title") -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    lines.append(f"{key}: *a{levels - 1}")
    return "---\nlayout: post\n" + "\n".join(lines) + "\n---\n\n## Developer News\n\nKubernetes 1.30 is out.\n"


def _read_bounded(path: Path, fmt: str | None = None) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        read_issue(path, fmt=fmt)
    except InputError as err:
        assert str(err).startswith(str(path)), err  # names the file
        assert "\n" not in str(err)  # one line
    finally:
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert seconds < SECONDS_PER_READ, f"{seconds:.1f} s"
    assert peak < PEAK_BYTES_PER_READ, f"{peak / 1e6:.0f} MB"


@pytest.mark.parametrize("key", ["title", "authors", "tags"])
def test_a_yaml_alias_bomb_in_front_matter_is_refused_at_once(tmp_path: Path, key: str) -> None:
    path = tmp_path / "2019-01-06-update.md"
    text = alias_bomb(key=key)
    assert len(text.encode()) < 1024
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"aliases \(\*a\d\) are not accepted"):
        read_issue(path)
    assert time.perf_counter() - started < SECONDS_PER_READ


def test_anchors_without_aliases_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "2019-01-06-update.md"
    path.write_text("---\nlayout: post\ntitle: &t Week Ending Jan 6\n---\n\n## Developer News\n\nHi.\n")
    assert read_issue(path).title == "Week Ending Jan 6"


_YAML_PIECES = st.sampled_from(
    [
        "title: Week Ending Jan 6",
        "date: 2019-01-06",
        "date: 2019-13-45",
        "date: someday",
        "layout: post",
        "authors: [Ann Lee, Bo Li]",
        "authors:\n  - name: Ann\n  - Bo",
        "tags: &t [a, b]",
        "more: *t",
        "x: &x {a: *x}",
        "title: !!python/object:os.system ls",
        "title: !!binary aGVsbG8=",
        "? [a, b]\n: c",
        "title: [unclosed",
        "title: '''",
        "- a",
        "<<: {a: 1}",
        "title: " + "[" * 200 + "]" * 200,
        "title: " + "{a: " * 50 + "b" + "}" * 50,
        "title: 99999999999999999999999999999999",
        "date: 0000-00-00",
        "title: \x00\x07\x1b[31m",
        "",
    ]
)
_BODY_LINES = st.sampled_from(
    [
        "## Developer News",
        "## 🚀 Notable Releases",
        "# 📚 All Articles from Week 3",
        "云原生生态周报 Vol. 17 | 2019-08-26",
        "## 业界要闻",
        "Week Ending January 6, 2019",
        "- [KEP 34](https://github.com/kubernetes/enhancements/pull/34) by @someone",
        "Kubernetes 1.30 and etcd 3.5 are out.",
        "```",
        "+++",
        "---",
        "",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    front=st.lists(_YAML_PIECES, max_size=8).map("\n".join),
    fenced=st.booleans(),
    body=st.lists(st.one_of(_BODY_LINES, st.text(max_size=40)), max_size=30).map("\n".join),
    fmt=st.sampled_from([None, *READERS]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_every_reader_gives_an_issue_or_one_error_line_in_bounded_time_and_memory(
    tmp_path: Path, front: str, fenced: bool, body: str, fmt: str | None, encoding: str
) -> None:
    text = (f"---\n{front}\n---\n" if fenced else front + "\n") + body
    path = tmp_path / "2019-01-06-update.md"
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "replace")
    path.write_bytes(raw)
    _read_bounded(path, fmt)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=4096), fmt=st.sampled_from([None, *READERS]))
def test_arbitrary_bytes_give_an_issue_or_one_error_line(tmp_path: Path, raw: bytes, fmt: str | None) -> None:
    path = tmp_path / "issue.md"
    path.write_bytes(raw)
    _read_bounded(path, fmt)
