"""Small helpers the analyst notebooks (``notebooks/*.ipynb``) share.

Plumbing only: where the built graph lives, building it when it is out of
date, canned queries and library tables as pandas DataFrames, the ontology
as a networkx picture, a pyvis page shown inline, and the ``CHECK`` lines the
notebook tests read.  The analysis itself (SPARQL, plots) stays in the
notebooks, where a reader can see it.

Queries see the union of the named graphs (one per issue, plus the shared entities, the catalog
and the ontology); count with ``COUNT(DISTINCT …)``, as a triple two graphs hold appears twice.
"""

from __future__ import annotations

import html
import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg import ids

if TYPE_CHECKING:
    from kg.store import GraphStore

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
LWKD = SHARED / "corpus" / "lwkd"
LWCN = SHARED / "corpus" / "lwcn"
DEFAULT_BUILD = REPO / "build"
CHECK_PREFIX = "CHECK "

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def build_dir() -> Path:
    """The built directory the notebooks use: ``$CNKG_BUILD``, else ``build/`` in the repository."""
    value = os.environ.get("CNKG_BUILD", "").strip()
    return Path(value).expanduser() if value else DEFAULT_BUILD


def lwkd_dir() -> Path:
    """Where the LWKD issues are: ``$CNKG_LWKD`` when set (a missing path means "no LWKD"), else ../shared."""
    value = os.environ.get("CNKG_LWKD", "").strip()
    return Path(value).expanduser() if value else LWKD


def has_lwkd() -> bool:
    return lwkd_dir().is_dir()


def lwcn_dir() -> Path:
    """Where the LWCN issues are: ``$CNKG_LWCN`` when set (a missing path means "no LWCN"), else ../shared."""
    value = os.environ.get("CNKG_LWCN", "").strip()
    return Path(value).expanduser() if value else LWCN


def has_lwcn() -> bool:
    return lwcn_dir().is_dir()


def sources() -> list[Path]:
    """What the notebooks build: ``corpus/`` and, when ../shared is present, the LWKD and LWCN issues."""
    return [CORPUS] + [d for d in (lwkd_dir(), lwcn_dir()) if d.is_dir()]


def ensure_graph(out: str | Path | None = None, paths: list[Path] | None = None, workers: int | None = None) -> Any:
    """Bring the build up to date (``kg build`` is incremental: unchanged issues are skipped) and open it read-only.

    ``$CNKG_REBUILD=never`` opens what is there without building (a test that built the
    directory itself sets it); ``$CNKG_WORKERS`` sets the worker processes (default 2).
    Returns ``(graph, summary)``; ``summary`` is None when nothing was built.
    """
    import sys
    import warnings

    import kg
    from kg.build import build
    from kg.progress import wanted

    target = Path(out) if out is not None else build_dir()
    summary = None
    if os.environ.get("CNKG_REBUILD", "auto").strip().lower() != "never" or not (target / "store").is_dir():
        jobs = workers if workers is not None else int(os.environ.get("CNKG_WORKERS", "2") or 2)
        # The first build takes a minute or two: a progress bar (in the notebook or on a terminal), and
        # each file that fails is printed as it fails, then summed up in a warning the notebook shows.
        summary = build(
            paths if paths is not None else sources(),
            target,
            workers=jobs,
            progress=wanted(),
            report=lambda line: print(line, file=sys.stderr),
        )
        if summary.errors:
            warnings.warn(
                f"kg build: {len(summary.errors)} file(s) failed and are not in the graph; first: {summary.errors[0]}",
                stacklevel=2,
            )
    return kg.open_graph(str(target)), summary


def canned(graph: GraphStore, name: str, /, **params: Any) -> Any:
    """Run the canned query ``name`` (ontology/queries/NAME.rq) with its parameters; a pandas DataFrame."""
    import pandas

    from kg import query

    page = query.run_page(graph, name, params)  # limit=/offset= page it, as `kg query --limit` does
    if page.truncated:
        warnings.warn(f"{name}: {page.note()}", stacklevel=2)
    return pandas.DataFrame(page.rows, columns=page.columns)


def canned_table() -> Any:
    """The canned queries (name, title, parameters, description) as a DataFrame."""
    import pandas

    from kg.query import canned_queries

    rows = []
    for name, q in canned_queries().items():
        params = ", ".join(f"{p.name}{'?' if p.optional else ''}: {p.type}" for p in q.params)
        rows.append({"name": name, "title": q.title, "params": params, "description": q.description})
    return pandas.DataFrame(rows, columns=["name", "title", "params", "description"])


def entities_frame(graph: GraphStore) -> Any:
    """Every entity with label, type, mentions and issues mentioning it (from kg.graphview.read_entities)."""
    import pandas

    from kg import graphview

    rows = [
        {
            "iri": e.iri,
            "label": e.label,
            "type": e.type,
            "mentions": sum(e.per_issue.values()),
            "issues": len(e.per_issue),
            "discovered": e.discovered,
        }
        for e in graphview.read_entities(graph).values()
    ]
    frame = pandas.DataFrame(rows, columns=["iri", "label", "type", "mentions", "issues", "discovered"])
    return frame.sort_values(["mentions", "label"], ascending=[False, True], ignore_index=True)


def issues_frame(graph: GraphStore) -> Any:
    """Every issue with series slug, series name, number, label and date (a pandas Timestamp or NaT)."""
    import pandas

    from kg import graphview

    rows = [
        {
            "issue": i.iri,
            "series": i.series,
            "series_label": i.series_label,
            "number": i.number,
            "label": i.label,
            "date": i.date or None,
        }
        for i in graphview.read_issues(graph).values()
    ]
    frame = pandas.DataFrame(rows, columns=["issue", "series", "series_label", "number", "label", "date"])
    frame["date"] = pandas.to_datetime(frame["date"], errors="coerce")
    return frame.sort_values(["date", "series", "number"], ignore_index=True)


def mentions_frame(graph: GraphStore) -> Any:
    """One row per (entity, issue): label, type, series, date and the number of mentions in that issue."""
    import pandas

    from kg import graphview

    issues = {row.issue: row for row in issues_frame(graph).itertuples(index=False)}
    rows = []
    for e in graphview.read_entities(graph).values():
        for issue, count in e.per_issue.items():
            info = issues.get(issue)
            rows.append(
                {
                    "iri": e.iri,
                    "label": e.label,
                    "type": e.type,
                    "issue": issue,
                    "series": info.series if info else "",
                    "date": info.date if info else None,
                    "mentions": count,
                }
            )
    columns = ["iri", "label", "type", "issue", "series", "date", "mentions"]
    return pandas.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- the ontology in one picture

_ONTOLOGY = """
SELECT ?s ?kind ?label ?domain ?range WHERE {
  GRAPH ?g {
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
    ?s a ?kind .
    FILTER(STRSTARTS(STR(?s), STR(cnkg:)))
    OPTIONAL { ?s rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
    OPTIONAL { ?s rdfs:domain ?domain }
    OPTIONAL { ?s rdfs:range ?range }
  }
}
"""


def _short(iri: str | None) -> str:
    if not iri:
        return ""
    for prefix, short in (("https://w3id.org/cnkg/ontology#", ""), ("http://www.w3.org/2001/XMLSchema#", "xsd:")):
        if iri.startswith(prefix):
            return short + iri[len(prefix) :]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def ontology_graph(graph: GraphStore) -> nx.MultiDiGraph:
    """Classes as nodes, object properties as edges (domain -> range), from the ontology named graph.

    Each class node lists its datatype properties in ``attributes``; properties without a
    domain or range hang off a ``(any)`` node so none is lost.
    """
    from pyoxigraph import NamedNode

    rows = graph.select(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n" + _ONTOLOGY, {"g": NamedNode(ids.GRAPH_ONTOLOGY)}
    )
    picture = nx.MultiDiGraph()
    for row in rows:
        if row["kind"] == OWL + "Class":
            picture.add_node(_short(row["s"]), attributes=[])
    for row in rows:
        name = _short(row["s"])
        domain = _short(row["domain"]) or "(any)"
        if row["kind"] == OWL + "ObjectProperty":
            target = _short(row["range"]) or "(any)"
            for node in (domain, target):
                if node not in picture:
                    picture.add_node(node, attributes=[])
            if not picture.has_edge(domain, target, key=name):
                picture.add_edge(domain, target, key=name, label=name)
        elif row["kind"] == OWL + "DatatypeProperty":
            if domain not in picture:
                picture.add_node(domain, attributes=[])
            if name not in picture.nodes[domain]["attributes"]:
                picture.nodes[domain]["attributes"].append(name)
    return picture


def draw_ontology(picture: nx.MultiDiGraph, ax: Any = None, seed: int = 3) -> Any:
    """Draw :func:`ontology_graph` with matplotlib (offline); returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(13, 9))
    simple = nx.Graph(picture)
    # Classes on a ring in breadth-first order from the most connected one (neighbours sit close),
    # the "(any)" end of unconstrained properties in the middle.
    centre = [n for n in simple if n == "(any)"]
    ring: list[str] = []
    for start in sorted(simple, key=lambda n: (-simple.degree(n), n)):
        if start not in ring and start not in centre:
            ring.extend(n for n in nx.bfs_tree(simple.subgraph(set(simple) - set(centre)), start) if n not in ring)
    pos = nx.shell_layout(simple, nlist=[centre, ring] if centre else [ring], rotate=seed / 10)
    sizes = [300 + 120 * picture.degree(n) for n in picture]
    nx.draw_networkx_nodes(picture, pos, ax=ax, node_color="#cfe0f3", edgecolors="#4e79a7", node_size=sizes)
    nx.draw_networkx_labels(picture, pos, ax=ax, font_size=9)
    nx.draw_networkx_edges(
        picture,
        pos,
        ax=ax,
        edge_color="#888888",
        arrows=True,
        arrowsize=10,
        connectionstyle="arc3,rad=0.08",
        node_size=sizes,
    )
    labels: dict[tuple[str, str], str] = {}
    for u, v, key in picture.edges(keys=True):
        labels[(u, v)] = (labels.get((u, v), "") + "\n" + key).strip()
    nx.draw_networkx_edge_labels(picture, pos, edge_labels=labels, ax=ax, font_size=7, font_color="#a33")
    ax.set_axis_off()
    return ax


# --------------------------------------------------------------------------- output helpers


def show_html(path: str | Path, height: int = 620) -> Any:
    """An offline HTML page (e.g. the explorer kg.explorer.render_page writes) inline in the notebook, in a sandboxed
    iframe."""
    from IPython.display import HTML

    page = Path(path).read_text(encoding="utf-8")
    return HTML(
        f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{int(height)}px;'
        f'border:1px solid #ddd" sandbox="allow-scripts"></iframe>'
    )


def check(name: str, value: Any) -> None:
    """Print one ``CHECK name = <json>`` line; tests/test_notebooks.py reads these from cells tagged ``check``."""
    print(f"{CHECK_PREFIX}{name} = {json.dumps(value, ensure_ascii=False, default=str)}")


def read_checks(outputs: list[Any]) -> dict[str, Any]:
    """The ``CHECK`` values printed in a list of notebook cell outputs."""
    found: dict[str, Any] = {}
    for output in outputs:
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        for line in str(text).splitlines():
            if line.startswith(CHECK_PREFIX) and " = " in line:
                key, _, value = line[len(CHECK_PREFIX) :].partition(" = ")
                found[key.strip()] = json.loads(value)
    return found


# --------------------------------------------------------------------------- KEP metadata from the catalog

_CATALOG_KEPS = """
SELECT ?kep ?label ?number ?title ?sig ?stage ?milestone WHERE {
  GRAPH ?g {
    ?kep a cnkg:KEP ; rdfs:label ?label .
    OPTIONAL { ?kep cnkg:kepNumber ?number }
    OPTIONAL { ?kep dcterms:title ?title }
    OPTIONAL { ?kep cnkg:sig ?sig }
    OPTIONAL { ?kep cnkg:stage ?stage }
    OPTIONAL { ?kep cnkg:milestone ?milestone }
  }
}
"""


def catalog_keps(graph: GraphStore) -> Any:
    """KEP metadata the catalog graph holds (only after ``kg catalog import-keps``): one row per KEP and milestone.

    Columns: kep (IRI), label, number, title, sig, stage (the KEP's current stage), milestone_stage
    (alpha/beta/stable) and release (e.g. "1.16") of each milestone; a KEP without milestones has one
    row with empty milestone columns.  Empty when no KEP metadata was imported.
    """
    import pandas
    from pyoxigraph import NamedNode

    rows = graph.select(_CATALOG_KEPS, {"g": NamedNode(ids.GRAPH_CATALOG)})
    frame = pandas.DataFrame(rows, columns=["kep", "label", "number", "title", "sig", "stage", "milestone"])
    frame = frame.drop_duplicates()
    parts = [m.partition(":") if isinstance(m, str) else ("", "", "") for m in frame["milestone"]]
    frame["milestone_stage"] = [p[0].strip() or None for p in parts]
    frame["release"] = [p[2].strip() or None for p in parts]
    frame = frame.drop(columns=["milestone"])
    return frame.sort_values(["number", "label", "milestone_stage"], na_position="last", ignore_index=True)
