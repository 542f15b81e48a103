"""Errors that reach the user as one line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """An error the command line prints as one line, then exits non-zero."""


class InputError(KgError):
    """A file that cannot be read as an issue (or as gold, or as catalog)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


def shown(path: str | Path) -> str:
    """A file name as printed: control characters escaped, so a name cannot move the cursor, colour the
    terminal or forge a line of the summary."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
