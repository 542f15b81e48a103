"""The document structure extraction works over: units (items), sentences, topics.

A *unit* is an item of a section (or, for text outside any item, a paragraph).  Relations
look for their subject and object inside one sentence or one unit, and fall back to the
unit's *topic* (the project the item is about) and the subsection's project.
"""

from __future__ import annotations

import bisect
import re
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


def build_units(issue: Issue) -> list[Unit]:
    """Units in text order; every offset of the text falls in at most one unit."""
    text = issue.text
    sections = sorted(issue.sections, key=lambda s: (s.start, s.level))
    units: list[Unit] = []
    covered: list[tuple[int, int]] = []
    for sec in sections:
        parent = None
        if sec.level > 1:
            parent = next(
                (p for p in sections if p.level < sec.level and p.start <= sec.start < max(p.end, p.start + 1)), None
            )
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
    heading_spans = [(s.title_start, s.title_end) for s in sections]
    for gs, ge in gaps:
        p = gs
        for m in list(_PARA.finditer(text, gs, ge)) + [None]:
            pe = m.start() if m is not None else ge
            s, e = trim(text, p, pe)
            if e > s and not any(hs <= s and e <= he for hs, he in heading_spans):
                sec = issue.section_at(s)
                parent = None
                if sec is not None and sec.level > 1:
                    parent = next((q for q in sections if q.level < sec.level and q.start <= sec.start < q.end), None)
                units.append(Unit(s, e, sec, parent, None))
            if m is not None:
                p = m.end()
    units.sort(key=lambda u: u.start)
    for u in units:
        u.sentences = sentences(text, u.start, u.end)
    return units


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
        for s, e in unit.sentences:
            if s <= offset < e:
                return s, e
        return None
