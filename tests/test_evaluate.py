"""kg.evaluate: the scoring rules of ../shared/eval/FORMAT.md, one rule per test."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluate import Counts, Score, combine, format_report, score
from kg.gold import Gold, load_extraction, load_gold, source_path
from kg.text import norm

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "eval"
VOL17 = REPO / "corpus" / "gold" / "cloud-native-weekly-vol-17.yaml"
ISSUE_IRI = "https://w3id.org/cnkg/id/issue/test/1"


# --------------------------------------------------------------------------- helpers


def gold_from(tmp_path: Path, text: str) -> Gold:
    path = tmp_path / "gold.yaml"
    path.write_text(text, encoding="utf-8")
    return load_gold(path)


def iri(label: str) -> str:
    return "urn:test:" + label


def extraction(entities: list[tuple] = (), relations: list[tuple[str, str, str]] = ()) -> dict:
    """entities: (type, label) or (type, label, aliases) or (type, label, aliases, id);
    relations: (subject, predicate, object) by id suffix, "ISSUE" for the issue."""
    ents = []
    for e in entities:
        type_, label = e[0], e[1]
        aliases = list(e[2]) if len(e) > 2 else []
        ident = e[3] if len(e) > 3 else iri(label)
        ents.append({"id": ident, "type": type_, "label": label, "aliases": aliases, "mentions": []})

    def ref(name: str) -> str:
        return ISSUE_IRI if name == "ISSUE" else iri(name)

    rels = [
        {"subject": ref(s), "predicate": p, "object": ref(o), "evidence": {"start": 0, "end": 1}}
        for s, p, o in relations
    ]
    return {"issue": {"id": ISSUE_IRI, "label": "test"}, "entities": ents, "relations": rels}


def c(counts: Counts) -> tuple[int, int, int]:
    return counts.tp, counts.fp, counts.fn


# --------------------------------------------------------------------------- norm


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("v3.0.0", "3.0.0"),  # FORMAT.md's example
        ("Helm v3", "helm3"),  # v after a space
        ("dev3", "dev3"),  # v inside a word stays
        ("Helm V3", "helm3"),  # casefold comes before the v-rule
        ("vv3", "vv3"),  # second v follows a v, not a space
        ("v", "v"),
        ("v.3", "v.3"),  # not directly before a digit
        ("a v1 v2", "a12"),
        ("Helm\tv3", "helm3"),  # any whitespace is a space
        ("Helm　ｖ３", "helm3"),  # NFKC: ideographic space, full-width letters and digits
        # Positions are those of the original: removed characters do not make a v "start" or "after a space".
        ("《v3》", "v3"),
        ("Helm-v3", "helmv3"),
        ("v-3", "v3"),
        ("“Helm·3”", "helm3"),
        ("'kube_proxy'", "kubeproxy"),
        ('"Kube - Proxy"', "kubeproxy"),
        ("Knative Eventing", "knativeeventing"),
        ("深度解读 Helm 3：犹抱琵琶半遮面", "深度解读helm3:犹抱琵琶半遮面"),  # NFKC: full-width colon
        ("ＫＥＰ－６２４", "kep624"),
        ("Straße", "strasse"),  # casefold, not lower
    ],
)
def test_norm(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_norm_makes_release_spellings_equal() -> None:
    assert norm("Helm 3.0.0-beta.1") == norm("Helm v3.0.0-beta.1") == norm("helm  3.0.0_beta.1")
    assert norm("Kubernetes 1.16") != norm("Kubernetes 1.17")


# --------------------------------------------------------------------------- load_gold


def test_load_gold_parses_names_optional_and_alternatives() -> None:
    gold = load_gold(FIXTURES / "small.yaml")
    assert (gold.issue, gold.source, gold.path) == ("small-issue", "small.txt", FIXTURES / "small.yaml")
    by_first = {e.names[0]: e for e in gold.entities}
    assert by_first["Kubernetes"].names == ["Kubernetes", "K8s"]
    assert by_first["Kubernetes"].type == "Project" and not by_first["Kubernetes"].optional
    assert by_first["etcd raft"].optional
    authored, has_release, uses, part_of = gold.triples
    assert authored.subjects[0].is_issue and authored.objects[0].names == ("墨封",)
    # "K8s" resolves to the Kubernetes entity, so all its names are accepted.
    assert [r.text for r in uses.subjects] == ["Helm", "K8s"]
    assert uses.subjects[1].names == ("Kubernetes", "K8s")
    assert has_release.objects[0].names == ("Helm 3.0.0-beta.1", "Helm v3.0.0-beta.1")
    # "etcd" names no gold entity: the literal name is used.
    assert part_of.optional and part_of.objects[0].names == ("etcd",)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("issue: x\nentities: {Project: [Helm\n", "invalid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("source: x.txt\n", "missing 'issue'"),
        ("issue: x\nrelation: []\n", "unknown top-level key(s) relation"),
        ("issue: x\nentities: {Tool: [Helm]}\n", "unknown entity type 'Tool'"),
        ("issue: x\nentities: {Project: Helm}\n", "entities.Project: expected a list"),
        ("issue: x\nentities: {Release: [1.10]}\n", "entities.Release[0]: expected a string, got float"),
        ("issue: x\nentities: {Project: [{name: Helm, optional: maybe}]}\n", "optional must be true or false"),
        ("issue: x\nentities: {Project: [{nam: Helm}]}\n", "unknown key(s) nam"),
        ("issue: x\nentities: {Project: [A || B]}\n", "entities.Project[0]: empty name"),
        ("issue: x\nentities: {Project: [Helm, helm | Tiller]}\n", "entities.Project[1]: name 'helm' also names"),
        ("issue: x\nrelations: [[Helm, loves, Kubernetes]]\n", "relations[0]: unknown predicate 'loves'"),
        ("issue: x\nrelations: [[Helm, uses]]\n", "relations[0]: a triple is [subject, predicate, object]"),
        ("issue: x\nrelations: [{triple: [Helm, uses, K8s], optional: 1}]\n", "optional must be true or false"),
        ("issue: x\nrelations: [[Helm | Tiller, uses, K8s]]\n", "alternatives are separated by ' || '"),
        ("issue: x\nrelations: [[Helm ||, uses, K8s]]\n", "empty alternative"),
        ("issue: x\nrelations: {a: b}\n", "relations: expected a list"),
    ],
)
def test_load_gold_rejects_bad_files_with_one_line(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        gold_from(tmp_path, text)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'gold.yaml'}: ")
    assert problem in message
    assert "\n" not in message


def test_load_gold_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read gold file"):
        load_gold(tmp_path / "absent.yaml")


def test_same_name_in_two_types_is_allowed_and_references_take_both(tmp_path: Path) -> None:
    gold = gold_from(
        tmp_path,
        "issue: x\nentities:\n  Project: [Choice]\n  Feature: [Choice | Eventing Choice]\n"
        "relations: [[Choice, feature_of, Knative]]\n",
    )
    assert gold.triples[0].subjects[0].names == ("Choice", "Choice", "Eventing Choice")


# --------------------------------------------------------------------------- entities


SMALL_GOLD = """\
issue: x
entities:
  Project:
    - Helm
    - Kubernetes | K8s
    - {name: etcd raft | raft, optional: true}
  Release:
    - Helm 3.0.0-beta.1
  Person:
    - 墨封
"""


def test_entities_match_by_label_alias_and_norm(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    result = score(
        gold,
        extraction(
            [
                ("Project", "helm"),  # norm: case
                ("Project", "Kube", ["k8s"]),  # an alias matches a gold alias
                ("Release", "Helm v3.0.0-beta.1"),  # norm: v-rule and hyphen
                ("Person", "墨封"),
            ]
        ),
    )
    assert c(result.entities["Project"]) == (2, 0, 0)
    assert c(result.entities["Release"]) == (1, 0, 0)
    assert c(result.entities["Person"]) == (1, 0, 0)
    assert c(result.entity_total) == (4, 0, 0)
    assert result.entity_total.f1 == 1.0


def test_entity_type_must_agree(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    result = score(gold, extraction([("Technology", "Helm")]))
    assert c(result.entities["Project"]) == (0, 0, 2)
    assert c(result.entities["Technology"]) == (0, 1, 0)
    assert ("Project", "Helm") in result.entity_misses
    assert result.entity_spurious == [("Technology", "Helm")]


def test_optional_entities_neither_count_nor_penalise(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    without = score(gold, extraction([("Project", "Helm"), ("Project", "Kubernetes")]))
    with_optional = score(gold, extraction([("Project", "Helm"), ("Project", "Kubernetes"), ("Project", "raft")]))
    assert c(without.entities["Project"]) == c(with_optional.entities["Project"]) == (2, 0, 0)


def test_duplicates_count_one_tp_and_one_fp(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    result = score(
        gold,
        extraction(
            [
                ("Project", "Kubernetes"),
                ("Project", "K8s", [], "urn:other"),
                ("Project", "kubernetes", [], "urn:third"),
            ]
        ),
    )
    assert c(result.entities["Project"]) == (1, 2, 1)
    assert result.entity_spurious == [
        ("Project", "K8s (duplicate of Kubernetes)"),
        ("Project", "kubernetes (duplicate of Kubernetes)"),
    ]


def test_duplicate_of_an_optional_entity_is_a_false_positive(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    result = score(gold, extraction([("Project", "raft"), ("Project", "etcd raft", [], "urn:other")]))
    assert c(result.entities["Project"]) == (0, 1, 2)


def test_one_prediction_naming_two_gold_entities_is_not_a_duplicate(tmp_path: Path) -> None:
    # The count of duplicates must not depend on the order of the extraction.
    gold = gold_from(tmp_path, "issue: x\nentities:\n  Project: [Knative, Knative Eventing | eventing]\n")
    broad = ("Project", "Knative", ["eventing"], "urn:a")
    narrow = ("Project", "Knative Eventing", [], "urn:b")
    for order in ([broad, narrow], [narrow, broad]):
        assert c(score(gold, extraction(order)).entities["Project"]) == (2, 0, 0)
    assert c(score(gold, extraction([broad])).entities["Project"]) == (2, 0, 0)


def test_unknown_type_is_a_false_positive(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, SMALL_GOLD)
    result = score(gold, extraction([("Tool", "Helm")]))
    assert c(result.entities["Tool"]) == (0, 1, 0)
    assert c(result.entity_total) == (0, 1, 4)


def test_empty_extraction(tmp_path: Path) -> None:
    gold = load_gold(FIXTURES / "small.yaml")
    result = score(gold, {"issue": {"id": ISSUE_IRI, "label": "x"}, "entities": [], "relations": []})
    assert c(result.entity_total) == (0, 0, 4)
    assert c(result.relation_total) == (0, 0, 3)  # the optional triple is not counted
    assert (result.entity_total.precision, result.entity_total.recall, result.entity_total.f1) == (1.0, 0.0, 0.0)
    assert sorted(result.relation_misses) == [
        "Helm has_release Helm 3.0.0-beta.1",
        "Helm || K8s uses Kubernetes",
        "ISSUE authored_by 墨封",
    ]


# --------------------------------------------------------------------------- relations


REL_GOLD = """\
issue: x
entities:
  Project: [Helm, Kubernetes | K8s, kube-scheduler | scheduler, Tiller]
  Feature: [Scheduling Framework]
  Person: [墨封]
relations:
  - [ISSUE, authored_by, 墨封]
  - [Scheduling Framework, feature_of, Kubernetes || kube-scheduler]
  - [Helm, uses, Kubernetes]
  - {triple: [Tiller, part_of, Helm], optional: true}
  - [Helm, integrates, Grafana]
"""

REL_ENTITIES = [
    ("Project", "Helm"),
    ("Project", "K8s"),  # label is a gold alias: the gold triple says "Kubernetes"
    ("Project", "kube-scheduler"),
    ("Project", "Tiller"),
    ("Project", "Grafana"),
    ("Feature", "Scheduling Framework"),
    ("Person", "墨封"),
]


def test_relations_match_through_names_and_gold_aliases(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    result = score(
        gold,
        extraction(
            REL_ENTITIES,
            [
                ("ISSUE", "authored_by", "墨封"),
                ("Scheduling Framework", "feature_of", "kube-scheduler"),  # second alternative
                ("Helm", "uses", "K8s"),
                ("Helm", "integrates", "Grafana"),  # "Grafana" is no gold entity: literal name
            ],
        ),
    )
    assert {k: c(v) for k, v in result.relations.items()} == {
        "authored_by": (1, 0, 0),
        "feature_of": (1, 0, 0),
        "uses": (1, 0, 0),
        "integrates": (1, 0, 0),
        "part_of": (0, 0, 0),
    }
    assert result.relation_total.f1 == 1.0


def test_either_alternative_counts_and_both_make_a_duplicate(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    first = score(gold, extraction(REL_ENTITIES, [("Scheduling Framework", "feature_of", "K8s")]))
    assert c(first.relations["feature_of"]) == (1, 0, 0)
    both = score(
        gold,
        extraction(
            REL_ENTITIES,
            [("Scheduling Framework", "feature_of", "K8s"), ("Scheduling Framework", "feature_of", "kube-scheduler")],
        ),
    )
    assert c(both.relations["feature_of"]) == (1, 1, 0)
    assert both.relation_spurious == [
        "Scheduling Framework feature_of kube-scheduler (duplicate of Scheduling Framework feature_of "
        "Kubernetes || kube-scheduler)"
    ]


def test_identical_predicted_relations_are_duplicates(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    result = score(gold, extraction(REL_ENTITIES, [("Helm", "uses", "K8s")] * 3))
    assert c(result.relations["uses"]) == (1, 2, 0)


def test_issue_side_matches_only_the_issue_iri(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    # An entity called "ISSUE" is not the issue, and the issue is not an entity named 墨封.
    fake = extraction([*REL_ENTITIES, ("Project", "ISSUE")], [("ISSUE", "authored_by", "墨封")])
    fake["relations"][0]["subject"] = iri("ISSUE")  # the entity, not the issue IRI
    assert c(score(gold, fake).relations["authored_by"]) == (0, 1, 1)
    reversed_ = extraction(REL_ENTITIES, [("墨封", "authored_by", "ISSUE")])
    assert c(score(gold, reversed_).relations["authored_by"]) == (0, 1, 1)


def test_relation_matching_ignores_entity_types(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    entities = [("Technology", "Helm"), ("Technology", "Kubernetes")]  # wrong types
    result = score(gold, extraction(entities, [("Helm", "uses", "Kubernetes")]))
    assert c(result.relations["uses"]) == (1, 0, 0)
    assert c(result.entities["Technology"]) == (0, 2, 0)


def test_predicate_must_agree_and_optional_triples_are_free(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    result = score(
        gold,
        extraction(REL_ENTITIES, [("Helm", "integrates", "K8s"), ("Tiller", "part_of", "Helm")]),
    )
    assert c(result.relations["integrates"]) == (0, 1, 1)
    assert c(result.relations["uses"]) == (0, 0, 1)
    assert c(result.relations["part_of"]) == (0, 0, 0)  # optional triple found: nothing counted
    assert "Helm integrates K8s" in result.relation_spurious


def test_relation_with_unknown_iri_matches_nothing(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    ext = extraction(REL_ENTITIES, [("Helm", "uses", "K8s")])
    ext["relations"][0]["object"] = "urn:nowhere"
    result = score(gold, ext)
    assert c(result.relations["uses"]) == (0, 1, 1)
    assert result.relation_spurious == ["Helm uses urn:nowhere"]


def test_relation_subject_uses_every_alias_of_the_predicted_entity(tmp_path: Path) -> None:
    gold = gold_from(tmp_path, REL_GOLD)
    ext = extraction([("Project", "Helm Chart Manager", ["helm"]), ("Project", "Kubernetes")])
    ext["relations"] = [
        {"subject": iri("Helm Chart Manager"), "predicate": "uses", "object": iri("Kubernetes"), "evidence": {}}
    ]
    assert c(score(gold, ext).relations["uses"]) == (1, 0, 0)


# --------------------------------------------------------------------------- counts, combine, report


def test_counts_zero_cases() -> None:
    nothing = Counts(0, 0, 0)
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 1.0, 1.0)
    predicted_only = Counts(0, 3, 0)
    assert (predicted_only.precision, predicted_only.recall, predicted_only.f1) == (0.0, 1.0, 0.0)
    counts = Counts(3, 1, 2)
    assert counts.precision == 0.75 and counts.recall == 0.6
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))


def test_combine_is_a_micro_average() -> None:
    a = Score(entities={"Project": Counts(1, 0, 0), "Person": Counts(0, 0, 3)}, relations={"uses": Counts(1, 1, 0)})
    b = Score(entities={"Project": Counts(0, 2, 1)}, relations={"uses": Counts(0, 0, 1)}, entity_misses=[("P", "x")])
    total = combine([a, b])
    assert c(total.entities["Project"]) == (1, 2, 1)
    assert c(total.entities["Person"]) == (0, 0, 3)
    assert list(total.entities) == ["Project", "Person"]  # closed-set order
    assert c(total.entity_total) == (1, 2, 4)
    assert c(total.relation_total) == (1, 1, 1)
    assert total.entity_misses == [("P", "x")]


def test_small_fixture_scores_and_report() -> None:
    gold = load_gold(FIXTURES / "small.yaml")
    result = score(gold, load_extraction(FIXTURES / "small-extraction.json"))
    assert c(result.entities["Project"]) == (2, 1, 0)
    assert c(result.entities["Person"]) == (0, 0, 1)
    assert c(result.entity_total) == (3, 1, 1)
    assert c(result.relation_total) == (2, 1, 1)

    report = format_report({"small": result})
    lines = report.splitlines()
    assert lines[0] == "small"
    assert any(line.split()[:4] == ["Project", "2", "1", "0"] for line in lines)
    assert any(line.split()[:7] == ["all", "3", "1", "1", "0.750", "0.750", "0.750"] for line in lines)
    assert "missed" not in report and "overall" not in report

    verbose = format_report({"small": result, "again": result}, verbose=True)
    assert "    Person: 墨封" in verbose
    assert "    Project: Tiller" in verbose
    assert "    ISSUE authored_by 墨封" in verbose
    assert "    Tiller part_of Helm" in verbose
    overall = verbose[verbose.index("overall (2 issues)") :]
    assert any(line.split()[:4] == ["all", "6", "2", "2"] for line in overall.splitlines())


def test_load_extraction_rejects_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"issue": {"id": "i"}, "entities": [{"id": "e", "type": "Project"}]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"entities\[0\]: missing or non-string 'label'"):
        load_extraction(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read extraction JSON"):
        load_extraction(path)


def test_source_path(tmp_path: Path) -> None:
    gold = load_gold(FIXTURES / "small.yaml")
    assert source_path(gold) == FIXTURES / "small.txt"
    assert source_path(gold, FIXTURES) == FIXTURES / "small.txt"
    with pytest.raises(InputError, match="source 'small.txt' not found"):
        source_path(gold, tmp_path)
    vol17 = load_gold(VOL17)
    assert source_path(vol17) == REPO / "corpus" / "cloud-native-weekly-vol-17.txt"


# --------------------------------------------------------------------------- the real gold


def test_vol17_gold_counts() -> None:
    gold = load_gold(VOL17)
    required = Counter(e.type for e in gold.entities if not e.optional)
    # Counted by hand from the file.
    assert required == {
        "Project": 24,
        "Release": 9,
        "Feature": 6,
        "KEP": 1,
        "Person": 6,
        "Organization": 5,
        "Article": 6,
        "Technology": 3,
    }
    assert sum(e.optional for e in gold.entities) == 7 + 3 + 10 + 2 + 3 + 8
    assert sum(not t.optional for t in gold.triples) == 55
    assert sum(t.optional for t in gold.triples) == 24
    # Every reference in a triple names a gold entity (no fallback to a literal name).
    names = {n for e in gold.entities for n in e.names}
    refs = [r for t in gold.triples for r in [*t.subjects, *t.objects] if not r.is_issue]
    assert [r.text for r in refs if r.text not in names] == []


def perfect_extraction(gold: Gold, include_optional: bool, pick: int = 0) -> dict:
    """Entities named by the gold's own names, relations between them (alternative `pick` on each side)."""
    entities = [e for e in gold.entities if include_optional or not e.optional]
    ids: dict[str, str] = {}
    out = []
    for i, e in enumerate(entities):
        ident = f"urn:gold:{i}"
        out.append({"id": ident, "type": e.type, "label": e.names[pick % len(e.names)], "aliases": [], "mentions": []})
        for name in e.names:
            ids[name] = ident
    relations = []
    for t in gold.triples:
        if t.optional and not include_optional:
            continue
        s, o = t.subjects[pick % len(t.subjects)], t.objects[pick % len(t.objects)]
        relations.append(
            {
                "subject": ISSUE_IRI if s.is_issue else ids[s.text],
                "predicate": t.predicate,
                "object": ISSUE_IRI if o.is_issue else ids[o.text],
                "evidence": {"start": 0, "end": 0},
            }
        )
    return {"issue": {"id": ISSUE_IRI, "label": gold.issue}, "entities": out, "relations": relations}


@pytest.mark.parametrize(("include_optional", "pick"), [(False, 0), (True, 0), (False, 1), (True, 1)])
def test_vol17_perfect_extraction_scores_one(include_optional: bool, pick: int) -> None:
    gold = load_gold(VOL17)
    result = score(gold, perfect_extraction(gold, include_optional, pick))
    assert c(result.entity_total) == (60, 0, 0)
    assert c(result.relation_total) == (55, 0, 0)
    assert result.entity_total.f1 == 1.0 and result.relation_total.f1 == 1.0


def test_vol17_extraction_json_round_trip(tmp_path: Path) -> None:
    # The JSON text, not just the dict, is what `kg eval` may read back.
    gold = load_gold(VOL17)
    path = tmp_path / "x.json"
    path.write_text(json.dumps(perfect_extraction(gold, False), ensure_ascii=False), encoding="utf-8")
    assert score(gold, load_extraction(path)).relation_total.f1 == 1.0
