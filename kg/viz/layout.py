"""A force layout for big views: components laid out alone (Fruchterman-Reingold in numpy), packed on shelves.

Views above ``PHYSICS_MAX_NODES`` nodes get these positions precomputed, so the browser does not have to
run vis physics on thousands of nodes.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

LAYOUT_SAMPLE_ABOVE = 800  # components bigger than this get sampled repulsion
LAYOUT_PIVOTS = 300


def _fruchterman_reingold(n: int, edges: list[tuple[int, int]], iterations: int, seed: int) -> Any:
    """Force-directed layout in plain numpy (float32): networkx's large-graph path needs scipy."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2), dtype=np.float32)
    if n == 1:
        return pos
    k = np.float32(math.sqrt(1.0 / n))
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    # Exact repulsion is O(n^2) per step; above SAMPLE_ABOVE nodes each step repels from a fresh
    # random sample of pivots, scaled up (an unbiased estimate: ~20x cheaper at 3,000 nodes, same look).
    pivots = min(n, LAYOUT_PIVOTS) if n > LAYOUT_SAMPLE_ABOVE else n
    scale = np.float32(n / pivots)
    for _ in range(iterations):
        others = pos if pivots == n else pos[rng.choice(n, pivots, replace=False)]
        delta = pos[:, None, :] - others[None, :, :]
        dist2 = np.einsum("ijk,ijk->ij", delta, delta)
        np.maximum(dist2, 1e-4, out=dist2)
        disp = np.einsum("ijk,ij->ik", delta, (k * k * scale) / dist2)
        if len(src):
            d = pos[src] - pos[dst]
            length = np.sqrt((d * d).sum(axis=1))[:, None]
            force = d * length / k
            np.subtract.at(disp, src, force)
            np.add.at(disp, dst, force)
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 1e-6, out=length)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    return pos


def layout_positions(view: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Screen positions (px) for every node: each component laid out alone, then packed on shelves."""
    import numpy as np

    simple = nx.Graph()
    simple.add_nodes_from(view.nodes)
    simple.add_edges_from((u, v) for u, v in view.edges() if u != v)
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    pieces: list[tuple[float, dict[str, Any]]] = []
    singles: list[str] = []
    for comp in components:
        if len(comp) == 1:
            singles.extend(comp)
            continue
        nodes = sorted(comp)
        index = {n: i for i, n in enumerate(nodes)}
        edges = [(index[u], index[v]) for u, v in simple.subgraph(nodes).edges()]
        iterations = 60 if len(nodes) <= LAYOUT_SAMPLE_ABOVE else 50
        pos = _fruchterman_reingold(len(nodes), edges, iterations, seed)
        pos = pos - pos.mean(axis=0)
        radius = float(np.sqrt((pos * pos).sum(axis=1)).max()) or 1.0
        # Target radius grows with sqrt(size) so node density is similar across components.
        scale = 60.0 * math.sqrt(len(nodes)) / radius
        pieces.append((60.0 * math.sqrt(len(nodes)), {n: pos[index[n]] * scale for n in nodes}))
    # Isolated nodes go into one grid block, packed like a component.
    if singles:
        side = math.ceil(math.sqrt(len(singles)))
        grid = {n: np.array([(i % side) * 70.0, (i // side) * 70.0]) for i, n in enumerate(sorted(singles))}
        centre = (side - 1) * 35.0
        pieces.append((max(35.0, centre * 1.42), {n: p - centre for n, p in grid.items()}))
    total_area = sum((2 * r) ** 2 for r, _ in pieces) or 1.0
    row_width = max(max((2 * r for r, _ in pieces), default=1.0), math.sqrt(total_area) * 1.2)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for radius, coords in pieces:
        size = 2 * radius + 80.0
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2, y + size / 2
        for node, p in coords.items():
            positions[node] = (round(float(p[0]) + cx, 1), round(float(p[1]) + cy, 1))
        x += size
        row_height = max(row_height, size)
    return positions
