"""Dependencies declared honestly: every third-party module the package imports is declared in pyproject.toml
(notebook-only tools in the [notebooks] extra, Dask in the [cluster] extra), and the package metadata is clean."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Modules only kg/notebook.py imports (helpers for the notebooks), declared in the [notebooks] extra.
NOTEBOOK_MODULES = {"kg/notebook.py"}
# The one module that imports Dask (`kg build --executor`), declared in the [cluster] extra.
CLUSTER_MODULES = {"kg/cluster.py"}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_imported_distribution_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    notebooks = core | {_requirement_name(r) for r in project["optional-dependencies"]["notebooks"]}
    cluster = core | {_requirement_name(r) for r in project["optional-dependencies"]["cluster"]}
    distributions = packages_distributions()
    missing = []
    for path in sorted((REPO / "kg").rglob("*.py")):
        relative = str(path.relative_to(REPO))
        declared = notebooks if relative in NOTEBOOK_MODULES else cluster if relative in CLUSTER_MODULES else core
        for module in sorted(_imports(path)):
            if module == "kg" or module in sys.stdlib_module_names:
                continue
            names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
            if not names & declared:
                missing.append(f"{path.relative_to(REPO)}: {module} ({', '.join(sorted(names))})")
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_notebook_tools_are_an_extra_not_a_dependency() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    assert "matplotlib" not in core
    assert {"matplotlib", "ipython"} <= {_requirement_name(r) for r in project["optional-dependencies"]["notebooks"]}
    assert "scipy" in core  # networkx's PageRank needs it; there is no hand-written fallback any more


def test_dask_is_an_extra_that_the_test_tools_install() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert not any(_requirement_name(r) in ("dask", "distributed") for r in project["dependencies"])
    assert [r for r in extras["cluster"] if r.startswith("dask[distributed]")]
    assert any("cluster" in r for r in extras["dev"] if r.startswith("cnkg["))  # CI's `make test` installs it


def test_licence_metadata_is_an_spdx_expression() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # A licence table is deprecated (setuptools warns on every build); an SPDX string plus the file is not.
    assert project["license"] == "Apache-2.0"
    assert all((REPO / f).is_file() for f in project["license-files"])
