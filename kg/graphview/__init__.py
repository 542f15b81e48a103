"""The one reader of the entity graph: store → networkx views, rankings, evidence and whole-store tables.

Analytics and the GraphML/GEXF export (kg.analytics) and the notebook helpers (kg.notebook) read the graph
through here; none of them writes SPARQL for entities, issues or relations of its own.  The explorer pages
(`kg viz`, `kg explore`, the build overview, `kg serve`'s /explore) read with kg.explorer.data instead, whose
queries also run on a SPARQL endpoint.

- ``load_view`` (view.py): a bounded view as a ``networkx.MultiDiGraph`` — ranked with the store's
  materialised mention counts, read for the chosen nodes only; ``add_tallied_comentions`` and
  ``add_comention_edges`` add co-mention edges to it.
- ``read_entities``, ``read_issues``, ``read_relations``, ``sentence_groups`` (read.py): whole-store
  tables for analytics and notebooks.
- window.py (which issues count), choose.py (which entities a view shows), walk.py (issues newest or
  oldest first), evidence.py (sentences quoting a node): the parts ``load_view`` is made of.
"""

from __future__ import annotations

from kg.graphview.choose import describe
from kg.graphview.read import (
    COMENTION,
    MAX_EVIDENCE,
    MAX_SOURCES,
    RELATIONS,
    EntityNode,
    IssueInfo,
    local_name,
    read_entities,
    read_issues,
    read_relations,
    resolve_focus,
    sentence_groups,
)
from kg.graphview.view import add_comention_edges, add_tallied_comentions, load_view
from kg.graphview.walk import IssueHit
from kg.graphview.window import Window, resolve_window

__all__ = [
    "COMENTION",
    "MAX_EVIDENCE",
    "MAX_SOURCES",
    "RELATIONS",
    "EntityNode",
    "IssueHit",
    "IssueInfo",
    "Window",
    "add_comention_edges",
    "add_tallied_comentions",
    "describe",
    "load_view",
    "local_name",
    "read_entities",
    "read_issues",
    "read_relations",
    "resolve_focus",
    "resolve_window",
    "sentence_groups",
]
