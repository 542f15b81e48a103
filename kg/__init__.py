"""cnkg: a knowledge graph of cloud-native projects and the newsletters that mention them.

The command line (``kg``) is a thin layer over this library; a notebook uses
the same functions::

    import kg
    graph = kg.open_graph("build")
    df = graph.query_df("SELECT ...")
"""

from __future__ import annotations

__version__ = "0.1.0"


def open_graph(store: str = "build", read_only: bool = True):  # noqa: ANN201 - lazy import keeps `import kg` light
    """Open a built graph (the directory `kg build` wrote): a :class:`kg.api.Graph`."""
    from kg.api import Graph

    return Graph.open(store, read_only=read_only)
