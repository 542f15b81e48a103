"""`kg query` as a standard SPARQL client: paging that says when it cut, standard result formats written by
pyoxigraph (read back by rdflib's parsers), stdin, -o, and clear refusals (#12 items 3 and 5, #17 item 10)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat, Store

from kg import query as q
from kg.errors import KgError
from kg.store import STORE_SUBDIR, GraphStore

from .conftest import REPO

EX = "https://example.org/"
# 150 KEPs (more than the keps query's default page of 100), plus terms of every kind for the formats.
KEPS = "".join(
    f'<{EX}kep{n}> a cnkg:KEP ; rdfs:label "KEP-{n}" ; dcterms:title "Title {n}" .\n'
    f"<{EX}total{n}> cnkg:tallyOf <{EX}kep{n}> ; cnkg:issueCount 1 .\n"
    for n in range(150)
)
DATA = f"""
@prefix cnkg: <https://w3id.org/cnkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/cnkg/id/graph/stats> {{
{KEPS}
}}
<urn:graph:terms> {{
  <{EX}thing> rdfs:label "云原生"@zh , "plain" ; <{EX}date> "2024-02-29"^^xsd:date ; <{EX}count> 42 ;
      <{EX}link> <{EX}other> .
}}
"""
TERMS = f"SELECT ?p ?o WHERE {{ <{EX}thing> ?p ?o }} ORDER BY STR(?p) STR(?o)"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("results")
    store = Store(str(root / STORE_SUBDIR))
    from kg.vocab import PREFIXES

    prefixes = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items())
    store.load((prefixes + DATA).encode("utf-8"), format=RdfFormat.TRIG)
    store.flush()
    del store
    return root


def kg(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, input=stdin, cwd=cwd, env=env
    )


# -------------------------------------------------------------------- paging (#12.3)


def test_limit_is_the_canned_querys_own_paging(store_dir: Path) -> None:
    result = kg("query", "keps", "--limit", "500", "--format", "csv", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 150  # header + every KEP, not the first 100
    assert "cut" not in result.stderr


def test_a_cut_result_says_so_and_how_to_get_the_rest(store_dir: Path) -> None:
    default = kg("query", "keps", "--format", "csv", "--store", str(store_dir))
    assert len(default.stdout.splitlines()) == 1 + 100
    assert "cut at 100 rows" in default.stderr and "--limit" in default.stderr and "--offset 100" in default.stderr
    rest = kg("query", "keps", "--offset", "100", "--format", "csv", "--store", str(store_dir))
    assert len(rest.stdout.splitlines()) == 1 + 50 and "cut" not in rest.stderr
    adhoc = kg(
        "query", "SELECT ?k WHERE { ?k a cnkg:KEP }", "--limit", "7", "--format", "tsv", "--store", str(store_dir)
    )
    assert len(adhoc.stdout.splitlines()) == 1 + 7 and "cut at 7 rows" in adhoc.stderr


def test_python_api_pages_the_same_way(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        first = q.run_page(graph, "keps")
        everything = q.run_page(graph, "keps", limit=1000)
        adhoc = q.run_page(graph, "SELECT ?k WHERE { ?k a cnkg:KEP }", limit=10, offset=145)
    assert len(first.rows) == 100 and first.truncated and "--offset 100" in (first.note() or "")
    assert len(everything.rows) == 150 and not everything.truncated and everything.note() is None
    assert len(adhoc.rows) == 5 and not adhoc.truncated


# -------------------------------------------------------------------- standard formats (#12.5)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparql_results_read_back_by_rdflib_with_terms_intact(store_dir: Path, fmt: str) -> None:
    result = kg("query", TERMS, "--format", fmt, "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    parsed = rdflib.query.Result.parse(io.BytesIO(result.stdout.encode("utf-8")), format=fmt)
    values = {str(row["p"]): row["o"] for row in parsed}
    assert rdflib.Literal("2024-02-29", datatype=rdflib.XSD.date) == values[f"{EX}date"]
    assert values[f"{EX}count"] == rdflib.Literal(42)
    assert values[f"{EX}link"] == rdflib.URIRef(f"{EX}other")
    labels = {row["o"] for row in parsed if str(row["p"]).endswith("#label")}
    assert labels == {rdflib.Literal("云原生", lang="zh"), rdflib.Literal("plain")}


def test_csv_tsv_and_ask(store_dir: Path) -> None:
    tsv = kg("query", TERMS, "--format", "tsv", "--store", str(store_dir))
    assert tsv.stdout.splitlines()[0] == "?p\t?o" and '"云原生"@zh' in tsv.stdout  # TSV keeps terms in full
    ask = kg("query", f"ASK {{ <{EX}thing> ?p ?o }}", "--format", "json", "--store", str(store_dir))
    assert rdflib.query.Result.parse(io.BytesIO(ask.stdout.encode()), format="json").askAnswer is True


def test_construct_prints_turtle_by_default(store_dir: Path) -> None:
    text = f"CONSTRUCT {{ <{EX}thing> ?p ?o }} WHERE {{ <{EX}thing> ?p ?o }}"
    result = kg("query", text, "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 5
    nquads = kg("query", text, "--format", "nquads", "--store", str(store_dir))
    assert len(rdflib.Dataset().parse(data=nquads.stdout, format="nquads")) == 5
    refused = kg("query", text, "--format", "csv", "--store", str(store_dir))
    assert refused.returncode != 0 and "turtle" in refused.stderr


def test_unknown_format_is_refused_before_running_with_the_valid_list(tmp_path: Path) -> None:
    # No store here: a format error must come first.
    result = kg("query", "keps", "--format", "yaml", "--store", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "yaml" in result.stderr and "json" in result.stderr and "turtle" in result.stderr
    assert "nowhere" not in result.stderr


def test_query_from_stdin_and_output_file(store_dir: Path, tmp_path: Path) -> None:
    piped = kg("query", "-", "--format", "csv", "--store", str(store_dir), stdin=TERMS)
    assert piped.returncode == 0, piped.stderr and "plain" in piped.stdout
    from_file = kg("query", "--file", "-", "--format", "csv", "--store", str(store_dir), stdin=TERMS)
    assert from_file.stdout == piped.stdout
    out = tmp_path / "rows.csv"
    written = kg("query", TERMS, "--format", "csv", "-o", str(out), "--store", str(store_dir))
    assert written.returncode == 0 and written.stdout == "" and out.read_text(encoding="utf-8") == piped.stdout
    dashed = kg("query", TERMS, "--format", "csv", "-o", "-", "--store", str(store_dir), cwd=tmp_path)
    assert dashed.stdout == piped.stdout and not (tmp_path / "-").exists()


def test_export_to_stdout_writes_no_file_named_dash(store_dir: Path, tmp_path: Path) -> None:
    result = kg("export", "--format", "nt", "-o", "-", "--store", str(store_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists()
    assert len(rdflib.Graph().parse(data=result.stdout, format="nt")) >= 300


def test_version_and_completion() -> None:
    from kg import __version__

    assert kg("--version").stdout.strip() == f"cnkg {__version__}"
    assert "--install-completion" in kg("--help").stdout


# -------------------------------------------------------------------- messages (#17.10)


@pytest.mark.parametrize("value", ["99999999999999999999999", "١٢", "１０"])
def test_limits_are_bounded_ascii_whole_numbers(value: str, store_dir: Path) -> None:
    with pytest.raises(KgError, match="whole number|at most"):
        q.resolve("keps", None, {"limit": value})
    result = kg("query", "keps", "--param", f"limit={value}", "--store", str(store_dir))
    assert result.returncode == 1 and "syntax error" not in result.stderr and "limit" in result.stderr
    flag = kg("query", "keps", "--limit", value, "--store", str(store_dir))
    assert flag.returncode == 1 and "syntax error" not in flag.stderr and "--limit" in flag.stderr


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "PREFIX x: <urn:x#>\n# note\nDELETE WHERE { ?s ?p ?o }", "CLEAR ALL"],
)
def test_an_update_is_refused_as_an_update(update: str, store_dir: Path) -> None:
    result = kg("query", update, "--store", str(store_dir))
    assert result.returncode == 1
    assert "updates are not allowed" in result.stderr and "syntax error" not in result.stderr
    with GraphStore.open(store_dir, read_only=True) as graph, pytest.raises(KgError, match="updates are not allowed"):
        q.run(graph, update)


def test_unknown_reader_hint_names_the_cli_option(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.ingest as ingest
    from kg.errors import InputError

    monkeypatch.setattr(ingest, "_SNIFFERS", [])  # the generic reader takes any text: make nothing fit
    with pytest.raises(InputError) as raised:
        ingest.sniff(Path("odd.txt"), "text")
    assert "--reader" in str(raised.value) and "fmt=" not in str(raised.value)


def test_viz_to_stdout_writes_no_file_named_dash(store_dir: Path, tmp_path: Path) -> None:
    result = kg("viz", "-o", "-", "--store", str(store_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists()
    assert result.stdout.lstrip().lower().startswith("<!doctype html")


def test_no_canned_query_hard_codes_its_page() -> None:
    # A LIMIT written into the file would cap --limit silently: paging goes through the limit/offset parameters.
    # The one LIMIT allowed is the default on the marked paging line, which kg query replaces (the file runs
    # as it is elsewhere).
    for name, canned in q.canned_queries().items():
        unmarked = "\n".join(line for line in canned.sparql.splitlines() if q.PAGING_SLOT not in line)
        assert not re.search(r"\b(LIMIT|OFFSET)\s+[0-9]", unmarked, re.IGNORECASE), name
        if any(p.type == "limit" for p in canned.params):
            assert q.PAGING_SLOT in canned.sparql, name


def test_limit_and_offset_page_a_ranking(store_dir: Path) -> None:
    prepared = q.prepare("most-mentioned-projects", None, {}, 500, 3, probe=False)
    assert prepared.sparql.rstrip().endswith("LIMIT 500 OFFSET 3")
