"""Score extractions against gold annotations, exactly as ../shared/eval/FORMAT.md says.

The rules live in FORMAT.md; this module implements them and fixes the corners
that FORMAT.md leaves open (each one is marked "Choice:" below):

- ``norm``: the ``v`` rule looks at positions in the string after NFKC and
  casefold but *before* anything is stripped or removed, so ``V3`` loses its
  ``v`` (casefold comes first) while ``《v3》`` and ``Helm-v3`` keep it (the
  ``v`` follows ``《``/``-``, not a space).  A "space" is any character for
  which ``str.isspace()`` holds; a digit is ``str.isdecimal()`` (regex ``\\d``).
- Names whose norm is empty never match anything.
- Duplicates: a predicted item that matches some gold item is a duplicate (one
  FP) when it cannot be given a gold item of its own, i.e. FP for duplicates =
  (predicted items matching something) - (size of a maximum one-to-one matching
  between predicted and gold items).  When no predicted item matches two gold
  items this is exactly FORMAT.md's "two predicted entities matching the same
  gold entity count one TP and one FP"; the matching only keeps the count
  independent of the extraction's order in the rare overlapping case.
  Optional gold items take part: the first match of an optional item is free,
  further ones are duplicates (one node per real thing).  The same holds for
  relations: duplicate predicted relations matching one gold triple give one
  TP and FPs for the rest.
- TP is counted on the gold side (a required gold item matched by any
  predicted item), as FORMAT.md states it.
- 0/0: precision is 1.0 when nothing was predicted, recall is 1.0 when nothing
  was expected, and F1 = 2TP / (2TP + FP + FN), which is 1.0 when nothing was
  expected and nothing predicted and 0.0 whenever TP is 0 otherwise.
- Predicted entities or relations with a type/predicate outside the closed set
  are FPs under that key (no gold item can match them).
- Gold relation references: ``X || Y`` lists alternatives; each alternative is
  resolved (by norm) to every gold entity, of any type, having that name, and
  then matches any of those entities' names.  A reference naming no gold
  entity falls back to the literal name.  ``ISSUE`` (exactly) is the issue.
- Predicted relation ends are IRIs: the issue's id maps to ISSUE, an entity id
  to that entity's label and aliases; an unknown IRI matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.gold import ISSUE, Gold, GoldRef, check_extraction, load_gold, name_keys
from kg.model import ENTITY_TYPES, PREDICATES

# --------------------------------------------------------------------------- counts


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        # Nothing predicted: nothing predicted wrongly.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        # Nothing expected: nothing missed.
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        # Equal to the harmonic mean of P and R whenever TP > 0; 1.0 only for "nothing vs nothing".
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 1.0


def _total(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total = total + c
    return total


@dataclass
class Score:
    entities: dict[str, Counts] = field(default_factory=dict)  # per type
    relations: dict[str, Counts] = field(default_factory=dict)  # per predicate
    entity_misses: list[tuple[str, str]] = field(default_factory=list)  # (type, gold name) of FNs
    entity_spurious: list[tuple[str, str]] = field(default_factory=list)  # (type, predicted label) of FPs
    relation_misses: list[str] = field(default_factory=list)  # gold triples, as written
    relation_spurious: list[str] = field(default_factory=list)  # "subject predicate object" by labels

    @property
    def entity_total(self) -> Counts:
        """Micro-average over types: TP, FP, FN summed."""
        return _total(self.entities.values())

    @property
    def relation_total(self) -> Counts:
        return _total(self.relations.values())


# --------------------------------------------------------------------------- scoring


def _max_matching(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """Maximum one-to-one matching (Kuhn): predicted index -> gold index."""
    owner: dict[int, int] = {}  # gold -> predicted

    def augment(p: int, seen: set[int]) -> bool:
        for g in candidates[p]:
            if g not in seen:
                seen.add(g)
                if g not in owner or augment(owner[g], seen):
                    owner[g] = p
                    return True
        return False

    for p, cands in enumerate(candidates):
        if cands:
            augment(p, set())
    return {p: g for g, p in owner.items()}


@dataclass
class _Group:
    """Outcome of scoring one type (or predicate): which gold items were missed, which predictions are FPs."""

    counts: Counts
    missed: list[int]  # gold indices (required, unmatched)
    spurious: list[tuple[int, int | None]]  # (predicted index, gold index it duplicates or None)


def _score_group(required: Sequence[bool], candidates: Sequence[Sequence[int]]) -> _Group:
    matched = {g for cands in candidates for g in cands}
    missed = [g for g, req in enumerate(required) if req and g not in matched]
    tp = sum(1 for g, req in enumerate(required) if req and g in matched)
    assignment = _max_matching(candidates)
    spurious: list[tuple[int, int | None]] = []
    for p, cands in enumerate(candidates):
        if not cands:
            spurious.append((p, None))
        elif p not in assignment:
            spurious.append((p, cands[0]))
    return _Group(Counts(tp, len(spurious), len(missed)), missed, spurious)


def _ordered(keys: Iterable[str], known: Sequence[str]) -> list[str]:
    keys = set(keys)
    return [k for k in known if k in keys] + sorted(keys - set(known))


def score(gold: Gold, extraction: dict) -> Score:
    """Score one issue's extraction (the ``kg extract --format json`` object) against its gold."""
    check_extraction(extraction)
    predicted = extraction.get("entities", [])
    result = Score()

    # Entities, type by type.
    types = _ordered([e.type for e in gold.entities] + [e["type"] for e in predicted], ENTITY_TYPES)
    for type_ in types:
        golds = [g for g in gold.entities if g.type == type_]
        preds = [p for p in predicted if p["type"] == type_]
        gold_keys = [g.keys for g in golds]
        candidates = []
        for p in preds:
            keys = name_keys([p["label"], *p.get("aliases", [])])
            candidates.append([i for i, gk in enumerate(gold_keys) if keys & gk])
        group = _score_group([not g.optional for g in golds], candidates)
        result.entities[type_] = group.counts
        result.entity_misses += [(type_, golds[g].names[0]) for g in group.missed]
        for p, dup in group.spurious:
            label = preds[p]["label"]
            result.entity_spurious.append(
                (type_, label if dup is None else f"{label} (duplicate of {golds[dup].names[0]})")
            )

    # Relation ends are IRIs: look up what each IRI is called.
    issue_id = extraction["issue"]["id"]
    names_by_id: dict[str, list[str]] = {}
    for p in predicted:
        names_by_id.setdefault(p["id"], []).extend([p["label"], *p.get("aliases", [])])
    keys_by_id = {iri: name_keys(names) for iri, names in names_by_id.items()}

    def ref_matches(iri: str, ref: GoldRef) -> bool:
        if ref.is_issue or iri == issue_id:
            return ref.is_issue and iri == issue_id
        return bool(keys_by_id.get(iri, frozenset()) & ref.keys)

    def show(iri: str) -> str:
        if iri == issue_id:
            return ISSUE
        return names_by_id[iri][0] if iri in names_by_id else iri

    relations = extraction.get("relations", [])
    predicates = _ordered([t.predicate for t in gold.triples] + [r["predicate"] for r in relations], PREDICATES)
    for predicate in predicates:
        triples = [t for t in gold.triples if t.predicate == predicate]
        rels = [r for r in relations if r["predicate"] == predicate]
        candidates = [
            [
                i
                for i, t in enumerate(triples)
                if any(ref_matches(r["subject"], s) for s in t.subjects)
                and any(ref_matches(r["object"], o) for o in t.objects)
            ]
            for r in rels
        ]
        group = _score_group([not t.optional for t in triples], candidates)
        result.relations[predicate] = group.counts
        result.relation_misses += [str(triples[g]) for g in group.missed]
        for p, dup in group.spurious:
            text = f"{show(rels[p]['subject'])} {predicate} {show(rels[p]['object'])}"
            result.relation_spurious.append(text if dup is None else f"{text} (duplicate of {triples[dup]})")
    return result


def combine(scores: Iterable[Score]) -> Score:
    """Micro-average across issues: counts summed per type and per predicate."""
    total = Score()
    for s in scores:
        for key, c in s.entities.items():
            total.entities[key] = total.entities.get(key, Counts()) + c
        for key, c in s.relations.items():
            total.relations[key] = total.relations.get(key, Counts()) + c
        total.entity_misses += s.entity_misses
        total.entity_spurious += s.entity_spurious
        total.relation_misses += s.relation_misses
        total.relation_spurious += s.relation_spurious
    total.entities = {k: total.entities[k] for k in _ordered(total.entities, ENTITY_TYPES)}
    total.relations = {k: total.relations[k] for k in _ordered(total.relations, PREDICATES)}
    return total


# --------------------------------------------------------------------------- report


def _table(title: str, rows: dict[str, Counts], total: Counts, width: int) -> list[str]:
    lines = [f"  {title:<{width}}  {'TP':>4} {'FP':>4} {'FN':>4}  {'P':>6} {'R':>6} {'F1':>6}"]
    for key, c in [*rows.items(), ("all", total)]:
        lines.append(
            f"  {key:<{width}}  {c.tp:>4} {c.fp:>4} {c.fn:>4}  {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f}"
        )
    return lines


def _section(name: str, s: Score, verbose: bool) -> list[str]:
    lines = [name]
    width = max([len("relations"), *map(len, s.entities), *map(len, s.relations)])  # one width: columns line up
    lines += _table("entities", s.entities, s.entity_total, width)
    lines += _table("relations", s.relations, s.relation_total, width)
    if verbose:
        for heading, items in (
            ("missed entities (FN)", [f"{t}: {n}" for t, n in s.entity_misses]),
            ("spurious entities (FP)", [f"{t}: {n}" for t, n in s.entity_spurious]),
            ("missed relations (FN)", s.relation_misses),
            ("spurious relations (FP)", s.relation_spurious),
        ):
            lines.append(f"  {heading}: {len(items)}")
            lines += [f"    {item}" for item in items]
    return lines


def format_report(
    scores: dict[str, Score], verbose: bool = False, sets: dict[str, str] | None = None, brief: bool = False
) -> str:
    """Per issue (unless ``brief``), overall per gold set when there are several, and overall.

    ``sets`` maps an issue name to its gold set ("tuning", "untouched"): the sets are reported
    apart, so that what the extractor was tuned on never hides how it does on text it was not.
    """
    lines: list[str] = []
    if not brief:
        for name, s in scores.items():
            lines += [*_section(name, s, verbose), ""]
    groups: dict[str, list[Score]] = {}
    for name, s in scores.items():
        groups.setdefault((sets or {}).get(name, ""), []).append(s)
    if len(groups) > 1:
        for label, members in sorted(groups.items()):
            lines += [*_section(f"overall {label or 'other'} ({len(members)} issues)", combine(members), False), ""]
    if len(scores) > 1 or brief:
        # The per-issue sections already list misses; the overall one only sums.
        lines += [*_section(f"overall ({len(scores)} issues)", combine(scores.values()), False), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def gold_set(path: Path) -> str:
    """The set a gold file belongs to: files directly in a project's ``corpus/gold/`` are the tuning set;
    those under an ``untouched/`` folder, or anywhere else (../shared/eval/gold), were kept out of tuning."""
    parts = Path(path).resolve().parts
    if "untouched" in parts:
        return "untouched"
    if len(parts) >= 3 and parts[-3:-1] == ("corpus", "gold"):
        return "tuning"
    return "untouched"


# --------------------------------------------------------------------------- running


def find_source(gold: Gold, corpora: Sequence[Path]) -> Path:
    """The gold's source in the first corpus folder that has it (default: beside the gold, then ../shared's LWKD)."""
    candidates = list(corpora)
    if not candidates:
        shared = Path(__file__).resolve().parents[2] / "shared"
        candidates = [gold.path.parent, gold.path.parent.parent, shared / "corpus", shared / "corpus" / "lwkd"]
    for corpus in candidates:
        if (corpus / gold.source).is_file():
            return corpus / gold.source
    raise InputError(gold.path, f"source {gold.source!r} not found in {', '.join(map(str, candidates))}")


def evaluate_files(
    gold_paths: Sequence[Path],
    corpora: Sequence[Path] = (),
    verbose: bool = False,
    brief: bool = False,
    fmt: str | None = None,
) -> tuple[str, dict[str, Score]]:
    """Extract each gold file's source with the current pipeline and score it; (report, scores by issue).

    ``fmt`` reads every source with that reader instead of the sniffed one (``generic-markdown``: how the
    pipeline does on a newsletter nobody wrote a reader for)."""
    from kg.catalog import load_catalog
    from kg.extract import extract, load_pipeline
    from kg.ingest import read_issue

    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    scores: dict[str, Score] = {}
    sets: dict[str, str] = {}
    for path in expand_gold_paths(gold_paths):
        gold = load_gold(path)
        issue = read_issue(find_source(gold, corpora), fmt=fmt)
        name = gold.issue or Path(path).stem
        scores[name] = score(gold, extract(issue, catalog, nlp).to_json())
        sets[name] = gold_set(path)
    return format_report(scores, verbose=verbose, sets=sets, brief=brief), scores


def expand_gold_paths(paths: Sequence[Path]) -> list[Path]:
    """Gold files named, and the ``*.yaml`` files directly in folders named (``kg eval corpus/gold``)."""
    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    return out
