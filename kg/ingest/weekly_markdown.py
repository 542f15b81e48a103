"""Reader for 云原生生态周报 as Markdown with YAML front matter.

- front matter: ``title`` (``云原生生态周报 Vol. 17 | x`` or just ``x``), ``date``, and
  maybe ``volume``/``vol``/``number``/``issue``, ``authors``/``author``,
  ``editors``/``editor``, ``publishers``/``publisher``; without a title the first
  ``# `` heading is the title line;
- ``Issue.title`` is always ``云原生生态周报 Vol. N | x`` (as for the text form), and
  ``title_span`` points at ``x`` where it is written;
- ``> 本周作者：a、b``, ``> 责任编辑：x`` and ``本周报由 … 发布`` lines anywhere;
  a ``---`` break closes the sections (what follows is the closing matter);
- ``##`` headings are sections, ``###`` subsections (``### Kubernetes 项目``), except in
  开源项目推荐 where ``### name``, a ``**name**`` line or a bare name line heads
  an item whose ``title`` is the name; in 本周阅读推荐 ``《…》`` (else the first
  link's anchor) titles an entry.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import InputError
from kg.ingest import weekly
from kg.ingest.common import date_from_links, find_date, link_at, span, unique
from kg.ingest.markdown import Body, front_matter, parse
from kg.model import Issue, Span

FORMAT = "weekly-markdown"

_WEEKLY_HEADING = re.compile(rf"^#{{1,3}}[ \t]+(?:{weekly._NAMES})|\A\s*#[ \t]+{weekly.SERIES_TITLE}", re.MULTILINE)
_HEADING_NAMES = (*weekly.SECTION_NAMES, weekly.SERIES_TITLE)  # one of them is in every _WEEKLY_HEADING match
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n")
_NUMBER_KEYS = ("volume", "vol", "number", "issue", "no")


def looks_like(path: Path, text: str) -> bool:
    """Markdown headings naming weekly sections or the weekly, or front matter mentioning the weekly."""
    # The heading pattern is tried at every position of the text; a text without any of the names it
    # looks for (every English issue) is ruled out by substring tests twenty times faster.
    if any(name in text for name in _HEADING_NAMES) and _WEEKLY_HEADING.search(text):
        return True
    return _FRONT_MATTER.match(text) is not None and weekly.SERIES_TITLE in text[:2000]


def has_front_matter(path: Path, text: str) -> bool:
    """The weaker signal: any Markdown with front matter that no other reader claimed."""
    return _FRONT_MATTER.match(text) is not None


class _Body(Body):
    numbered_absorb = 1
    break_closes_sections = True

    def __init__(self, text: str, start: int) -> None:
        super().__init__(text, start)
        self.meta = weekly.Metadata()
        self.h1: tuple[int, int] | None = None

    def _kind(self) -> str | None:
        return self.out.current.kind if self.out.current else None

    def heading(self, level: int, ts: int, te: int, cs: int, ce: int) -> None:
        out = self.out
        if level == 1 and self.h1 is None and not out.sections:
            self.h1 = (ts, te)  # the title line
            return
        if level >= 3 and ts < te and self._kind() == "project-recommendation":
            title = weekly.project_title(self.text, ts, te) or span(self.text, ts, te)
            out.start_item("paragraph", ts, te, title, absorb=2)
            return
        super().heading(level, ts, te, cs, ce)

    def special_line(self, cs: int, ce: int) -> bool:
        if self.text[cs] in ">*_本责" and self.meta.line(self.text, cs, ce):
            self.out.close_sections()
            return True
        return False

    def entry_title(self, kind: str, cs: int, ce: int) -> tuple[Span | None, int]:
        section = self._kind()
        if section == "project-recommendation" and (title := weekly.project_title(self.text, cs, ce)):
            return title, 2
        if kind == "numbered" and section == "reading":
            if title := weekly.book_title(self.text, cs, ce):
                return title, 1
            if link := link_at(self.text, cs, ce):
                return span(self.text, link.anchor_start, link.anchor_end), 1
        return None, 1 if kind == "numbered" else 0

    def line_title(self, cs: int, ce: int) -> Span | None:
        if self._kind() == "project-recommendation" and weekly.names_head_items(self.out):
            return weekly.project_title(self.text, cs, ce)
        return None


def read(path: Path, text: str) -> Issue:
    parsed = parse(path, text, _Body, front_matter(path, text))
    fm, data, body, links = parsed.fm, parsed.data, parsed.body, parsed.links

    title_span, number = None, None
    if fm and data.get("title") is not None:
        written = fm.value_span(text, "title")
        if written is not None:
            title_span, number = weekly.title_parts(text, written.start, written.end)
        headline = " ".join(str(data["title"]).split())
    elif body.h1 is not None:
        title_span, number = weekly.title_parts(text, *body.h1)
        headline = text[body.h1[0] : body.h1[1]]
    else:
        headline = ""
    for key in _NUMBER_KEYS:
        if data.get(key) is not None and str(data[key]).strip():
            number = str(data[key]).strip()
            break
    number = number or weekly.number_from_path(path)
    if weekly.SERIES_TITLE in headline:
        title = headline
    elif headline:
        title = f"{weekly.SERIES_TITLE} Vol. {number} | {headline}"
    else:
        title = f"{weekly.SERIES_TITLE} Vol. {number}"

    date = None
    if data.get("date") is not None:
        date = find_date(data["date"])
        if date is None:
            raise InputError(path, f"front matter date {str(data['date'])!r} is not a date (expected YYYY-MM-DD)")
    inferred = date is None
    if inferred:
        date = date_from_links(links)

    def people(*keys: str) -> list[Span]:
        return fm.names(text, keys) if fm else []

    return parsed.issue(
        path,
        text,
        format=FORMAT,
        series=weekly.SERIES,
        series_title=weekly.SERIES_TITLE,
        number=number,
        title=title,
        title_span=title_span,
        date=date,
        date_inferred=inferred and date is not None,
        authors=unique(people("authors", "author") + body.meta.authors),
        editors=unique(people("editors", "editor") + body.meta.editors),
        publishers=unique(people("publishers", "publisher") + body.meta.publishers),
    )
