"""Canned queries, parameter binding and the `kg query` / `kg queries` / `kg stats` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg import query as q
from kg.build import build
from kg.errors import KgError
from kg.store import GraphStore

from .conftest import SEED
from .test_build import kg


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    summary = build([corpus], root / "build", write_html=False)
    assert summary.ok
    return root / "build"


def test_at_least_eight_documented_canned_queries() -> None:
    queries = q.canned_queries()
    assert len(queries) >= 8
    for name, canned in queries.items():
        assert canned.title and canned.title != name, name
        assert len(canned.description) > 20, name
        for param in canned.params:
            if param.type in ("limit", "offset"):  # paging: becomes LIMIT/OFFSET, not a variable
                assert param.default is not None and param.default.isdigit(), (name, param.name)
            else:
                assert f"?{param.name}" in canned.sparql, (name, param.name)


def test_every_canned_query_runs(store_dir: Path) -> None:
    samples = {
        "name": "Kubernetes",
        "personName": "墨封",
        "number": "17",
        "series": "cloud-native-weekly",
        "issue": "17",
    }
    with GraphStore.open(store_dir, read_only=True) as graph:
        for name, canned in q.canned_queries().items():
            given = {p.name: samples[p.name] for p in canned.params if p.name in samples and not p.optional}
            _, params = q.resolve(name, None, given)
            columns, _rows = q.run(graph, canned.sparql, params)
            assert columns, name


def test_most_mentioned_projects_ranks_by_mentions(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        sparql, params = q.resolve("most-mentioned-projects", None, {})
        columns, rows = q.run(graph, sparql, params)
    table = [dict(zip(columns, row, strict=True)) for row in rows]
    assert table, "no projects"
    counts = [row["mentions"] for row in table]
    assert counts == sorted(counts, reverse=True)
    assert table[0]["label"] == "Kubernetes"  # K8s + Kubernetes are one node, mentioned most in the seed


def test_series_and_year_parameters_filter(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:

        def rows(**params: str) -> list[list[object]]:
            sparql, bound = q.resolve("most-mentioned-projects", None, params)
            return q.run(graph, sparql, bound)[1]

        assert rows(series="cloud-native-weekly") == rows()
        assert rows(series="lwkd") == []
        assert rows(year="2019") == rows()
        assert rows(year="2018") == []


def test_project_mentions_gives_section_and_sentence(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        sparql, params = q.resolve("project-mentions", None, {"name": "cilium"})
        columns, rows = q.run(graph, sparql, params)
    table = [dict(zip(columns, row, strict=True)) for row in rows]
    assert len(table) >= 3
    assert {row["section"] for row in table} == {"业界要闻"}
    assert all(row["anchor"].lower() in row["sentence"].lower() for row in table)


def test_parameters_are_bound_not_pasted(store_dir: Path) -> None:
    hostile = 'x") } } SELECT * WHERE { ?s ?p ?o } #'
    with GraphStore.open(store_dir, read_only=True) as graph:
        sparql, params = q.resolve("project-mentions", None, {"name": hostile})
        assert hostile not in sparql
        _, rows = q.run(graph, sparql, params)
    assert rows == []


def test_paging_parameters_are_whole_numbers_put_in_the_query_text() -> None:
    sparql, params = q.resolve("keps", None, {"limit": "7", "offset": "14"})
    # The file's own default paging line (so that it runs as it is elsewhere) is replaced, not added to.
    assert sparql.rstrip().endswith("LIMIT 7 OFFSET 14") and "LIMIT 100" not in sparql and "limit" not in params
    # A query that pages in a sub-select marks the place.
    sparql, params = q.resolve("issues", None, {"limit": "7", "offset": "14"})
    assert "LIMIT 7 OFFSET 14" in sparql and q.PAGING_SLOT not in sparql and "limit" not in params
    for bad in ("-1", "3; DROP ALL", "ten", "1.5"):
        with pytest.raises(KgError, match="whole number"):
            q.resolve("issues", None, {"limit": bad})


def test_bad_parameters_are_clear_errors() -> None:
    with pytest.raises(KgError, match="missing parameter name"):
        q.resolve("project-mentions", None, {})
    with pytest.raises(KgError, match="unknown parameter"):
        q.resolve("project-mentions", None, {"name": "x", "colour": "red"})
    with pytest.raises(KgError, match="must be an integer"):
        q.resolve("most-mentioned-projects", None, {"year": "last"})
    with pytest.raises(KgError, match="no canned query named"):
        q.resolve("no-such-query", None, {})


def test_cli_query_formats(store_dir: Path) -> None:
    result = kg("query", "most-mentioned-projects", "--format", "json", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]  # SPARQL 1.1 JSON results
    assert rows[0]["label"]["value"] == "Kubernetes"
    csv_out = kg("query", "SELECT ?n WHERE { ?i schema:issueNumber ?n }", "--format", "csv", "--store", str(store_dir))
    assert csv_out.stdout.splitlines() == ["n", "17"]
    table = kg("query", "issue-authors", "--store", str(store_dir))
    assert "墨封" in table.stdout and "木环" in table.stdout


def test_cli_errors_are_one_line(tmp_path: Path, store_dir: Path) -> None:
    missing = kg("query", "issues", "--store", str(tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert missing.stderr.strip().count("\n") == 0 and "nowhere" in missing.stderr
    syntax = kg("query", "SELECT WHERE {", "--store", str(store_dir))
    assert syntax.returncode != 0 and "SPARQL syntax error" in syntax.stderr
    assert "Traceback" not in syntax.stderr


def test_cli_queries_and_stats(store_dir: Path) -> None:
    listing = kg("queries")
    assert listing.returncode == 0
    assert "most-mentioned-projects" in listing.stdout and "--param name" in listing.stdout
    stats = kg("stats", "--store", str(store_dir))
    assert stats.returncode == 0, stats.stderr
    assert "Project" in stats.stdout and "Kubernetes" in stats.stdout and "云原生生态周报" in stats.stdout


def test_python_api_returns_dataframes(store_dir: Path) -> None:
    import kg as library

    graph = library.open_graph(str(store_dir))
    frame = graph.query_df("SELECT ?n WHERE { ?i schema:issueNumber ?n }")
    assert list(frame["n"]) == ["17"]
    dataset = graph.to_rdflib()
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == graph.count()
    graph.close()
