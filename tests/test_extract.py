"""extract(): on hand-built issues with a fixture catalog, and on the seed against its gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import extract
from kg.ids import entity_iri, issue_iri
from kg.model import Issue, Item, Section, Span
from tests.test_nlp import fixture_catalog

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "cloud-native-weekly-vol-17.txt"
SEED_GOLD = REPO / "corpus" / "gold" / "cloud-native-weekly-vol-17.yaml"
LWKD_DIR = REPO.parent / "shared" / "corpus" / "lwkd"


def make_issue(text: str, sections: list[tuple[str, str, list[tuple[str, str | None]]]] = (), **kw) -> Issue:  # noqa: ANN003
    """An Issue over ``text``; each section is (title, kind, [(item text, item title or None)])."""
    secs = []
    for title, kind, items in sections:
        ts = text.index(title)
        its = []
        for body, ititle in items:
            s = text.index(body)
            t = None
            if ititle:
                a = text.index(ititle, s)
                t = Span(a, a + len(ititle), ititle)
            its.append(Item("paragraph", s, s + len(body), body, title=t))
        end = max([i.end for i in its] + [ts + len(title)])
        secs.append(Section(title, kind, ts, end, ts, ts + len(title), its))
    return Issue(
        path="x.txt",
        text=text,
        format="test",
        series=kw.get("series", "test"),
        series_title="Test Weekly",
        number=kw.get("number", "1"),
        title=text.split("\n", 1)[0],
        sections=secs,
        authors=kw.get("authors", []),
        editors=kw.get("editors", []),
        publishers=kw.get("publishers", []),
    )


def by_label(ex) -> dict[tuple[str, str], object]:  # noqa: ANN001
    return {(e.type, e.label): e for e in ex.entities}


def triples(ex) -> set[tuple[str, str, str]]:  # noqa: ANN001
    label = {e.id: e.label for e in ex.entities}
    label[ex.issue_id] = "ISSUE"
    return {(label[r.subject], r.predicate, label[r.object]) for r in ex.relations}


def test_news_item_release_replaces_uses_and_merging() -> None:
    text = (
        "Test Weekly 1\n业界要闻\n1. cilium 1.6 版本发布\n"
        "完成了最后的两个核心需求,宣布已经可以 100% 替换 kube-proxy。\n"
        "Cilium 是一个基于 eBPF 实现的组件。\n"
    )
    item = text[text.index("1. cilium") : text.index("组件。") + 3]
    ex = extract(make_issue(text, [("业界要闻", "news", [(item, None)])]), fixture_catalog())
    ents = by_label(ex)
    cil = ents[("Project", "Cilium")]
    assert len(cil.mentions) == 2 and "cilium" in cil.aliases  # one node for cilium / Cilium
    assert cil.id == entity_iri("Project", "cilium")
    assert ("Release", "Cilium 1.6") in ents
    assert ents[("Release", "Cilium 1.6")].id == entity_iri("Release", "cilium/1.6")
    t = triples(ex)
    assert {
        ("Cilium", "has_release", "Cilium 1.6"),
        ("Cilium", "replaces", "kube-proxy"),
        ("Cilium", "uses", "eBPF"),
    } <= t
    for r in ex.relations:
        assert ex.issue.text[r.evidence.start : r.evidence.end] == r.evidence.text


def test_recommendation_items_discover_and_integrate() -> None:
    text = (
        "Test Weekly 2\n开源项目推荐\nmicrok8s\n体积小的 K8s 版本。https://github.com/ubuntu/microk8s\n"
        "microk8s 紧跟上游 K8s 的 feature,刚刚 release 了 1.16-beta,同时它包含了主流 K8s 生态的其他工具,"
        "包括 serverless(knative),service mesh(istio)。\n"
        "kube-fzf\n利用 kubectl 搭建的命令行工具。https://github.com/thecasualcoder/kube-fzf\n"
    )
    a = text[text.index("microk8s\n体积") : text.index("kube-fzf\n")]
    b = text[text.index("kube-fzf\n") :]
    ex = extract(
        make_issue(text, [("开源项目推荐", "project-recommendation", [(a, "microk8s"), (b, "kube-fzf")])]),
        fixture_catalog(),
    )
    ents = by_label(ex)
    assert ents[("Project", "kube-fzf")].props.get("discovered") is True
    assert "discovered" not in ents[("Project", "MicroK8s")].props
    t = triples(ex)
    assert {("ISSUE", "recommends", "MicroK8s"), ("ISSUE", "recommends", "kube-fzf")} <= t
    assert ("MicroK8s", "has_release", "MicroK8s 1.16-beta") in t  # a bare version in the item is its project's
    assert {("MicroK8s", "integrates", "Knative"), ("MicroK8s", "integrates", "Istio")} <= t
    assert ("MicroK8s", "integrates", "Kubernetes") not in t
    assert ("kube-fzf", "uses", "kubectl") in t
    assert ents[("Release", "MicroK8s 1.16-beta")].props["stage"] == "beta"


def test_metadata_people_and_publishers() -> None:
    text = "Test Weekly 3\n本周作者 | 墨封、衷源\n本周报由阿里巴巴容器平台联合蚂蚁金服共同发布\n责任编辑:木环\n"

    def span(s: str) -> Span:
        i = text.index(s)
        return Span(i, i + len(s), s)

    issue = make_issue(
        text,
        authors=[span("墨封"), span("衷源")],
        editors=[span("木环")],
        publishers=[span("阿里巴巴容器平台"), span("蚂蚁金服")],
    )
    ex = extract(issue, fixture_catalog())
    t = triples(ex)
    assert {("ISSUE", "authored_by", "墨封"), ("ISSUE", "authored_by", "衷源"), ("ISSUE", "edited_by", "木环")} <= t
    assert {("ISSUE", "published_by", "Alibaba"), ("ISSUE", "published_by", "Ant Financial")} <= t
    assert ex.issue_id == issue_iri("test", "1")


def test_lwkd_style_kep_feature_and_version_update() -> None:
    text = (
        "## KEP of the Week\n\n"
        "### [KEP-624: Scheduling Framework](https://github.com/kubernetes/enhancements/issues/624)\n\n"
        "The PodOverhead feature gate is tracked. This KEP is in alpha in v1.28.\n\n"
        "## Version Updates\n\n* [Fluentd to 1.8.0](https://github.com/kubernetes/kubernetes/pull/86433)\n"
        "* kubelet --containerized is deprecated; CVE-2024-3177 affects kubelet\n"
    )
    kep_item = text[text.index("### [KEP") : text.index("v1.28.") + 6]
    upd = text[text.index("* [Fluentd") :].rstrip("\n")
    sections = [("KEP of the Week", "other", [(kep_item, None)]), ("Version Updates", "other", [(upd, None)])]
    ex = extract(make_issue(text, sections, series="lwkd"), fixture_catalog())
    ents = by_label(ex)
    kep = ents[("KEP", "KEP-624")]
    assert "Scheduling Framework" in kep.aliases and kep.props["number"] == 624
    assert ("Release", "Kubernetes 1.28") in ents
    assert ("Release", "Fluentd 1.8.0") in ents and ents[("Project", "Fluentd")].props.get("discovered")
    assert ("Vulnerability", "CVE-2024-3177") in ents
    t = triples(ex)
    assert ("KEP-624", "about", "Pod Overhead") in t
    assert ("KEP-624", "targets_release", "Kubernetes 1.28") in t
    assert ("Pod Overhead", "feature_of", "kubelet") in t


def _merge_catalog():  # noqa: ANN202
    from tests.test_nlp import FakeCatalog, FakeEntry

    base = fixture_catalog()
    extra = [
        FakeEntry("Feature", "kubectl-debug", "kubectl debug", feature_of="kubectl"),
        FakeEntry("Event", "kubernetes-contributor-summit", "Kubernetes Contributor Summit"),
    ]
    return FakeCatalog(base.entries + extra, fingerprint="test-fixture-merge")


def test_case_and_spelling_variants_are_one_node() -> None:
    text = (
        "## Updates\n\n* [`kubectl debug` to beta](https://github.com/kubernetes/kubernetes/pull/96138); "
        "the kubectl debug command works. The Kubernetes Contributor Summit is open; "
        "see you at the Kubernetes Contributor Summit 2024.\n\n"
        "## Version Updates\n\n* [GO to 1.22.1](https://github.com/kubernetes/kubernetes/pull/1)\n"
    )
    upd_item = text[text.index("* [`kubectl") : text.index("2024.") + 5]
    ver_item = text[text.index("* [GO") :].rstrip("\n")
    sections = [("Updates", "other", [(upd_item, None)]), ("Version Updates", "other", [(ver_item, None)])]
    ex = extract(make_issue(text, sections, series="lwkd"), _merge_catalog())
    groups: dict[tuple[str, str], set[str]] = {}
    for e in ex.entities:
        groups.setdefault((e.type, e.label.casefold()), set()).add(e.id)
    assert all(len(ids) == 1 for ids in groups.values()), groups
    debug = [e for e in ex.entities if e.type == "Feature" and e.label == "kubectl debug"]
    assert len(debug) == 1 and debug[0].id == entity_iri("Feature", "kubectl-debug") and len(debug[0].mentions) == 2
    summit = [e for e in ex.entities if e.type == "Event" and e.label == "Kubernetes Contributor Summit"]
    assert len(summit) == 1 and summit[0].id == entity_iri("Event", "kubernetes-contributor-summit")
    # "GO to 1.22.1" in a version update line is the Go language, not a new project "GO".
    assert ("Release", "Go 1.22.1") in by_label(ex) and ("Project", "GO") not in by_label(ex)


def test_all_caps_word_is_not_a_case_variant_of_a_case_sensitive_name() -> None:
    from kg.extract.context import Context

    cat = fixture_catalog()
    issue = make_issue("GO team")
    ex = Context(issue, cat, [])
    assert ex.lookup("Go").key == "go" and ex.lookup("golang") is None
    assert ex.lookup("GO") is None  # an acronym, not the case-sensitive "Go"
    assert ex.lookup("GO", strict=False).key == "go"
    assert ex.lookup("CILIUM").key == "cilium"  # case-insensitive entries keep every case


def test_odd_text_does_not_raise() -> None:
    for text in ("", "\n\n", "v1.2.3", "《》", "[](http://)", "KEP-", "```\n`x`\n", "a" * 5000, "中" * 3000):
        extract(make_issue(text or " "), fixture_catalog())


# ------------------------------------------------------------------ seed, with the real catalog


@pytest.fixture(scope="module")
def seed_extraction():  # noqa: ANN201
    from kg.catalog import load_catalog
    from kg.ingest import read_issue

    return extract(read_issue(SEED), load_catalog())


def test_seed_finds_authors_releases_kep_and_recommendations(seed_extraction) -> None:  # noqa: ANN001
    ents = by_label(seed_extraction)
    for name in ("墨封", "衷源", "元毅", "有济", "心水", "木环"):
        assert ("Person", name) in ents
    for rel in ("Helm 3.0.0-beta.1", "Cilium 1.6", "Kubernetes 1.16", "Kubernetes 1.17", "MicroK8s 1.16-beta"):
        assert ("Release", rel) in ents
    assert ("KEP", "KEP-624") in ents
    t = triples(seed_extraction)
    assert {
        ("ISSUE", "recommends", "MicroK8s"),
        ("ISSUE", "recommends", "qlkube"),
        ("ISSUE", "recommends", "kube-fzf"),
    } <= t
    text = seed_extraction.issue.text
    for r in seed_extraction.relations:
        assert 0 <= r.evidence.start <= r.evidence.end <= len(text)
        assert text[r.evidence.start : r.evidence.end] == r.evidence.text
    for e in seed_extraction.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.anchor


def test_seed_scores_meet_targets(seed_extraction) -> None:  # noqa: ANN001
    from kg.evaluate import load_gold, score

    s = score(load_gold(SEED_GOLD), seed_extraction.to_json())
    assert s.entity_total.f1 >= 0.95, (s.entity_spurious, s.entity_misses)
    assert s.relation_total.f1 >= 0.90, (s.relation_spurious, s.relation_misses)


@pytest.mark.shared
def test_lwkd_gold_scores() -> None:
    from kg.catalog import load_catalog
    from kg.evaluate import load_gold, score
    from kg.ingest import read_issue

    if not LWKD_DIR.is_dir():
        pytest.skip("../shared/corpus/lwkd is absent")
    catalog = load_catalog()
    from kg.evaluate import Counts

    ents, rels = Counts(), Counts()
    for gold_path in sorted((REPO / "corpus" / "gold").glob("lwkd-*.yaml")):
        gold = load_gold(gold_path)
        ex = extract(read_issue(LWKD_DIR / f"{gold_path.stem.removeprefix('lwkd-')}-update.md"), catalog)
        s = score(gold, ex.to_json())
        ents, rels = ents + s.entity_total, rels + s.relation_total
    # Floors a little below today's figures on the 7 tuning issues (0.936 / 0.885 with the seed; the 3 issues
    # added in December are harder than the first 4): they catch regressions without pinning the numbers.
    assert ents.f1 >= 0.88
    assert rels.f1 >= 0.82


@pytest.mark.parametrize("restricted_first", [True, False])
def test_context_restricted_name_wins_where_its_context_holds(restricted_first: bool) -> None:
    from tests.test_nlp import FakeCatalog, FakeEntry

    base = fixture_catalog().entries
    generic = FakeEntry("Technology", "eventing-generic", "Eventing")
    entries = base + [generic] if restricted_first else [generic] + base
    cat = FakeCatalog(entries, fingerprint=f"test-fixture-ties-{restricted_first}")
    text = "Knative news\nKnative 0.9 ships eventing for everyone.\n\nOther news\nEventing is a word.\n"
    item1 = text[text.index("Knative 0.9") : text.index("everyone.") + 9]
    item2 = text[text.index("Eventing is") : text.index("word.") + 5]
    ex = extract(
        make_issue(text, [("Knative news", "news", [(item1, None)]), ("Other news", "news", [(item2, None)])]), cat
    )
    where = {(m.start, e.type) for e in ex.entities for m in e.mentions}
    assert (text.index("eventing"), "Project") in where  # Knative Eventing, inside the Knative item
    assert (text.index("Eventing is"), "Technology") in where  # elsewhere the unrestricted name


def test_vulnerability_affects_and_fixed_in_both_languages() -> None:
    text = (
        "Test Weekly 9\n业界要闻\n1. Kubernetes 修复了 kubelet 的解析漏洞 CVE-2019-1111\n"
        "社区已经在 v1.15.5 和 v1.16.2 中修复了该漏洞。\n"
        "2. Istio 1.3.2 发布\n新版本修复了 Cilium 的漏洞 CVE-2019-2222。\n"
        "3. CVE-2020-3333 affects kube-proxy and was fixed in Helm 3.1.2.\n"
    )
    a = text[text.index("1. Kubernetes") : text.index("2. Istio")]
    b = text[text.index("2. Istio") : text.index("3. CVE")]
    c = text[text.index("3. CVE") :]
    ex = extract(make_issue(text, [("业界要闻", "news", [(a, None), (b, None), (c, None)])]), fixture_catalog())
    t = triples(ex)
    assert {
        ("CVE-2019-1111", "affects", "kubelet"),
        ("CVE-2019-1111", "fixed_in", "Kubernetes 1.15.5"),
        ("CVE-2019-1111", "fixed_in", "Kubernetes 1.16.2"),
        ("CVE-2019-2222", "affects", "Cilium"),
        ("CVE-2019-2222", "fixed_in", "Istio 1.3.2"),  # the release the item announces
        ("CVE-2020-3333", "affects", "kube-proxy"),
        ("CVE-2020-3333", "fixed_in", "Helm 3.1.2"),
    } <= t
    assert ("CVE-2019-2222", "fixed_in", "Kubernetes 1.16.2") not in t


def test_bare_version_owner_without_series_default() -> None:
    text = (
        "Test Weekly 10\n业界要闻\n1. Helm 3.1 正式发布\nCilium 自身也在 1.6.2 中修复了该问题。"
        "Istio 将捆绑的 kubectl 升级到 1.17.3。\n"
        "2. Knative 发布\n最新版本为 0.5。https://github.com/helm/helm/releases/tag/v3.1.0\n"
    )
    a = text[text.index("1. Helm") : text.index("2. Knative")]
    b = text[text.index("2. Knative") :]
    ex = extract(make_issue(text, [("业界要闻", "news", [(a, None), (b, None)])]), fixture_catalog())
    t = triples(ex)
    assert ("Cilium", "has_release", "Cilium 1.6.2") in t  # the sentence's project, not the item's
    assert ("kubectl", "has_release", "kubectl 1.17.3") in t  # "升级到" joins a name and its version
    assert ("Knative", "has_release", "Knative 0.5") in t  # "版本为" is a release cue
    helm = [e for e in ex.entities if e.type == "Release" and e.label.startswith("Helm")]
    assert len(helm) == 1  # x.y and its x.y.0 tag are one release
    assert {"Helm 3.1", "Helm 3.1.0"} <= {helm[0].label, *helm[0].aliases}


def test_bylines_give_written_by_in_both_languages() -> None:
    text = (
        "Test Weekly 11\n本周阅读推荐\n1. 《Helm 实践》\n作者：云舟、林木。文章回顾了 Helm 的演进。\n"
        "2. 《Running Cilium in Production》\nby Priya Sharma. 分享经验。\n"
    )
    a = text[text.index("1. 《Helm") : text.index("2. 《Running")]
    b = text[text.index("2. 《Running") :]
    sec = [("本周阅读推荐", "reading", [(a, "《Helm 实践》"), (b, "《Running Cilium in Production》")])]
    ex = extract(make_issue(text, sec), fixture_catalog())
    t = triples(ex)
    assert {
        ("Helm 实践", "written_by", "云舟"),
        ("Helm 实践", "written_by", "林木"),
        ("Running Cilium in Production", "written_by", "Priya Sharma"),
    } <= t
    people = {e.label for e in ex.entities if e.type == "Person"}
    assert people == {"云舟", "林木", "Priya Sharma"}  # "文章回顾了" is not a byline


def test_targets_release_from_announcements_and_item_headings() -> None:
    text = (
        "Test Weekly 12\n业界要闻\n1. Kubernetes 1.18 正式发布\n本次 Pod Overhead 进入 beta。\n"
        "上游重要进展\n- PodOverhead：基于 KEP-624 实现，在 Kubernetes 1.19 中以 alpha 提供。\n"
        "- Helm 3.2 released\nIn the same week Cilium adds SomeGate.\n"
    )
    a = text[text.index("1. Kubernetes") : text.index("上游重要进展")]
    b = text[text.index("- PodOverhead") : text.index("- Helm")]
    c = text[text.index("- Helm") :]
    sec = [("业界要闻", "news", [(a, None)]), ("上游重要进展", "upstream", [(b, None), (c, None)])]
    ex = extract(make_issue(text, sec), fixture_catalog())
    t = triples(ex)
    assert ("Pod Overhead", "targets_release", "Kubernetes 1.18") in t  # named in the 1.18 announcement
    assert ("Pod Overhead", "targets_release", "Kubernetes 1.19") in t  # the feature heading its item
    assert ("KEP-624", "targets_release", "Kubernetes 1.19") not in t
    assert not any(p == "targets_release" and o == "Helm 3.2" for _, p, o in t)  # Cilium's feature, not Helm's


def test_developed_by_reads_chinese_modifiers_and_recommendation_items() -> None:
    text = (
        "Test Weekly 13\n业界要闻\n1. 新闻\nPivotal 开源了基于 Kubernetes 的 Cilium。"
        "Helm 是阿里巴巴开源、已经捐献的工具。\n"
        "开源项目推荐\nIstio\n蚂蚁金服开源的 Kubernetes 服务网格。\n"
    )
    a = text[text.index("1. 新闻") : text.index("开源项目推荐")]
    b = text[text.index("Istio\n") :]
    sec = [("业界要闻", "news", [(a, None)]), ("开源项目推荐", "project-recommendation", [(b, "Istio")])]
    ex = extract(make_issue(text, sec), fixture_catalog())
    t = triples(ex)
    assert {
        ("Cilium", "developed_by", "Pivotal"),  # "基于 Kubernetes 的" only qualifies Cilium
        ("Helm", "developed_by", "Alibaba"),  # "X 是 <org> 开源"
        ("Istio", "developed_by", "Ant Financial"),  # "<org> 开源的 …" describing the recommended project
    } <= t
    assert not any(s == "Kubernetes" and p == "developed_by" for s, p, _ in t)


def test_lwkd_people_by_verbs_possessives_and_coordination() -> None:
    text = (
        "## Community Meeting\n\nChuck Ha showed off the provider. The update, delivered by Jennifer Rondeau "
        "and Zach Corleissen, covered docs. Saad Ali's status of storage covered topology. "
        "Aaron Crickenberger explained the hold command. CI Signal is green. Daylight Saving Time ends.\n"
    )
    ex = extract(make_issue(text, series="lwkd"), fixture_catalog())
    people = {e.label for e in ex.entities if e.type == "Person"}
    assert people == {"Chuck Ha", "Jennifer Rondeau", "Zach Corleissen", "Saad Ali", "Aaron Crickenberger"}


def test_uses_and_integrates_cues_in_both_languages() -> None:
    text = (
        "Test Weekly 14\n业界要闻\n1. 新闻\nHelm 1.0 用 Go 重写了客户端,应用 Knative 的场景更多。"
        "同时,Pivotal 开源了基于 eBPF 的网络插件 Cilium。MicroK8s 将捆绑的 Istio 升级到 1.3,并与 Knative 集成。"
        "Kubernetes 不依赖 Cilium 的实现。Kubernetes 共包含 3 项增强:kubectl 新增子命令。"
        "Kourier 基于 eBPF 实现。Helm 2 被废弃,由基于 Go 的新组件取代。\n"
        "2. 其他\nKnative 网络层除 Istio 外还可以选用 Helm。MicroK8s ships with Istio. Helm does not use Cilium.\n"
    )
    a = text[text.index("1. 新闻") : text.index("2. 其他")]
    b = text[text.index("2. 其他") :]
    ex = extract(make_issue(text, [("业界要闻", "news", [(a, None), (b, None)])]), fixture_catalog())
    t = triples(ex)
    assert {
        ("Helm", "uses", "Go"),  # "用 Go 重写"
        ("Cilium", "uses", "eBPF"),  # "基于 eBPF 的 … Cilium": the name after 的 is the user
        ("MicroK8s", "integrates", "Istio"),  # "捆绑的 Istio", "ships with Istio"
        ("MicroK8s", "integrates", "Knative"),  # "与 Knative 集成"
        ("Knative", "uses", "Helm"),  # "除 Istio 外": Istio is not the subject
    } <= t
    assert ("Helm", "uses", "Knative") not in t  # 应用 is not the cue 用
    assert ("Kubernetes", "uses", "Cilium") not in t and ("Helm", "uses", "Cilium") not in t  # negated
    assert ("Kubernetes", "integrates", "kubectl") not in t  # the list ends at the colon
    assert ("Istio", "uses", "Helm") not in t
    assert not any(p == "uses" and o == "eBPF" and s != "Cilium" for s, p, o in t)  # Kourier is unknown
    assert ("Helm", "uses", "Go") in t and sum(p == "uses" and o == "Go" for _, p, o in t) == 1  # 基于 Go 的 <unknown>


def test_recommended_project_is_found_in_the_news_too() -> None:
    text = (
        "Test Weekly 15\n业界要闻\n1. 新闻\n微软开源了基于 Kubernetes 的实现 Rudr。\n开源项目推荐\nRudr\n一个工具。\n"
    )
    a = text[text.index("1. 新闻") : text.index("开源项目推荐")]
    b = text[text.index("Rudr\n一个") :]
    sec = [("业界要闻", "news", [(a, None)]), ("开源项目推荐", "project-recommendation", [(b, "Rudr")])]
    ex = extract(make_issue(text, sec), fixture_catalog())
    rudr = by_label(ex)[("Project", "Rudr")]
    assert len(rudr.mentions) == 2
    assert ("Rudr", "uses", "Kubernetes") in triples(ex)


def test_article_about_title_features_cves_and_description() -> None:
    text = (
        "Test Weekly 16\n本周阅读推荐\n1. 《Kubernetes 中的 Pod Overhead 详解》\n文章介绍了 kubelet 如何计算开销。\n"
        "2. 《A Deep Dive into a Billion Laughs Bug》\n文章分析了 CVE-2019-11253 对 Helm 的影响。\n"
        "3. 《eBPF and service mesh in Cilium》\n介绍 Cilium。\n"
    )
    a = text[text.index("1. 《") : text.index("2. 《")]
    b = text[text.index("2. 《") : text.index("3. 《")]
    c = text[text.index("3. 《") :]
    items = [
        (a, "《Kubernetes 中的 Pod Overhead 详解》"),
        (b, "《A Deep Dive into a Billion Laughs Bug》"),
        (c, "《eBPF and service mesh in Cilium》"),
    ]
    ex = extract(make_issue(text, [("本周阅读推荐", "reading", items)]), fixture_catalog())
    t = triples(ex)
    about = {(s, o) for s, p, o in t if p == "about"}
    one, two, three = (
        "Kubernetes 中的 Pod Overhead 详解",
        "A Deep Dive into a Billion Laughs Bug",
        "eBPF and service mesh in Cilium",
    )
    assert (one, "Pod Overhead") in about  # a feature in the title
    assert (one, "Kubernetes") not in about and (one, "kubelet") not in about  # its project is not named again
    assert {(two, "CVE-2019-11253"), (two, "Helm")} <= about  # a CVE and a project of the description
    assert {(three, "eBPF"), (three, "Cilium")} <= about  # technologies of the title count


def test_organizations_named_in_passing_are_not_counted() -> None:
    from tests.test_nlp import FakeCatalog, FakeEntry

    extra = [
        FakeEntry("Organization", "aws", "Amazon Web Services", aliases=("AWS",)),
        FakeEntry("Organization", "google", "Google"),
        FakeEntry("Organization", "qingcloud", "QingCloud", name_zh="青云"),
    ]
    cat = FakeCatalog(fixture_catalog().entries + extra, fingerprint="test-fixture-orgs")
    passing = (
        "Test Weekly 17\n本周作者 | 青云、拾风\nCSI Migration 的 AWS EBS 插件进入 beta。The provider for AWS is ready. "
        "Mail went out through Google Groups.\n本周作者:青云,拾风\n"
    )
    authors = [Span(passing.index(n), passing.index(n) + 2, n) for n in ("青云", "拾风")]
    ex = extract(make_issue(passing, authors=authors), cat)
    orgs = {e.label for e in ex.entities if e.type == "Organization"}
    assert not orgs & {"Amazon Web Services", "Google", "QingCloud"}
    acting = "Test Weekly 18\nAWS 开源了 Helm 插件。Google announced a new Cilium release.\n"
    ex = extract(make_issue(acting), cat)
    orgs = {e.label for e in ex.entities if e.type == "Organization"}
    assert {"Amazon Web Services", "Google"} <= orgs


def test_english_integrates_needs_its_own_subject() -> None:
    text = (
        "## News\n\nMicroK8s now ships with Istio and Knative. "
        "Major features include changes to kubelet and kube-proxy. "
        "Cilium 1.6 will include the following Helm features: charts.\n\n"
        "## Other\n\nHelm 3 is out. It integrates with Knative.\n"
    )
    ex = extract(make_issue(text, series="lwkd"), fixture_catalog())
    t = triples(ex)
    assert {("MicroK8s", "integrates", "Istio"), ("MicroK8s", "integrates", "Knative")} <= t
    assert ("Helm", "integrates", "Knative") in t  # "It": the item's project
    assert not any(p == "integrates" and o in ("kubelet", "kube-proxy", "Helm") for _, p, o in t)


def test_english_uses_needs_its_own_subject() -> None:
    text = (
        "## News\n\nCilium is now built on eBPF. Helm 3 [uses kubectl](https://example.com/pr/1) for tests. "
        "Shift to using Knative when you can. Tests for kubelet now use Go.\n\n"
        "## Other\n\nMicroK8s 1.16 is out. It leverages eBPF.\n"
    )
    ex = extract(make_issue(text, series="lwkd"), fixture_catalog())
    uses = {(s, o) for s, p, o in triples(ex) if p == "uses"}
    assert {("Cilium", "eBPF"), ("Helm", "kubectl"), ("MicroK8s", "eBPF")} <= uses
    assert not any(o in ("Knative", "Go") for _, o in uses)  # no subject of their own
