"""Reader for Last Week in Cloud Native (Hugo Markdown, ../shared/corpus/lwcn/2026-week-NN.md).

- front matter: ``title: "Week 10, Mar 2-8, 2026"``, ``date``, ``summary``, ``description``,
  ``keywords`` and ``highlights`` (lists of project names, kept in ``Issue.keywords``);
- ``##`` headings are sections (Welcome, Notable Releases, This Week in Cloud Native,
  Community Buzz, Week in Numbers), ``###`` the release categories under Notable Releases
  (level 2, kind ``releases``); each release entry ``- **[Project vX.Y.Z](…/releases/tag/…)** - summary``
  is an item titled by the link's anchor;
- the companion page ``2026-week-NN-articles.md`` (every article of the week under its source
  blog) belongs to the same issue: :func:`companions` names it, and the build reads it as a
  section of the week's issue (``read_issue(path, companions=True)``); read alone, it is that
  week's issue too;
- ``Issue.number`` is ``2026-week-10`` (from the file name, else the year of ``date`` and the
  title's week).
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.ingest.common import span
from kg.ingest.generic_markdown import GenericBody
from kg.ingest.markdown import front_matter, parse
from kg.ingest.source_url import from_front_matter
from kg.model import Issue, Link

FORMAT = "lwcn-markdown"
SERIES = "lwcn"
SERIES_TITLE = "Last Week in Cloud Native"

_SIGNS = re.compile(
    r"^##[ \t]+\W*Notable Releases|^#[ \t]+\W*All Articles from Week \d+|Cloud Native Newsletter Week \d+",
    re.MULTILINE,
)
_NAME = re.compile(r"(?P<year>\d{4})-week-(?P<week>\d{1,2})(?P<articles>-articles)?\.md$", re.IGNORECASE)
# The issue's links to its own page: "View all articles from this week →" (its articles page, under it)
# and the companion's "← Back to Newsletter".
_ARTICLES_LINK = re.compile(r"View all articles from this week", re.IGNORECASE)
_BACK_LINK = re.compile(r"Back to Newsletter", re.IGNORECASE)
_TITLE_WEEK = re.compile(r"\bWeek[ \t]+(\d{1,2})\b", re.IGNORECASE)


class _Body(GenericBody):
    subsection_own_kind = False  # release categories ("Security", "Service Mesh") are kinds of releases


def looks_like(path: Path, text: str) -> bool:
    if not text.startswith("---"):
        return False
    head = text[:20000]
    # Plain substring tests first: most files sniffed are not LWCN, and a pattern over 20 KB costs more.
    if "Notable Releases" not in head and "All Articles from Week" not in head and "Newsletter Week" not in head:
        return False
    return _SIGNS.search(head) is not None


def companions(path: Path) -> list[Path]:
    """The week's articles page beside a week's issue file, when it is there."""
    m = _NAME.search(path.name)
    if m is None or m.group("articles"):
        return []
    other = path.with_name(f"{m.group('year')}-week-{m.group('week')}-articles.md")
    return [other] if other.is_file() else []


def companion_of(path: Path) -> Path | None:
    """The week's issue file an articles page belongs to, when it is there."""
    m = _NAME.search(path.name)
    if m is None or not m.group("articles"):
        return None
    main = path.with_name(f"{m.group('year')}-week-{m.group('week')}.md")
    return main if main.is_file() else None


def _number(path: Path, title: str, date: str | None) -> str:
    if m := _NAME.search(path.name):
        return f"{m.group('year')}-week-{int(m.group('week')):02d}"
    week = _TITLE_WEEK.search(title)
    if week and date:
        return f"{date[:4]}-week-{int(week.group(1)):02d}"
    return path.stem


def _names(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if value else []


def own_url(links: list[Link]) -> str | None:
    """The week's page, as the issue links to it (None when it does not)."""
    for link in links:
        if _BACK_LINK.search(link.anchor) and link.url.startswith("http"):
            return link.url
        if _ARTICLES_LINK.search(link.anchor) and re.search(r"/articles/?$", link.url):
            return re.sub(r"articles/?$", "", link.url)
    return None


def read(path: Path, text: str) -> Issue:
    parsed = parse(path, text, _Body, front_matter(path, text))
    fm, data, body = parsed.fm, parsed.data, parsed.body
    headline = " ".join(str(data.get("title") or "").split())
    title_span = fm.value_span(text, "title") if fm and headline else None
    date, inferred = parsed.date("date")
    number = _number(path, headline, date)
    if headline.lower().startswith("week") and "articles" in headline.lower():
        title = f"{SERIES_TITLE} {number} — articles"
    else:
        title = f"{SERIES_TITLE} — {headline}" if headline else f"{SERIES_TITLE} {number}"
    if body.h1 is not None and (title_span is None or "articles" in headline.lower()):
        title_span = span(text, *body.h1)
    return parsed.issue(
        path,
        text,
        format=FORMAT,
        series=SERIES,
        series_title=SERIES_TITLE,
        number=number,
        title=title,
        title_span=title_span,
        date=date,
        date_inferred=inferred,
        keywords=_names(data.get("keywords")) + [n for n in _names(data.get("highlights")) if n],
        summary=str(data.get("summary") or data.get("description") or "") or None,
        url=own_url(parsed.links) or from_front_matter(data, SERIES),
    )
