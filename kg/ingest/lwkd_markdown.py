"""Reader for Last Week in Kubernetes Development (Jekyll Markdown, ../shared/corpus/lwkd/*.md).

- front matter: ``title: Week Ending January 5, 2020``, ``slug: 2020-01-05-update``,
  maybe ``date``, ``author``/``authors``;
- ``Issue.number`` is the date in the file name (else in the slug, else the title's
  date); ``Issue.date`` is the week-ending date the title states, unless that is
  more than a week from the file's date (a typo), else the file's date;
- ``#``/``##`` headings (and the old setext ``Title`` over ``----``) are level-1
  sections, ``###`` level-2 sections (kind of their parent), deeper headings
  ``heading`` items; text before the first heading goes into an untitled section
  (``title == ""``, kind ``other``);
- a byline line (``By Jane Doe and [John Roe](...)``) gives the authors.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from kg.ingest.common import date_from_links, find_date, span, unique
from kg.ingest.markdown import Body, front_matter, parse
from kg.ingest.source_url import from_front_matter, from_template
from kg.model import Issue, Span

FORMAT = "lwkd-markdown"
SERIES = "lwkd"
SERIES_TITLE = "Last Week in Kubernetes Development"

# "layout: post" alone is any Jekyll blog: LWKD's titles say "Week Ending", its slugs end in "-update".
_LWKD_HEAD = re.compile(r"Week Ending|^slug:[ \t]*\d{4}-\d{2}-\d{2}-update\b", re.MULTILINE)
_DEV_NEWS = re.compile(r"^##[ \t]+Developer News", re.MULTILINE)
_SLUG_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_PERSON = r"(?:\[[^\[\]\n]+\]\([^()\s]*\)|[A-Z][\w'.-]*(?:[ \t]+[A-Z][\w'.-]*){0,3})"
_BYLINE = re.compile(
    rf"[*_]*(?:Written[ \t]+)?[Bb]y:?[ \t]+(?P<names>{_PERSON}(?:[ \t]*(?:,[ \t]*and|,|and|&)[ \t]*{_PERSON})*)[*_]*\.?"
)
_PERSON_RE = re.compile(rf"\[(?P<anchor>[^\[\]\n]+)\]\([^()\s]*\)|(?P<name>{_PERSON})")


def looks_like(path: Path, text: str) -> bool:
    if text.startswith("---") and _LWKD_HEAD.search(text, 0, 2000):
        return True
    return _DEV_NEWS.search(text) is not None


class _Body(Body):
    def __init__(self, text: str, start: int) -> None:
        super().__init__(text, start)
        self.authors: list[Span] = []

    def special_line(self, cs: int, ce: int) -> bool:
        if self.text[cs] not in "*_BW" or not (m := _BYLINE.fullmatch(self.text, cs, ce)):
            return False
        for p in _PERSON_RE.finditer(self.text, m.start("names"), m.end("names")):
            group = "anchor" if p.group("anchor") else "name"
            self.authors.append(span(self.text, p.start(group), p.end(group)))
        return True


def _slug_date(value: str) -> str | None:
    for m in _SLUG_DATE.finditer(value):
        if iso := find_date("-".join(m.groups())):
            return iso
    return None


def _week_ending(title_date: str | None, stated: str | None) -> str | None:
    """The title's date, unless it is more than a week away from the file's (a typo like 2018 for 2019)."""
    if title_date and stated:
        gap = abs((_dt.date.fromisoformat(title_date) - _dt.date.fromisoformat(stated)).days)
        return title_date if gap <= 7 else stated
    return title_date or stated


def read(path: Path, text: str) -> Issue:
    fm = front_matter(path, text)
    data = fm.data if fm else {}
    title_value = data.get("title")
    title = " ".join(str(title_value).split()) if title_value is not None else ""
    title_span = fm.value_span(text, "title") if fm and title_value is not None else None
    # The file name's date is Jekyll's post date; slugs carry typos (2024-01-10 for April 7, 2024).
    stated = _slug_date(path.name) or _slug_date(str(data.get("slug") or ""))
    title_date = find_date(title)
    parsed = parse(path, text, _Body, fm)
    body, links = parsed.body, parsed.links
    date = _week_ending(title_date, stated) or find_date(data.get("date"))
    inferred = date is None
    if inferred:
        date = date_from_links(links)
    authors = (fm.names(text, ("author", "authors")) if fm else []) + body.authors
    return parsed.issue(
        path,
        text,
        format=FORMAT,
        series=SERIES,
        series_title=SERIES_TITLE,
        number=stated or title_date or find_date(data.get("date")) or path.stem,
        title=title or f"{SERIES_TITLE} {stated or path.stem}",
        title_span=title_span,
        date=date,
        date_inferred=inferred and date is not None,
        authors=unique(authors),
        # LWKD files carry no URL: the post's URL is its date's (front matter, else the file name's).
        url=from_front_matter(data, SERIES) or from_template(SERIES, find_date(data.get("date")) or stated),
    )
