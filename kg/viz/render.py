"""A view as one self-contained offline HTML page: vis-network inlined, our template, the graph as JSON.

vis-network's JS/CSS are the ones shipped inside the pyvis package; the template (kg/templates/viz.html,
viz.js) uses no Bootstrap and no CDN, so the page makes no network request.  Tooltips, the legend and the
search list are built in the page with DOM text nodes, never ``innerHTML``, so issue text cannot run script.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graphview import COMENTION, MAX_SOURCES, local_name
from kg.model import ENTITY_TYPES
from kg.page_kit import page_script, write_vis_page
from kg.viz.layout import layout_positions

TEMPLATES = Path(__file__).parent.parent / "templates"

# Colour-blind-friendly-ish palette, one colour per type (legend shows them).
TYPE_COLORS = {
    "Project": "#4e79a7",
    "Release": "#f28e2b",
    "Feature": "#59a14f",
    "KEP": "#e15759",
    "Person": "#b07aa1",
    "Organization": "#76b7b2",
    "Article": "#9c755f",
    "Technology": "#edc948",
    "Event": "#ff9da7",
    "Vulnerability": "#d62728",
}
OTHER_COLOR = "#bab0ac"

PHYSICS_MAX_NODES = 300  # above this, positions are precomputed and physics stays off


def _safe_url(url: str) -> str:
    """Only http(s) links reach the page: a javascript: URL in the data must not become a link."""
    return url if re.match(r"(?i)^https?://", url or "") else ""


def _node_size(mentions: int, most: int) -> float:
    return round(10 + 30 * math.sqrt(mentions / most), 1) if most > 0 else 10.0


def _tooltip_text(attrs: dict[str, Any]) -> str:
    """Plain-text tooltip (vis shows strings with innerText); the page upgrades it to a DOM element with links."""
    lines = [" / ".join(dict.fromkeys(attrs.get("labels", {}).values())) or attrs.get("label", "")]
    if attrs.get("alt_labels"):
        lines.append("also: " + ", ".join(attrs["alt_labels"]))
    lines.append(f"{attrs.get('type', '')} · {attrs.get('mentions', 0)} mentions in {attrs.get('issues', 0)} issues")
    for key, word in (("first_issue", "first"), ("last_issue", "last")):
        ref = attrs.get(key)
        if ref:
            lines.append(f"{word}: {ref['label']} ({ref['date'] or 'undated'})")
    return "\n".join(lines)


def view_to_data(view: nx.MultiDiGraph, physics: bool | None = None) -> dict[str, Any]:
    """The JSON the page reads: vis nodes/edges plus the structured facts its tooltips are built from."""
    use_physics = view.number_of_nodes() <= PHYSICS_MAX_NODES if physics is None else physics
    positions = {} if use_physics else layout_positions(view)
    most = max((d.get("mentions", 0) for _, d in view.nodes(data=True)), default=0)
    ids = {iri: n for n, iri in enumerate(view.nodes)}
    nodes = []
    types_seen: dict[str, int] = defaultdict(int)
    for iri, attrs in view.nodes(data=True):
        type_ = attrs.get("type", "")
        types_seen[type_] += 1
        color = TYPE_COLORS.get(type_, OTHER_COLOR)
        node: dict[str, Any] = {
            "id": ids[iri],
            "label": attrs.get("label", local_name(iri)),
            "title": _tooltip_text(attrs),
            "color": {"background": color, "border": "#222222" if attrs.get("focus") else color},
            "borderWidth": 3 if attrs.get("focus") else 1,
            "size": _node_size(attrs.get("mentions", 0), most),
            "kg": {
                "iri": iri,
                "labels": attrs.get("labels", {}),
                "alt": attrs.get("alt_labels", []),
                "type": type_,
                "mentions": attrs.get("mentions", 0),
                "issues": attrs.get("issues", 0),
                "first": attrs.get("first_issue"),
                "last": attrs.get("last_issue"),
                "sources": [
                    {**ref, "url": _safe_url(ref.get("url", ""))} for ref in attrs.get("sources", [])[:MAX_SOURCES]
                ],
                # load_view keeps only the newest MAX_SOURCES refs; ``issues`` counts them all.
                "more_sources": max(0, max(len(attrs.get("sources", [])), attrs.get("issues", 0)) - MAX_SOURCES),
                "evidence": [t if len(t) <= 240 else t[:239] + "…" for t in attrs.get("evidence", [])],
                "homepage": _safe_url(attrs.get("homepage", "")),
                "discovered": bool(attrs.get("discovered")),
            },
        }
        if iri in positions:
            node["x"], node["y"] = positions[iri]
        nodes.append(node)
    edges = []
    for n, (u, v, key, attrs) in enumerate(view.edges(keys=True, data=True)):
        predicate = attrs.get("predicate", key)
        co = predicate == COMENTION
        edge: dict[str, Any] = {
            "id": n,
            "from": ids[u],
            "to": ids[v],
            "label": predicate,
            "title": f"{view.nodes[u].get('label', u)} —{predicate}→ {view.nodes[v].get('label', v)}",
        }
        if co:
            # Co-mentions are context, not claims: unlabelled, light, dashed, thicker when stronger.
            weight = attrs.get("weight", 1)
            edge.update(
                label="",
                title=f"{view.nodes[u].get('label', u)} and {view.nodes[v].get('label', v)}: "
                f"co-mentioned in {weight} sentences",
                dashes=True,
                arrows={"to": {"enabled": False}},
                color={"color": "#d0d0d0", "highlight": "#888888"},
                width=min(6.0, 1 + math.log2(weight)),
            )
        edges.append(edge)
    legend = [
        {"type": t, "color": TYPE_COLORS.get(t, OTHER_COLOR), "count": types_seen[t]}
        for t in [*ENTITY_TYPES, *sorted(set(types_seen) - set(ENTITY_TYPES))]
        if types_seen.get(t)
    ]
    return {"nodes": nodes, "edges": edges, "legend": legend, "physics": use_physics}


def render_html(view: nx.MultiDiGraph, out: Path, title: str = "cnkg", physics: bool | None = None) -> Path:
    """Write ``view`` as one self-contained HTML file (no network request) and return its path.

    ``physics``: None picks (vis physics, stabilised once then frozen, up to
    PHYSICS_MAX_NODES nodes; precomputed positions above), True/False forces it.
    The page sets ``window.kg`` (network, nodes, edges, focusNode, ready) and
    ``document.body.dataset.ready = "1"`` once the layout is still.  Automation should wait
    for ``body[data-ready='1']``: the page's Content-Security-Policy admits only its own two
    scripts (by hash) and no eval, so e.g. Playwright's polling ``wait_for_function`` fails.
    """
    data = view_to_data(view, physics)
    return write_vis_page(
        TEMPLATES,
        "viz.html",
        out,
        title=title,
        app_js=page_script(TEMPLATES, "viz.js"),
        data=data,
        node_count=len(data["nodes"]),
        edge_count=len(data["edges"]),
    )
