"""A view-shaped random graph for the viz benchmarks and the browser tests (no store needed).

``synthetic_view(n)`` has the node and edge attributes ``kg.graphview.load_view`` gives, with a
scale-free-ish shape (a few hubs, many small parts), so layout and rendering can be measured at any size.
"""

from __future__ import annotations

import random

import networkx as nx

from kg.graphview import RELATIONS
from kg.ids import ID
from kg.model import ENTITY_TYPES


def synthetic_view(n: int, seed: int = 1, edges_per_node: float = 1.3) -> nx.MultiDiGraph:
    """A view-shaped random graph (scale-free-ish, many small parts) for benchmarks and browser tests."""
    rng = random.Random(seed)
    view = nx.MultiDiGraph()
    for i in range(n):
        type_ = ENTITY_TYPES[min(int(rng.expovariate(0.6)), len(ENTITY_TYPES) - 1)]
        mentions = max(1, int(rng.paretovariate(1.2)))
        ref = {"iri": f"{ID}issue/synthetic/{i % 50}", "label": f"Issue {i % 50}", "date": "2020-01-01", "url": ""}
        view.add_node(
            f"{ID}{type_.lower()}/n{i}",
            label=f"{type_} {i}",
            labels={"": f"{type_} {i}"},
            alt_labels=[],
            type=type_,
            mentions=mentions,
            issues=1,
            first_issue=ref,
            last_issue=ref,
            sources=[ref],
            evidence=[],
            homepage="",
            discovered=False,
            focus=False,
        )
    nodes = list(view.nodes)
    for _ in range(int(n * edges_per_node)):
        # Preferential-ish attachment: low indices are hubs, like Kubernetes in the real graph.
        a = nodes[int(rng.random() ** 2 * n)]
        b = nodes[rng.randrange(n)]
        if a != b:
            p = rng.choice(RELATIONS[4:])
            view.add_edge(b, a, key=p, predicate=p, weight=1)
    return view
