"""The graph a notebook opens (``kg.open_graph``): the store's API plus the canned queries by name.

:class:`Graph` sits above both :mod:`kg.store` and :mod:`kg.query` (the store never imports the
query layer), so ``graph.canned(...)`` checks its parameters exactly as ``kg query NAME --param``
does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode

from kg.errors import KgError
from kg.query import canned_queries, resolve
from kg.store import GraphStore

if TYPE_CHECKING:
    import pandas


class Graph(GraphStore):
    """A built graph opened for analysis."""

    def canned(self, name: str, /, **params: Any) -> pandas.DataFrame:
        """Run the canned query ``name`` (``kg queries`` lists them) as a typed :meth:`query_df` frame.

        Parameters are checked as ``kg query NAME --param k=v`` checks them (unknown, missing or
        malformed ones raise :class:`kg.errors.KgError`); values may be Python values (``year=2024``,
        ``since=datetime.date(2024, 1, 1)``, ``limit=500``) or strings.  Returns a DataFrame (every
        canned query is a SELECT) rather than rows, as the notebooks tabulate and plot them.
        """
        if name not in canned_queries():
            raise KgError(f"no canned query named {name!r}; `kg queries` lists them")
        sparql, bound = resolve(name, None, {key: param_text(value) for key, value in params.items()})
        frame = self.query_df(sparql, bound)
        if isinstance(frame, bool):
            raise KgError(f"canned query {name!r} is an ASK query; run it with graph.ask")
        return frame


def param_text(value: Any) -> str:
    """A canned query's parameter given from Python, as the text `kg query --param` would pass."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (NamedNode, Literal)):
        return value.value
    if hasattr(value, "isoformat"):  # dates (a datetime gives its day: the date parameters are days)
        return value.isoformat()[:10]
    return str(value)
