"""Reader for Markdown (or plain text) newsletters no dedicated reader claims: the fallback.

What it reads, in any layout it was not written for:

- front matter when present: YAML between ``---`` lines (Jekyll, Hugo) or TOML between
  ``+++`` lines (Hugo); the usual keys ``title``, ``date``, ``author``/``authors``,
  ``editor``/``editors``, ``series``/``newsletter``/``publication``, ``tags``/``keywords``;
- headings as sections: the shallowest heading level used more than once (``#`` or ``##``)
  opens level-1 sections, the next level level-2 sections, deeper ones are ``heading``
  items; a single top ``#`` heading before the others is the title line;
- each section's kind from its words in English and Chinese (news, releases, reading,
  project-recommendation, events, community, upstream, glossary, other);
- list items and paragraphs as items; an item that starts with a link (``[Title](url)``,
  ``**[Title](url)**``, ``《Title》``) or a bold name is titled by it;
- bylines anywhere (``By Jane Doe``, ``作者：x``, ``> 编辑：x``) as authors and editors.

It never fails on a well-formed Markdown file: what it cannot classify is kept as ``other``.
The series is the front matter's, else the folder's name, else the file's stem; ``series=``
(``kg build PATH --series NAME``) sets it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from kg.errors import InputError
from kg.ids import slug
from kg.ingest.common import find_date, link_at, section_kind, span, unique
from kg.ingest.markdown import Body, FrontMatter, fenced, front_matter, parse
from kg.ingest.source_url import from_front_matter
from kg.model import Issue, Span
from kg.text import CJK_CHARS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FORMAT = "generic-markdown"

_TOML_OPEN = re.compile(r"\+\+\+[ \t]*\r?\n")
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*\r?$", re.MULTILINE)
_HEADING = re.compile(r"^(#{1,6})[ \t]+\S", re.MULTILINE)
_SERIES_KEYS = ("series", "newsletter", "publication", "site", "blog")
_NUMBER_KEYS = ("issue", "number", "volume", "vol", "no", "week")
# A leading emphasised link, link or 《title》 of an entry ("**[Argo CD v3.4.1](…)** - …", "[Title](url) by X").
_LEAD_EMPHASIS = re.compile(r"[*_]{1,3}(?=\[)")
_BOLD_HEAD = re.compile(r"(\*\*|__)(?P<name>[^*_\n]{1,80}?)\1")
_BOOK = re.compile(r"《(?P<name>[^《》\n]+)》")
# Bylines: "By Jane Doe and John Roe", "作者：墨封", "> 编辑: x", "Written by x", "Editor: x", "Translated by x".
_BYLINE = re.compile(
    r"[>*_\s]*(?P<label>(?:written\s+|posted\s+|curated\s+|compiled\s+)?by|authors?|作者|本周作者|本期作者|"
    r"editors?|edited\s+by|编辑|责任编辑|本期编辑|translat(?:ed\s+by|ors?)|译者)"
    r"[*_ \t]*[:：|｜]?[*_ \t]*(?P<value>\S.{0,200}?)[*_ \t]*$",
    re.IGNORECASE,
)
_EDITOR_LABEL = re.compile(r"edit|编辑", re.IGNORECASE)
_NAME_SEP = re.compile(r"\s*(?:,\s*and\b|,|，|、|;|；|/|&|\band\b|和)\s*")
_LATIN_NAME = re.compile(r"[A-Z][\w'.-]*(?:[ \t]+(?:[A-Z][\w'.-]*|de|van|von|da|di|le|la)){0,3}")
_CJK_NAME = re.compile(f"[{CJK_CHARS}]{{2,6}}")
_MD_NAME = re.compile(r"\[(?P<anchor>[^\[\]\n]+)\]\([^()\s]*\)|@(?P<handle>[A-Za-z0-9][\w-]{1,38})")


def looks_like(path: Path, text: str) -> bool:
    """Any text: the fallback claims what no other reader did."""
    return True


def toml_front_matter(path: Path, text: str) -> FrontMatter | None:
    """Hugo's TOML front matter between ``+++`` lines, or None; InputError when it is broken."""
    found = fenced(path, text, _TOML_OPEN, _TOML_CLOSE, "TOML")
    if found is None:
        return None
    start, end, body = found
    try:
        data = tomllib.loads(text[start:end])
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"broken TOML front matter: {exc}") from None
    return FrontMatter({str(k): v for k, v in data.items()}, start, end, body)


def any_front_matter(path: Path, text: str) -> FrontMatter | None:
    return front_matter(path, text) or toml_front_matter(path, text)


def _levels(text: str, start: int) -> tuple[int, int]:
    """(level of level-1 sections, level of the title line or 0): the shallowest heading used twice."""
    counts: dict[int, int] = {}
    first: int | None = None
    fence = False
    for line in text[start:].split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        m = _HEADING.match(line)
        if m:
            n = len(m.group(1))
            counts[n] = counts.get(n, 0) + 1
            first = n if first is None else first
    if not counts:
        return 2, 0
    repeated = sorted(n for n, c in counts.items() if c > 1) or sorted(counts)
    top = repeated[0]
    # A lone heading shallower than the sections (often "# Title") is the title line.
    title = min(counts) if min(counts) < top and counts[min(counts)] == 1 and first == min(counts) else 0
    return top, title


class GenericBody(Body):
    """Headings as sections at the levels the document uses, bylines as metadata, leading links as titles."""

    numbered_absorb = 1
    line_title_absorb = 0  # a paragraph led by a bold name is titled by it, and ends as paragraphs do
    subsection_own_kind = True  # a subsection's own words say its kind; else it takes its section's

    def __init__(self, text: str, start: int) -> None:
        super().__init__(text, start)
        self.top_level, self.title_level = _levels(text, start)
        self.h1: tuple[int, int] | None = None
        self.authors: list[Span] = []
        self.editors: list[Span] = []

    def heading(self, level: int, ts: int, te: int, cs: int, ce: int) -> None:
        if self.title_level and level == self.title_level and self.h1 is None and not self.out.sections:
            self.h1 = (ts, te)
            return
        if level <= self.top_level:
            self.out.section(1, ts, te, cs)
        elif level == self.top_level + 1:
            # A subsection's own words say its kind ("## 社区活动" under "# News"), else its section's.
            own = section_kind(self.text[ts:te]) if self.subsection_own_kind else "other"
            self.out.section(2, ts, te, cs, kind=own if own != "other" else None)
        else:
            self.out.start_item("heading", ts, te, item_title(self.text, ts, te))
            self.out.close_item()
            self.out.blank = True

    def special_line(self, cs: int, ce: int) -> bool:
        if ce - cs > 240 or not (m := _BYLINE.fullmatch(self.text, cs, ce)):
            return False
        label = m.group("label")
        if label.lower() == "by" and not self.text[cs:ce].lstrip(">*_ \t").lower().startswith(
            ("by", "written", "posted", "curated", "compiled")
        ):
            return False
        names = byline_names(self.text, m.start("value"), m.end("value"))
        if not names:
            return False
        (self.editors if _EDITOR_LABEL.search(label) else self.authors).extend(names)
        return True

    def entry_title(self, kind: str, cs: int, ce: int) -> tuple[Span | None, int]:
        return item_title(self.text, cs, ce), 1 if kind == "numbered" else 0

    def line_title(self, cs: int, ce: int) -> Span | None:
        """A paragraph's first line led by a bold name or a link: ``**kubectl-tree** shows a tree``."""
        if not self.out.blank:
            return None
        return item_title(self.text, cs, ce)


def item_title(text: str, cs: int, ce: int) -> Span | None:
    """The title an entry starts with: a (possibly emphasised) link's anchor, a 《book title》 or a bold name."""
    pos = cs
    if m := _LEAD_EMPHASIS.match(text, pos, ce):
        pos = m.end()
    if text.startswith("[", pos) and (link := link_at(text, pos, ce)) and link.anchor.strip():
        a, b = link.anchor_start, link.anchor_end
        while a < b and text[a] in '*_`《“" ':
            a += 1
        while b > a and text[b - 1] in '*_`》”" ':
            b -= 1
        return span(text, a, b) if a < b else None
    if m := _BOOK.match(text, cs, ce):
        return span(text, m.start("name"), m.end("name"))
    if m := _BOLD_HEAD.match(text, cs, ce):
        return span(text, m.start("name"), m.end("name"))
    return None


def byline_names(text: str, start: int, end: int) -> list[Span]:
    """Names in a byline's value: linked names, @handles, capitalised Latin names or CJK names."""
    out: list[Span] = []
    for m in _MD_NAME.finditer(text, start, end):
        g = "anchor" if m.group("anchor") else "handle"
        out.append(span(text, m.start(g), m.end(g)))
    if out:
        return out
    pos = start
    for part in _NAME_SEP.split(text[start:end]):
        i = text.find(part, pos, end) if part else -1
        if i < 0:
            continue
        pos = i + len(part)
        part_s = part.strip(" \t*_.。")
        if not part_s:
            continue
        s = text.find(part_s, i, pos)
        m = _LATIN_NAME.fullmatch(part_s) or _CJK_NAME.fullmatch(part_s)
        if m and len(part_s) <= 40:
            out.append(span(text, s, s + len(part_s)))
    return out


def series_of(path: Path, data: dict, series: str | None) -> tuple[str, str]:
    """(slug, title) of the series: given, else the front matter's, else the folder's (one series per folder)."""
    name = series
    if not name:
        for key in _SERIES_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                name = value.strip()
                break
    if not name:
        name = path.resolve().parent.name or "newsletter"
    return slug(name) or "newsletter", name


def read(path: Path, text: str, series: str | None = None) -> Issue:
    parsed = parse(path, text, GenericBody, any_front_matter(path, text))
    fm, data, body = parsed.fm, parsed.data, parsed.body
    series_slug, series_title = series_of(path, data, series)

    title_span = None
    if fm and isinstance(data.get("title"), str) and data["title"].strip():
        title = " ".join(data["title"].split())
        title_span = fm.value_span(text, "title")
    elif body.h1 is not None:
        title_span = span(text, *body.h1)
        title = title_span.text.strip()
    else:
        title = path.stem

    date, inferred = parsed.date("date", "publishDate")
    if date is None or inferred:
        date, inferred = find_date(path.name) or date, inferred and find_date(path.name) is None
    number = next(
        (str(data[k]).strip() for k in _NUMBER_KEYS if data.get(k) is not None and str(data[k]).strip()), None
    )
    return parsed.issue(
        path,
        text,
        format=FORMAT,
        series=series_slug,
        series_title=series_title,
        number=number or path.stem,
        title=title,
        title_span=title_span,
        date=date,
        date_inferred=inferred and date is not None,
        authors=unique((fm.names(text, ("authors", "author")) if fm else []) + body.authors),
        editors=unique((fm.names(text, ("editors", "editor")) if fm else []) + body.editors),
        url=from_front_matter(data, series_slug),
    )
