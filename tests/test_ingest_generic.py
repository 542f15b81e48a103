"""INGEST: the generic Markdown reader (layouts it was not written for) and Last Week in Cloud Native."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import discover, read_issue, sniff
from kg.model import SECTION_KINDS, Issue, Section

GENERIC = Path(__file__).parent / "fixtures" / "ingest" / "generic"
HUGO = GENERIC / "hugo-toml.md"
JEKYLL = GENERIC / "jekyll-post.md"
PLAIN = GENERIC / "plain.md"
LWCN = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "lwcn"


def read_generic(path: Path, **kwargs) -> Issue:
    """The fixture through the generic reader (whatever the sniffers say: that is tested on its own)."""
    return read_issue(path, fmt="generic-markdown", **kwargs)


def outline(issue: Issue) -> list[tuple[int, str, str, int]]:
    return [(s.level, s.kind, s.title, len(s.items)) for s in issue.sections]


def section(issue: Issue, title: str) -> Section:
    (found,) = [s for s in issue.sections if s.title == title]
    return found


def check_offsets(issue: Issue) -> None:
    """Every section, item, title and link lies inside the text and is what the text holds there."""
    text = issue.text
    for sp in ([issue.title_span] if issue.title_span else []) + issue.authors + issue.editors:
        assert 0 <= sp.start <= sp.end <= len(text) and text[sp.start : sp.end] == sp.text, sp
    for link in issue.links:
        assert 0 <= link.start < link.end <= len(text), link
        if link.anchor_start >= 0:
            assert link.start <= link.anchor_start <= link.anchor_end <= link.end, link
            assert text[link.anchor_start : link.anchor_end] == link.anchor, link
        else:
            assert link.anchor == "" and text[link.start : link.end] == link.url, link
    for sec in issue.sections:
        assert sec.kind in SECTION_KINDS and sec.level in (1, 2), sec
        assert 0 <= sec.start <= sec.title_start <= sec.title_end <= sec.end <= len(text), sec.title
        assert text[sec.title_start : sec.title_end] == sec.title
        for item in sec.items:
            assert sec.start <= item.start <= item.end <= sec.end, item
            assert text[item.start : item.end] == item.text, item
            if item.title is not None:
                assert item.start <= item.title.start <= item.title.end <= item.end, item
                assert text[item.title.start : item.title.end] == item.title.text, item
            for link in item.links:
                assert item.start <= link.start <= link.end <= item.end and link in issue.links, link


def check_link(issue: Issue, written: str, anchor: str, url: str) -> None:
    """The link written as ``written`` (its first occurrence) is recorded with exactly these offsets."""
    start = issue.text.index(written)
    (link,) = [lk for lk in issue.links if lk.start == start]
    assert (link.anchor, link.url) == (anchor, url)
    assert issue.text[link.start : link.end] == written
    if anchor:
        assert (link.anchor_start, link.anchor_end) == (start + 1, start + 1 + len(anchor))
        assert issue.text[link.anchor_start : link.anchor_end] == anchor
    else:
        assert (link.anchor_start, link.anchor_end) == (-1, -1)


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize("path", [HUGO, JEKYLL, PLAIN], ids=lambda p: p.name)
def test_fixtures_are_sniffed_generic(path: Path) -> None:
    assert sniff(path, path.read_text(encoding="utf-8")) == "generic-markdown"
    issue = read_issue(path)
    assert issue.format == "generic-markdown"
    assert issue.text == path.read_text(encoding="utf-8")
    check_offsets(issue)


# --------------------------------------------------------------------------- Hugo, TOML front matter


def test_hugo_metadata() -> None:
    issue = read_generic(HUGO)
    assert issue.title == "Cloud Ops Roundup #12"
    assert issue.title_span is not None and issue.title_span.text == "Cloud Ops Roundup #12"
    assert issue.text[issue.title_span.start - 9 : issue.title_span.start] == 'title = "'
    assert (issue.date, issue.date_inferred) == ("2026-04-03", False)  # a TOML datetime
    assert issue.number == "12"  # issue = 12
    assert (issue.series, issue.series_title) == ("cloud-ops-roundup", "Cloud Ops Roundup")
    assert [s.text for s in issue.authors] == ["Jane Doe", "Li Wei"]
    assert issue.editors == []
    assert all(s.start < issue.text.index("\n+++\n") for s in issue.authors)  # found in the front matter
    check_offsets(issue)


def test_hugo_sections_and_items() -> None:
    issue = read_generic(HUGO)
    assert outline(issue) == [
        (1, "other", "", 1),  # the welcome paragraph before the first heading
        (1, "news", "News", 3),
        (1, "releases", "Releases", 3),
        (1, "reading", "Reading", 3),
    ]
    text = issue.text
    assert not any(s.start < text.index("\n+++\n") for s in issue.sections)  # nothing from the front matter
    intro, news, releases, reading = issue.sections
    assert text[intro.items[0].start : intro.items[0].end] == (
        "Welcome to issue twelve. This week: a busy release train and two long reads."
    )
    assert [i.kind for i in news.items] == ["list", "list", "list"]
    assert text[news.items[0].start : news.items[0].end].startswith("[Gateway API 1.5 is out](https://")
    assert text[news.items[2].start : news.items[2].end].startswith("The project mailing list moved")
    assert [i.title.text if i.title else None for i in news.items] == [
        "Gateway API 1.5 is out",
        "KubeCon EU schedule published",
        None,
    ]
    argo, flux, velero = releases.items
    assert text[argo.start : argo.end] == (
        "**[Argo CD v3.4.1](https://github.com/argoproj/argo-cd/releases/tag/v3.4.1)** - "
        "Fixes a regression in the ApplicationSet controller."
    )
    assert [i.title.text for i in releases.items] == ["Argo CD v3.4.1", "Flux v2.9.0", "Velero v1.17.0"]
    assert argo.title.start == text.index("Argo CD v3.4.1")  # the anchor, inside the ** and [ ]
    assert velero.title.start == text.index("Velero") and velero.links == []  # a bold name
    assert text[flux.start : flux.end].endswith("\n  and drops the deprecated bucket source API.")  # continued
    assert [i.kind for i in reading.items] == ["list", "list", "paragraph"]
    assert [i.title.text for i in reading.items[:2]] == ["Designing Multi-Tenant Clusters", "Why Your Probes Lie"]
    assert reading.items[2].title is None
    assert text[reading.items[2].start : reading.items[2].end].startswith("Thanks for reading!")
    assert reading.end == len(text.rstrip("\n"))
    check_offsets(issue)


def test_hugo_links() -> None:
    issue = read_generic(HUGO)
    assert [(lk.anchor, lk.url) for lk in issue.links] == [
        ("Gateway API 1.5 is out", "https://example.org/news/gateway-api-1-5"),
        ("KubeCon EU schedule published", "https://example.org/news/kubecon-schedule"),
        ("Argo CD v3.4.1", "https://github.com/argoproj/argo-cd/releases/tag/v3.4.1"),
        ("Flux v2.9.0", "https://example.com/flux/releases/v2.9.0"),
        ("Designing Multi-Tenant Clusters", "https://example.com/blog/multi-tenant"),
        ("Why Your Probes Lie", "https://example.com/blog/probes"),
    ]
    check_link(
        issue,
        "[Argo CD v3.4.1](https://github.com/argoproj/argo-cd/releases/tag/v3.4.1)",
        "Argo CD v3.4.1",
        "https://github.com/argoproj/argo-cd/releases/tag/v3.4.1",
    )
    check_link(
        issue,
        '[Why Your Probes Lie](https://example.com/blog/probes "Probes")',  # the link title is part of the link
        "Why Your Probes Lie",
        "https://example.com/blog/probes",
    )
    releases = section(issue, "Releases")
    assert [[lk.anchor for lk in i.links] for i in releases.items] == [["Argo CD v3.4.1"], ["Flux v2.9.0"], []]
    for item in section(issue, "News").items[:2] + releases.items[:2] + section(issue, "Reading").items[:2]:
        # a leading link titles its item by its anchor, at the anchor's offsets
        assert (item.title.start, item.title.end, item.title.text) == (
            item.links[0].anchor_start,
            item.links[0].anchor_end,
            item.links[0].anchor,
        )


# --------------------------------------------------------------------------- Jekyll, YAML front matter


def test_jekyll_metadata() -> None:
    issue = read_generic(JEKYLL)
    assert issue.title == "Platform Notes: March Edition"
    assert issue.title_span is not None and issue.title_span.text == "Platform Notes: March Edition"
    assert (issue.date, issue.date_inferred) == ("2026-03-15", False)
    assert issue.number == "jekyll-post"
    assert (issue.series, issue.series_title) == ("generic", "generic")  # the folder's name
    # the front matter's author, then the byline's (Jane Doe once)
    assert [s.text for s in issue.authors] == ["Jane Doe", "John Roe"]
    assert issue.authors[1].start == issue.text.index("John Roe")
    assert [s.text for s in issue.editors] == ["王小明"]  # "> 编辑：王小明"
    check_offsets(issue)


def test_jekyll_sections_and_items() -> None:
    issue = read_generic(JEKYLL)
    assert outline(issue) == [
        (1, "news", "Headlines", 3),  # the byline before it is not an item (no untitled section)
        (1, "project-recommendation", "Tools of the week", 2),
        (1, "reading", "Further reading", 2),
        (1, "events", "社区活动", 2),
        (2, "events", "上海站", 1),  # '##' under '#' sections: a subsection of its parent's kind
    ]
    text = issue.text
    headlines, tools, further, events, shanghai = issue.sections
    assert [i.kind for i in headlines.items] == ["numbered"] * 3
    assert text[headlines.items[0].start : headlines.items[0].end] == (
        "[Cluster API reaches v2](https://example.org/capi-v2) and drops the old providers."
    )
    assert [i.title.text for i in headlines.items] == [
        "Cluster API reaches v2",
        "Helm 4 migration guide",
        "A new home for the SIG docs",
    ]
    assert [i.title.text for i in further.items] == ["Etcd tuning in practice", "Understanding the CRI"]
    assert text[further.items[1].start : further.items[1].end].endswith(") by Ana Silva")  # not a byline
    assert [i.kind for i in tools.items] == ["paragraph", "paragraph"]
    assert text[tools.items[0].start : tools.items[0].end] == (
        "**kubectl-tree** shows the owner references of an object as a tree.\n"
        "See https://example.com/kubectl-tree for details."
    )
    assert text[tools.items[1].start : tools.items[1].end].startswith("**kube-score** grades")
    assert [i.title.text for i in events.items] == ["云原生沙龙·上海站", "KubeCon China"]  # 《title》, bold name
    assert events.end == shanghai.end  # the parent covers its subsection
    assert text[shanghai.items[0].start : shanghai.items[0].end].startswith("本次沙龙共四个议题")
    assert "编辑" not in shanghai.items[0].text  # the editor line is metadata, not an item
    check_offsets(issue)


def test_jekyll_paragraph_led_by_a_bold_name_is_titled() -> None:
    """The docstring: "list items and paragraphs as items; an item that starts with ... a bold name is titled by it"."""
    tools = section(read_generic(JEKYLL), "Tools of the week")
    assert [i.title.text if i.title else None for i in tools.items] == ["kubectl-tree", "kube-score"]


def test_jekyll_links() -> None:
    issue = read_generic(JEKYLL)
    assert [(lk.anchor, lk.url) for lk in issue.links] == [
        ("Cluster API reaches v2", "https://example.org/capi-v2"),
        ("Helm 4 migration guide", "https://example.org/helm4-guide"),
        ("A new home for the SIG docs", "https://example.org/sig-docs"),
        ("", "https://example.com/kubectl-tree"),
        ("Etcd tuning in practice", "https://example.com/etcd-tuning"),
        ("Understanding the CRI", "https://example.com/cri"),
        ("", "https://example.com/events/shanghai"),
        ("", "https://example.com/events/shanghai/agenda"),
    ]
    check_link(issue, "[Helm 4 migration guide](https://example.org/helm4-guide)", "Helm 4 migration guide",
               "https://example.org/helm4-guide")  # fmt: skip
    check_link(issue, "https://example.com/events/shanghai", "", "https://example.com/events/shanghai")  # after "："
    check_link(issue, "https://example.com/events/shanghai/agenda", "", "https://example.com/events/shanghai/agenda")
    assert [lk.url for lk in section(issue, "Tools of the week").items[0].links] == ["https://example.com/kubectl-tree"]


# --------------------------------------------------------------------------- plain Markdown, no front matter


def test_plain_metadata() -> None:
    issue = read_generic(PLAIN)
    assert issue.title == "Kube Builders Digest"  # the single '#' line
    assert issue.title_span is not None and (issue.title_span.start, issue.title_span.text) == (
        2,
        "Kube Builders Digest",
    )
    assert (issue.date, issue.date_inferred) == (None, False)
    assert issue.number == "plain"
    assert (issue.series, issue.series_title) == ("generic", "generic")
    assert [s.text for s in issue.authors] == ["Sam Park"]  # "Written by Sam Park"
    check_offsets(issue)


def test_plain_sections_and_items() -> None:
    issue = read_generic(PLAIN)
    assert outline(issue) == [
        (1, "other", "", 1),  # the paragraph under the title line
        (1, "upstream", "Upstream changes", 0),
        (2, "upstream", "Scheduler", 1),
        (2, "upstream", "Storage", 1),
        (1, "other", "Snippets", 2),
        (1, "events", "Events", 3),
    ]
    text = issue.text
    intro, upstream, scheduler, storage, snippets, events = issue.sections
    assert intro.items[0].text == "A fortnightly digest for people who build on Kubernetes."  # the byline is taken out
    assert upstream.end == storage.end
    assert (scheduler.start, scheduler.title_start) == (text.index("### Scheduler"), text.index("Scheduler"))
    assert text[scheduler.items[0].start : scheduler.items[0].end] == (
        "The scheduler gained a plugin for gang scheduling, see\nhttps://example.org/kep/4671 for the design."
    )
    assert text[storage.items[0].start : storage.items[0].end].startswith("Volume populators are now stable:")
    para, code = snippets.items
    assert text[para.start : para.end] == "Try this to list pods that have no node yet:"
    assert text[code.start : code.end] == (
        "```sh\n# list pods that are still pending\nkubectl get pods -A --field-selector=status.phase=Pending\n```"
    )
    assert [i.kind for i in events.items] == ["list", "list", "paragraph"]
    assert text[events.items[1].start : events.items[1].end] == (
        "Cloud Native Meetup Tokyo: https://example.com/events/tokyo"
    )
    assert all(i.title is None for s in issue.sections for i in s.items)  # nothing leads with a link or bold name
    check_offsets(issue)


def test_plain_fenced_hash_line_is_not_a_heading() -> None:
    issue = read_generic(PLAIN)
    fenced = issue.text.index("# list pods")
    assert not any("list pods" in s.title for s in issue.sections)
    assert not any(s.title_start <= fenced < s.title_end or s.start == fenced for s in issue.sections)
    assert issue.section_at(fenced).title == "Snippets"
    assert [i.kind for s in issue.sections for i in s.items if i.start <= fenced < i.end] == ["paragraph"]


def test_plain_bare_links() -> None:
    issue = read_generic(PLAIN)
    assert [(lk.anchor, lk.url) for lk in issue.links] == [
        ("", "https://example.org/kep/4671"),
        ("", "https://example.org/blog/volume-populators"),  # without the full stop after it
        ("", "https://example.com/events/berlin"),
        ("", "https://example.com/events/tokyo"),
    ]
    for lk in issue.links:
        check_link(issue, lk.url, "", lk.url)
    assert issue.text[issue.links[1].end] == "."


# --------------------------------------------------------------------------- series and section kinds


@pytest.mark.parametrize("path", [HUGO, JEKYLL, PLAIN], ids=lambda p: p.name)
def test_series_given(path: Path) -> None:
    issue = read_generic(path, series="Team Digest")
    assert (issue.series, issue.series_title) == ("team-digest", "Team Digest")


def test_series_from_folder_else_front_matter(tmp_path: Path) -> None:
    folder = tmp_path / "Platform Weekly"
    folder.mkdir()
    plain = folder / "2026-05-01.md"
    plain.write_text("## News\n\n- one\n", encoding="utf-8")
    issue = read_issue(plain)
    assert issue.format == "generic-markdown"
    assert (issue.series, issue.series_title) == ("platform-weekly", "Platform Weekly")
    assert (issue.date, issue.number, issue.title) == ("2026-05-01", "2026-05-01", "2026-05-01")
    named = folder / "n.md"
    named.write_text("---\nnewsletter: Ops Letter\ntitle: One\n---\n\n## News\n\n- one\n", encoding="utf-8")
    assert (read_issue(named).series, read_issue(named).series_title) == ("ops-letter", "Ops Letter")


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("News", "news"),
        ("Releases", "releases"),
        ("Reading", "reading"),
        ("Articles", "reading"),
        ("Events", "events"),
        ("社区活动", "events"),
        ("版本发布", "releases"),
        ("Community", "community"),
        ("Glossary", "glossary"),
        ("项目推荐", "project-recommendation"),
        ("Upstream", "upstream"),
    ],
)
def test_section_kind_from_words(tmp_path: Path, heading: str, kind: str) -> None:
    path = tmp_path / "k.md"
    path.write_text(f"## {heading}\n\n- one\n\n## Misc\n\n- two\n", encoding="utf-8")
    issue = read_issue(path)
    assert issue.format == "generic-markdown"
    assert outline(issue) == [(1, kind, heading, 1), (1, "other", "Misc", 1)]


# --------------------------------------------------------------------------- never fails on well-formed Markdown

_WORD = st.text(alphabet="abcxyzKQ019 -_*#[]()《》：:.,/`云原生社区活动", min_size=1, max_size=12)
_LETTER = st.sampled_from("AbcZ云")
_URL = st.sampled_from(["https://example.org/a", "https://example.com/2026/01/05/x", "https://github.com/o/r/pull/1"])
_FRONT = st.sampled_from(
    [
        "",
        "---\ntitle: A Title\ndate: 2026-01-05\nauthor: Jane Doe\n---\n",
        "---\nlayout: page\ntags: [a, b]\n---\n\n",
        "+++\ntitle = 'T'\ndate = 2026-01-05\nauthors = ['Ann Lee', 'Bo Li']\n+++\n",
    ]
)
_LINE = st.one_of(
    st.just(""),
    st.just(""),
    st.builds(lambda n, w: "#" * n + " " + w, st.integers(1, 6), _WORD),
    st.builds(lambda n, a, w: "#" * n + " " + a + w, st.integers(1, 3), _LETTER, _WORD),
    st.builds(lambda b, a, w: b + a + w, st.sampled_from(["- ", "* ", "+ ", "1. ", "12) ", "  - "]), _LETTER, _WORD),
    st.builds(lambda w, u: f"- [{w}]({u}) — {w}", _WORD, _URL),
    st.builds(lambda w, u: f"**[{w}]({u})** - {w}", _WORD, _URL),
    st.builds(lambda w, u: f"1. 《{w}》 {u}", _WORD, _URL),
    st.builds(lambda w: f"**{w}** {w}", _WORD),
    st.builds(lambda a, w, u: f"{a}{w} {u} {w}", _LETTER, _WORD, _URL),
    st.builds(lambda a, w: a + w, _LETTER, _WORD),
    st.builds(lambda a, w: "  " + a + w, _LETTER, _WORD),
    st.builds(lambda w: "> " + w, _WORD),
    st.builds(lambda a, w: f"{a}{w}\n-----", _LETTER, _WORD),  # setext
    st.builds(lambda a, w: f"{a}{w}\n=====", _LETTER, _WORD),
    st.sampled_from(["```", "```yaml", "~~~", "# inside a fence?", "***", "* * *", "By Jane Doe and John Roe"]),
    st.sampled_from(["作者：张三、李四", "> 编辑：王五", "Written by [Ann](https://example.com/ann)", "|a|b|"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=_FRONT, body=st.lists(_LINE, max_size=30).map("\n".join), newline=st.sampled_from(["", "\n"]))
def test_generic_reader_never_fails(tmp_path: Path, front: str, body: str, newline: str) -> None:
    text = front + body + newline
    path = tmp_path / "doc.md"
    path.write_bytes(text.encode("utf-8"))
    if not text.strip():
        with pytest.raises(InputError, match="empty file"):
            read_issue(path, fmt="generic-markdown")
        return
    issue = read_issue(path, fmt="generic-markdown")
    assert issue.text == text and issue.format == "generic-markdown"
    check_offsets(issue)
    # nothing inside fenced code is a section
    fenced: list[tuple[int, int]] = []
    fence, pos, opened = "", len(front), 0
    for line in body.split("\n"):
        stripped = line.strip()
        if fence and stripped.startswith(fence) and not stripped.strip(fence[0]):
            fenced.append((opened, pos))
            fence = ""
        elif not fence and stripped.startswith(("```", "~~~")):
            fence, opened = stripped[:3], pos
        pos += len(line) + 1
    if fence:
        fenced.append((opened, len(text)))
    for sec in issue.sections:
        assert not any(a < sec.title_start <= b for a, b in fenced), (sec.title, fenced)


# --------------------------------------------------------------------------- Last Week in Cloud Native (../shared)


@pytest.fixture
def lwcn_dir() -> Path:
    if not LWCN.is_dir():
        pytest.skip("../shared/corpus/lwcn is absent")
    return LWCN


@pytest.mark.shared
def test_lwcn_files_are_sniffed_and_discovered(lwcn_dir: Path) -> None:
    mains = sorted(p for p in lwcn_dir.glob("2026-week-*.md") if not p.name.endswith("-articles.md"))
    assert len(mains) == 28
    for p in mains:
        assert sniff(p, p.read_text(encoding="utf-8")) == "lwcn-markdown", p.name
    found = discover([lwcn_dir])
    assert len(found) == 28
    assert not any(p.name.endswith("-articles.md") for p in found)
    assert [p.name for p in found] == [p.name for p in mains]


@pytest.mark.shared
def test_lwcn_week_10(lwcn_dir: Path) -> None:
    path = lwcn_dir / "2026-week-10.md"
    main = read_issue(path)
    assert main.text == path.read_text(encoding="utf-8")  # without companions: the file alone
    assert main.parts == []
    issue = read_issue(path, companions=True)
    assert issue.format == "lwcn-markdown"
    assert (issue.series, issue.number, issue.date) == ("lwcn", "2026-week-10", "2026-03-02")
    articles = lwcn_dir / "2026-week-10-articles.md"
    assert issue.parts == [(str(articles), len(main.text) + 1)]
    assert issue.parts[0][1] == len(main.text) + 1
    assert issue.text == main.text + "\n" + articles.read_text(encoding="utf-8")

    releases = section(issue, "🚀 Notable Releases")
    assert (releases.level, releases.kind, releases.items) == (1, "releases", [])
    i = issue.sections.index(releases)
    subs = issue.sections[i + 1 : issue.sections.index(section(issue, "📰 This Week in Cloud Native"))]
    assert [s.title for s in subs] == [
        "Orchestration", "Monitoring", "GitOps", "Database", "Storage", "Policy", "Logging", "Runtime",
        "Virtualization", "Security", "Serverless", "Developer Portal", "Multi-Cluster", "Networking",
        "Development", "Observability", "CI/CD", "Service Mesh", "Identity", "Container Tools",
    ]  # fmt: skip
    assert {(s.level, s.kind) for s in subs} == {(2, "releases")}
    assert releases.end == subs[-1].end
    first = subs[0].items[0]
    assert first.title is not None and first.title.text == "Kubernetes v1.35.2"
    assert issue.text[first.start : first.end].startswith(
        "**[Kubernetes v1.35.2](https://github.com/kubernetes/kubernetes/releases/tag/v1.35.2)** - A patch release"
    )
    assert (first.title.start, first.title.end) == (first.links[0].anchor_start, first.links[0].anchor_end)

    head = section(issue, "📚 All Articles from Week 10")
    assert (head.level, head.kind) == (1, "reading")
    assert head.title_start == len(main.text) + 1 + articles.read_text(encoding="utf-8").index("📚 All Articles")
    assert head.start > len(main.text) and head.end == len(issue.text)
    after = issue.sections[issue.sections.index(head) + 1 :]
    assert after and all(s.level == 2 and s.kind == "reading" and s.start > head.start for s in after)
    assert all(s.start < len(main.text) for s in issue.sections[: issue.sections.index(head)])
    sources = {s.title: s for s in after}
    assert [i.kind for i in sources["AWS Containers (3)"].items] == ["list"] * 3
    counted = {s.title: sum(i.kind == "list" for i in s.items) for s in after if s.title}
    assert counted == {title: int(title.rsplit("(", 1)[1].rstrip(")")) for title in counted}  # "CNCF Blog (8)"
    assert len(counted) == 10
    entries = [item for s in after for item in s.items if item.kind == "list"]
    assert len(entries) == 184
    for item in entries:
        link = item.links[0]
        assert link.start == item.start, item.text
        assert item.title is not None
        assert issue.text[link.anchor_start : link.anchor_end] == link.anchor == item.title.text
        assert (item.title.start, item.title.end) == (link.anchor_start, link.anchor_end)
        assert link in issue.links
    check_offsets(issue)
