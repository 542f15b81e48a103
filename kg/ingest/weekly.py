"""What the two forms of 云原生生态周报 share: series, title line, bylines, publishers, item titles."""

from __future__ import annotations

import re
from pathlib import Path

from kg.ingest.common import Outline, span
from kg.model import Span

SERIES = "cloud-native-weekly"
SERIES_TITLE = "云原生生态周报"
SECTION_NAMES = ("业界要闻", "上游重要进展", "开源项目推荐", "本周阅读推荐", "名词解释")
_NAMES = "|".join(SECTION_NAMES)

# `云原生生态周报 Vol. 17 | Helm 3 发布首个 beta 版本` (also `第 17 期`, `｜`, `:`).
TITLE_LINE = re.compile(
    r"(?P<series>云原生生态周报)\s*(?:Vol\.?|No\.?|第)?\s*(?P<number>\d+)\s*期?"
    r"\s*(?:[|｜:：\-—]+\s*(?P<title>\S.*?))?\s*",
    re.IGNORECASE,
)
# `本周作者 | a、b`, `本周作者:a,b`, `> **责任编辑**：x` (quote and emphasis markers allowed around the label).
BYLINE = re.compile(r"[>*_\s]*(?P<label>本周作者|本期作者|责任编辑|本期编辑)[*_ \t]*[|｜:：](?P<value>.*)")
EDITOR_LABELS = ("责任编辑", "本期编辑")
_NAME = re.compile(r"[^\s、,，/;；|｜*_。]+")
# `本周报由阿里巴巴容器平台联合蚂蚁金服共同发布`
PUBLISHED = re.compile(
    r"[>*_\s]*(?:本周报|本期周报|本周周报|本报|本期)由(?P<orgs>.+?)\s*(?:共同|联合)?(?:发布|出品|推出|编写|整理|提供)"
)
_ORG_SEP = re.compile(r"\s*(?:联合|以及|和|与|、|及|,|，|&|/)\s*")
BOOK_TITLE = re.compile(r"《([^《》\n]+)》")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9][\w.+\-/]*(?: [A-Za-z0-9][\w.+\-/]*){0,3}", re.ASCII)
_LINK_ONLY = re.compile(r"\[([^\[\]\n]+)\]\([^()\s]*\)")
_VOLUME_IN_NAME = re.compile(r"(?:vol|volume|issue|第)[-_. ]*(\d+)", re.IGNORECASE)


def number_from_path(path: Path) -> str:
    m = _VOLUME_IN_NAME.search(path.name)
    return m.group(1).lstrip("0") or "0" if m else path.stem


def title_parts(text: str, start: int, end: int) -> tuple[Span, str | None]:
    """``(title_span, number)`` of a title line: the span is the part after ``|`` when there is one."""
    m = TITLE_LINE.fullmatch(text, start, end)
    if m is None:
        bar = max(text.rfind("|", start, end), text.rfind("｜", start, end))
        if bar >= 0 and text[bar + 1 : end].strip():
            start = bar + 1 + len(text[bar + 1 : end]) - len(text[bar + 1 : end].lstrip())
        return span(text, start, end), None
    if m.group("title"):
        return span(text, m.start("title"), m.end("title")), m.group("number")
    return span(text, start, end), m.group("number")


def names(text: str, start: int, end: int) -> list[Span]:
    """Names in ``text[start:end]`` separated by 、 , ， / ; and spaces."""
    out = []
    for m in _NAME.finditer(text, start, end):
        s, e = m.span()
        while e > s and text[e - 1] == ".":
            e -= 1
        if e > s:
            out.append(span(text, s, e))
    return out


def organisations(text: str, start: int, end: int) -> list[Span]:
    """Organisations in ``text[start:end]`` joined by 联合 / 和 / 与 / 、 / 及."""
    out, pos = [], start
    for m in [*_ORG_SEP.finditer(text, start, end), None]:
        s, e = pos, (m.start() if m else end)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(span(text, s, e))
        if m:
            pos = m.end()
    return out


def book_title(text: str, start: int, end: int) -> Span | None:
    """The text inside the first 《…》 of ``text[start:end]``."""
    m = BOOK_TITLE.search(text, start, end)
    return span(text, m.start(1), m.end(1)) if m else None


def project_title(text: str, start: int, end: int) -> Span | None:
    """The project name when ``text[start:end]`` is just a name (maybe in ** **, ` `, [name](url), or with a colon)."""
    s, e = start, end
    while e > s:
        seg = text[s:e]
        if seg[-1] in ":：" or seg[-1].isspace():
            e -= 1
        elif seg[0].isspace():
            s += 1
        elif len(seg) > 4 and seg[:2] == seg[-2:] and seg[:2] in ("**", "__"):
            s, e = s + 2, e - 2
        elif len(seg) > 2 and seg[0] == seg[-1] and seg[0] in "`*_":
            s, e = s + 1, e - 1
        elif seg[0] == "[" and (m := _LINK_ONLY.fullmatch(seg)):
            s, e = s + m.start(1), s + m.end(1)
        else:
            break
    if e - s > 40 or "://" in text[s:e] or not _PROJECT_NAME.fullmatch(text, s, e):
        return None
    if not any(ch.isalpha() for ch in text[s:e]):
        return None
    return span(text, s, e)


def names_head_items(out: Outline) -> bool:
    """Whether a bare project-name line may head an item here: not where entries are numbered (``1. name``)."""
    if out.item is not None and out.item.kind == "numbered":
        return False
    return not any(item.kind == "numbered" for item in out.current.items)


class Metadata:
    """Authors, editors and publishers gathered from byline and closing lines."""

    def __init__(self) -> None:
        self.authors: list[Span] = []
        self.editors: list[Span] = []
        self.publishers: list[Span] = []

    def line(self, text: str, start: int, end: int) -> bool:
        """Take ``text[start:end]`` when it is a byline or publisher line; True when it was."""
        if m := BYLINE.match(text, start, end):
            found = names(text, m.start("value"), end)
            (self.editors if m.group("label") in EDITOR_LABELS else self.authors).extend(found)
            return True
        if m := PUBLISHED.match(text, start, end):
            self.publishers.extend(organisations(text, m.start("orgs"), m.end("orgs")))
            return True
        return False
