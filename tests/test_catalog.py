"""The catalog: team YAML, its checks, name resolution, and the two importers."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from kg.catalog import (
    CATALOG_DIR,
    Catalog,
    load_catalog,
    repo_key,
    surface_key,
)
from kg.catalog_import import import_keps, import_landscape
from kg.errors import InputError
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
GOLD = REPO / "corpus" / "gold" / "cloud-native-weekly-vol-17.yaml"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([CATALOG_DIR])


def resolve(catalog: Catalog, name: str) -> set[tuple[str, str]]:
    """(type, key) of every entry with this surface name, as the matcher would see it."""
    return {(e.type, e.key) for n, e in catalog.names() if surface_key(n, e.case_sensitive) == surface_key(name)}


def norm(text: str) -> str:
    """The gold's name normalisation (../shared/eval/FORMAT.md), enough for catalog names."""
    return re.sub(r"[《》“”\"'\s\-_·]", "", unicodedata.normalize("NFKC", text).casefold())


# --------------------------------------------------------------------------- the team catalog


def test_team_catalog_is_large_and_covers_every_kind(catalog: Catalog) -> None:
    team = [e for e in catalog.entries if e.source == "team" and e.type != "Feature"]
    assert len(team) >= 400
    counts = catalog.counts()
    assert counts["Project"] >= 300 and counts["Organization"] >= 100
    assert counts["Technology"] >= 60 and counts["Event"] >= 15


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("K8s", ("Project", "kubernetes")),
        ("k8s", ("Project", "kubernetes")),
        ("蚂蚁金服", ("Organization", "ant-group")),
        ("Ant Financial", ("Organization", "ant-group")),
        ("阿里巴巴容器平台", ("Organization", "alibaba")),
        ("cilium", ("Project", "cilium")),
        ("apiserver", ("Project", "kube-apiserver")),
        ("KubeProxy", ("Project", "kube-proxy")),
        ("KCM", ("Project", "kube-controller-manager")),
        ("CAPI", ("Project", "cluster-api")),
        ("SIG-Node", ("Organization", "sig-node")),
        ("sig-node", ("Organization", "sig-node")),
        ("云原生计算基金会", ("Organization", "cncf")),
        ("Web Assembly", ("Technology", "webassembly")),
        ("Golang", ("Technology", "go")),
        ("云栖大会", ("Event", "apsara-conference")),
    ],
)
def test_names_resolve(catalog: Catalog, name: str, expected: tuple[str, str]) -> None:
    assert resolve(catalog, name) == {expected}


def test_every_required_seed_gold_name_has_exactly_one_entry_of_its_type(catalog: Catalog) -> None:
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    index: dict[str, set[tuple[str, str]]] = {}
    for name, entry in catalog.names():
        index.setdefault(norm(name), set()).add((entry.type, entry.key))
    missing = []
    for entity_type in ("Project", "Organization", "Technology"):
        for item in gold["entities"][entity_type]:
            names = (item if isinstance(item, str) else item["name"]).split("|")
            hits = {hit for n in names for hit in index.get(norm(n), set()) if hit[0] == entity_type}
            if len(hits) != 1:
                missing.append((entity_type, names, hits))
    assert missing == []


def test_relations_the_seed_gold_expects_are_in_the_catalog(catalog: Catalog) -> None:
    assert catalog.get("Project", "cilium").uses == ("ebpf",)
    assert "pivotal" in catalog.get("Project", "kpack").developed_by
    assert catalog.get("Technology", "graphql").developed_by == ("facebook",)
    for component in ("kube-proxy", "kubectl", "kubelet", "kube-apiserver", "kube-scheduler"):
        assert catalog.get("Project", component).part_of == "kubernetes"
    assert catalog.get("Project", "knative-eventing").part_of == "knative"
    assert set(catalog.get("Project", "kube-fzf").uses) == {"kubectl", "fzf"}


def test_generic_names_need_their_context(catalog: Catalog) -> None:
    serving = catalog.get("Project", "knative-serving")
    assert serving.needs_context("serving") and not serving.needs_context("Knative Serving")
    assert "Knative" in catalog.context_names(serving)  # the key `knative` expands to its names
    raft = catalog.get("Project", "etcd-raft")
    assert raft.needs_context("raft") and not raft.needs_context("etcd raft")
    assert ("Technology", "raft") in resolve(catalog, "raft")  # the algorithm, elsewhere
    kind = catalog.get("Project", "kind")
    assert kind.needs_context("kind") and not kind.needs_context("Kubernetes in Docker")


def test_common_words_are_case_sensitive(catalog: Catalog) -> None:
    for type_, key in [("Project", "harbor"), ("Project", "vault"), ("Project", "spark"), ("Technology", "go")]:
        assert catalog.get(type_, key).case_sensitive, key
    assert resolve(catalog, "harbor") == set()  # lower-case running text is not the project


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://github.com/helm/helm/releases", "helm"),
        ("https://github.com/pivotal/kpack", "kpack"),
        ("https://github.com/qlkube/qlkube?utm_sq=g5n76aa1mt", "qlkube"),
        ("https://github.com/thecasualcoder/kube-fzf(fuzzy", "kube-fzf"),
        ("http://www.GitHub.com/Cilium/Cilium.git/", "cilium"),
        ("git@github.com:kubernetes-sigs/kind.git", "kind"),
        ("https://github.com/kubernetes/kubernetes/pull/12345", "kubernetes"),
    ],
)
def test_by_repo(catalog: Catalog, url: str, key: str) -> None:
    entry = catalog.by_repo(url)
    assert entry is not None and entry.key == key


def test_by_repo_misses() -> None:
    assert repo_key("https://github.com/helm") is None
    assert load_catalog([CATALOG_DIR]).by_repo("https://github.com/nobody/nothing") is None


# --------------------------------------------------------------------------- the loader's checks


def _write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    return folder


def test_bad_yaml_is_one_line_naming_the_file() -> None:
    with pytest.raises(InputError) as info:
        load_catalog([FIXTURES / "badyaml"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(FIXTURES / "badyaml" / "broken.yaml") + ": line ")


def test_alias_collision_between_team_entries(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"b\.yaml: Project 'aggregated-apiserver': name 'APIServer'.*kube-apiserver"):
        load_catalog([FIXTURES / "collision"])
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(FIXTURES / "collision" / "a.yaml", alone)
    loaded = load_catalog([alone])  # YARN and Yarn are both case-sensitive and written differently
    assert {e.key for e in loaded.entries} == {"apache-yarn", "yarn-js", "kube-apiserver"}


def test_dangling_reference() -> None:
    with pytest.raises(InputError, match="part_of 'kubernetes' is no Project key"):
        load_catalog([FIXTURES / "dangling"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("type: Project\nentries:\n  - {key: a, name: A}\n  - {key: a, name: B}\n", "duplicate Project key 'a'"),
        ("type: Project\nentries:\n  - {key: a, name: A, alias: [x]}\n", "unknown field 'alias'"),
        ("type: Thing\nentries:\n  - {key: a, name: A}\n", "type 'Thing'"),
        ("type: Project\nentries:\n  - {key: A B, name: A}\n", "lower-case ASCII slug"),
        ("type: Project\nentries:\n  - {key: a}\n", "missing 'name'"),
        ("type: Project\nentries:\n  - {key: a, name: A, maturity: famous}\n", "maturity 'famous'"),
        ("type: Project\nentries:\n  - {key: a, name: A, contextual: [A]}\n", "need a context"),
        ("type: Project\nentries:\n  - {key: a, name: A, context: [x], contextual: [B]}\n", "not one of its names"),
    ],
)
def test_entry_errors_name_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    folder = _write(tmp_path, "cat", text)
    with pytest.raises(InputError) as info:
        load_catalog([folder])
    assert problem in str(info.value) and str(info.value).startswith(str(folder / "a.yaml"))


def test_fingerprint_is_stable_and_follows_the_bytes(tmp_path: Path) -> None:
    folder = _write(tmp_path, "cat", "type: Project\nentries:\n  - {key: a, name: A}\n")
    first, again = load_catalog([folder]).fingerprint, load_catalog([folder]).fingerprint
    (folder / "a.yaml").write_text("type: Project\nentries:\n  - {key: a, name: A2}\n", encoding="utf-8")
    assert first == again != load_catalog([folder]).fingerprint
    assert len(first) == 64


def test_imported_entries_lose_to_team_entries(tmp_path: Path) -> None:
    imported = _write(
        tmp_path,
        "imported",
        "type: Project\nsource: landscape\nentries:\n"
        "  - {key: cilium, name: Cilium Imported}\n"  # same key as a team entry
        "  - {key: other-cilium, name: cilium}\n"  # a team entry's name
        "  - {key: fresh, name: Fresh Project}\n"
        "enrich:\n  - {key: istio, category: Mesh, maturity: incubating}\n  - {key: gone, category: X}\n",
    )
    loaded = load_catalog([FIXTURES / "team", imported])
    assert loaded.get("Project", "cilium").name == "Cilium"
    assert resolve(loaded, "cilium") == {("Project", "cilium")}
    assert resolve(loaded, "Fresh Project") == {("Project", "fresh")}
    istio = loaded.get("Project", "istio")
    assert (istio.category, istio.maturity) == ("Mesh", "graduated")  # only missing fields are added
    assert len(loaded.warnings) == 3


# --------------------------------------------------------------------------- importers on fixtures


def test_import_landscape_fixture(tmp_path: Path) -> None:
    team = load_catalog([FIXTURES / "team"])
    out = tmp_path / "imported" / "landscape.yaml"
    written = import_landscape(FIXTURES / "landscape-sample.yml", out, team=team)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    by_key = {e["key"]: e for e in doc["entries"]}
    assert written == 2 and set(by_key) == {"pathfinder", "service-wire"}
    assert by_key["pathfinder"]["case_sensitive"] is True  # a single ordinary-looking word
    assert by_key["pathfinder"]["subcategory"] == "Cloud Native Network"  # first listing wins
    assert by_key["service-wire"]["aliases"] == ["SWR"]
    enrich = {e["key"]: e for e in doc["enrich"]}
    assert enrich["cilium"]["maturity"] == "graduated" and "repo" not in enrich["cilium"]
    assert enrich["kuma-mesh"]["description"] == "The multi-zone service mesh"  # matched by alias
    assert "homepage" not in enrich["istio"]  # the team value stays

    loaded = load_catalog([FIXTURES / "team", out.parent])
    assert loaded.get("Project", "cilium").category == "Runtime"
    assert loaded.by_repo("https://github.com/example/service-wire").key == "service-wire"
    before = out.read_bytes()
    import_landscape(FIXTURES / "landscape-sample.yml", out, team=team)
    assert out.read_bytes() == before


# A small kep.yaml tree written by hand (not copied from ../shared): odd values on purpose — a number
# as a string, an impossible date, placeholder milestones, two files claiming one number, the template.
KEP_FIXTURES = {
    "NNNN-kep-template/kep.yaml": """\
title: KEP Template
kep-number: NNNN
authors: ["@jane.doe"]
owning-sig: sig-xxx
status: provisional|implementable|implemented|deferred|rejected|withdrawn|replaced
latest-milestone: "v1.19"
""",
    "sig-cloud-provider/2133-out-of-tree-credential-provider/kep.yaml": """\
title: Out-of-tree Credential Provider
kep-number: 2133
authors: ["@someone"]
owning-sig: sig-cloud-provider
status: replaced
""",
    "sig-network/563-dual-stack/kep.yaml": """\
title: Kubernetes Dual-stack Support
kep-number: "563"
authors: ["@leblancd"]
owning-sig: sig-network
status: implemented
creation-date: 2018-13-45
stage: stable
latest-milestone: '0.0'
milestone:
  alpha: "v1.16"
  beta: "v1.21"
  stable: TBD
""",
    "sig-node/2133-kubelet-credential-providers/kep.yaml": """\
title: Kubelet Credential Provider
kep-number: 2133
authors: ["@andrewsykim"]
owning-sig: sig-node
status: implemented
stage: stable
latest-milestone: "v1.26"
milestone: {alpha: "v1.20", beta: "v1.24", stable: "v1.26"}
""",
    "sig-scheduling/624-scheduling-framework/kep.yaml": """\
title: Scheduling Framework
kep-number: 624
authors:
- "@bsalamat"
- "@misterikkit"
owning-sig: sig-scheduling
status: implemented
creation-date: 2018-04-09
stage: stable
latest-milestone: "v1.19"
milestone:
  alpha: "v1.16"
  stable: "v1.19"
""",
}


def write_keps(root: Path) -> Path:
    for relative, text in KEP_FIXTURES.items():
        path = root / "keps" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "keps"


def test_import_keps_fixture(tmp_path: Path) -> None:
    out = tmp_path / "out" / "keps.yaml"
    assert import_keps(write_keps(tmp_path / "tree"), out) == 3  # the template has no number
    loaded = load_catalog([out.parent])
    kep = loaded.find_kep(624)
    assert kep is not None and kep.type == "KEP" and kep.key == "624" and kep.name == "KEP-624"
    assert (kep.title, kep.sig, kep.status, kep.stage) == (
        "Scheduling Framework",
        "sig-scheduling",
        "implemented",
        "stable",
    )
    assert kep.milestones == {"alpha": "1.16", "stable": "1.19"} and kep.latest_milestone == "1.19"
    assert kep.authors == ("bsalamat", "misterikkit")
    assert loaded.find_kep(2133).sig == "sig-node"  # the implemented one of two claims
    dual = loaded.find_kep(563)  # number given as a string, impossible date, placeholder milestones
    assert dual.milestones == {"alpha": "1.16", "beta": "1.21"} and dual.latest_milestone is None


# --------------------------------------------------------------------------- importers on ../shared/reference


@pytest.mark.shared
def test_import_real_keps(reference_dir: Path, tmp_path: Path) -> None:
    written = import_keps(reference_dir / "enhancements" / "keps", tmp_path / "keps.yaml")
    assert written >= 600
    kep = load_catalog([tmp_path]).find_kep(624)
    assert kep.title == "Scheduling Framework" and kep.sig == "sig-scheduling"
    assert kep.milestones["alpha"] == "1.16"


@pytest.mark.shared
def test_import_real_landscape_merges_with_the_team_catalog(reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "landscape.yaml"
    written = import_landscape(reference_dir / "landscape.yml", out)
    assert written >= 300
    loaded = load_catalog([CATALOG_DIR, tmp_path])
    assert loaded.get("Project", "kubernetes").name == "Kubernetes"  # no second Kubernetes
    assert resolve(loaded, "Kubernetes") == {("Project", "kubernetes")}
    assert all(e.repo for e in loaded.entries if e.source == "landscape")
    assert loaded.get("Project", "argo").maturity == "graduated"
    team_keys = {e.key for e in load_catalog([CATALOG_DIR]).entries}
    assert not team_keys & {e["key"] for e in yaml.safe_load(out.read_text(encoding="utf-8"))["entries"]}
