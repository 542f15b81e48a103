"""Work per mention is bounded by its unit, so a unit of megabytes is cut into pieces (extraction stays
linear; the figures are bench/bench_extract_scaling.py's "1 line" rows) and nothing is lost by the cut."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.catalog import load_catalog
from kg.extract import extract, load_pipeline
from kg.extract.structure import MAX_UNIT_CHARS, build_units
from kg.ingest import read_issue

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from bench_extract_scaling import dense_text, one_line_text  # noqa: E402


@pytest.fixture(scope="module")
def nlp_and_catalog():  # noqa: ANN201
    catalog = load_catalog()
    return load_pipeline(catalog), catalog


def _issue(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "2019-01-06-update.md"
    path.write_text(text, encoding="utf-8")
    return read_issue(path)


def test_a_long_item_is_cut_into_pieces_that_cover_it(tmp_path: Path) -> None:
    issue = _issue(tmp_path, one_line_text(60))
    item = max((i for s in issue.sections for i in s.items), key=lambda i: i.end - i.start)
    assert item.end - item.start > 6 * MAX_UNIT_CHARS  # the reader gives one item: the whole line
    pieces = [u for u in build_units(issue) if item.start <= u.start < item.end]
    assert len(pieces) > 6
    assert all(u.end - u.start <= MAX_UNIT_CHARS for u in pieces)
    assert pieces[0].start == item.start and pieces[-1].end == item.end
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:], strict=False))  # contiguous, no overlap
    assert pieces[0].item is item and all(u.item is None for u in pieces[1:])
    for u in pieces:  # every sentence stays inside its piece
        assert all(u.start <= s < e <= u.end for s, e in u.sentences)


def test_units_of_real_size_are_left_whole(tmp_path: Path) -> None:
    issue = _issue(tmp_path, dense_text(60))
    items = sorted((i.start, i.end) for s in issue.sections for i in s.items)
    item_units = sorted((u.start, u.end) for u in build_units(issue) if u.item is not None)
    assert item_units == items


def test_one_long_line_names_what_the_same_items_on_their_own_lines_name(tmp_path: Path, nlp_and_catalog) -> None:  # noqa: ANN001
    nlp, catalog = nlp_and_catalog
    names = []
    for text in (dense_text(40), one_line_text(40)):
        result = extract(_issue(tmp_path, text), catalog, nlp)
        names.append({(e.type, e.label) for e in result.entities if e.type in ("Release", "KEP", "Project")})
    lines, one_line = names
    assert len(lines) > 50
    assert one_line == lines
