"""`kg build` end to end on real files into a real Oxigraph store on disk."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import ids
from kg.build import build
from kg.store import GraphStore

from .conftest import REPO, SEED

SEED_ISSUE = ids.issue_iri("cloud-native-weekly", "17")


def kg(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed-build")
    corpus = out / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    summary = build([corpus], out / "build", write_html=False)
    assert summary.ok, summary.errors
    return out / "build"


def test_seed_metadata(seed_build: Path) -> None:
    with GraphStore.open(seed_build, read_only=True) as graph:
        rows = graph.select(
            """SELECT ?number ?title ?date ?inferred ?series WHERE {
                 ?i a cnkg:Issue ; schema:issueNumber ?number ; dcterms:title ?title ; schema:isPartOf ?n .
                 ?n rdfs:label ?series .
                 OPTIONAL { ?i schema:datePublished ?date } OPTIONAL { ?i cnkg:dateInferred ?inferred } }"""
        )
        assert rows == [
            {
                "number": "17",
                "title": "云原生生态周报 Vol. 17 | Helm 3 发布首个 beta 版本",
                "date": "2019-08-20",
                "inferred": True,
                "series": "云原生生态周报",
            }
        ]

        def names(predicate: str) -> set[str]:
            sparql = f"SELECT ?name WHERE {{ ?i cnkg:{predicate} ?p . ?p rdfs:label ?name }}"
            return {r["name"] for r in graph.select(sparql)}

        assert names("authoredBy") == {"墨封", "衷源", "元毅", "有济", "心水"}
        assert names("editedBy") == {"木环"}
        publishers = names("publishedBy")
        assert any("阿里巴巴" in n or "Alibaba" in n for n in publishers), publishers
        assert any("蚂蚁" in n or "Ant" in n for n in publishers), publishers
        assert len(graph.select("SELECT DISTINCT ?o WHERE { ?i cnkg:publishedBy ?o }")) == 2


def test_mentions_have_offsets_into_the_source(seed_build: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    with GraphStore.open(seed_build, read_only=True) as graph:
        rows = graph.select(
            "SELECT ?b ?e ?a WHERE { ?m a cnkg:Mention ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a }"
        )
    assert len(rows) > 30
    for row in rows:
        assert text[row["b"] : row["e"]] == row["a"]


def test_named_graphs(seed_build: Path) -> None:
    with GraphStore.open(seed_build, read_only=True) as graph:
        graphs = graph.named_graphs()
    assert ids.issue_graph(SEED_ISSUE) in graphs
    assert ids.GRAPH_CATALOG in graphs
    assert ids.GRAPH_ONTOLOGY in graphs


def test_shacl_validation_passes(seed_build: Path) -> None:
    from kg.validate import validate_store

    conforms, report = validate_store(seed_build)
    assert conforms, report


def test_shacl_validation_catches_a_broken_mention(tmp_path: Path, seed_build: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(seed_build, broken)
    with GraphStore.open(broken) as graph:
        graph.update("INSERT DATA { GRAPH <urn:x> { <urn:m> a <https://w3id.org/cnkg/ontology#Mention> } }")
    from kg.validate import validate_store

    conforms, report = validate_store(broken)
    assert not conforms
    assert "urn:m" in report


def test_building_twice_gives_identical_canonical_nquads(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    first = build([corpus], tmp_path / "a", write_html=False)
    second = build([corpus], tmp_path / "b", write_html=False)
    assert first.ok and second.ok
    with GraphStore.open(tmp_path / "a", read_only=True) as a, GraphStore.open(tmp_path / "b", read_only=True) as b:
        assert a.canonical_nquads() == b.canonical_nquads()
    assert (tmp_path / "a" / "graph.trig").read_bytes() == (tmp_path / "b" / "graph.trig").read_bytes()


def test_chunks_made_by_the_workers_equal_chunks_made_from_the_store(tmp_path: Path, lwkd_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    for f in sorted(lwkd_dir.glob("*.md"))[:5]:
        shutil.copy(f, corpus / f.name)
    out = tmp_path / "build"
    assert build([corpus], out, workers=2, write_html=False).ok
    from_workers = (out / "graph.trig").read_bytes()
    with GraphStore.open(out, read_only=True) as graph:
        graph.export_trig_cached(tmp_path / "from-store.trig", tmp_path / "empty-cache")
    assert (tmp_path / "from-store.trig").read_bytes() == from_workers
    assert len(list((out / ".exports").glob("*.trig"))) == 6 + 2  # issues, catalog, ontology


def test_totals_summed_by_a_fresh_build_equal_the_sparql_refresh(tmp_path: Path, lwkd_dir: Path) -> None:
    from kg import aggregates

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    for f in sorted(lwkd_dir.glob("*.md"))[100:108]:
        shutil.copy(f, corpus / f.name)
    out = tmp_path / "build"
    assert build([corpus], out, workers=2, write_html=False).ok
    with GraphStore.open(out) as graph:
        summed = graph.canonical_nquads()
        stamp = aggregates.current_stamp(graph)
        assert stamp and f"<{ids.GRAPH_STATS}>" in summed
        assert bool(graph.query(f"ASK {{ GRAPH <{ids.GRAPH_STATS}> {{ ?t a cnkg:CoMentionTotal }} }}"))
        aggregates.refresh(graph, stamp)
        assert graph.canonical_nquads() == summed
        assert aggregates.current_stamp(graph) == stamp


def test_issue_graph_without_bookkeeping_is_dropped_and_rebuilt(tmp_path: Path) -> None:
    """What a build killed during a bulk load leaves: graphs (or parts) whose entry was never written."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    out = tmp_path / "build"
    assert build([corpus], out, write_html=False).ok
    stray = ids.GRAPH_ISSUE_PREFIX + "lwkd/2000-01-01"
    seed_graph = ids.issue_graph(SEED_ISSUE)
    with GraphStore.open(out) as graph:
        graph.update(
            f"DELETE WHERE {{ GRAPH <{ids.GRAPH_BUILD}> {{ ?r cnkg:builds <{seed_graph}> ; ?p ?o }} }} ;"
            f"DELETE WHERE {{ GRAPH <{seed_graph}> {{ ?s cnkg:inSection ?o }} }} ;"
            f"INSERT DATA {{ GRAPH <{stray}> {{ <{stray}> rdfs:label 'half loaded' }} }}"
        )
    again = build([corpus], out, write_html=False)
    assert again.ok and len(again.built) == 1
    fresh = tmp_path / "fresh"
    build([corpus], fresh, write_html=False)
    with GraphStore.open(out, read_only=True) as a, GraphStore.open(fresh, read_only=True) as b:
        assert stray not in a.named_graphs()
        assert a.canonical_nquads() == b.canonical_nquads()


def test_incremental_skip_change_and_delete(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    other = corpus / "cloud-native-weekly-vol-18.txt"
    other.write_text(SEED.read_text(encoding="utf-8").replace("Vol. 17", "Vol. 18"), encoding="utf-8")
    out = tmp_path / "build"

    first = build([corpus], out, write_html=False)
    assert len(first.built) == 2 and first.ok
    with GraphStore.open(out, read_only=True) as graph:
        before = graph.canonical_nquads()
        assert first.triples == graph.count()  # kept per graph, not counted again

    again = build([corpus], out, write_html=False)
    assert again.built == [] and again.skipped == 2 and not again.exports_written
    with GraphStore.open(out, read_only=True) as graph:
        assert graph.canonical_nquads() == before

    other.write_text(other.read_text(encoding="utf-8").replace("cilium 1.6", "cilium 1.7"), encoding="utf-8")
    changed = build([corpus], out, write_html=False)
    assert [Path(p).name for p in changed.built] == [other.name] and changed.skipped == 1
    with GraphStore.open(out, read_only=True) as graph:
        assert changed.triples == graph.count()
        labels = {r["l"] for r in graph.select("SELECT ?l WHERE { ?r a cnkg:Release ; rdfs:label ?l }")}
    assert "Cilium 1.7" in labels

    other.unlink()
    removed = build([corpus], out, write_html=False)
    assert [Path(p).name for p in removed.removed] == [other.name]
    with GraphStore.open(out, read_only=True) as graph:
        assert removed.triples == graph.count()
        issues = graph.select("SELECT ?n WHERE { ?i a cnkg:Issue ; schema:issueNumber ?n }")
        assert issues == [{"n": "17"}]
    fresh = tmp_path / "fresh"
    build([corpus], fresh, write_html=False)
    with GraphStore.open(out, read_only=True) as a, GraphStore.open(fresh, read_only=True) as b:
        assert a.canonical_nquads() == b.canonical_nquads()


BAD_FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "binary.txt": b"\x00\x01\x02PNG\x00\xff\xfe" * 20,
    "front-matter.md": b"---\ntitle: [unclosed\ndate: 2020-01-01\n---\n\n## Developer News\n\nhello\n",
    "toml.md": b"+++\ntitle = [unclosed\n+++\n\n## News\n",
}


def test_bad_input_gives_one_line_per_file_and_keeps_the_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    out = tmp_path / "build"
    good = kg("build", str(corpus), "--out", str(out), "--no-html")
    assert good.returncode == 0, good.stderr
    with GraphStore.open(out, read_only=True) as graph:
        before = graph.canonical_nquads()

    bad = tmp_path / "bad"
    bad.mkdir()
    for name, data in BAD_FILES.items():
        (bad / name).write_bytes(data)
    result = kg("build", str(corpus), str(bad), str(tmp_path / "missing-dir"), "--out", str(out), "--no-html")
    assert result.returncode != 0
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    for name in BAD_FILES:
        matching = [line for line in error_lines if name in line]
        assert len(matching) == 1, (name, result.stderr)
    assert any("missing-dir" in line for line in error_lines)
    assert not any("Traceback" in line for line in error_lines)
    with GraphStore.open(out, read_only=True) as graph:
        assert graph.canonical_nquads() == before


def test_gbk_encoded_issue_is_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "gbk.txt").write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    summary = build([corpus], tmp_path / "build", write_html=False)
    assert summary.ok, summary.errors
    with GraphStore.open(tmp_path / "build", read_only=True) as graph:
        names = {r["n"] for r in graph.select("SELECT ?n WHERE { ?i cnkg:editedBy ?p . ?p rdfs:label ?n }")}
    assert names == {"木环"}


ISSUE_COPIES = 150


def test_killed_build_leaves_a_consistent_store_that_the_next_build_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = SEED.read_text(encoding="utf-8")
    # 150 copies in batches of 50: the writer's first batch is stored well before the last issue is
    # extracted, so the kill lands between batches with issues on both sides.
    for n in range(100, 100 + ISSUE_COPIES):
        (corpus / f"cnw-{n}.txt").write_text(text.replace("Vol. 17", f"Vol. {n}"), encoding="utf-8")
    out = tmp_path / "build"
    env = dict(os.environ, PYTHONPATH=str(REPO), CNKG_BATCH_ISSUES="50")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "--no-html"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill it once the first batch is stored (its export chunks are written right after; a glob is cheap
    # enough to poll, where opening the store each time slowed the build it watched).
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None and not any(out.glob(".exports/*.trig")):
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < _issues_in(out), "the build wrote nothing before it was killed"

    # Issues with a bookkeeping entry are complete; a graph the kill cut off mid bulk load has none
    # and is extracted again.
    with GraphStore.open(out, read_only=True) as graph:
        partial = len(graph.sources()) - 2  # minus the catalog and ontology entries
    assert partial < ISSUE_COPIES
    resumed = build([corpus], out, write_html=False)
    assert resumed.ok and resumed.skipped == partial and len(resumed.built) == ISSUE_COPIES - partial
    fresh = tmp_path / "fresh"
    build([corpus], fresh, write_html=False)
    with GraphStore.open(out, read_only=True) as a, GraphStore.open(fresh, read_only=True) as b:
        assert a.canonical_nquads() == b.canonical_nquads()


def _issues_in(out: Path) -> int:
    if not (out / "store").is_dir():
        return 0
    try:
        with GraphStore.open(out, read_only=True) as graph:
            return len(graph.select("SELECT ?i WHERE { ?i a cnkg:Issue }"))
    except Exception:  # noqa: BLE001 - the writer may still be creating the store
        return 0


def test_lwkd_builds_with_two_workers(tmp_path: Path, lwkd_dir: Path) -> None:
    files = sorted(lwkd_dir.glob("*.md"))[:40]
    corpus = tmp_path / "lwkd"
    corpus.mkdir()
    for f in files:
        shutil.copy(f, corpus / f.name)
    summary = build([corpus], tmp_path / "build", workers=2, write_html=False)
    assert summary.ok, summary.errors[:3]
    assert summary.issues_in_store == len(files)
    one = build([corpus], tmp_path / "one", workers=1, write_html=False)
    two_workers = GraphStore.open(tmp_path / "build", read_only=True)
    one_worker = GraphStore.open(tmp_path / "one", read_only=True)
    assert two_workers.canonical_nquads() == one_worker.canonical_nquads()
    assert one.ok


def test_new_catalog_rebuilds_everything_like_a_fresh_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.catalog

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    other = tmp_path / "other"
    other.mkdir()
    (other / "vol-18.txt").write_text(SEED.read_text(encoding="utf-8").replace("Vol. 17", "Vol. 18"), encoding="utf-8")
    full_catalog = kg.catalog.default_dirs
    empty = tmp_path / "empty-catalog"
    empty.mkdir()
    out = tmp_path / "build"

    # First with no catalog (projects are discovered, named as written), then with the real one.  The catalog's
    # folders are what changes: the build reads its digest from the files and parses it only to extract.
    monkeypatch.setattr(kg.catalog, "default_dirs", lambda: [empty])
    assert build([corpus, other], out, write_html=False).ok
    monkeypatch.setattr(kg.catalog, "default_dirs", full_catalog)
    again = build([corpus], out, write_html=False)  # PATHS leave out vol-18: it is re-extracted all the same
    assert again.ok and len(again.built) == 2

    fresh = tmp_path / "fresh"
    assert build([corpus, other], fresh, write_html=False).ok
    with GraphStore.open(out, read_only=True) as a, GraphStore.open(fresh, read_only=True) as b:
        assert a.canonical_nquads() == b.canonical_nquads()
