"""See the graph: views from kg.graphview rendered as self-contained offline HTML.

``render_html`` (render.py) writes one page for any view ``kg.graphview.load_view`` returns; views too big
for vis physics get positions from the force layout in layout.py.  ``overview`` is the page `kg build`
writes: the most mentioned entities, their relations and strongest co-mentions.
"""

from __future__ import annotations

from pathlib import Path

from kg.graphview import add_tallied_comentions, load_view
from kg.page_kit import json_for_script
from kg.store import GraphStore
from kg.viz.layout import layout_positions
from kg.viz.render import PHYSICS_MAX_NODES, TYPE_COLORS, render_html, view_to_data

OVERVIEW_NODES = 70

__all__ = [
    "OVERVIEW_NODES",
    "PHYSICS_MAX_NODES",
    "TYPE_COLORS",
    "json_for_script",
    "layout_positions",
    "overview",
    "render_html",
    "view_to_data",
]


def overview(graph: GraphStore, out: Path, top: int = OVERVIEW_NODES, title: str = "cnkg — most mentioned") -> Path:
    """The page `kg build` writes: the most mentioned entities, their relations and strongest co-mentions.

    Ranked with the stats graph and read for the chosen nodes only, so it costs about the same on a
    store of 100 issues as on one of 10,000 (`kg build` rewrites it after every change)."""
    view = load_view(graph, min_mentions=1, limit=top)
    # Relations alone can leave most of the top nodes isolated; co-mentions in >= 2 sentences tie
    # them together, capped at one per node (the strongest) so the picture stays readable.
    add_tallied_comentions(graph, view, threshold=2, max_edges=max(1, view.number_of_nodes()))
    return render_html(view, out, title=title)
