"""What every reader shares: decoding, lines, links, dates, section kinds and the outline builder.

Offsets are ``str`` indices into ``Issue.text``.  ``Issue.text`` is the decoded
file with its newlines untouched; the only difference from the file is that a
leading byte-order mark is dropped (``Issue.encoding`` then says ``utf-8-sig``
or ``utf-16``), so offsets count from the first character after it.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import re
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.model import Item, Link, Section, Span
from kg.text import has_cjk

# --------------------------------------------------------------------------- decoding


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a file's bytes, or InputError naming why it is not text.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark
    are read as such; otherwise bytes that are not UTF-8 are read as GB18030 when
    they decode cleanly to text containing CJK characters.  The byte-order mark
    is not part of the returned text.
    """
    if not raw:
        raise InputError(path, "empty file")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not valid UTF-8 after its byte-order mark ({_where(raw, exc, 3)})") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")  # the codec drops the BOM
        except UnicodeDecodeError:
            raise InputError(path, "not valid UTF-16 after its byte-order mark") from None
        if "\x00" in text:
            raise InputError(path, "binary file, not text")
        return text, "utf-16"
    if b"\x00" in raw:
        raise InputError(path, "binary file, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and has_cjk(text):
        return text, "gb18030"
    raise InputError(path, f"not UTF-8 text ({_where(raw, utf8_error)}) nor GB18030{_guess(raw)}")


def _where(raw: bytes, exc: UnicodeDecodeError, shift: int = 0) -> str:
    return f"invalid byte 0x{raw[exc.start + shift]:02x} at offset {exc.start + shift}"


def _guess(raw: bytes) -> str:
    """A hint from charset-normalizer for the error message (only ever on the error path)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:65536]).best()
    except Exception:  # noqa: BLE001 - a hint is optional
        return ""
    return f"; it looks like {best.encoding}, convert it to UTF-8" if best is not None else ""


# --------------------------------------------------------------------------- lines


def lines(text: str, pos: int = 0) -> Iterator[tuple[int, int, int, int]]:
    """``(start, end, content_start, content_end)`` of each line from ``pos``.

    ``end`` excludes the line break (``\\n``, with a ``\\r`` before it), content
    bounds exclude leading and trailing whitespace (equal for a blank line).
    """
    for raw in text[pos:].split("\n"):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if stripped:
            cs = pos + line.index(stripped[0])
            yield pos, pos + len(line), cs, cs + len(stripped)
        else:
            yield pos, pos + len(line), pos, pos
        pos += len(raw) + 1


def span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def unique(spans: list[Span]) -> list[Span]:
    """First span of each distinct name, in order of appearance."""
    seen: set[str] = set()
    out = []
    for sp in spans:
        if sp.text not in seen:
            seen.add(sp.text)
            out.append(sp)
    return out


# --------------------------------------------------------------------------- links

# [anchor](url "title") — anchors may hold one level of brackets; destinations may hold balanced parens.
# (An image's "!" is added to the link's span afterwards: a literal first character makes the scan faster.)
_MD_LINK = re.compile(
    r"\[(?P<anchor>(?:[^\[\]\n\\]|\\.|\[[^\[\]\n]*\])*)\]"
    r"\([ \t]*(?P<url><[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
)
# A bare URL stops at whitespace, CJK, full-width and general punctuation, and at <>"`[]{}|\^.
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9_/@.+-])(?:https?|ftp)://"
    r"[^\s<>\"`\[\]{}|\\^\u2000-\u206f\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
_TRAILING = ".,;:!?'\"*_~"


def _trim_url(url: str) -> str:
    """Cut a bare URL at an unbalanced parenthesis and drop trailing punctuation."""
    if "(" in url or ")" in url:
        opened: list[int] = []
        for i, ch in enumerate(url):
            if ch == "(":
                opened.append(i)
            elif ch == ")":
                if not opened:
                    url = url[:i]
                    break
                opened.pop()
        else:
            if opened:
                url = url[: opened[0]]
    return url.rstrip(_TRAILING)


def _md_link(m: re.Match) -> Link | None:
    url = m.group("url")
    if url.startswith("<"):
        url = url[1:-1].strip()
    if not url:
        return None  # [name]() links nowhere
    start = m.start() - 1 if m.start() > 0 and m.string[m.start() - 1] == "!" else m.start()  # an image
    return Link(url, m.group("anchor"), start, m.end(), m.start("anchor"), m.end("anchor"))


def link_at(text: str, start: int, end: int) -> Link | None:
    """The Markdown link starting exactly at ``start``, if any."""
    m = _MD_LINK.match(text, start, end)
    return _md_link(m) if m else None


def find_links(text: str, start: int = 0, end: int | None = None, markdown: bool = False) -> list[Link]:
    """Links in ``text[start:end]`` in order: Markdown links (when ``markdown``) and bare URLs outside them."""
    end = len(text) if end is None else end
    links: list[Link] = []
    gaps: list[tuple[int, int]] = []  # the stretches between Markdown links, where bare URLs are looked for
    pos = start
    if markdown and "](" in text:
        for m in _MD_LINK.finditer(text, start, end):
            if link := _md_link(m):
                links.append(link)
                gaps.append((pos, m.start()))
                pos = m.end()
    gaps.append((pos, end))
    if "://" in text:
        bare: list[Link] = []
        for s, e in gaps:
            if text.find("://", s, e) < 0:
                continue
            for m in _BARE_URL.finditer(text, s, e):
                url = _trim_url(m.group())
                if "://" in url and not url.endswith("://"):
                    bare.append(Link(url, "", m.start(), m.start() + len(url)))
        if bare:
            links = sorted(links + bare, key=lambda link: link.start) if links else bare
    return links


# --------------------------------------------------------------------------- dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb", "feburary", "febuary"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_EN_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_URL_DATE = re.compile(r"(?<![\d])((?:19|20)\d\d)([/-])(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
_PLAUSIBLE = (_dt.date(1990, 1, 1), _dt.date(2099, 12, 31))


def _iso(year: int | str, month: int | str, day: int | str) -> str | None:
    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_date(value: object) -> str | None:
    """The first date stated in ``value`` (a date, a datetime or text) as ``yyyy-mm-dd``."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    for m in _ISO_DATE.finditer(value):
        if iso := _iso(*m.groups()):
            return iso
    for m in _CJK_DATE.finditer(value):
        if iso := _iso(*m.groups()):
            return iso
    for m in _EN_DATE.finditer(value):
        month = _MONTHS.get(m.group(1).lower())
        if month and (iso := _iso(m.group(3), month, m.group(2))):
            return iso
    return None


def date_from_links(links: list[Link]) -> str | None:
    """The latest plausible date written in the links' URLs (``/2019/08/20/``, ``2019-08-20``)."""
    best: _dt.date | None = None
    for link in links:
        if "19" not in link.url and "20" not in link.url:
            continue
        for m in _URL_DATE.finditer(link.url):
            try:
                day = _dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
            except ValueError:
                continue
            if _PLAUSIBLE[0] <= day <= _PLAUSIBLE[1] and (best is None or day > best):
                best = day
    return best.isoformat() if best else None


# --------------------------------------------------------------------------- section kinds

# Checked in order; the first pattern found in the title gives the kind.
_KIND_RULES = [
    (re.compile(p, re.IGNORECASE), kind)
    for p, kind in (
        (r"名词|术语|glossary|terms", "glossary"),
        (r"项目推荐|开源项目|project (?:recommend|spotlight|of the week)|tools? of the week", "project-recommendation"),
        (r"阅读|文章|reading|articles?|blogs?|videos?|talks?|podcasts?|recommended|links\b|推荐", "reading"),
        (
            r"^\W*(?:notable |new |recent |latest )?releases?\b|release (?:notes|roundup|radar)|新版本|版本发布|发布",
            "releases",
        ),
        (r"活动|会议|大会|events?\b|kubecon|summit|meetups?|conferences?|webinars?|calendar", "events"),
        (
            r"要闻|新闻|动态|资讯|news|meeting|summary|election|steering|announce|this week|headlines?|"
            r"security|organi[sz]ational",
            "news",
        ),
        (r"社区|community|buzz|shoutouts?|contributors?|people|social", "community"),
        (
            r"上游|upstream|进展|更新|merges?|promot|deprecat|remov|reversion|rollback|version|release|kep|featured?|"
            r"subproject|projects\b|repositor|dependenc|kubeadm|kubectl|now (?:alpha|beta|ga|stable)|graduat|\bprs?\b|"
            r"\bapi\b|fix|bugs?\b|changes?\b|cleanup|upgrade|updates?\b|testing|metrics|ipv6|\b\d+\.\d+\b",
            "upstream",
        ),
    )
]


def section_kind(title: str) -> str:
    """Normalised kind (one of kg.model.SECTION_KINDS) of a section title."""
    for pattern, kind in _KIND_RULES:
        if pattern.search(title):
            return kind
    return "other"


# --------------------------------------------------------------------------- outline builder


class _Open:
    __slots__ = ("kind", "start", "end", "title", "absorb", "before")

    def __init__(self, kind: str, start: int, end: int, title: Span | None, absorb: int, before: int) -> None:
        self.kind, self.start, self.end, self.title, self.absorb = kind, start, end, title, absorb
        self.before = before  # Outline.last_end before this item


class Outline:
    """Collects sections and items while a reader walks the lines of an issue.

    Items follow the line structure: a list entry or numbered entry runs until
    the next entry, heading or blank line (lines indented under an entry after a
    blank line continue it); a paragraph runs until a blank line.  ``absorb``
    makes an entry stickier: 1 keeps paragraphs after it (across blank lines)
    until the next entry, 2 also keeps list entries (a project heading and its
    description).
    """

    def __init__(self, text: str, untitled: bool = False) -> None:
        self.text = text
        self.sections: list[Section] = []
        self.top: Section | None = None
        self.sub: Section | None = None
        self.item: _Open | None = None
        self.last_end = 0
        self.blank = True  # the previous line was blank (or a heading)
        self.untitled = untitled  # items before the first heading open an untitled section

    # sections
    def section(self, level: int, title_start: int, title_end: int, start: int, kind: str | None = None) -> Section:
        self.close_item()
        if level <= 1:
            self.close_sections()
        else:
            self._close_sub()
        title = self.text[title_start:title_end]
        if kind is None:
            kind = self.top.kind if level > 1 and self.top is not None else section_kind(title)
        sec = Section(title, kind, start, title_end, title_start, title_end, level=level)
        self.sections.append(sec)
        if level <= 1:
            self.top = sec
        else:
            self.sub = sec
        self.last_end = title_end
        self.blank = True
        return sec

    def _close_sub(self) -> None:
        if self.sub is not None:
            self.sub.end = max(self.sub.end, self.last_end)
            self.sub = None

    def close_sections(self) -> None:
        self.close_item()
        self._close_sub()
        if self.top is not None:
            self.top.end = max(self.top.end, self.last_end)
            self.top = None
        self.blank = True

    @property
    def current(self) -> Section | None:
        return self.sub or self.top

    # items
    def start_item(self, kind: str, start: int, end: int, title: Span | None = None, absorb: int = 0) -> None:
        self.close_item()
        if self.current is None:
            if not self.untitled or self.sections:
                return
            self.section(1, start, start, start, "other")
        self.item = _Open(kind, start, end, title, absorb, self.last_end)
        self.last_end = end
        self.blank = False

    def extend(self, end: int) -> None:
        if self.item is not None:
            self.item.end = end
            self.last_end = end
            self.blank = False

    def drop_item(self) -> None:
        """Forget the open item (its line turned out to be a heading), and the untitled section opened for it."""
        item, self.item = self.item, None
        if item is None:
            return
        self.last_end = item.before
        sec = self.current
        if sec is not None and not sec.items and sec.title == "" and sec.start == item.start:
            self.sections.pop()
            self.top = self.sub = None

    def close_item(self) -> None:
        item, self.item = self.item, None
        if item is not None and (section := self.current) is not None:
            section.items.append(
                Item(item.kind, item.start, item.end, self.text[item.start : item.end], title=item.title)
            )

    def entry(self, kind: str, start: int, end: int, title: Span | None = None, absorb: int = 0) -> None:
        """A list or numbered entry whose content starts at ``start``."""
        if self.item is not None and self.item.absorb >= 2 and title is None:
            self.extend(end)
        else:
            self.start_item(kind, start, end, title, absorb)

    def text_line(self, start: int, end: int, indent: int = 0) -> None:
        """A line of running text: continues the open item or starts a paragraph."""
        item = self.item
        if item is not None and (
            not self.blank or item.absorb >= 1 or (indent >= 2 and item.kind in ("list", "numbered"))
        ):
            self.extend(end)
        else:
            self.start_item("paragraph", start, end)

    def blank_line(self) -> None:
        if self.item is not None and self.item.absorb == 0 and self.item.kind in ("paragraph", "heading"):
            self.close_item()
        self.blank = True

    def finish(self, links: list[Link]) -> list[Section]:
        self.close_sections()
        if links:
            starts = [link.start for link in links]
            for section in self.sections:
                for item in section.items:
                    i = bisect_left(starts, item.start)
                    while i < len(links) and links[i].start < item.end:
                        if links[i].end <= item.end:
                            item.links.append(links[i])
                        i += 1
        return self.sections
