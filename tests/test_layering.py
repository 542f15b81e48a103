"""The layers: reading a built graph never loads the NLP stack, and lower stages never import higher ones."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "kg"
NLP_MODULES = ("spacy", "jieba", "thinc")

# module (or package) -> what it must never import, directly or lazily inside a function.
FORBIDDEN = {
    "kg.ingest": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.model": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.ids": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.vocab": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.text": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.terms": ("kg.store", "kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.rdf", "kg.extract"),
    "kg.store": ("kg.query", "kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.extract", "kg.nlp"),
    "kg.query": ("kg.build", "kg.cli", "kg.explorer", "kg.graphview", "kg.extract", "kg.nlp"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kg_imports(path: Path) -> set[str]:
    """Every kg module ``path`` imports, at the top or inside a function (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kg")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            if base.split(".")[0] == "kg":
                found.update(f"{base}.{a.name}" for a in node.names)
                found.add(base)
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_lower_stages_never_import_higher_ones() -> None:
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        for layer, forbidden in FORBIDDEN.items():
            if not under(name, layer):
                continue
            for imported in kg_imports(path):
                broken += [f"{name} imports {imported}" for f in forbidden if under(imported, f)]
    assert broken == []


def test_no_import_circle() -> None:
    """Module by module (a package counts as imported with any of its modules), lazy imports included."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}

    def edges(name: str) -> set[str]:
        out = set()
        for imported in kg_imports(modules[name]):
            parts = imported.split(".")
            for n in range(2, len(parts) + 1):  # importing kg.a.b runs kg.a first
                candidate = ".".join(parts[:n])
                if candidate in modules and candidate != name and not under(name, candidate):
                    out.add(candidate)
        return out

    graph = {name: edges(name) for name in modules}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert circles == []


READER = """
import json, sys
from pathlib import Path
import kg
from kg.cli import app
from kg.store import GraphStore
from kg.rdf import ontology_quads
from pyoxigraph import RdfFormat, serialize

build_dir = Path(sys.argv[1])
with GraphStore.open(build_dir, create=True) as graph:
    graph.load(serialize(ontology_quads(), format=RdfFormat.N_QUADS))
graph = kg.open_graph(str(build_dir))
graph.select("SELECT ?c WHERE { ?c a owl:Class } LIMIT 3")
graph.close()
store = ["--store", str(build_dir)]
for args in (["query", "most-mentioned-projects", *store], ["stats", *store], ["queries"]):
    try:
        app(args, standalone_mode=False)
    except SystemExit:
        pass
import kg.serve
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "jieba", "thinc"))))
"""


def test_reading_a_graph_never_loads_spacy_or_jieba(tmp_path: Path) -> None:
    """`kg query`, `kg stats`, `kg queries`, the serve module and the Python API, in a fresh interpreter."""
    if not (REPO / "ontology" / "queries" / "most-mentioned-projects.rq").exists():
        pytest.skip("no most-mentioned-projects query")
    done = subprocess.run(
        [sys.executable, "-c", READER, str(tmp_path / "build")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


DEFAULT_BUILD = """
import json, sys
from kg.build import build

summary = build([sys.argv[1]], sys.argv[2], workers=2, write_html=False)
assert summary.ok, summary.errors
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))))
"""


def test_a_build_without_executor_never_imports_dask(tmp_path: Path) -> None:
    """`--workers N` must keep working where the cluster extra is not installed."""
    corpus = REPO / "corpus"
    run = subprocess.run(
        [sys.executable, "-c", DEFAULT_BUILD, str(corpus), str(tmp_path / "build")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []
