"""The explorer: one HTML page an analyst steers (search, filters, expand, evidence).

``data.explorer_data`` reads a store (or a SPARQL endpoint) into plain JSON-able data;
``page.render_page`` writes it into one self-contained HTML file.  `kg viz` and `kg explore` write it,
`kg build` writes the overview (:func:`overview`, build/graph.html), and `kg serve` serves it live at
``/explore`` (kg.explorer.live), its data fetched from the endpoint piece by piece.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.explorer.data import ExplorerOptions, explorer_data
from kg.explorer.page import render_page
from kg.explorer.sparql import endpoint_select, store_select

# The overview `kg build` rewrites after every change: the 100 most mentioned drawn, the 500 most
# mentioned searchable (bench/bench_explorer.py measures it; the whole store is one `kg serve` away).
OVERVIEW_BUDGET = 100
OVERVIEW_CAP = 500

__all__ = [
    "OVERVIEW_BUDGET",
    "OVERVIEW_CAP",
    "ExplorerOptions",
    "endpoint_select",
    "explorer_data",
    "overview",
    "render_page",
    "store_select",
]


def overview(
    graph: Any,
    out: Path,
    budget: int = OVERVIEW_BUDGET,
    cap: int = OVERVIEW_CAP,
    title: str = "cnkg overview",
    counts: Mapping[str, Mapping[str, int]] | None = None,
) -> Path:
    """The page `kg build` writes (build/graph.html): the explorer over the most mentioned entities.

    ``counts``: issue IRI -> entity -> mentions for every issue, when the caller keeps them (the build
    does: kg.mention_counts), instead of reading them back from the store."""
    data = explorer_data(store_select(graph), ExplorerOptions(budget=budget, cap=cap), title=title, counts=counts)
    return render_page(data, out)
