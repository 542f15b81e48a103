"""load_view / render_html / overview on a hand-made store in the shape `kg build` writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest

from kg import viz
from kg.errors import KgError

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "small.trig"
K8S = "https://w3id.org/cnkg/id/project/kubernetes"
HELM = "https://w3id.org/cnkg/id/project/helm"
EVIL = "https://w3id.org/cnkg/id/project/evil"
CNCF = "https://w3id.org/cnkg/id/organization/cncf"
V116 = "https://w3id.org/cnkg/id/release/kubernetes/v1.16"


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    s = pyoxigraph.Store()
    s.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    return s


def test_nodes_carry_labels_type_mentions_and_first_last_issue(store: pyoxigraph.Store) -> None:
    view = viz.load_view(store)
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


def test_edges_carry_predicate_and_min_mentions_drops_catalog_only(store: pyoxigraph.Store) -> None:
    view = viz.load_view(store)
    assert view.has_edge(K8S, V116, key="hasRelease")
    assert view.edges[K8S, V116, "hasRelease"]["predicate"] == "hasRelease"
    assert CNCF not in view  # catalog-only: 0 mentions
    everything = viz.load_view(store, min_mentions=0)
    assert CNCF in everything and everything.has_edge(HELM, CNCF, key="partOf")
    assert set(viz.load_view(store, min_mentions=2)) == {K8S, HELM}


def test_focus_matches_labels_case_insensitively_and_depth_bounds_it(store: pyoxigraph.Store) -> None:
    near = viz.load_view(store, focus="K8S", depth=1)
    assert near.nodes[K8S]["focus"] is True
    assert set(near) == {
        K8S,
        V116,
        EVIL,
        "https://w3id.org/cnkg/id/project/cilium",
        "https://w3id.org/cnkg/id/project/istio",
    }
    assert set(viz.load_view(store, focus="库伯内特斯", depth=0)) == {K8S}
    # CNCF has no mentions but is named explicitly: the focus survives the filters.
    assert set(viz.load_view(store, focus="cncf", depth=0)) == {CNCF}
    hop2 = viz.load_view(store, focus="CNCF", depth=2, min_mentions=0)
    assert {HELM, "https://w3id.org/cnkg/id/project/linkerd"} <= set(hop2)


def test_unknown_focus_and_bad_filters_are_one_line_errors(store: pyoxigraph.Store) -> None:
    with pytest.raises(KgError, match=r"no entity named 'Nomad' in the graph"):
        viz.load_view(store, focus="Nomad")
    with pytest.raises(KgError, match="unknown entity type 'Gadget'"):
        viz.load_view(store, types=["Project", "Gadget"])
    with pytest.raises(KgError, match="not a date"):
        viz.load_view(store, since="20/01/2020")
    with pytest.raises(KgError, match="no newsletter series 'weekly-news'"):
        viz.load_view(store, series="weekly-news")


def test_types_series_and_date_window_filter_the_view(store: pyoxigraph.Store) -> None:
    assert set(viz.load_view(store, types=["release"])) == {V116}
    assert set(viz.load_view(store, types=["Project,Release"])) >= {K8S, V116}
    lwkd = viz.load_view(store, series="lwkd")
    assert set(lwkd) == {K8S, HELM, EVIL}
    assert lwkd.nodes[K8S]["mentions"] == 1  # only the LWKD mention counts
    august = viz.load_view(store, since="2019-08-21", until="2019-08")
    assert august.nodes[K8S]["mentions"] == 1 and "https://w3id.org/cnkg/id/project/istio" in august
    assert HELM not in august
    assert set(viz.load_view(store, until="2019")) == set(viz.load_view(store, series="cloud-native-weekly"))


def test_limit_keeps_most_mentioned(store: pyoxigraph.Store) -> None:
    assert list(viz.load_view(store, limit=2)) == [K8S, HELM]


def test_comention_edges_count_shared_sentences(store: pyoxigraph.Store) -> None:
    view = viz.load_view(store, comention=2)
    co = [(u, v, d["weight"]) for u, v, k, d in view.edges(keys=True, data=True) if k == viz.COMENTION]
    assert co == [(HELM, K8S, 2)]


def test_json_for_script_cannot_close_the_script_element() -> None:
    text = viz.json_for_script({"a": "</script><!-- <script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- <script>alert(1)</script> & \u2028"}


def test_page_is_self_contained_and_hostile_text_stays_data(store: pyoxigraph.Store, tmp_path: Path) -> None:
    out = viz.render_html(viz.load_view(store), tmp_path / "v.html", title='Title <img src=x onerror=alert(1)> "q"')
    page = out.read_text(encoding="utf-8")
    # No external resource: no src=, no <link>, no CDN host.
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert "<link" not in page.lower() and not re.search(r"cdnjs|jsdelivr|unpkg|bootstrap", page, re.I)
    assert "alert(1)" in page  # the hostile label is there ...
    assert "<script>alert" not in page and "<img src=x" not in page  # ... but never as markup
    assert "Title &lt;img src=x onerror=alert(1)&gt; &#34;q&#34;" in page
    js, _css = viz._vis_assets()
    assert page.replace(js, "").count("<script") == 3  # vis, the JSON data, our code


def test_large_view_gets_precomputed_positions_and_no_physics() -> None:
    view = viz.synthetic_view(400)
    data = viz.view_to_data(view)
    assert data["physics"] is False
    xs = [(n["x"], n["y"]) for n in data["nodes"]]
    assert len(xs) == 400 and len(set(xs)) == 400  # every node placed, no two on the same spot
    small = viz.view_to_data(viz.synthetic_view(50))
    assert small["physics"] is True and "x" not in small["nodes"][0]


def test_sizes_and_colours_follow_mentions_and_type(store: pyoxigraph.Store) -> None:
    data = viz.view_to_data(viz.load_view(store))
    by_iri = {n["kg"]["iri"]: n for n in data["nodes"]}
    assert by_iri[K8S]["size"] > by_iri[HELM]["size"] > by_iri[V116]["size"]
    assert by_iri[V116]["color"]["background"] == viz.TYPE_COLORS["Release"]
    assert {item["type"] for item in data["legend"]} == {"Project", "Release"}
    assert by_iri[EVIL]["kg"]["homepage"] == ""  # javascript: URL never becomes a link


def test_overview_is_bounded(store: pyoxigraph.Store, tmp_path: Path) -> None:
    out = viz.overview(store, tmp_path / "graph.html", top=3)
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', out.read_text(encoding="utf-8"))
    assert match
    data = json.loads(match.group(1))
    assert len(data["nodes"]) == 3
