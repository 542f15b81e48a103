"""Reader for 云原生生态周报 as plain text (the form of corpus/cloud-native-weekly-vol-17.txt).

- line 1: ``云原生生态周报 Vol. 17 | <title>``; ``Issue.title`` is the whole line,
  ``title_span`` the part after ``|``;
- byline ``本周作者 | a、b`` / ``本周作者:a,b``, ``责任编辑:x`` and the closing
  ``本周报由 A 联合 B 共同发布``, wherever they stand (each closes the section before it);
- a line ``--`` (or ``---``, ``——``) ends the body: what follows belongs to no section;
- sections are lines naming one (业界要闻, 上游重要进展, ... or ``名词解释:`` with text after
  the colon); inside 上游重要进展, ``Kubernetes 项目`` and ``4.其他更新`` are level-2 sections;
- items: ``1. ...`` entries (running until the next entry), ``- ...`` entries (also when
  ``- `` follows ``。`` inside a line), paragraphs; in 开源项目推荐 a line holding only a
  project name heads an item (``Item.title``); in 本周阅读推荐 ``《...》`` is the title.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.ingest import weekly
from kg.ingest.common import Outline, date_from_links, find_date, find_links, lines, unique
from kg.model import Issue, Span
from kg.text import CJK_CHARS

FORMAT = "weekly-text"

_HEADING = re.compile(rf"(?P<title>{weekly._NAMES})\s*(?:[:：]\s*(?P<rest>.*))?")
_OTHER_HEADING = re.compile(rf"(?P<title>[{CJK_CHARS}]{{0,8}}(?:要闻|进展|推荐|解释|动态|资讯|新闻|活动))\s*[:：]?")
_SUBSECTION = re.compile(
    r"(?P<title>(?:\d{1,2}\s*[.、．]\s*)?"  # 4.其他更新
    r"(?:[A-Za-z][\w.\- ]{0,30}?\s*(?:项目|社区)|其[他它](?:更新|进展|项目)))\s*[:：]?"  # Kubernetes 项目
)
_SEPARATOR = re.compile(r"-{2,}|—{1,}|={3,}|_{3,}|\*{3,}|~{3,}")
_NUMBERED = re.compile(r"(\d{1,3})\s*[.、．)）]\s*(?=[^\d\s])")
_BULLET = re.compile(r"[-*•·]\s+(?=\S)")
_MIDLINE_BULLET = re.compile(r"(?<=[。！？；])[ \t\u3000]*[-•][ \t]+(?=\S)")


def looks_like(path: Path, text: str) -> bool:
    head = text.lstrip()[:200]
    return head.split("\n", 1)[0].find(weekly.SERIES_TITLE) >= 0


def read(path: Path, text: str) -> Issue:
    out = Outline(text)
    meta = weekly.Metadata()
    title = number = date = None
    title_span: Span | None = None
    for start, _end, cs, ce in lines(text):
        if cs == ce:
            out.blank_line()
            continue
        if title is None:
            title_span, number = weekly.title_parts(text, cs, ce)
            title = text[cs:ce]
            continue
        line = text[cs:ce]
        if meta.line(text, cs, ce) or _SEPARATOR.fullmatch(line):
            out.close_sections()
            continue
        if (m := _HEADING.fullmatch(line)) or (m := _OTHER_HEADING.fullmatch(line)):
            out.section(1, cs + m.start("title"), cs + m.end("title"), cs)
            if m.groupdict().get("rest"):  # 名词解释:KEP - ...
                _body_line(out, text, cs + m.start("rest"), ce, 0)
            continue
        if out.top is None:
            if date is None and out.sections == []:
                date = find_date(line)  # a date stated before the first section
            continue
        if out.top.kind == "upstream" and (m := _SUBSECTION.fullmatch(line)):
            out.section(2, cs, cs + m.end("title"), cs)
            continue
        _body_line(out, text, cs, ce, cs - start)
    links = find_links(text)
    inferred = date is None
    if inferred:
        date = date_from_links(links)
    if title is None:
        title = path.stem
    return Issue(
        path=str(path),
        text=text,
        format=FORMAT,
        series=weekly.SERIES,
        series_title=weekly.SERIES_TITLE,
        number=number or weekly.number_from_path(path),
        title=title,
        title_span=title_span,
        date=date,
        date_inferred=inferred and date is not None,
        authors=unique(meta.authors),
        editors=unique(meta.editors),
        publishers=unique(meta.publishers),
        sections=out.finish(links),
        links=links,
    )


def _body_line(out: Outline, text: str, cs: int, ce: int, indent: int) -> None:
    """One line of a section: entries, project names, titles, and ``。 - `` splitting an entry in two."""
    cuts = list(_MIDLINE_BULLET.finditer(text, cs, ce))
    first_end = cuts[0].start() if cuts else ce
    kind = out.current.kind if out.current else "other"
    if m := _NUMBERED.match(text, cs, first_end):
        content = m.end()
        title, absorb = None, 1
        if kind == "project-recommendation" and (title := weekly.project_title(text, content, first_end)):
            absorb = 2
        elif kind == "reading":
            title = weekly.book_title(text, content, first_end)
        out.entry("numbered", content, first_end, title, absorb)
    elif m := _BULLET.match(text, cs, first_end):
        out.entry("list", m.end(), first_end)
    elif (
        kind == "project-recommendation"
        and weekly.names_head_items(out)
        and (title := weekly.project_title(text, cs, first_end))
    ):
        out.start_item("paragraph", cs, first_end, title, absorb=2)
    else:
        out.text_line(cs, first_end, indent)
    for i, cut in enumerate(cuts):
        out.entry("list", cut.end(), cuts[i + 1].start() if i + 1 < len(cuts) else ce)
