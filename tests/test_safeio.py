"""Files written atomically: a failure (or a kill) mid-write leaves the old file, never a half one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import safeio


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "graph.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), safeio.atomic_path(target) as tmp:
        tmp.write_text("half a fi", encoding="utf-8")
        raise RuntimeError("killed mid-write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.csv"]
    with safeio.atomic_open(target) as handle:
        handle.write(b"new\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.csv"]
