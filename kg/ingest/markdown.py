"""Markdown shared by the Markdown readers: YAML front matter and the block structure of the body.

The body parser is a small line-based reader, not a full CommonMark parser:
ATX (``## x``) and setext (``x`` over ``---``) headings, fenced code, ``*``/``-``/``+``
and ``1.`` entries with continuation lines, paragraphs and thematic breaks.  A
format's reader subclasses :class:`Body` to say what its headings mean and to
take metadata lines out of the flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.ingest.common import Outline, date_from_links, find_date, find_links, lines, span
from kg.model import Issue, Link, Section, Span

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FM_OPEN = re.compile(r"---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_SEPARATORS = re.compile(r"\s*(?:[,，、;；/&]|\band\b)\s*")


@dataclass
class FrontMatter:
    data: dict
    start: int  # first character of the YAML
    end: int  # end of the YAML (start of the closing ---)
    body_start: int  # first character after the closing line

    def value_span(self, text: str, key: str) -> Span | None:
        """Where the scalar value of top-level ``key`` is written (inside quotes when quoted)."""
        m = re.compile(rf"^{re.escape(key)}[ \t]*[:=][ \t]*(\S.*?)[ \t]*\r?$", re.MULTILINE).search(
            text, self.start, self.end
        )
        if m is None:
            return None
        s, e = m.span(1)
        if e - s >= 2 and text[s] in "\"'" and text[e - 1] == text[s]:
            s, e = s + 1, e - 1
        return span(text, s, e)

    def names(self, text: str, keys: tuple[str, ...]) -> list[Span]:
        """Spans of the names listed under any of ``keys`` (a string with separators, or a list)."""
        out: list[Span] = []
        for key in keys:
            value = self.data.get(key)
            if value is None:
                continue
            m = re.compile(rf"^{re.escape(key)}[ \t]*[:=]", re.MULTILINE).search(text, self.start, self.end)
            pos = m.end() if m else self.start
            for name in _flatten(value):
                i = text.find(name, pos, self.end)
                if i >= 0:
                    out.append(span(text, i, i + len(name)))
                    pos = i + len(name)
        return out


def _flatten(value: object) -> list[str]:
    if isinstance(value, str):
        return [part for part in _SEPARATORS.split(value.strip()) if part]
    if isinstance(value, dict):
        return _flatten(value.get("name", ""))
    if isinstance(value, list):
        return [name for v in value for name in _flatten(v)]
    return [] if value is None else _flatten(str(value))


def fenced(path: Path, text: str, opening: re.Pattern, closing: re.Pattern, what: str) -> tuple[int, int, int] | None:
    """Where the front matter opened by ``opening`` at the top and ended by a ``closing`` line stands: (start,
    end, body start: the line after the closing one), or None when ``opening`` does not start the text.
    InputError ("broken <what> front matter: ...") when no closing line follows."""
    m = opening.match(text)
    if m is None:
        return None
    close = closing.search(text, m.end())
    if close is None:
        fence = m.group().strip()
        raise InputError(path, f"broken {what} front matter: no closing '{fence}' line")
    body = close.end() + 1 if text.startswith("\n", close.end()) else close.end()
    return m.end(), close.start(), body


def front_matter(path: Path, text: str) -> FrontMatter | None:
    """The YAML front matter between ``---`` lines at the top, or None; InputError when it is broken."""
    found = fenced(path, text, _FM_OPEN, _FM_CLOSE, "YAML")
    if found is None:
        return None
    start, end, body = found
    source = text[start:end]
    try:
        _refuse_aliases(path, source)
        data = yaml.load(source, Loader=_Loader)  # noqa: S506 - a safe loader
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise InputError(path, f"broken YAML front matter: {_yaml_message(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - e.g. ValueError for `date: 2019-13-45`
        problem = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(path, f"broken YAML front matter: bad value: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, f"broken YAML front matter: a {type(data).__name__}, not a mapping of keys to values")
    data = {str(k): v for k, v in data.items()}
    return FrontMatter(data, start, end, body)


def _refuse_aliases(path: Path, source: str) -> None:
    """InputError for an alias (``*name``) anywhere in the front matter, before any value is built: nine
    levels of nine aliases fit in 1 KB and expand to 9**9 values (minutes and gigabytes).  Front matter
    (title, date, authors, tags) never needs one; scanning the events costs about what parsing does."""
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark is not None else ""
            raise InputError(path, f"broken YAML front matter: aliases (*{event.anchor}) are not accepted{where}")


def _yaml_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if not problem:
        return " ".join(str(exc).split())
    message = " ".join(f"{getattr(exc, 'context', None) or ''} {problem}".split())
    if mark is not None:
        message += f" (line {mark.line + 2}, column {mark.column + 1})"  # the YAML starts on the file's line 2
    return message


_ATX = re.compile(r"(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r"=+|-+")
_THEMATIC = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")
_FENCE = re.compile(r"(`{3,})[^`]*|(~{3,}).*")
_BULLET = re.compile(r"[*+-][ \t]+(?=\S)")
_ORDERED = re.compile(r"\d{1,9}[.)][ \t]+(?=\S)")


class Body:
    """Walks the body of a Markdown issue into an :class:`Outline`.

    Defaults: ``#``/``##`` open level-1 sections, ``###`` level-2 sections,
    deeper headings are ``heading`` items.  Subclasses override the hooks.
    """

    numbered_absorb = 0  # see Outline
    line_title_absorb = 2  # a titled plain line keeps what follows it (a project heading and its description)
    break_closes_sections = False

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.start = start
        self.out = Outline(text, untitled=True)

    # hooks
    def heading(self, level: int, ts: int, te: int, cs: int, ce: int) -> None:
        if level <= 2:
            self.out.section(1, ts, te, cs)
        elif level == 3:
            self.out.section(2, ts, te, cs)
        else:
            self.out.start_item("heading", ts, te)
            self.out.close_item()
            self.out.blank = True

    def special_line(self, cs: int, ce: int) -> bool:
        """Take a line out of the flow (a byline, say); True when taken."""
        return False

    def entry_title(self, kind: str, cs: int, ce: int) -> tuple[Span | None, int]:
        return None, self.numbered_absorb if kind == "numbered" else 0

    def line_title(self, cs: int, ce: int) -> Span | None:
        """A title heading a new item when a plain line is one."""
        return None

    # the walk
    def run(self) -> Outline:
        text, out = self.text, self.out
        fence = ""  # the opening fence while inside fenced code
        fence_start = -1
        para: tuple[int, int] | None = None  # a paragraph of one line just started (setext candidate)
        for start, _end, cs, ce in lines(text, self.start):
            if fence:
                if cs < ce:
                    out.extend(ce)
                    if text.startswith(fence, cs) and not text[cs:ce].strip(fence[0]):
                        fence = ""
                        if out.item is not None and out.item.start == fence_start:
                            out.close_item()
                            out.blank = True
                continue
            if cs == ce or (text[cs] == ">" and not text[cs:ce].strip("> \t")):  # blank, or an empty quote line
                para = None
                out.blank_line()
                continue
            indent = cs - start
            c0 = text[cs]
            if c0 in "`~" and (m := _FENCE.fullmatch(text, cs, ce)):
                fence = m.group(1) or m.group(2)
                fence_start = cs
                if out.item is not None and (not out.blank or indent >= 2):
                    out.extend(ce)
                else:
                    out.start_item("paragraph", cs, ce)
                para = None
                continue
            if c0 == "#" and indent <= 3 and (m := _ATX.match(text, cs, ce)):
                ts, te = m.end(), ce
                kept = text[ts:te].rstrip("#")
                if kept == "" or kept[-1] in " \t":  # a closing run of #s
                    te = ts + len(kept)
                while te > ts and text[te - 1].isspace():
                    te -= 1
                self.heading(len(m.group(1)), ts, te, cs, ce)
                para = None
                continue
            if para is not None and c0 in "=-" and indent <= 3 and ce - cs >= 2 and _SETEXT.fullmatch(text, cs, ce):
                out.drop_item()  # the paragraph was the heading's text
                self.heading(1 if c0 == "=" else 2, para[0], para[1], para[0], ce)
                out.last_end = max(out.last_end, ce)
                para = None
                continue
            para = None
            if c0 in "-*_" and _THEMATIC.fullmatch(text, cs, ce):
                if self.break_closes_sections:
                    out.close_sections()
                else:
                    out.close_item()
                    out.blank = True
                continue
            if self.special_line(cs, ce):
                continue
            if c0 in "*+-" and (m := _BULLET.match(text, cs, ce)):
                title, absorb = self.entry_title("list", m.end(), ce)
                out.entry("list", m.end(), ce, title, absorb)
                continue
            if c0.isdigit() and (m := _ORDERED.match(text, cs, ce)):
                title, absorb = self.entry_title("numbered", m.end(), ce)
                out.entry("numbered", m.end(), ce, title, absorb)
                continue
            if title := self.line_title(cs, ce):
                out.start_item("paragraph", cs, ce, title, absorb=self.line_title_absorb)
                continue
            before = out.item
            out.text_line(cs, ce, indent)
            if out.item is not before and out.item is not None and out.item.start == cs:
                para = (cs, ce)
        return out


@dataclass
class Parsed:
    """A Markdown issue read by a :class:`Body`: its front matter, sections and links."""

    fm: FrontMatter | None
    data: dict
    body: Body
    sections: list[Section]
    links: list[Link]

    def date(self, *keys: str) -> tuple[str | None, bool]:
        """(date, inferred): the first front-matter date among ``keys``, else the latest date in the links."""
        for key in keys:
            if found := find_date(self.data.get(key)):
                return found, False
        inferred = date_from_links(self.links)
        return inferred, inferred is not None

    def issue(self, path: Path, text: str, **fields: Any) -> Issue:
        """The :class:`Issue` of ``path``: what the parse found (sections, links, where the body starts) and
        the reader's own ``fields`` (format, series, number, title, date, people ...)."""
        return Issue(
            path=str(path),
            text=text,
            sections=self.sections,
            links=self.links,
            body_start=self.body.start,
            **fields,
        )


def parse(path: Path, text: str, body_class: type[Body], fm: FrontMatter | None) -> Parsed:
    """Walk the body after the front matter ``fm`` (None: the whole text) with ``body_class``."""
    body = body_class(text, fm.body_start if fm else 0)
    outline = body.run()
    links = find_links(text, body.start, markdown=True)
    return Parsed(fm, fm.data if fm else {}, body, outline.finish(links), links)
