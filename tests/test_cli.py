"""`kg extract`, `kg eval`, `kg validate`, `kg export` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, SEED
from .test_build import kg

GOLD = REPO / "corpus" / "gold" / "cloud-native-weekly-vol-17.yaml"


def test_extract_prints_the_format_md_json() -> None:
    result = kg("extract", str(SEED), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"issue", "entities", "relations"}
    assert data["issue"]["id"] == "https://w3id.org/cnkg/id/issue/cloud-native-weekly/17"
    assert data["issue"]["label"].startswith("云原生生态周报 Vol. 17")
    text = SEED.read_text(encoding="utf-8")
    ids = {data["issue"]["id"]}
    for entity in data["entities"]:
        assert set(entity) == {"id", "type", "label", "aliases", "mentions"}
        ids.add(entity["id"])
        for mention in entity["mentions"]:
            assert 0 <= mention["start"] < mention["end"] <= len(text)
    for relation in data["relations"]:
        assert relation["subject"] in ids and relation["object"] in ids, relation
        evidence = relation["evidence"]
        assert 0 <= evidence["start"] < evidence["end"] <= len(text)
    assert len({e["id"] for e in data["entities"]}) == len(data["entities"]), "one node per real thing"


def test_extract_errors_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = kg("extract", str(empty))
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "empty.txt" in result.stderr
    missing = kg("extract", str(tmp_path / "nope.md"))
    assert missing.returncode != 0 and "nope.md" in missing.stderr


def test_eval_prints_scores_per_type_and_overall() -> None:
    result = kg("eval", str(GOLD), "--verbose")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for word in ("Project", "Release", "Person", "authored_by", "F1"):
        assert word in out, word


def test_eval_bad_gold_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("issue: x\nentities:\n  Project: [a\n", encoding="utf-8")
    result = kg("eval", str(bad))
    assert result.returncode != 0 and "bad.yaml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    result = kg("build", str(corpus), "--out", str(root / "build"))
    assert result.returncode == 0, result.stderr
    assert (root / "build" / "graph.trig").stat().st_size > 0
    page = (root / "build" / "graph.html").read_text(encoding="utf-8")
    assert 'id="kg-search"' in page and 'id="kg-panel"' in page  # the overview is the explorer
    return root / "build"


def test_validate_command(built: Path) -> None:
    result = kg("validate", "--store", str(built))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv"])
def test_export_formats(built: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = kg("export", "--format", fmt, "-o", str(out), "--store", str(built))
    assert result.returncode == 0, result.stderr
    data = out.read_text(encoding="utf-8")
    assert "Cilium" in data or "cilium" in data
    if fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
        import rdflib

        parse_as = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt]
        graph = rdflib.Dataset() if fmt in ("nq", "trig", "jsonld") else rdflib.Graph()
        graph.parse(data=data, format=parse_as)
        assert len(list(graph.quads((None, None, None, None)) if fmt in ("nq", "trig", "jsonld") else graph)) > 1000


def test_unknown_export_format(built: Path) -> None:
    result = kg("export", "--format", "xls", "--store", str(built))
    assert result.returncode != 0 and "xls" in result.stderr
