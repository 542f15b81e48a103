"""INGEST: newsletter files -> :class:`kg.model.Issue`.

::

    from kg.ingest import read_issue, discover
    for path in discover(["corpus"]):
        issue = read_issue(path)          # kg.errors.InputError for a bad file

One module per format; each has ``FORMAT`` (its name), ``read(path, text) -> Issue``
and ``looks_like(path, text) -> bool``.  :data:`READERS` maps names to readers;
:func:`sniff` asks the formats in :data:`_SNIFFERS` order which one a text is,
``fmt=`` overrides it.  A new format is a new module added to both.

``Issue.text`` is the decoded file minus a leading byte-order mark; every
offset (spans, links, items, sections) indexes it.  ``Issue.encoding`` is
``utf-8``, ``utf-8-sig`` (a BOM was dropped), ``utf-16`` or ``gb18030``;
``Issue.content_hash`` is the sha256 of the raw bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import InputError
from kg.ingest import lwkd_markdown, weekly_markdown, weekly_text
from kg.ingest.common import decode
from kg.model import Issue

__all__ = ["READERS", "decode", "discover", "read_issue", "sniff"]

READERS: dict[str, Callable[[Path, str], Issue]] = {
    weekly_text.FORMAT: weekly_text.read,
    weekly_markdown.FORMAT: weekly_markdown.read,
    lwkd_markdown.FORMAT: lwkd_markdown.read,
}

# Asked in order; the first that says yes names the format.
_SNIFFERS: list[tuple[str, Callable[[Path, str], bool]]] = [
    (weekly_markdown.FORMAT, weekly_markdown.looks_like),  # weekly section headings / the weekly's name in front matter
    (lwkd_markdown.FORMAT, lwkd_markdown.looks_like),  # layout: post, "Week Ending", "## Developer News"
    (weekly_text.FORMAT, weekly_text.looks_like),  # first line "云原生生态周报 ..."
    (weekly_markdown.FORMAT, weekly_markdown.has_front_matter),  # any other front matter
]


def _expected() -> str:
    return ", ".join(READERS)


def sniff(path: Path, text: str) -> str:
    """The name of the reader for ``text``; InputError when no format fits."""
    for name, looks_like in _SNIFFERS:
        if looks_like(path, text):
            return name
    raise InputError(path, f"unknown format (expected {_expected()}; or choose one with fmt=)")


def read_issue(path: str | Path, fmt: str | None = None) -> Issue:
    """Read one issue file.  Raises InputError (naming the file and the problem) and nothing else for a bad file."""
    path = Path(path)
    if fmt is not None and fmt not in READERS:
        raise InputError(path, f"unknown format {fmt!r} (expected {_expected()})")
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


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Issue files named by ``paths`` or under them, sorted and without duplicates.

    Directories are walked (not following symlinked directories), skipping
    ``gold/`` folders, hidden files and folders, ``*.yaml``/``*.yml``/``*.json``,
    ``README*`` and ``LICENSE*``; the same filters apply to files named directly.
    A path that does not exist raises InputError.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: dict[str, Path] = {}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d.lower() != "gold"]
                for name in filenames:
                    if _is_issue_name(name):
                        p = Path(dirpath, name)
                        if p.is_file():
                            found.setdefault(os.path.realpath(p), p)
        elif root.is_file():
            if _is_issue_name(root.name):
                found.setdefault(os.path.realpath(root), root)
        elif not root.exists():
            raise InputError(root, "no such file or directory")
    return sorted(found.values(), key=lambda p: p.as_posix())
