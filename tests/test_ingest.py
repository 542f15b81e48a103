"""INGEST: newsletter files -> kg.model.Issue."""

from __future__ import annotations

import collections
import hashlib
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import READERS, decode, discover, read_issue, sniff
from kg.ingest.common import date_from_links, find_date, find_links, section_kind
from kg.model import SECTION_KINDS, Issue

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
WEEKLY_MD = FIXTURES / "cloud-native-weekly-vol-17.md"
LWKD_SAMPLE = FIXTURES / "lwkd-sample.md"


def assert_offsets(issue: Issue) -> None:
    """Every recorded stretch is what the text holds there, and items/links sit inside their containers."""
    text = issue.text
    spans = [issue.title_span] if issue.title_span else []
    spans += issue.authors + issue.editors + issue.publishers
    for sp in spans:
        assert sp.text and text[sp.start : sp.end] == sp.text, sp
    for link in issue.links:
        assert 0 <= link.start < link.end <= len(text), link
        assert link.url, link
        if link.anchor_start >= 0:
            assert link.start <= link.anchor_start <= link.anchor_end <= link.end
            assert text[link.anchor_start : link.anchor_end] == link.anchor, link
        else:
            assert link.anchor == "" and text[link.start : link.end] == link.url, link
    assert [link.start for link in issue.links] == sorted(link.start for link in issue.links)
    for section in issue.sections:
        assert section.kind in SECTION_KINDS
        assert section.level in (1, 2)
        assert text[section.title_start : section.title_end] == section.title, section.title
        assert section.start <= section.title_start <= section.title_end <= section.end <= len(text)
        for item in section.items:
            assert text[item.start : item.end] == item.text, item
            assert section.start <= item.start <= item.end <= section.end
            assert item.kind in ("list", "numbered", "paragraph", "heading")
            if item.title:
                assert item.start <= item.title.start <= item.title.end <= item.end
                assert text[item.title.start : item.title.end] == item.title.text
            for link in item.links:
                assert item.start <= link.start and link.end <= item.end
                assert link in issue.links
    level1 = [s for s in issue.sections if s.level == 1]
    for a, b in zip(level1, level1[1:], strict=False):
        assert a.end <= b.start, (a.title, b.title)


# --------------------------------------------------------------------------- the seed (weekly-text)


@pytest.fixture(scope="module")
def seed() -> Issue:
    return read_issue(Path(__file__).resolve().parents[1] / "corpus" / "cloud-native-weekly-vol-17.txt")


def test_seed_metadata(seed: Issue, seed_path: Path) -> None:
    assert seed.format == "weekly-text"
    assert seed.series == "cloud-native-weekly" and seed.series_title == "云原生生态周报"
    assert seed.number == "17"
    assert seed.title == "云原生生态周报 Vol. 17 | Helm 3 发布首个 beta 版本"
    assert seed.title_span.text == "Helm 3 发布首个 beta 版本"
    assert (seed.date, seed.date_inferred) == ("2019-08-20", True)  # from the cilium blog URL
    assert [a.text for a in seed.authors] == ["墨封", "衷源", "元毅", "有济", "心水"]
    assert [e.text for e in seed.editors] == ["木环"]
    assert [p.text for p in seed.publishers] == ["阿里巴巴容器平台", "蚂蚁金服"]
    assert seed.encoding == "utf-8"
    assert seed.content_hash == hashlib.sha256(seed_path.read_bytes()).hexdigest()
    assert seed.text == seed_path.read_text(encoding="utf-8")
    assert seed.path.endswith("cloud-native-weekly-vol-17.txt")


def test_seed_sections(seed: Issue) -> None:
    got = [(s.level, s.kind, s.title, len(s.items)) for s in seed.sections]
    assert got == [
        (1, "news", "业界要闻", 3),
        (1, "upstream", "上游重要进展", 0),
        (2, "upstream", "Kubernetes 项目", 3),
        (2, "upstream", "4.其他更新", 5),
        (2, "upstream", "etcd 项目", 2),
        (2, "upstream", "knative 项目", 5),
        (1, "project-recommendation", "开源项目推荐", 3),
        (1, "reading", "本周阅读推荐", 6),
        (1, "glossary", "名词解释", 1),
    ]
    upstream = seed.sections[1]
    assert upstream.end == seed.sections[5].end  # the parent covers its subsections
    assert_offsets(seed)


def test_seed_items(seed: Issue) -> None:
    news, _, kubernetes, _, _, knative, projects, reading, glossary = seed.sections
    assert all(item.kind == "numbered" for item in news.items)
    assert news.items[1].text.startswith("cilium 1.6 版本发布\n")
    assert news.items[1].text.endswith("以下是 cilium 的性能测试结果。")  # runs until the next entry
    # the line break inside the first entry continues it; "。 - " mid-line starts a new entry
    first, second, _ = kubernetes.items
    assert "\nmax-in-flight\n" in first.text and first.text.endswith("观察到的 requests。")
    assert second.kind == "list" and second.text.startswith("为 HA master 增加 StorageVersion API。")
    assert knative.items[-1].text.startswith("eventing 将 channel 和 subscriptions")
    assert [item.title.text for item in projects.items] == ["microk8s", "qlkube", "kube-fzf"]
    assert "- client 需要向 server 发若干个请求" in projects.items[1].text  # a project's item keeps its list
    assert [item.title.text for item in reading.items] == [
        "The State of State in Cloud Native Applications",
        "How Kubernetes Could Orchestrate Machine Learning Pipelines",
        "Kubernetes Web UIs in 2019",
        "深度解读 Helm 3: 犹抱琵琶半遮面",
        "Knative Eventing 之 Choice 介绍",
        "Service Mesh 发展趋势(续):棋到中盘路往何方",
    ]
    assert [link.url for link in reading.items[0].links] == [
        "https://thenewstack.io/the-state-of-state-in-cloud-native-applications/"
    ]
    assert glossary.items[0].text == "KEP - Kubernetes Enhancement Proposal, 即 Kubernetes 上游设计文档"


def test_seed_links(seed: Issue) -> None:
    urls = [link.url for link in seed.links]
    assert len(urls) == 10
    assert "https://github.com/thecasualcoder/kube-fzf" in urls  # stops before "(fuzzy"
    assert "https://github.com/qlkube/qlkube?utm_sq=g5n76aa1mt" in urls
    assert all(link.anchor == "" for link in seed.links)


def test_seed_closing_lines_are_outside_sections(seed: Issue) -> None:
    closing = seed.text.index("本周报由")
    assert seed.section_at(closing) is None
    assert seed.section_at(seed.authors[0].start) is None
    assert seed.section_at(seed.text.index("microk8s 紧跟")).title == "开源项目推荐"
    assert seed.section_at(seed.text.index("mvcc")).title == "etcd 项目"


@pytest.mark.parametrize(
    ("transform", "encoding"),
    [
        (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("gbk"), "gb18030"),
        (lambda t: t.encode("utf-16"), "utf-16"),
    ],
    ids=["crlf", "bom", "gb18030", "gbk", "utf-16"],
)
def test_seed_encodings_and_line_endings(seed: Issue, tmp_path: Path, transform, encoding: str) -> None:
    raw = transform(seed.text)
    path = tmp_path / "cloud-native-weekly-vol-17.txt"
    path.write_bytes(raw)
    issue = read_issue(path)
    assert issue.encoding == encoding
    assert issue.content_hash == hashlib.sha256(raw).hexdigest()
    assert not issue.text.startswith("\ufeff")
    assert [(s.title, len(s.items)) for s in issue.sections] == [(s.title, len(s.items)) for s in seed.sections]
    assert [i.text.replace("\r", "") for s in issue.sections for i in s.items] == [
        i.text for s in seed.sections for i in s.items
    ]
    assert [a.text for a in issue.authors] == [a.text for a in seed.authors]
    assert issue.date == seed.date
    assert_offsets(issue)


def test_weekly_text_variants(tmp_path: Path) -> None:
    path = tmp_path / "weekly-vol-3.txt"
    path.write_text(
        "云原生生态周报 第 3 期\n"
        "本周作者：甲、乙 / 丙，丁\n"
        "\n"
        "业界要闻\n"
        "1. 第一条\n"
        "\n"
        "接着第一条的说明。https://example.com/2019/07/01/a\n"
        "2. 第二条 https://example.com/2019-07-09/b.\n"
        "开源项目推荐\n"
        "1. kube-fzf\n"
        "命令行工具\n"
        "- 支持 pod\n"
        "2. qlkube\n"
        "GraphQL\n"
        "---\n"
        "本期由 A 公司、B 基金会与 C 团队发布\n",
        encoding="utf-8",
    )
    issue = read_issue(path)
    assert issue.number == "3" and issue.title == "云原生生态周报 第 3 期"
    assert [a.text for a in issue.authors] == ["甲", "乙", "丙", "丁"]
    assert [p.text for p in issue.publishers] == ["A 公司", "B 基金会", "C 团队"]
    assert (issue.date, issue.date_inferred) == ("2019-07-09", True)
    assert issue.links[1].url == "https://example.com/2019-07-09/b"
    news, projects = issue.sections
    assert len(news.items) == 2 and "接着第一条的说明" in news.items[0].text  # across the blank line
    assert [(i.title.text, i.kind) for i in projects.items] == [("kube-fzf", "numbered"), ("qlkube", "numbered")]
    assert "- 支持 pod" in projects.items[0].text
    assert_offsets(issue)


# --------------------------------------------------------------------------- weekly-markdown


def test_weekly_markdown_fixture() -> None:
    issue = read_issue(WEEKLY_MD)
    assert issue.format == "weekly-markdown"
    assert issue.series == "cloud-native-weekly" and issue.number == "17"
    assert issue.title == "云原生生态周报 Vol. 17 | Helm 3 发布首个 beta 版本"
    assert issue.title_span.text == "Helm 3 发布首个 beta 版本"
    assert issue.text[issue.title_span.start - 7 : issue.title_span.start] == 'title: "'[-7:]  # the front matter value
    assert (issue.date, issue.date_inferred) == ("2019-08-26", False)
    assert [a.text for a in issue.authors] == ["墨封", "衷源", "元毅", "有济", "心水"]
    assert [e.text for e in issue.editors] == ["木环"]
    assert [p.text for p in issue.publishers] == ["阿里巴巴容器平台", "蚂蚁金服"]
    assert [(s.level, s.kind, s.title) for s in issue.sections] == [
        (1, "news", "业界要闻"),
        (1, "upstream", "上游重要进展"),
        (2, "upstream", "Kubernetes 项目"),
        (2, "upstream", "etcd 项目"),
        (1, "project-recommendation", "开源项目推荐"),
        (1, "reading", "本周阅读推荐"),
        (1, "glossary", "名词解释"),
    ]
    news, _, kubernetes, _, projects, reading, glossary = issue.sections
    assert [i.kind for i in news.items] == ["numbered"] * 3
    assert "该版本的重点" in news.items[0].text  # the indented paragraph after the blank line
    assert news.items[0].links[0].anchor == "发布说明"
    assert news.items[2].links[0].url == "https://github.com/pivotal/kpack"  # <autolink>
    assert "`max-in-flight`" in kubernetes.items[0].text
    assert [i.title.text for i in projects.items] == ["microk8s", "qlkube"]
    assert "紧跟上游 K8s" in projects.items[0].text
    assert [i.title.text for i in reading.items] == [
        "The State of State in Cloud Native Applications",
        "Kubernetes Web UIs in 2019",  # no 《》: the link's anchor
    ]
    assert glossary.items[0].text.startswith("KEP - Kubernetes Enhancement Proposal")
    assert issue.section_at(issue.text.index("搜索「")) is None  # after the closing ---
    assert_offsets(issue)


def test_weekly_markdown_title_from_heading(tmp_path: Path) -> None:
    path = tmp_path / "w.md"
    path.write_text(
        "---\ndate: 2019-09-02\nauthors: [甲, 乙]\neditor: 丙\n---\n\n"
        "# 云原生生态周报 Vol. 18 | 标题\n\n## 业界要闻\n\n- 一条 [链接](https://example.com/x)\n",
        encoding="utf-8",
    )
    issue = read_issue(path)
    assert issue.format == "weekly-markdown"
    assert (issue.number, issue.title, issue.title_span.text) == ("18", "云原生生态周报 Vol. 18 | 标题", "标题")
    assert [a.text for a in issue.authors] == ["甲", "乙"] and [e.text for e in issue.editors] == ["丙"]
    assert issue.sections[0].items[0].links[0].anchor == "链接"
    assert_offsets(issue)


def test_weekly_markdown_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "cloud-native-weekly-vol-5.md"
    path.write_text("## 业界要闻\n\n1. 新闻 https://example.com/2019/06/30/x\n", encoding="utf-8")
    issue = read_issue(path)
    assert (issue.format, issue.number, issue.title) == ("weekly-markdown", "5", "云原生生态周报 Vol. 5")
    assert (issue.date, issue.date_inferred) == ("2019-06-30", True)


# --------------------------------------------------------------------------- lwkd-markdown


def test_lwkd_sample() -> None:
    issue = read_issue(LWKD_SAMPLE)
    assert issue.format == "lwkd-markdown"
    assert (issue.series, issue.series_title) == ("lwkd", "Last Week in Kubernetes Development")
    assert issue.title == "Week Ending March 8th, 2020" and issue.title_span.text == issue.title
    assert (issue.number, issue.date, issue.date_inferred) == ("2020-03-08", "2020-03-08", False)
    assert [a.text for a in issue.authors] == ["Ada Example", "Bo Sample"]
    assert [(s.level, s.kind, s.title) for s in issue.sections] == [
        (1, "other", ""),  # the text before the first heading
        (1, "news", "Community Meeting Summary"),  # setext heading
        (1, "news", "Developer News"),
        (2, "news", "Election Update"),
        (1, "upstream", "Featured PRs"),
        (
            2,
            "upstream",
            "[#12345: kubelet: fix cache invalidation](https://github.com/kubernetes/kubernetes/pull/12345)",
        ),
        (1, "community", "Shoutouts"),
    ]
    pr = issue.sections[5]
    assert [i.kind for i in pr.items] == ["paragraph", "paragraph", "heading", "list", "list", "numbered"]
    assert pr.items[1].text.startswith("```yaml\n# not a heading")
    assert pr.items[2].text == "A deeper heading"
    assert pr.items[3].text.endswith("with a continuation line")
    assert [(link.anchor, link.url) for link in pr.items[4].links] == [
        ("with `code`", "https://github.com/kubernetes/kubernetes/pull/1"),
        ("", "https://k8s.io/docs/"),
    ]
    assert issue.sections[3].items[0].links[0].url == "https://elections.example.org/"
    assert_offsets(issue)


def test_lwkd_byline_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "2019-01-06-update.md"
    path.write_text(
        "---\nlayout: post\ntitle: Week Ending January 6, 2018\nslug: 2019-01-06-update\n---\n\n"
        "By Jane Doe and [John Roe](https://github.com/jroe)\n\n"
        "By the time you read this, 1.13 is out.\n\n## Developer News\n\nNews.\n",
        encoding="utf-8",
    )
    issue = read_issue(path)
    assert [a.text for a in issue.authors] == ["Jane Doe", "John Roe"]
    assert issue.number == "2019-01-06"
    assert issue.date == "2019-01-06"  # the title's year is a typo: more than a week from the file's date
    assert issue.sections[0].items[0].text.startswith("By the time")  # not a byline
    assert_offsets(issue)


@pytest.mark.shared
def test_every_lwkd_issue_reads(lwkd_dir: Path) -> None:
    files = discover([lwkd_dir])
    assert len(files) == 383 and not any(f.name == "LICENSE" for f in files)
    started = time.perf_counter()
    issues = [read_issue(f) for f in files]
    elapsed = time.perf_counter() - started
    kinds: collections.Counter = collections.Counter()
    for issue in issues:
        assert issue.format == "lwkd-markdown", issue.path
        assert issue.sections, issue.path
        assert issue.date and find_date(issue.date) == issue.date, issue.path
        assert issue.title and issue.title_span is not None, issue.path
        assert_offsets(issue)
        kinds.update(s.kind for s in issue.sections)
        # every section title as written, and items do not overlap
        items = sorted((i.start, i.end) for s in issue.sections for i in s.items)
        assert all(a[1] <= b[0] for a, b in zip(items, items[1:], strict=False)), issue.path
    assert len({i.number for i in issues}) == len(issues)
    assert kinds["upstream"] > kinds["news"] > kinds["other"] > 0
    titled = collections.Counter((s.title, s.kind) for i in issues for s in i.sections if s.level == 1)
    assert titled[("Developer News", "news")] > 300
    assert titled[("Release Schedule", "releases")] > 300
    assert titled[("Shoutouts", "community")] > 50
    assert titled[("KEP of the Week", "upstream")] > 100
    assert elapsed / len(issues) < 0.02  # ~0.5 ms here; generous for slow machines


# --------------------------------------------------------------------------- sniffing and fmt=


def test_sniff() -> None:
    p = Path("x")
    assert sniff(p, "云原生生态周报 Vol. 1 | x\n业界要闻\n") == "weekly-text"
    assert sniff(p, "\n\n云原生生态周报 Vol. 1\n") == "weekly-text"
    assert sniff(p, "---\nlayout: post\ntitle: Week Ending May 1, 2022\n---\n") == "lwkd-markdown"
    assert sniff(p, "## Developer News\n\nx\n") == "lwkd-markdown"
    assert sniff(p, "---\ntitle: 云原生生态周报 Vol. 1\nlayout: post\n---\n") == "weekly-markdown"
    assert sniff(p, "# 云原生生态周报 Vol. 1\n\n## 业界要闻\n") == "weekly-markdown"
    assert sniff(p, "---\ntitle: Week 10, Mar 2-8, 2026\n---\n\n## 🚀 Notable Releases\n") == "lwcn-markdown"
    # Whatever no dedicated reader claims is the generic reader's: front matter or not, Markdown or plain text.
    assert sniff(p, "---\ntitle: something\n---\n") == "generic-markdown"
    assert sniff(p, "+++\ntitle = 'x'\n+++\n") == "generic-markdown"
    assert sniff(p, "hello\n") == "generic-markdown"
    assert set(READERS) == {"weekly-text", "weekly-markdown", "lwkd-markdown", "lwcn-markdown", "generic-markdown"}


def test_fmt_overrides_sniffing(seed_path: Path) -> None:
    issue = read_issue(seed_path, fmt="weekly-markdown")
    assert issue.format == "weekly-markdown"
    assert_offsets(issue)
    with pytest.raises(InputError, match="unknown format 'html'"):
        read_issue(seed_path, fmt="html")


# --------------------------------------------------------------------------- bad input


def _write(tmp_path: Path, raw: bytes, name: str = "bad.md") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def _error(tmp_path: Path, raw: bytes, name: str = "bad.md", fmt: str | None = None) -> InputError:
    path = _write(tmp_path, raw, name)
    with pytest.raises(InputError) as info:
        read_issue(path, fmt=fmt)
    assert info.value.path == str(path)
    assert "\n" not in str(info.value)
    return info.value


def test_bad_input(tmp_path: Path) -> None:
    assert _error(tmp_path, b"").problem == "empty file"
    assert _error(tmp_path, b" \n\t\r\n").problem == "empty file"
    assert _error(tmp_path, b"\xef\xbb\xbf").problem == "empty file"
    assert _error(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").problem == "binary file, not text"
    problem = _error(tmp_path, "café résumé naïve".encode("cp1252")).problem
    assert problem.startswith("not UTF-8 text (invalid byte 0xe9 at offset 3) nor GB18030")
    assert read_issue(_write(tmp_path, b"plain text\n")).format == "generic-markdown"
    assert _error(tmp_path, b"plain text\n", fmt="nope").problem.startswith("unknown format 'nope' (expected ")
    problem = _error(tmp_path, b"---\ntitle: [unclosed\ndate: 2019-08-26\n---\n## Developer News\n").problem
    assert problem.startswith("broken YAML front matter: ") and "line 3" in problem
    problem = _error(tmp_path, b"---\nlayout: post\ntitle: x\n\n## Developer News\n").problem
    assert problem == "broken YAML front matter: no closing '---' line"
    problem = _error(tmp_path, b"---\n- a\n- b\n---\n## Developer News\n").problem
    assert problem.startswith("broken YAML front matter: a list, not a mapping")
    problem = _error(tmp_path, b"---\nlayout: post\ndate: 2019-13-45\n---\n## Developer News\n").problem
    assert problem.startswith("broken YAML front matter: ") and "month" in problem
    problem = _error(tmp_path, "---\ndate: someday\n---\n## 业界要闻\n".encode()).problem
    assert problem.startswith("front matter date 'someday' is not a date")


def test_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_issue(tmp_path / "nope.txt")
    assert info.value.problem == "no such file or directory"
    with pytest.raises(InputError, match="is a directory"):
        read_issue(tmp_path)


def test_a_reader_bug_becomes_an_input_error(seed_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Path, text: str) -> Issue:
        raise ValueError("boom")

    monkeypatch.setitem(READERS, "weekly-text", broken)
    with pytest.raises(InputError, match="cannot read as weekly-text: ValueError: boom"):
        read_issue(seed_path)


def test_decode() -> None:
    p = Path("x")
    assert decode(p, "周报".encode()) == ("周报", "utf-8")
    assert decode(p, b"\xef\xbb\xbf" + "周报".encode()) == ("周报", "utf-8-sig")
    assert decode(p, "云原生周报".encode("gb18030")) == ("云原生周报", "gb18030")
    assert decode(p, "周报".encode("utf-16")) == ("周报", "utf-16")
    with pytest.raises(InputError, match="binary"):
        decode(p, b"a\x00b")
    with pytest.raises(InputError, match="empty file"):
        decode(p, b"")


_FRAGMENTS = [
    "---", "layout: post", "title: Week Ending January 5, 2020", "title: [x", "slug: 2020-01-05-update",
    "date: 2019-08-26", "authors: [a, b]", "author: {name: x}", "## Developer News", "## 业界要闻",
    "### Kubernetes 项目", "#### deep", "# 云原生生态周报 Vol. 3 | t", "云原生生态周报 Vol. 17 | x",
    "本周作者 | a、b", "本周作者:", "责任编辑：木环", "本周报由A联合B共同发布", "上游重要进展", "开源项目推荐",
    "本周阅读推荐", "名词解释:x", "业界要闻", "microk8s", "**qlkube**", "[x](y)",
    "![i](https://a.b/2019/01/02/i.png)", "1. 《t》", "1. ", "- ", "-", "* x", "  continued", "```", "~~~", "> ", ">",
    "Title", "----", "====", "。 - x", "https://a.b/2019/08/20/(x", "[a](<>)", "[]()", "4.其他更新", "knative 项目",
    "--", "", "", "\t", "By Jane Doe", "\r", "《", "》", "|",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=10)), max_size=25).map("\n".join),
    fmt=st.sampled_from(sorted(READERS)),
)
def test_readers_never_fail_otherwise(text: str, fmt: str) -> None:
    """Any text through any reader: an Issue whose offsets hold, or an InputError."""
    try:
        issue = READERS[fmt](Path("x-vol-1.md"), text)
    except InputError:
        return
    assert issue.text == text
    assert_offsets(issue)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_read_issue_on_random_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "random.txt")
        path.write_bytes(raw)
        try:
            issue = read_issue(path)
        except InputError as exc:
            assert exc.path == str(path) and exc.problem
            return
        assert issue.content_hash == hashlib.sha256(raw).hexdigest()
        assert_offsets(issue)


# --------------------------------------------------------------------------- discover


def test_discover(tmp_path: Path) -> None:
    for name in [
        "b/2020-01-05-update.md",
        "a.txt",
        "b/c/vol-2.txt",
        "gold/a.yaml",
        "gold/issue.txt",
        ".hidden.md",
        ".git/x.md",
        "README.md",
        "LICENSE",
        "catalog.yml",
        "data.json",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    expected = [tmp_path / "a.txt", tmp_path / "b/2020-01-05-update.md", tmp_path / "b/c/vol-2.txt"]
    assert discover([tmp_path]) == expected
    assert discover([str(tmp_path / "b"), tmp_path / "a.txt", tmp_path]) == expected  # no duplicates
    assert discover([tmp_path / "README.md"]) == []
    assert discover(str(tmp_path / "a.txt")) == [tmp_path / "a.txt"]  # a single path is taken as one
    with pytest.raises(InputError) as info:
        discover([tmp_path / "missing"])
    assert info.value.problem == "no such file or directory"


def test_discover_seed_corpus() -> None:
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    found = discover([corpus])
    assert corpus / "cloud-native-weekly-vol-17.txt" in found
    assert not any("gold" in p.parts for p in found)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目地址https://github.com/a/b。更多", ["https://github.com/a/b"]),
        ("https://github.com/thecasualcoder/kube-fzf(fuzzy finder)", ["https://github.com/thecasualcoder/kube-fzf"]),
        ("see https://en.wikipedia.org/wiki/Foo_(bar).", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://a.b/c), and https://a.b/d;", ["https://a.b/c", "https://a.b/d"]),
        ("https://a.b/c，https://a.b/d）", ["https://a.b/c", "https://a.b/d"]),
        ("xhttps://not-a-link https://", []),
    ],
)
def test_bare_urls(text: str, expected: list[str]) -> None:
    assert [link.url for link in find_links(text)] == expected


def test_markdown_links() -> None:
    text = 'a [x [y] z](https://a.b/1 "t") ![img](<https://a.b/2>) [none]() <https://a.b/3> [k](https://a.b/(4))'
    links = find_links(text, markdown=True)
    assert [(link.anchor, link.url) for link in links] == [
        ("x [y] z", "https://a.b/1"),
        ("img", "https://a.b/2"),
        ("", "https://a.b/3"),
        ("k", "https://a.b/(4)"),
    ]
    assert text[links[1].start] == "!"


def test_dates() -> None:
    assert find_date("Week Ending Feburary 12, 2018") == "2018-02-12"
    assert find_date("Week Ending June 2nd, 2024") == "2024-06-02"
    assert find_date("2019年8月26日") == "2019-08-26"
    assert find_date("2019-13-01") is None
    links = find_links(
        "https://a.b/2019/02/30/x https://a.b/2019/08/20/y https://a.b/2018-12-31-z https://a.b/20190901"
    )
    assert date_from_links(links) == "2019-08-20"


def test_section_kinds() -> None:
    assert section_kind("业界要闻") == "news"
    assert section_kind("上游重要进展") == "upstream"
    assert section_kind("开源项目推荐") == "project-recommendation"
    assert section_kind("本周阅读推荐") == "reading"
    assert section_kind("名词解释") == "glossary"
    assert section_kind("Release Schedule") == "releases"
    for title in ("Other Merges", "Promotions", "Deprecated", "Version Updates", "KEP of the Week",
                  "Featured PRs", "Featured PR", "Subprojects and Dependency Updates", "Merges"):  # fmt: skip
        assert section_kind(title) == "upstream", title
    for title in ("Developer News", "Community Meeting Summary", "Steering Committee Election", "Election Updates"):
        assert section_kind(title) == "news", title
    for title in ("🚀 Notable Releases", "Releases", "版本发布"):
        assert section_kind(title) == "releases", title
    for title in ("Upcoming Events", "社区活动", "KubeCon recap"):
        assert section_kind(title) == "events", title
    for title in ("💬 Community Buzz", "Shoutouts", "社区"):
        assert section_kind(title) == "community", title
    assert section_kind("📰 This Week in Cloud Native") == "news"
    assert section_kind("Graph of the Week") == "other"
