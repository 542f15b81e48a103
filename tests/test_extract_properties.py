"""Property: extract never raises on mixed-script text, and every mention and evidence maps back exactly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import extract
from tests.test_extract import make_issue
from tests.test_nlp import fixture_catalog

CATALOG = fixture_catalog()

pieces = st.one_of(
    st.text(alphabet="云原生生态周报开源了基于替换包括阿里巴巴容器平台蚂蚁金服的是在进行版本", min_size=1, max_size=8),
    st.sampled_from(
        [
            "Helm",
            "helm",
            "K8s",
            "Kubernetes",
            "cilium",
            "kube-proxy",
            "eventing",
            "Knative Eventing",
            "Go",
            "v3.0.0-beta.1",
            "1.16-beta",
            "1.17",
            "3",
            "KEP-624",
            "CVE-2024-1234",
            "PodOverhead",
            "--flag-name",
            "`kubectl drain`",
            "《Title》",
            "(",
            ")",
            "[",
            "]",
            "`",
            "\n",
            "\n\n",
            "。",
            ",",
            "、",
            ":",
            "-",
            "* ",
            "## Version Updates\n",
            "https://github.com/helm/helm/releases/tag/v3.1.0",
            "https://github.com/kubernetes/enhancements/issues/624",
            "[anchor](https://example.com/x)",
            "Josh Berkus (@jberkus)",
            "led by Tim Hockin",
            "KubeCon EU 2024",
            " ",
            "\t",
            "\u3000",
        ]
    ),
    st.text(min_size=1, max_size=6),
    st.from_regex(r"[a-zA-Z][a-zA-Z0-9.\-]{0,12}", fullmatch=True),
    st.from_regex(r"v?[0-9]{1,2}(\.[0-9]{1,2}){1,2}", fullmatch=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, min_size=1, max_size=40).map(" ".join))
def test_extract_never_raises_and_offsets_map_back(text: str) -> None:
    issue = make_issue(text)
    ex = extract(issue, CATALOG)
    for e in ex.entities:
        assert e.label
        for m in e.mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.anchor
    ids = {e.id for e in ex.entities} | {ex.issue_id}
    for r in ex.relations:
        assert r.subject in ids and r.object in ids
        assert text[r.evidence.start : r.evidence.end] == r.evidence.text


@settings(max_examples=60, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=30).map(" ".join))
def test_extract_is_deterministic(text: str) -> None:
    a = extract(make_issue(text), CATALOG).to_json()
    b = extract(make_issue(text), CATALOG).to_json()
    assert a == b


_NAMES = ["prometheus", "graphql", "kubelet", "containerd", "istioctl", "kustomize"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdegiklmnopqrstuvz", min_size=4, max_size=11), st.sampled_from(_NAMES))
def test_typo_index_agrees_with_edit_distance(word: str, near: str) -> None:
    """The deletion-neighbourhood index answers exactly what comparing with every name did."""
    from kg.extract.context import _edit1, _Tables
    from tests.test_nlp import FakeCatalog, FakeEntry

    tables = _Tables(FakeCatalog([FakeEntry("Project", n, n) for n in _NAMES]))
    # Also a word one edit from a name, where the answer is mostly True.
    i = len(word) % len(near)
    for w in (word, near[:i] + word[:1] + near[i + 1 :], near[:i] + near[i + 1 :], near + word[:1]):
        assert tables.is_typo(w) == any(_edit1(n, w) for n in _NAMES), w


@given(st.text(alphabet="vV19 -_·《》“”\"'aK８ｖ\u3000.", max_size=10))
def test_norm_matches_its_definition(s: str) -> None:
    """norm(): NFKC, casefold, no 'v' before a digit at a word start, no quotes / dashes / spaces."""
    import unicodedata

    from kg.text import norm

    t = unicodedata.normalize("NFKC", s).casefold()
    want = "".join(
        ch
        for i, ch in enumerate(t)
        if ch not in "《》“”\"'-_·"
        and not ch.isspace()
        and not (ch == "v" and i + 1 < len(t) and t[i + 1].isdecimal() and (i == 0 or t[i - 1].isspace()))
    )
    assert norm(s) == want


_WORDY = "ab_ 1.-é\n"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=_WORDY + "Jo Do", max_size=40),
    name=st.text(alphabet=_WORDY, min_size=1, max_size=4).filter(lambda n: n[0].isalnum()),
)
def test_whole_word_search_finds_what_the_word_boundary_pattern_finds(text: str, name: str) -> None:
    """persons._whole_word (str.find) stands in for re's ``\\b{name}\\b``: same spans, same order."""
    import re

    from kg.extract.phases.persons import _whole_word

    expected = [m.span() for m in re.finditer(r"\b" + re.escape(name) + r"\b", text)]
    assert _whole_word(text, name) == expected


_JOINER_PIECES = st.sampled_from(
    [" ", "  ", "\n", "\t", "[", "]", "(", ")", "](", "](https://x.io/a)", "*", "**", "`", ":", "-", "@", "to", "To",
     "version", "bump", "v", "deps", "images", "版本", "的", "升级到", "更新", "Kubernetes", "x", "a1", ".", "é"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    body=st.lists(_JOINER_PIECES, max_size=30),
    lead=st.integers(min_value=0, max_value=60),
    link=st.integers(min_value=0, max_value=80),
)
def test_dropping_a_version_joiner_is_the_joiner_pattern_sub(body: list[str], lead: int, link: int) -> None:
    """releases._drop_joiner looks near the end first; it must remove exactly what _JOINER.sub removes, also
    when the match starts long before the end (white space runs, a long link target)."""
    from kg.extract.phases.releases import _JOINER, _drop_joiner

    for text in (
        "Kubernetes " * (lead // 10) + "".join(body),
        "see " + "y" * lead + "".join(body) + " " * link,
        "[Kubernetes](https://x.io/" + "p" * link + ")" + "".join(body),
        "[Kubernetes](https://x.io/" + "p" * link + ")" + "".join(body) + "](" + "q" * lead + ")",
        "a" * lead + "*" * link + "".join(body),
    ):
        assert _drop_joiner(text) == _JOINER.sub("", text), text
