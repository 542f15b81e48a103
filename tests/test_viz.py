"""load_view (kg.graphview) and the build overview (kg.explorer.overview) on a hand-made store in the shape `kg build`
writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest

from kg import graphview, page_kit
from kg.errors import KgError
from kg.explorer import overview
from kg.graphview import load_view
from kg.store import GraphStore
from tests.tallies import add_tallies

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "small.trig"
K8S = "https://w3id.org/cnkg/id/project/kubernetes"
HELM = "https://w3id.org/cnkg/id/project/helm"
EVIL = "https://w3id.org/cnkg/id/project/evil"
CNCF = "https://w3id.org/cnkg/id/organization/cncf"
V116 = "https://w3id.org/cnkg/id/release/kubernetes/v1.16"


def in_memory(oxi: pyoxigraph.Store) -> GraphStore:
    """A GraphStore over an in-memory Oxigraph store (the views read any GraphStore)."""
    return GraphStore(Path(), oxi, True)


@pytest.fixture(scope="module")
def graph() -> GraphStore:
    s = pyoxigraph.Store()
    s.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    add_tallies(s)  # what `kg build` materialises; the views rank with it
    return in_memory(s)


def test_nodes_carry_labels_type_mentions_and_first_last_issue(graph: GraphStore) -> None:
    view = load_view(graph)
    k8s = view.nodes[K8S]
    assert k8s["label"] == "Kubernetes"
    assert k8s["labels"] == {"en": "Kubernetes", "zh": "库伯内特斯"}
    assert k8s["alt_labels"] == ["k8s"]
    assert k8s["type"] == "Project"
    assert k8s["mentions"] == 4 and k8s["issues"] == 3
    assert k8s["first_issue"]["date"] == "2019-08-20"
    assert k8s["first_issue"]["iri"].endswith("/issue/cloud-native-weekly/17")
    assert k8s["last_issue"]["date"] == "2020-01-05"
    assert [s["date"] for s in k8s["sources"]] == ["2020-01-05", "2019-08-27", "2019-08-20"]  # newest first
    assert any("Cilium" in t for t in k8s["evidence"])
    assert k8s["homepage"] == "https://kubernetes.io"
    assert view.nodes[EVIL]["discovered"] is True and k8s["discovered"] is False


def test_edges_carry_predicate_and_min_mentions_drops_catalog_only(graph: GraphStore) -> None:
    view = load_view(graph)
    assert view.has_edge(K8S, V116, key="hasRelease")
    assert view.edges[K8S, V116, "hasRelease"]["predicate"] == "hasRelease"
    assert CNCF not in view  # catalog-only: 0 mentions
    everything = load_view(graph, min_mentions=0)
    assert CNCF in everything and everything.has_edge(HELM, CNCF, key="partOf")
    assert set(load_view(graph, min_mentions=2)) == {K8S, HELM}


def test_focus_matches_labels_case_insensitively_and_depth_bounds_it(graph: GraphStore) -> None:
    near = load_view(graph, focus="K8S", depth=1)
    assert near.nodes[K8S]["focus"] is True
    assert set(near) == {
        K8S,
        V116,
        EVIL,
        "https://w3id.org/cnkg/id/project/cilium",
        "https://w3id.org/cnkg/id/project/istio",
    }
    assert set(load_view(graph, focus="库伯内特斯", depth=0)) == {K8S}
    # CNCF has no mentions but is named explicitly: the focus survives the filters.
    assert set(load_view(graph, focus="cncf", depth=0)) == {CNCF}
    hop2 = load_view(graph, focus="CNCF", depth=2, min_mentions=0)
    assert {HELM, "https://w3id.org/cnkg/id/project/linkerd"} <= set(hop2)


def test_unknown_focus_and_bad_filters_are_one_line_errors(graph: GraphStore) -> None:
    with pytest.raises(KgError, match=r"no entity named 'Nomad' in the graph"):
        load_view(graph, focus="Nomad")
    with pytest.raises(KgError, match="unknown entity type 'Gadget'"):
        load_view(graph, types=["Project", "Gadget"])
    with pytest.raises(KgError, match="not a date"):
        load_view(graph, since="20/01/2020")
    with pytest.raises(KgError, match="no newsletter series 'weekly-news'"):
        load_view(graph, series="weekly-news")


def test_a_store_without_mention_counts_is_a_one_line_error() -> None:
    untallied = pyoxigraph.Store()
    untallied.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    with pytest.raises(KgError, match=r"no mention counts .*run `kg build` again"):
        load_view(in_memory(untallied))
    assert load_view(in_memory(pyoxigraph.Store())).number_of_nodes() == 0  # an empty store is just empty


def test_types_series_and_date_window_filter_the_view(graph: GraphStore) -> None:
    assert set(load_view(graph, types=["release"])) == {V116}
    assert set(load_view(graph, types=["Project,Release"])) >= {K8S, V116}
    lwkd = load_view(graph, series="lwkd")
    assert set(lwkd) == {K8S, HELM, EVIL}
    assert lwkd.nodes[K8S]["mentions"] == 1  # only the LWKD mention counts
    august = load_view(graph, since="2019-08-21", until="2019-08")
    assert august.nodes[K8S]["mentions"] == 1 and "https://w3id.org/cnkg/id/project/istio" in august
    assert HELM not in august
    assert set(load_view(graph, until="2019")) == set(load_view(graph, series="cloud-native-weekly"))


def test_limit_keeps_most_mentioned(graph: GraphStore) -> None:
    assert list(load_view(graph, limit=2)) == [K8S, HELM]


def test_comention_edges_count_shared_sentences(graph: GraphStore) -> None:
    view = load_view(graph, comention=2)
    co = [(u, v, d["weight"]) for u, v, k, d in view.edges(keys=True, data=True) if k == graphview.COMENTION]
    assert co == [(HELM, K8S, 2)]


def test_json_for_script_cannot_close_the_script_element() -> None:
    text = page_kit.json_for_script({"a": "</script><!-- <script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- <script>alert(1)</script> & \u2028"}


def page_data(out: Path) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', out.read_text(encoding="utf-8"))
    assert match
    return json.loads(match.group(1))


def test_overview_is_self_contained_and_hostile_text_stays_data(graph: GraphStore, tmp_path: Path) -> None:
    out = overview(graph, tmp_path / "v.html", title='Title <img src=x onerror=alert(1)> "q"')
    page = out.read_text(encoding="utf-8")
    # No external resource: no src=, no <link>, no CDN host.
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert "<link" not in page.lower() and not re.search(r"cdnjs|jsdelivr|unpkg|bootstrap", page, re.I)
    assert "alert(1)" in page  # the hostile label is there ...
    assert "<script>alert" not in page and "<img src=x" not in page  # ... but never as markup
    assert "Title &lt;img src=x onerror=alert(1)&gt; &#34;q&#34;" in page
    js, _css = page_kit.vis_assets()
    assert page.replace(js, "").count("<script") == 3  # vis, the JSON data, our code
    assert "connect-src &#39;none&#39;" in page  # an offline page fetches nothing


def test_overview_is_bounded(graph: GraphStore, tmp_path: Path) -> None:
    data = page_data(overview(graph, tmp_path / "graph.html", budget=3, cap=4))
    assert sum(e["drawn"] for e in data["entities"]) == 3 and len(data["entities"]) == 4
    totals = [sum(e["mentions"][1::2]) for e in data["entities"]]
    assert totals == sorted(totals, reverse=True) and data["entities"][0]["iri"] == K8S


# --------------------------------------------------------------------------- the bounded reads against a full scan

CNKG = "https://w3id.org/cnkg/ontology#"
ID = "https://w3id.org/cnkg/id/"
TYPES = ["Project", "Project", "Technology", "Release", "Feature"]


def generated_store(issues: int = 260, entities: int = 40, seed: int = 3) -> pyoxigraph.Store:
    """A store in the shape `kg build` writes, with what makes the bounded reads work hard: several issues a
    day (ties on the date), undated issues, two series, equal mention counts, entities quoted by one or two
    sentences in hundreds of issues, and entities only old issues mention."""
    import datetime
    import random
    import zlib

    from pyoxigraph import Literal, NamedNode, Quad

    rng = random.Random(seed)
    n = NamedNode
    a, label = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n("http://www.w3.org/2000/01/rdf-schema#label")
    schema, nif = "https://schema.org/", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    xsd_date = n("http://www.w3.org/2001/XMLSchema#date")
    xsd_integer = n("http://www.w3.org/2001/XMLSchema#integer")
    catalog = n(ID + "graph/catalog")
    quads = []
    ents = [n(f"{ID}{TYPES[j % 5].lower()}/e{j}") for j in range(entities)]
    for j, e in enumerate(ents):
        quads += [Quad(e, a, n(CNKG + TYPES[j % 5]), catalog), Quad(e, label, Literal(f"Ent {j % 30}"), catalog)]
    for j in range(0, entities - 3, 3):
        quads.append(Quad(ents[j], n(CNKG + "uses"), ents[j + 3], catalog))
    for series in ("alpha", "beta"):
        quads.append(Quad(n(f"{ID}newsletter/{series}"), a, n(CNKG + "Newsletter"), catalog))
        quads.append(Quad(n(f"{ID}newsletter/{series}"), label, Literal(series.title()), catalog))
    start = datetime.date(2020, 1, 1)
    for k in range(issues):
        series = "alpha" if k % 3 else "beta"
        day = (start + datetime.timedelta(days=k // 3)).isoformat()
        number = str(k) if series == "alpha" else day
        issue = n(f"{ID}issue/{series}/{number}-{k}")
        g = n(f"{ID}graph/issue/{series}/{number}-{k}")
        quads += [
            Quad(issue, a, n(CNKG + "Issue"), g),
            Quad(issue, label, Literal(f"{series} {number}"), g),
            Quad(issue, n(schema + "issueNumber"), Literal(number), g),
            Quad(issue, n(schema + "isPartOf"), n(f"{ID}newsletter/{series}"), g),
        ]
        if k % 29 != 5:  # a few undated issues
            quads.append(Quad(issue, n(schema + "datePublished"), Literal(day, datatype=xsd_date), g))
        # Entity j is mentioned with weight ~ 1/(j+1); the last few only in the oldest issues.
        chosen = {j for j in range(entities) if rng.random() < 1.5 / (1 + j % 12) and (j < entities - 4 or k < 40)}
        sentences = [f"{k}: a sentence about {rng.randrange(6)} things." for _ in range(3)]
        spans: dict[NamedNode, str] = {}  # evidence node -> its text, a span of the issue's context
        for j in sorted(chosen):
            for m in range(1 + (j + k) % 3):
                if j % 4 == 1:  # always the same one or two sentences, whatever the issue
                    text = f"Ent {j} again{' (again)' if (k // 50) % 2 and j % 8 == 1 else ''}."
                else:
                    text = sentences[(j + m) % 3]
                ev = n(f"{issue.value}/evidence/{zlib.crc32(text.encode())}")
                mention = n(f"{issue.value}/mention/{j}-{m}")
                spans[ev] = text
                quads += [
                    Quad(mention, a, n(CNKG + "Mention"), g),
                    Quad(mention, n(CNKG + "refersTo"), ents[j], g),
                    Quad(mention, n(CNKG + "inIssue"), issue, g),
                    Quad(mention, n(nif + "sentence"), ev, g),
                ]
            quads.append(Quad(issue, n(CNKG + "mentions"), ents[j], g))
        # The issue's text: its evidence spans one per line; each span holds its offsets in it.
        context, offset = n(f"{issue.value}/context"), 0
        quads.append(Quad(context, n(nif + "isString"), Literal("\n".join(spans.values())), g))
        for ev, text in spans.items():
            quads += [
                Quad(ev, n(nif + "referenceContext"), context, g),
                Quad(ev, n(nif + "beginIndex"), Literal(str(offset), datatype=xsd_integer), g),
                Quad(ev, n(nif + "endIndex"), Literal(str(offset + len(text)), datatype=xsd_integer), g),
            ]
            offset += len(text) + 1
    oxi = pyoxigraph.Store()
    oxi.extend(quads)
    add_tallies(oxi)
    return oxi


def scanned_view(graph: GraphStore, limit: int, series: str | None = None, since: str | None = None):
    """The view as the full-scan implementation made it (every issue, entity and mention read), as an oracle."""
    issues = graphview.read_issues(graph)
    entities = graphview.read_entities(graph)
    window = None
    if series or since:
        window = {i for i, info in issues.items() if (not series or info.series == series)}
        window = {i for i in window if not since or (issues[i].date and issues[i].date >= since)}
    counted = {
        e: {i: c for i, c in ent.per_issue.items() if window is None or i in window} for e, ent in entities.items()
    }
    totals = {e: sum(per.values()) for e, per in counted.items()}
    ranked = sorted(
        (e for e in entities if totals[e] >= 1), key=lambda e: (-totals[e], entities[e].label.casefold(), e)
    )
    ranked = ranked[:limit]

    def key(i: str) -> tuple[str, str, str]:
        return (issues[i].date, issues[i].number.zfill(8), i)

    values = " ".join(f"<{e}>" for e in ranked)
    rows = graph.select(
        f"SELECT DISTINCT ?e ?i ?text WHERE {{ VALUES ?e {{ {values} }} ?m cnkg:refersTo ?e ; "
        "cnkg:inIssue ?i ; nif:sentence ?ev . ?ev nif:referenceContext ?c ; nif:beginIndex ?b ; nif:endIndex ?x . "
        "?c nif:isString ?s BIND(SUBSTR(?s, ?b + 1, ?x - ?b) AS ?text) }",
    )
    expected = {}
    for e in ranked:
        order = sorted(counted[e], key=key, reverse=True)
        position = {i: p for p, i in enumerate(order)}
        texts = sorted((position[r["i"]], r["text"]) for r in rows if r["e"] == e and r["i"] in position)
        evidence: list[str] = []
        for _p, text in texts:
            if text not in evidence and len(evidence) < graphview.MAX_EVIDENCE:
                evidence.append(text)
        expected[e] = {
            "mentions": totals[e],
            "issues": len(order),
            "sources": [i for i in order[: graphview.MAX_SOURCES]],
            "first": order[-1],
            "evidence": evidence,
        }
    return expected


@pytest.fixture(scope="module")
def generated_oxi() -> pyoxigraph.Store:
    return generated_store()


@pytest.fixture(scope="module")
def generated(generated_oxi: pyoxigraph.Store) -> GraphStore:
    return in_memory(generated_oxi)


@pytest.mark.parametrize(
    "options",
    [{"limit": 12}, {"limit": 30}, {"limit": 20, "series": "beta"}, {"limit": 15, "since": "2020-02-10"}],
)
def test_view_equals_the_full_scan(generated: GraphStore, options: dict) -> None:
    expected = scanned_view(generated, **options)
    view = load_view(generated, **options)
    assert list(view) == list(expected)  # same nodes, same order (ties on mentions by label)
    for e, want in expected.items():
        node = view.nodes[e]
        got = {
            "mentions": node["mentions"],
            "issues": node["issues"],
            "sources": [s["iri"] for s in node["sources"]],
            "first": node["first_issue"]["iri"],
            "evidence": node["evidence"],
        }
        assert got == want, e
        assert node["last_issue"]["iri"] == want["sources"][0]


class CountingGraph(GraphStore):
    """A GraphStore that counts the rows its callers read (SELECT rows and raw solutions alike)."""

    def __init__(self, oxi: pyoxigraph.Store) -> None:
        super().__init__(Path(), oxi, True)
        self.rows_read = 0
        self._in_select = False

    def query(self, sparql: str, params: dict | None = None):  # noqa: ANN201 - as GraphStore.query
        result = super().query(sparql, params)
        if self._in_select or not isinstance(result, pyoxigraph.QuerySolutions):
            return result
        rows = list(result)
        self.rows_read += len(rows)
        return rows

    def select(self, sparql: str, params: dict | None = None) -> list[dict]:
        self._in_select = True
        try:
            rows = super().select(sparql, params)
        finally:
            self._in_select = False
        self.rows_read += len(rows)
        return rows


def rows_read_by_overview(oxi: pyoxigraph.Store, out: Path) -> int:
    counting = CountingGraph(oxi)
    overview(counting, out, budget=8, cap=16)
    return counting.rows_read


def test_overview_reads_no_mention_but_the_evidence_it_quotes(generated_oxi: pyoxigraph.Store, tmp_path: Path) -> None:
    """The overview ranks with the stats graph's totals and reads the kept entities' per-issue tallies and the
    sentences of their newest issues: never every mention (the full scan read 2.5 GB and took a minute on
    10,000 issues).  It does grow with the issues: the page carries each kept entity's mentions per issue,
    for its series and period filters."""
    bigger = generated_store(issues=780)
    small = rows_read_by_overview(generated_oxi, tmp_path / "small.html")
    big = rows_read_by_overview(bigger, tmp_path / "big.html")
    mentions = int(in_memory(bigger).select("SELECT (COUNT(*) AS ?n) WHERE { ?m a cnkg:Mention }")[0]["n"])
    print(f"rows read: {small} (small store), {big} (three times bigger); {mentions} mentions")
    assert big < mentions / 2 and big < 3.5 * small


def test_graphview_reads_without_the_renderer() -> None:
    """The reader sits below the pages: analytics, export and notebooks import kg.graphview without pulling in
    the explorer or its template engine."""
    import subprocess
    import sys

    code = (
        "import sys, kg.graphview, kg.analytics, kg.notebook; "
        "print(sorted(m for m in ('kg.explorer', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
