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
