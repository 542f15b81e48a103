"""INGEST: newsletter files -> :class:`kg.model.Issue`.

::

    from kg.ingest import read_issue, discover
    for path in discover(["corpus"]):
        issue = read_issue(path)          # kg.errors.InputError for a bad file

One module per format; each has ``FORMAT`` (its name), ``read(path, text) -> Issue``
and ``looks_like(path, text) -> bool``.  :data:`READERS` maps names to readers;
:func:`sniff` asks the formats in :data:`_SNIFFERS` order which one a text is,
``fmt=`` overrides it; the generic Markdown reader takes whatever no other claims.
A new format is a new module added to both.  A format whose issues span several files
(LWCN's companion articles page) names them in :data:`COMPANIONS`; ``read_issue(path,
companions=True)`` reads them into the same issue, after its own text.

``Issue.text`` is the decoded file minus a leading byte-order mark; every
offset (spans, links, items, sections) indexes it.  ``Issue.encoding`` is
``utf-8``, ``utf-8-sig`` (a BOM was dropped), ``utf-16`` or ``gb18030``;
``Issue.content_hash`` is the sha256 of the raw bytes.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import InputError
from kg.ids import slug
from kg.ingest import generic_markdown, lwcn_markdown, lwkd_markdown, weekly_markdown, weekly_text
from kg.ingest.common import decode
from kg.model import Issue, Span

__all__ = ["COMPANIONS", "READERS", "decode", "discover", "read_issue", "sniff", "source_files"]

READERS: dict[str, Callable[[Path, str], Issue]] = {
    weekly_text.FORMAT: weekly_text.read,
    weekly_markdown.FORMAT: weekly_markdown.read,
    lwkd_markdown.FORMAT: lwkd_markdown.read,
    lwcn_markdown.FORMAT: lwcn_markdown.read,
    generic_markdown.FORMAT: generic_markdown.read,
}

# Asked in order; the first that says yes names the format.
_SNIFFERS: list[tuple[str, Callable[[Path, str], bool]]] = [
    (weekly_markdown.FORMAT, weekly_markdown.looks_like),  # weekly section headings / the weekly's name in front matter
    (lwcn_markdown.FORMAT, lwcn_markdown.looks_like),  # "## 🚀 Notable Releases", "# 📚 All Articles from Week N"
    (lwkd_markdown.FORMAT, lwkd_markdown.looks_like),  # layout: post, "Week Ending", "## Developer News"
    (weekly_text.FORMAT, weekly_text.looks_like),  # first line "云原生生态周报 ..."
    (generic_markdown.FORMAT, generic_markdown.looks_like),  # anything else
]

# Files that belong to another file's issue: (the issue's own file -> its companions, companion -> its issue's file).
COMPANIONS: dict[str, tuple[Callable[[Path], list[Path]], Callable[[Path], Path | None]]] = {
    lwcn_markdown.FORMAT: (lwcn_markdown.companions, lwcn_markdown.companion_of),
}


def _expected() -> str:
    return ", ".join(READERS)


def sniff(path: Path, text: str) -> str:
    """The name of the reader for ``text``; InputError when no format fits."""
    for name, looks_like in _SNIFFERS:
        if looks_like(path, text):
            return name
    raise InputError(path, f"unknown format (expected {_expected()}; choose one with --reader NAME)")


def read_issue(path: str | Path, fmt: str | None = None, series: str | None = None, companions: bool = False) -> Issue:
    """Read one issue file.  Raises InputError (naming the file and the problem) and nothing else for a bad file.

    ``series`` names the issue's series (else the reader's, or the generic reader's guess);
    ``companions`` reads the files that belong to the same issue (LWCN's articles page) into it.
    """
    path = Path(path)
    if fmt is not None and fmt not in READERS:
        raise InputError(path, f"unknown format {fmt!r} (expected {_expected()})")
    issue = _read_one(path, fmt, series)
    if companions and issue.format in COMPANIONS:
        for other in COMPANIONS[issue.format][0](path):
            _append(issue, _read_one(other, issue.format, series))
    return issue


def source_files(path: str | Path) -> list[Path]:
    """The files one issue is read from: the file and its companions (what a build hashes)."""
    path = Path(path)
    out = [path]
    for finder, _ in COMPANIONS.values():
        out += finder(path)
    return out


def _append(issue: Issue, part: Issue) -> None:
    """Read ``part`` (a companion page) into ``issue``: its text after a blank line, its sections one level down
    under one section titled by its title line (kind of that title, else reading)."""
    from kg.ingest.common import section_kind
    from kg.model import Item, Link, Section

    shift = len(issue.text) + 1
    issue.url = issue.url or part.url  # the week's page, as the companion links back to it
    issue.parts.append((part.path, shift))
    issue.text = issue.text + "\n" + part.text

    def link(lk: Link) -> Link:
        a = lk.anchor_start + shift if lk.anchor_start >= 0 else -1
        b = lk.anchor_end + shift if lk.anchor_end >= 0 else -1
        return Link(lk.url, lk.anchor, lk.start + shift, lk.end + shift, a, b)

    title = part.title_span
    t0, t1 = (title.start + shift, title.end + shift) if title else (shift, shift)
    head_title = issue.text[t0:t1]
    kind = section_kind(head_title)
    line_start = issue.text.rfind("\n", 0, t0) + 1 if title else t0  # the heading line, as for other sections
    head = Section(head_title, kind if kind != "other" else "reading", line_start, len(issue.text), t0, t1)
    issue.sections.append(head)
    for sec in part.sections:
        items = [
            Item(
                it.kind,
                it.start + shift,
                it.end + shift,
                it.text,
                [link(lk) for lk in it.links],
                Span(it.title.start + shift, it.title.end + shift, it.title.text) if it.title else None,
            )
            for it in sec.items
        ]
        issue.sections.append(
            Section(sec.title, head.kind, sec.start + shift, sec.end + shift, sec.title_start + shift,
                    sec.title_end + shift, items, level=2)
        )  # fmt: skip
    issue.links.extend(link(lk) for lk in part.links)
    issue.content_hash = hashlib.sha256((issue.content_hash + part.content_hash).encode()).hexdigest()


def _read_one(path: Path, fmt: str | None, series: str | None) -> Issue:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, exc.strerror or str(exc)) from None
    text, encoding = decode(path, raw)
    if not text.strip():
        raise InputError(path, "empty file")
    name = fmt or sniff(path, text)
    try:
        issue = READERS[name](path, text)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop a build; say which file
        raise InputError(path, f"cannot read as {name}: {type(exc).__name__}: {exc}") from exc
    if series:
        issue.series, issue.series_title = slug(series) or issue.series, series
    issue.encoding = encoding
    issue.content_hash = hashlib.sha256(raw).hexdigest()
    return issue


_SKIP_SUFFIXES = {".yaml", ".yml", ".json"}
_SKIP_PREFIXES = ("readme", "license", "licence")


def _is_issue_name(name: str) -> bool:
    lowered = name.lower()
    return not (
        name.startswith(".") or lowered.startswith(_SKIP_PREFIXES) or os.path.splitext(lowered)[1] in _SKIP_SUFFIXES
    )


def _missing(path: Path) -> InputError:
    """Why a path that does not resolve to anything cannot be read: missing, a loop of links, a dangling link."""
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return InputError(path, "symbolic link loop")
        if os.path.islink(path):
            return InputError(path, "broken symbolic link (its target does not exist)")
        if err.errno == errno.EACCES:
            return InputError(path, "permission denied")
    return InputError(path, "no such file or directory")


def _special_kind(path: Path) -> str:
    mode = os.stat(path).st_mode
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device")):
        if test(mode):
            return kind
    return "a block device" if stat.S_ISBLK(mode) else "not a regular file"


def discover(paths: Iterable[str | Path], problems: list[InputError] | None = None) -> list[Path]:
    """Issue files named by ``paths`` or under them, sorted and without duplicates.

    Directories are walked (not following symlinked directories), skipping
    ``gold/`` folders, hidden files and folders, ``*.yaml``/``*.yml``/``*.json``,
    ``README*`` and ``LICENSE*``; the same filters apply to files named directly.
    A companion file (LWCN's ``-articles.md``) whose issue file is beside it is left out:
    it is read with that issue.  A path that does not exist (or is a link loop, or a FIFO or other
    special file) raises InputError.  A directory that cannot be listed, and a link loop, dangling
    link or special file inside a directory, are skipped; with ``problems``, an InputError for each is
    appended there (else it raises).
    """

    def skipped(problem: InputError) -> None:
        if problems is None:
            raise problem
        problems.append(problem)

    def unlistable(err: OSError) -> None:
        skipped(InputError(err.filename or "?", f"cannot list the directory: {err.strerror or err}"))

    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: dict[str, Path] = {}
    for given in paths:
        root = Path(given)
        try:
            os.stat(root)
        except PermissionError:  # a folder on the way cannot be searched
            raise InputError(root, "permission denied") from None
        except OSError:
            pass  # missing, a loop: said below
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d.lower() != "gold"]
                for name in filenames:
                    if _is_issue_name(name):
                        p = Path(dirpath, name)
                        if p.is_file():
                            found.setdefault(os.path.realpath(p), p)
                        elif not p.exists():  # a link loop or a dangling link
                            skipped(_missing(p))
                        else:
                            skipped(InputError(p, f"{_special_kind(p)}, not an issue file; skipped"))
        elif root.is_file():
            if _is_issue_name(root.name):
                found.setdefault(os.path.realpath(root), root)
        elif not root.exists():
            raise _missing(root)
        else:
            raise InputError(root, f"{_special_kind(root)}, not an issue file; skipped")
    kept = [p for p in found.values() if not any(owner(p) is not None for _, owner in COMPANIONS.values())]
    return sorted(kept, key=lambda p: p.as_posix())
