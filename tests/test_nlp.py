"""The cnkg tokenizer and pipeline components, on short examples in both languages."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kg.nlp import load_pipeline
from kg.nlp.hits import hits_of


@dataclass(frozen=True)
class FakeEntry:
    type: str
    key: str
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    context: tuple[str, ...] = ()
    part_of: str | None = None
    feature_of: str | None = None
    repo: str | None = None
    number: int | None = None
    title: str | None = None
    source: str = "team"

    def surface_names(self) -> tuple[str, ...]:
        out = dict.fromkeys([self.name, *([self.name_zh] if self.name_zh else []), *self.aliases])
        return tuple(out)

    def needs_context(self, name: str) -> bool:
        return bool(self.context) and name in self.aliases


@dataclass
class FakeCatalog:
    """The slice of kg.catalog.Catalog that extraction uses."""

    entries: list[FakeEntry]
    fingerprint: str = ""
    _keys: dict = field(default_factory=dict)

    def names(self):  # noqa: ANN201
        for e in self.entries:
            for n in e.surface_names():
                yield n, e

    def get(self, type_: str, key: str) -> FakeEntry | None:
        return next((e for e in self.entries if e.type == type_ and e.key == key), None)

    def find_key(self, key: str) -> FakeEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def by_repo(self, url: str) -> FakeEntry | None:
        url = url.lower().rstrip("/")
        return next((e for e in self.entries if e.repo and url.startswith(e.repo.lower())), None)

    def find_kep(self, number: int) -> FakeEntry | None:
        return next((e for e in self.entries if e.type == "KEP" and e.number == number), None)

    def context_names(self, entry: FakeEntry) -> tuple[str, ...]:
        out: list[str] = []
        for word in entry.context:
            target = self.find_key(word)
            out.extend(target.surface_names() if target else [word])
        return tuple(out)


def fixture_catalog() -> FakeCatalog:
    return FakeCatalog(
        [
            FakeEntry(
                "Project", "kubernetes", "Kubernetes", aliases=("K8s",), repo="https://github.com/kubernetes/kubernetes"
            ),
            FakeEntry("Project", "helm", "Helm", repo="https://github.com/helm/helm"),
            FakeEntry("Project", "cilium", "Cilium"),
            FakeEntry("Project", "kube-proxy", "kube-proxy", part_of="kubernetes"),
            FakeEntry("Project", "kubelet", "kubelet", part_of="kubernetes"),
            FakeEntry("Project", "kubectl", "kubectl", part_of="kubernetes"),
            FakeEntry("Project", "knative", "Knative"),
            FakeEntry(
                "Project",
                "knative-eventing",
                "Knative Eventing",
                aliases=("eventing",),
                context=("knative",),
                part_of="knative",
            ),
            FakeEntry("Project", "microk8s", "MicroK8s"),
            FakeEntry("Project", "istio", "Istio"),
            FakeEntry("Technology", "ebpf", "eBPF"),
            FakeEntry("Technology", "go", "Go", case_sensitive=True),
            FakeEntry("Organization", "alibaba", "Alibaba", name_zh="阿里巴巴", aliases=("阿里巴巴容器平台",)),
            FakeEntry("Organization", "ant-financial", "Ant Financial", name_zh="蚂蚁金服"),
            FakeEntry("Organization", "pivotal", "Pivotal"),
            FakeEntry(
                "Feature",
                "pod-overhead",
                "Pod Overhead",
                aliases=("PodOverhead", "pod-overhead"),
                feature_of="kubelet",
                number=688,
            ),
            FakeEntry("KEP", "624", "KEP-624", number=624, title="Scheduling Framework"),
        ],
        fingerprint="test-fixture-1",
    )


@pytest.fixture(scope="module")
def nlp():  # noqa: ANN201
    return load_pipeline(fixture_catalog())


def words(nlp, text: str) -> list[str]:  # noqa: ANN001
    # Not token.is_space: the pipeline leaves lexical flags unset (kg.nlp._USED_LEX_ATTRS).
    return [t.text for t in nlp.tokenizer(text) if not t.text.isspace()]


@pytest.mark.parametrize(
    "shape",
    [
        "v3.0.0-beta.1",
        "1.16-beta",
        "3.5.0-rc.0-0",
        "max-in-flight",
        "--feature-gates",
        "messaging.knative.dev",
        "net/http",
        "https://github.com/helm/helm/releases",
        "kube-proxy",
        "K8s",
    ],
)
def test_tokenizer_keeps_shapes_whole(nlp, shape: str) -> None:  # noqa: ANN001
    assert shape in words(nlp, f"see {shape} 以及 {shape}, then")
    assert shape in words(nlp, f"中文{shape}。")


def test_tokenizer_splits_trailing_punctuation_and_segments_chinese(nlp) -> None:  # noqa: ANN001
    toks = words(nlp, "Helm 3 首个 beta 版本 v1.29.3. 本周报由阿里巴巴容器平台联合蚂蚁金服共同发布")
    assert "v1.29.3" in toks and "." in toks
    assert "阿里巴巴容器平台" in toks and "蚂蚁金服" in toks
    assert "Helm" in toks and "本周报由阿里巴巴容器平台联合蚂蚁金服共同发布" not in toks


def test_tokenizer_offsets_map_back(nlp) -> None:  # noqa: ANN001
    text = "云原生  Helm\tv3 (K8s)\n\n- kubelet 计算 pod 使用资源时支持 pod-overhead的场景 https://x.io/a?b=c)."
    doc = nlp.tokenizer(text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text


def _hits(nlp, text: str, kind: str) -> list:  # noqa: ANN001
    return [h for h in hits_of(nlp(text)) if h.kind == kind]


def test_catalog_ruler_whole_tokens_case_and_scripts(nlp) -> None:  # noqa: ANN001
    text = "cilium 替换 kube-proxy; Google is not Go, but Go is. 阿里巴巴容器平台与蚂蚁金服。kube-proxyx"
    found = {(h.entry.key, h.text) for h in _hits(nlp, text, "catalog")}
    assert ("cilium", "cilium") in found  # case-insensitive
    assert ("kube-proxy", "kube-proxy") in found
    assert ("go", "Go") in found and ("go", "go") not in found
    assert sum(1 for k, _ in found if k == "go") == 1  # not inside "Google"
    assert ("alibaba", "阿里巴巴容器平台") in found and ("ant-financial", "蚂蚁金服") in found
    assert all(h.text != "kube-proxyx" for h in _hits(nlp, text, "catalog"))


def test_patterns_versions_keps_cves_repos(nlp) -> None:  # noqa: ANN001
    text = (
        "Helm v3.0.0-beta.1 and cilium 1.6 版本; KEP-1234 and KEP 42; CVE-2024-12345 "
        "https://github.com/kubernetes/enhancements/issues/624 "
        "https://github.com/kubernetes/enhancements/pull/999 "
        "https://github.com/pivotal/kpack https://github.com/containerd/containerd/releases/tag/v2.1.3 "
        "`CustomResourceFieldSelectors` feature gate, --register-schedulable"
    )
    assert {h.text for h in _hits(nlp, text, "version")} >= {"v3.0.0-beta.1", "1.6"}
    keps = {h.data["number"] for h in _hits(nlp, text, "kep")}
    assert keps == {1234, 42, 624}  # the enhancements *pull* is a PR, not a KEP
    assert [h.text for h in _hits(nlp, text, "cve")] == ["CVE-2024-12345"]
    repos = {(h.data["org"], h.data["repo"], h.data["tag"]) for h in _hits(nlp, text, "repo")}
    assert ("pivotal", "kpack", None) in repos and ("containerd", "containerd", "v2.1.3") in repos
    assert [h.text for h in _hits(nlp, text, "camel")] == ["CustomResourceFieldSelectors"]
    assert [h.text for h in _hits(nlp, text, "flag")] == ["--register-schedulable"]


def test_hits_are_aligned_to_the_text(nlp) -> None:  # noqa: ANN001
    text = "microk8s 刚刚 release 了 1.16-beta,包括 serverless(knative),service mesh(istio)。PodOverhead"
    doc = nlp(text)
    assert hits_of(doc)
    for h in hits_of(doc):
        assert text[h.start : h.end] == h.text or h.kind in ("repo", "kep")


def test_pipeline_is_cached_per_fingerprint() -> None:
    cat = fixture_catalog()
    assert load_pipeline(cat) is load_pipeline(cat)
    assert set(load_pipeline(cat).pipe_names) == {"cnkg_catalog_ruler", "cnkg_patterns"}


ENGLISH = (
    "  lead  spaces\n- [Helm v3.0.0-beta.1](https://github.com/helm/helm/releases/tag/v3.0.0-beta.1), see "
    "https://x.io/a?b=c). or www.k8s.io, --feature-gates=Foo=true; it's kube-proxy's  job\t\n\n"
    "net/http 1.16-beta `PodOverhead` (K8s) -- end \u00e9t\u00e9 \u2014 ok  "
)


@pytest.mark.parametrize("text", [ENGLISH, "", " ", "x", "a  \n b ", "https://a.b/c.", "www.,"])
def test_fast_tokenizer_path_gives_the_general_paths_tokens(nlp, text: str) -> None:  # noqa: ANN001
    tok = nlp.tokenizer
    fast = tok(text)
    assert fast.text == text
    saved, tok._fast = tok._fast, None  # the general (jieba-capable) path
    try:
        general = tok(text)
    finally:
        tok._fast = saved
    assert [(t.text, t.whitespace_) for t in fast] == [(t.text, t.whitespace_) for t in general]
    assert fast.user_data["cnkg_offsets"] == general.user_data["cnkg_offsets"]


def test_english_text_does_not_need_jieba() -> None:
    from spacy.vocab import Vocab

    from kg.nlp.tokenizer import CnkgTokenizer

    tok = CnkgTokenizer(Vocab(), ["阿里巴巴容器平台"])
    assert [t.text for t in tok("Helm v3 is out")] == ["Helm", "v3", "is", "out"]
    assert tok._jieba_tok is None  # English only: jieba's dictionary was never loaded
    assert "阿里巴巴容器平台" in [t.text for t in tok("本周报由阿里巴巴容器平台发布")]
    assert tok._jieba_tok is not None


@pytest.mark.parametrize("pattern", [r"\bKEP[- #]?(\d{1,5})\b", r"\bCVE-\d{4}-\d{4,7}\b", r"\bab+c", r"(?:x)\bK"])
def test_literal_first_finds_the_same_matches(pattern: str) -> None:
    import re

    from kg.nlp.components import literal_first

    text = "KEP-12 xKEP-3 (KEP 45) aKEP #6 KEP#7 CVE-2024-1234 xCVE-2024-12345 abbbc xabc ab c K xK"
    assert [m.span() for m in re.finditer(literal_first(pattern), text)] == [
        m.span() for m in re.finditer(pattern, text)
    ]


def test_spans_mirror_the_hits_when_asked(nlp) -> None:  # noqa: ANN001
    text = "cilium 1.6 and KEP-1234, see https://github.com/pivotal/kpack"
    doc = load_pipeline(fixture_catalog(), mirror_spans=True)(text)
    spans = {(s.start_char, s.end_char, s.label_) for s in doc.spans["cnkg"]}
    assert {(h.start, h.end) for h in hits_of(doc)} == {(a, b) for a, b, _ in spans}
    assert (0, 6, "Project") in spans and (15, 23, "KEP") in spans
    # The default pipeline (extraction's) finds the same hits and leaves doc.spans alone.
    plain = nlp(text)
    assert "cnkg" not in plain.spans
    assert [(h.start, h.end, h.kind, h.text) for h in hits_of(plain)] == [
        (h.start, h.end, h.kind, h.text) for h in hits_of(doc)
    ]
