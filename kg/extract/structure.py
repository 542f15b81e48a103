"""The document structure extraction works over: units (items), sentences, topics.

A *unit* is an item of a section (or, for text outside any item, a paragraph).  Relations
look for their subject and object inside one sentence or one unit, and fall back to the
unit's *topic* (the project the item is about) and the subsection's project.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.model import Issue, Item, Section
from kg.text import sentences, trim


@dataclass
class Unit:
    start: int
    end: int
    section: Section | None
    parent: Section | None  # the enclosing level-1 section of a subsection
    item: Item | None
    title: tuple[int, int] | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        for sec in (self.section, self.parent):
            if sec is not None and sec.kind != "other":
                return sec.kind
        return self.section.kind if self.section is not None else "other"

    def section_titles(self) -> list[str]:
        return [s.title.strip().lower() for s in (self.section, self.parent) if s is not None]


_PARA = re.compile(r"\n\s*\n")
# Work per mention is bounded by its unit (the item or paragraph around it); a unit of megabytes (one
# 10 MB line) would make extraction quadratic.  No item or paragraph of the three series comes near this
# (the longest of 32,561 is 5,643 characters); a longer one is cut at sentence ends into pieces this long.
MAX_UNIT_CHARS = 8_000


class _FirstEnclosing:
    """The first section (in ``sections`` order, sorted by start) of a level below a given one whose span
    reaches past an offset, by bisection: asked for every section and paragraph, a scan of all sections
    made a long issue quadratic.  ``reach`` is where a section's span ends for the question."""

    def __init__(self, sections: list[Section], reach: Callable[[Section], int]) -> None:
        self.sections = sections
        self.starts = [sec.start for sec in sections]
        self.by_level: dict[int, tuple[list[int], list[int]]] = {}  # level -> (indices below it, prefix max reach)
        for level in sorted({sec.level for sec in sections}):
            indices = [i for i, sec in enumerate(sections) if sec.level < level]
            reaches, furthest = [], -1
            for i in indices:
                furthest = max(furthest, reach(sections[i]))
                reaches.append(furthest)
            self.by_level[level] = (indices, reaches)

    def find(self, level: int, offset: int) -> Section | None:
        indices, reaches = self.by_level.get(level, ([], []))
        j = bisect.bisect_right(reaches, offset)  # the first whose reach passes offset is where the maximum does
        if j == len(indices):
            return None
        first = self.sections[indices[j]]
        return first if first.start <= offset else None


def _inside_any(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether start..end lies inside one of ``spans`` (bisection over them sorted, with the furthest end so far)."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    furthest, reach = -1, []
    for _, b in ordered:
        furthest = max(furthest, b)
        reach.append(furthest)

    def inside(start: int, end: int) -> bool:
        i = bisect.bisect_right(starts, start)
        return i > 0 and reach[i - 1] >= end

    return inside


def build_units(issue: Issue) -> list[Unit]:
    """Units in text order; every offset of the text falls in at most one unit."""
    text = issue.text
    sections = sorted(issue.sections, key=lambda s: (s.start, s.level))
    units: list[Unit] = []
    covered: list[tuple[int, int]] = []
    heading_parent = _FirstEnclosing(sections, lambda p: max(p.end, p.start + 1))
    text_parent = _FirstEnclosing(sections, lambda q: q.end)
    for sec in sections:
        parent = None
        if sec.level > 1:
            parent = heading_parent.find(sec.level, sec.start)
        for item in sec.items:
            if item.end <= item.start:
                continue
            title = (item.title.start, item.title.end) if item.title is not None else None
            units.append(Unit(item.start, item.end, sec, parent, item, title))
            covered.append((item.start, item.end))
    # Text outside items (a section without items, a reader that gives none): paragraphs.
    covered.sort()
    gaps: list[tuple[int, int]] = []
    pos = 0
    for s, e in covered:
        if s > pos:
            gaps.append((pos, s))
        pos = max(pos, e)
    if pos < len(text):
        gaps.append((pos, len(text)))
    in_heading = _inside_any([(s.title_start, s.title_end) for s in sections])
    for gs, ge in gaps:
        p = gs
        for m in list(_PARA.finditer(text, gs, ge)) + [None]:
            pe = m.start() if m is not None else ge
            s, e = trim(text, p, pe)
            if e > s and not in_heading(s, e):
                sec = issue.section_at(s)
                parent = None
                if sec is not None and sec.level > 1:
                    parent = text_parent.find(sec.level, sec.start)
                units.append(Unit(s, e, sec, parent, None))
            if m is not None:
                p = m.end()
    units.sort(key=lambda u: u.start)
    for u in units:
        u.sentences = sentences(text, u.start, u.end)
    return [piece for u in units for piece in _bounded(u)]


def _bounded(unit: Unit) -> list[Unit]:
    """``unit`` itself, or consecutive pieces of at most about MAX_UNIT_CHARS cut at sentence starts (a
    sentence longer than that is cut too); the first piece keeps the item and its title."""
    if unit.end - unit.start <= MAX_UNIT_CHARS:
        return [unit]
    spans: list[tuple[int, int]] = []
    for s, e in unit.sentences or [(unit.start, unit.end)]:
        spans.extend((a, min(a + MAX_UNIT_CHARS, e)) for a in range(s, e, MAX_UNIT_CHARS))
    pieces: list[Unit] = []
    for s, e in spans:
        last = pieces[-1] if pieces else None
        if last is not None and e - last.start <= MAX_UNIT_CHARS:
            last.end = e
            last.sentences.append((s, e))
            continue
        if last is not None:
            last.end = s  # pieces meet: every offset of the unit stays in one piece
        first = last is None
        start = unit.start if first else s
        item, title = (unit.item, unit.title) if first else (None, None)
        pieces.append(Unit(start, e, unit.section, unit.parent, item, title, [(s, e)]))
    pieces[-1].end = unit.end
    return pieces


class UnitIndex:
    """Find the unit and sentence containing an offset."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self._starts = [u.start for u in units]

    def unit_at(self, offset: int) -> Unit | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            u = self.units[i]
            if u.start <= offset < u.end:
                return u
            if u.end <= offset and i < len(self.units) - 1:
                break
            i -= 1
        return None

    @staticmethod
    def sentence_at(unit: Unit | None, offset: int) -> tuple[int, int] | None:
        if unit is None:
            return None
        # Sentences are in text order and do not overlap: bisection (a paragraph can hold thousands).
        i = bisect.bisect_right(unit.sentences, offset, key=lambda sentence: sentence[0]) - 1
        if i >= 0:
            s, e = unit.sentences[i]
            if s <= offset < e:
                return s, e
        return None
