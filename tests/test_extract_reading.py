"""Extraction that reads structure: release links, update lines, KEP titles and features, people by handle
and profile, events by head noun, projects named in lists, article titles from links, one entity per span.

Each test writes a small newsletter in a layout of its own and reads it with the generic Markdown reader
(or the LWKD reader), so the rules are checked through the structure readers give, not hand-built issues.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.catalog import load_catalog
from kg.extract import extract, load_pipeline
from kg.extract.phases.kep_titles import kep_by_title
from kg.ingest import read_issue
from kg.text import norm
from tests.test_nlp import FakeCatalog, FakeEntry

SHARED = Path(__file__).resolve().parents[2] / "shared"
LWCN = SHARED / "corpus" / "lwcn"


@pytest.fixture(scope="module")
def catalog():  # noqa: ANN201
    return load_catalog()


@pytest.fixture(scope="module")
def nlp(catalog):  # noqa: ANN001, ANN201
    return load_pipeline(catalog)


def run(tmp_path: Path, text: str, catalog, nlp, name: str = "digest.md", fmt: str | None = None):  # noqa: ANN001, ANN201
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(read_issue(path, fmt=fmt), catalog, nlp)


def labels(ex, etype: str) -> set[str]:  # noqa: ANN001
    return {e.label for e in ex.entities if e.type == etype}


def triples(ex) -> set[tuple[str, str, str]]:  # noqa: ANN001
    label = {e.id: e.label for e in ex.entities}
    label[ex.issue_id] = "ISSUE"
    return {(label[r.subject], r.predicate, label[r.object]) for r in ex.relations}


LWKD_HEAD = "---\nlayout: post\ntitle: Week Ending March 8, 2026\nslug: 2026-03-08-update\n---\n\n"


def test_release_links_name_projects_known_and_discovered(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = (
        "# Team digest\n\n## Releases\n\n"
        "- **[Argo CD v3.4.1](https://github.com/argoproj/argo-cd/releases/tag/v3.4.1)** - fixes sync waves.\n"
        "- **[Frobnicator v0.2.0](https://github.com/acme/frobnicator/releases/tag/v0.2.0)** - first beta; "
        "also [v0.1.9](https://github.com/acme/frobnicator/releases/tag/v0.1.9).\n"
    )
    ex = run(tmp_path, text, catalog, nlp)
    assert {"Argo CD 3.4.1", "Frobnicator 0.2.0", "Frobnicator 0.1.9"} <= labels(ex, "Release")
    assert {"Argo CD", "Frobnicator"} <= labels(ex, "Project")
    frob = next(e for e in ex.entities if e.label == "Frobnicator")
    assert frob.props.get("discovered") is True and "catalog" not in frob.props
    t = triples(ex)
    assert ("Argo CD", "has_release", "Argo CD 3.4.1") in t
    assert ("Frobnicator", "has_release", "Frobnicator 0.1.9") in t
    # The release's mention is the link's anchor as written.
    rel = next(e for e in ex.entities if e.label == "Argo CD 3.4.1")
    assert ex.issue.text[rel.mentions[0].start : rel.mentions[0].end] == "Argo CD v3.4.1"


def test_update_lines_give_multi_word_projects_their_versions(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = LWKD_HEAD + (
        "## Version Updates\n\n"
        "* [golang text to v0.3.8](https://github.com/kubernetes/kubernetes/pull/1)\n"
        "* [Structured Merge Diff bumped to v6.4.2](https://github.com/kubernetes/kubernetes/pull/2)\n"
        "* Week 5 of the cycle moves to 1.36\n"
    )
    ex = run(tmp_path, text, catalog, nlp, name="2026-03-08-update.md")
    releases = {norm(r) for r in labels(ex, "Release")}
    assert {norm("golang text 0.3.8"), norm("Structured Merge Diff 6.4.2")} <= releases
    assert any(norm(s) == norm("Structured Merge Diff") and p == "has_release" for s, p, _ in triples(ex))
    assert not any(p.lower().startswith("week") for p in labels(ex, "Project"))


def test_no_release_goes_to_a_project_it_cannot_belong_to(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = LWKD_HEAD + (
        "## Developer News\n\n"
        "containerd 2.3.4 and 2.2.7 keep the old restore path, and the image was rebuilt with v2.2.1 tools.\n\n"
        "The 1.36 release is out.\n"
    )
    ex = run(tmp_path, text, catalog, nlp, name="2026-03-08-update.md")
    releases = labels(ex, "Release")
    assert {"containerd 2.3.4", "containerd 2.2.7", "Kubernetes 1.36"} <= releases
    assert not any(r.startswith("Kubernetes 2.") for r in releases), releases


def test_one_span_denotes_one_entity(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = LWKD_HEAD + (
        "## Subprojects\n\n"
        "* [Cluster API v1.10.0](https://github.com/kubernetes-sigs/cluster-api/releases/tag/v1.10.0) and "
        "[Cluster API Provider AWS v2.8.0](https://github.com/kubernetes-sigs/cluster-api-provider-aws/releases/tag/v2.8.0)\n"
    )
    assert_one_entity_per_span(run(tmp_path, text, catalog, nlp, name="2026-03-08-update.md"))


def assert_one_entity_per_span(ex, where: str = "") -> None:  # noqa: ANN001
    seen: dict[tuple[int, int], str] = {}
    for e in ex.entities:
        for m in e.mentions:
            assert seen.setdefault((m.start, m.end), e.id) == e.id, (where, m, e.label)


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus" / "lwkd").is_dir(), reason="needs ../shared")
def test_no_span_of_real_issues_refers_to_two_entities(catalog, nlp) -> None:  # noqa: ANN001
    files = sorted((SHARED / "corpus" / "lwkd").glob("20*.md"))[::25] + sorted(LWCN.glob("2026-week-0*.md"))
    for path in files:
        assert_one_entity_per_span(extract(read_issue(path), catalog, nlp), path.name)


def test_events_by_head_noun(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = (
        "# Digest\n\n## Events\n\n"
        "Join the Kubernetes Community Meeting on Thursday. Platform Engineering Day runs beside the "
        "Maintainer Summit North America 2026. Talks were due in March. Open Source SecurityCon follows.\n"
    )
    ex = run(tmp_path, text, catalog, nlp)
    events = labels(ex, "Event")
    assert {"Kubernetes Community Meeting", "Platform Engineering Day", "Open Source SecurityCon"} <= events
    assert "Maintainer Summit North America 2026" in events
    assert not any(e.startswith(("Join", "March")) for e in events), events


def test_people_by_handle_profile_and_speaker(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = LWKD_HEAD + (
        "## Shoutouts\n\n"
        "* aojea: Shoutout to Elizabeth Martin Campos for digging through the e2e code\n"
        "* Big thanks to the release team: @Nina Polshakova, @ChengHao Yang (tico88612) and @dchan!\n\n"
        "## Developer News\n\n"
        "The work was done by [Lantao Liu](https://github.com/Random-Liu). Email us at team@example.org.\n"
    )
    ex = run(tmp_path, text, catalog, nlp, name="2026-03-08-update.md")
    people = labels(ex, "Person")
    assert {"Elizabeth Martin Campos", "Nina Polshakova", "ChengHao Yang", "dchan", "aojea", "Lantao Liu"} <= people
    cheng = next(e for e in ex.entities if e.label == "ChengHao Yang")
    assert "tico88612" in cheng.aliases
    lantao = next(e for e in ex.entities if e.label == "Lantao Liu")
    assert "Random-Liu" in lantao.aliases
    assert not any("example" in p for p in people)


def test_projects_named_in_lists_and_by_head_nouns(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = (
        "# Digest\n\n## Community Buzz\n\n"
        "People explored tools like Kelos and VibePod CLI for agents, and alternatives like Mocker. "
        "OnCallMate framework handles incidents.\n"
    )
    ex = run(tmp_path, text, catalog, nlp)
    projects = labels(ex, "Project")
    assert {"Kelos", "VibePod", "Mocker", "OnCallMate"} <= projects
    assert all(e.props.get("discovered") for e in ex.entities if e.label in ("Kelos", "Mocker"))


def test_kep_titles_and_the_feature_a_kep_introduces(tmp_path: Path, nlp) -> None:  # noqa: ANN001
    kep = FakeEntry("KEP", "4020", "KEP-4020", number=4020, title="Unknown Version Interoperability Proxy")
    other = FakeEntry("KEP", "753", "KEP-753", number=753, title="Sidecar Containers")
    cat = FakeCatalog([FakeEntry("Project", "kubernetes", "Kubernetes"), kep, other])
    assert kep_by_title(cat, "unknown version interoperability proxy") == 4020
    assert kep_by_title(cat, "Sidecar Containers") == 753
    assert kep_by_title(cat, "Containers") is None  # one word says nothing
    text = LWKD_HEAD + (
        "## KEP of the Week\n\n"
        "### [KEP-4020: Unknown Version Interoperability Proxy](https://github.com/kubernetes/enhancements/tree/"
        "master/keps/sig-api-machinery/4020-unknown-version-interoperability-proxy)\n\n"
        "This KEP routes requests to an apiserver that can serve them.\n\n"
        "## Developer News\n\n"
        "The Sidecar Containers KEP is stable.\n"
    )
    path = tmp_path / "2026-03-08-update.md"
    path.write_text(text, encoding="utf-8")
    ex = extract(read_issue(path), cat, load_pipeline(cat))
    t = triples(ex)
    assert ("KEP-4020", "about", "Unknown Version Interoperability Proxy") in t
    assert ("Unknown Version Interoperability Proxy", "feature_of", "Kubernetes") in t
    assert "KEP-753" in labels(ex, "KEP")  # named by its title only


def test_reading_items_are_titled_by_their_link(tmp_path: Path, catalog, nlp) -> None:  # noqa: ANN001
    text = (
        "# 团队周报\n\n## 本周阅读推荐\n\n"
        "- 技术博文：[《Kubernetes 调度器详解》](https://example.org/a) 作者 张三\n"
        "- [Scaling etcd for large clusters](https://example.org/b) — a long read by Jane Roe\n"
    )
    ex = run(tmp_path, text, catalog, nlp)
    articles = labels(ex, "Article")
    assert {"Kubernetes 调度器详解", "Scaling etcd for large clusters"} <= articles
    t = triples(ex)
    assert ("Kubernetes 调度器详解", "written_by", "张三") in t
    assert ("Scaling etcd for large clusters", "written_by", "Jane Roe") in t


_RELEASE_LINE = re.compile(r"^- \*\*\[(?P<anchor>[^\]]+)\]\((?P<url>[^)]+/releases/tag/[^)]+)\)\*\*", re.MULTILINE)


@pytest.mark.shared
@pytest.mark.skipif(not LWCN.is_dir(), reason="needs ../shared/corpus/lwcn")
@pytest.mark.parametrize("week", ["2026-week-04", "2026-week-12", "2026-week-21", "2026-week-30"])
def test_lwcn_release_lines_are_attached_to_the_project_they_name(week: str, catalog, nlp) -> None:  # noqa: ANN001
    """Every release line of an LWCN issue gives a release of the project its anchor names."""
    issue = read_issue(LWCN / f"{week}.md")
    ex = extract(issue, catalog, nlp)
    by_id = {e.id: e for e in ex.entities}
    owner = {r.object: by_id[r.subject] for r in ex.relations if r.predicate == "has_release" and r.subject in by_id}
    lines = list(_RELEASE_LINE.finditer(issue.text))
    assert len(lines) >= 10
    wrong = []
    for m in lines:
        if not re.search(r"\d", m.group("anchor")):
            continue  # "Fermyon Spin canary" names no version
        start = m.start("anchor")
        rels = [e for e in ex.entities if e.type == "Release" and any(x.start == start for x in e.mentions)]
        if len(rels) != 1 or rels[0].id not in owner:
            wrong.append((m.group("anchor"), "no release"))
            continue
        project = owner[rels[0].id]
        names = {norm(n) for n in (project.label, *project.aliases)}
        anchor = norm(m.group("anchor"))
        if not any(n and anchor.startswith(n) for n in names):
            wrong.append((m.group("anchor"), project.label))
    assert len(wrong) <= len(lines) // 20, wrong  # at most one in twenty
