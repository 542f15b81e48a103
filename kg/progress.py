"""Progress bars on stderr for long work (`kg build`, `kg analytics`, `kg export`, the notebooks' build).

One look for all of them (rich's bar, transient: it disappears when the work ends, leaving the
output clean), shown only where someone watches: on a terminal (stderr is a TTY) or in a Jupyter
notebook, and never with ``--quiet``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


def wanted(quiet: bool = False) -> bool:
    """Whether to show progress: not when quiet, else on a terminal or in a notebook."""
    return not quiet and (sys.stderr.isatty() or in_notebook())


def in_notebook() -> bool:
    """True in a Jupyter kernel (where rich draws its bar as a widget)."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    return get is not None and type(get()).__name__ == "ZMQInteractiveShell"


def bar(total: int, label: str, enabled: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    """(advance, stop): ``advance(name)`` counts one of ``total`` items done, ``name`` the latest."""
    if not enabled or total == 0:
        return (lambda _name: None), (lambda: None)
    progress = _rich_bar(label, time_left=True)
    task = progress.add_task("", total=total)
    progress.start()
    return (lambda name: progress.update(task, advance=1, description=name)), progress.stop


@contextmanager
def steps(names: list[str], label: str, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A bar over the named steps of one piece of work: call ``step(name)`` as each starts.

    The bar shows the step under way (``name``) and how many are done before it.
    """
    if not enabled:
        yield lambda _name: None
        return
    progress = _rich_bar(label, time_left=False)
    task = progress.add_task(names[0] if names else "", total=len(names))
    started: list[str] = []

    def step(name: str) -> None:
        # Steps done = steps started before this one.
        progress.update(task, completed=len(started), description=name)
        started.append(name)

    progress.start()
    try:
        yield step
    finally:
        progress.stop()


def _rich_bar(label: str, time_left: bool) -> Progress:
    """A transient bar on stderr: label, bar, done/total, time left (counted items) or elapsed (steps)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn() if time_left else TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
