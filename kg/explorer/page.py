"""The explorer's data -> one self-contained HTML file (no network request, no script from issue text).

vis-network's JS/CSS are read from the pyvis package and inlined; the page is our own template
(``templates/explorer.html`` + ``.js`` + ``.css``).  pyvis itself does not build the page: its
``Network`` renders a static DataSet of the drawn nodes through its template, which loads Bootstrap and
tom-select from CDNs and shows node titles as HTML (``innerHTML``) in its popup, while the explorer must
carry undrawn entities for search, filter and expand them in the page, and put issue text only into DOM
text nodes.  So the explorer uses pyvis for what it ships that we need (vis-network) and nothing else.

The drawn nodes get positions here (no physics in the page, so 2,000 nodes are ready at once): the
connected nodes by a force layout, the unconnected ones in a grid beside them, not over them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kg import safeio
from kg.page_kit import page_script, render_vis_page

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT_PIVOTS = 300  # above this many nodes, each step repels from a sample (an unbiased estimate)


def _force_layout(n: int, edges: list[tuple[int, int]], seed: int = 7) -> Any:
    """Fruchterman-Reingold in numpy (networkx's large-graph path needs scipy, which cnkg does not use)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    if n == 1 or not edges:
        return pos
    k = np.float32(math.sqrt(1.0 / n))
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    pivots = min(n, LAYOUT_PIVOTS)
    scale = np.float32(n / pivots)
    iterations = 60
    temperature, cooling = 0.1, 0.1 / (iterations + 1)
    for _ in range(iterations):
        others = pos if pivots == n else pos[rng.choice(n, pivots, replace=False)]
        delta = pos[:, None, :] - others[None, :, :]
        dist2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), 1e-4)
        disp = np.einsum("ijk,ij->ik", delta, (k * k * scale) / dist2)
        d = pos[src] - pos[dst]
        force = d * np.sqrt((d * d).sum(axis=1))[:, None] / k
        np.subtract.at(disp, src, force)
        np.add.at(disp, dst, force)
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-6)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    return pos


def layout(data: dict) -> None:
    """Give the drawn entities ``x``/``y`` (px): the connected ones laid out together, the unconnected
    ones in a grid to the right of them."""
    import numpy as np

    drawn = [i for i, e in enumerate(data["entities"]) if e["drawn"]]
    index = {e: n for n, e in enumerate(drawn)}
    pairs = {
        (index[a], index[b]) for a, b in ((x["from"], x["to"]) for x in data["edges"]) if a in index and b in index
    }
    pairs = {(a, b) for a, b in pairs if a != b}
    linked = sorted({n for pair in pairs for n in pair})
    alone = [n for n in range(len(drawn)) if n not in set(linked)]
    width = 0.0
    if linked:
        sub = {n: m for m, n in enumerate(linked)}
        pos = _force_layout(len(linked), [(sub[a], sub[b]) for a, b in sorted(pairs)])
        pos = pos - pos.mean(axis=0)
        # A hub (Kubernetes) pulls most nodes into a knot: keep each node's direction and rank of distance
        # from the centre, but spread the ranks evenly over a disc, so the core has room for labels.
        radii = np.sqrt((pos * pos).sum(axis=1))
        rank = np.empty(len(linked))
        rank[np.argsort(radii, kind="stable")] = np.arange(len(linked))
        spread = np.sqrt((rank + 0.5) / len(linked)) / np.maximum(radii, 1e-6)
        pos = pos * spread[:, None]
        size = 75.0 * math.sqrt(len(linked))
        for n in linked:
            x, y = pos[sub[n]] * size
            data["entities"][drawn[n]].update(x=round(float(x), 1), y=round(float(y), 1))
        width = size
    if alone:
        # Unconnected: a block beside the core, biggest first, so they neither hide nor crowd it.
        # Labels are wider than tall: columns twice as far apart as rows (and ~half as many).
        across, down = 170.0, 85.0
        side = max(1, math.ceil(math.sqrt(len(alone) / 2)))
        rows = math.ceil(len(alone) / side)
        top = -(rows - 1) * down / 2
        for k, n in enumerate(alone):
            data["entities"][drawn[n]].update(
                x=round(width + 150 + (k % side) * across, 1), y=round(top + (k // side) * down, 1)
            )


def page_html(data: dict) -> str:
    """The explorer page for ``data`` (from :func:`kg.explorer.data.explorer_data`), as text."""
    layout(data)
    return render_vis_page(
        TEMPLATES,
        "explorer.html",
        title=data.get("title", "cnkg explorer"),
        app_js=page_script(TEMPLATES, "explorer.js"),
        data=data,
        app_css=(TEMPLATES / "explorer.css").read_text(encoding="utf-8"),
    )


def render_page(data: dict, out: Path) -> Path:
    """Write the explorer page for ``data`` to ``out`` (atomically); its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    safeio.write_text(out, page_html(data))
    return out


def render_live_page(data_url: str, title: str = "cnkg explorer (live)") -> str:
    """The same page for `kg serve`'s /explore, holding no graph: its script fetches the first view from
    ``data_url`` (same origin: the Content-Security-Policy lets it fetch from there and nowhere else)."""
    return render_vis_page(
        TEMPLATES,
        "explorer.html",
        title=title,
        app_js=page_script(TEMPLATES, "explorer.js"),
        data={"title": title, "live": data_url},
        app_css=(TEMPLATES / "explorer.css").read_text(encoding="utf-8"),
        connect_src="'self'",
    )
