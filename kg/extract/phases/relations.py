"""Relations: from structure (recommendations, reading lists, catalog facts), then from cue words
(:mod:`kg.extract.phases.cue_relations`).

Cue lists live in ontology/patterns/relations.yaml.  Each relation keeps as evidence the
sentence (or item) it was read from.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.extract.phases import cue_relations
from kg.model import Entity

if TYPE_CHECKING:
    from kg.extract.context import Context, Placed
    from kg.extract.structure import Unit

STAGE = re.compile(
    r"(?<![\w-])(?:alpha|beta|GA|stable|graduat\w*|promot\w*|deprecat\w*)(?![\w-])|进行\s*beta", re.IGNORECASE
)


def structural(ctx: Context) -> None:
    """Relations the document's structure and the catalog give."""
    reg = ctx.reg
    rec_kinds = set(ctx.sec_pat.get("recommend_kinds", []))
    read_kinds = set(ctx.sec_pat.get("reading_kinds", []))
    articles: list[tuple[Unit, Entity]] = []
    for u in ctx.units:
        over = ctx.unit_topic_override.get(id(u))
        if over is None:
            continue
        if u.kind in rec_kinds and over.type == "Project":
            ctx.add_rel(ctx.issue_id, "recommends", over, (u.start, u.end))
        elif u.kind in read_kinds and over.type == "Article":
            articles.append((u, over))
    # part_of: a mentioned component and its catalog parent, when the issue mentions the parent too.
    present = {e.props.get("catalog"): e for e in reg.by_id.values() if e.props.get("catalog") and e.mentions}
    for ent in list(reg.by_id.values()):
        key = ent.props.get("catalog")
        if not key or not ent.mentions or ent.type != "Project":
            continue
        entry = ctx.catalog.get(ent.type, key)
        parent = getattr(entry, "part_of", None) if entry else None
        if parent and parent in present:
            ctx.add_rel(ent, "part_of", present[parent], ctx.sentence_or_unit(ent.mentions[0].start))
    features(ctx)
    keps(ctx)
    vulnerabilities(ctx)
    for u, article in articles:  # after feature_of: a feature of a project the title names is not counted again
        article_about(ctx, u, article)


def article_about(ctx: Context, u: Unit, article: Entity) -> None:
    """An article is about what its title names (projects, features, CVEs, technologies, as named) and the
    projects, features and CVEs of its description (projects lifted to the issue's named parent)."""
    cfg = ctx.rel_pat.get("about_article_types", {})
    title_types = tuple(cfg.get("title", ["Project", "Feature", "Vulnerability", "Technology", "KEP"]))
    body_types = tuple(cfg.get("description", ["Project", "Feature", "Vulnerability"]))
    a, b = u.title if u.title else (u.start, u.start)
    seen: set[str] = {article.id}
    in_title = ctx.reg.in_range(a, b, title_types)
    # "Knative Eventing 之 Choice 介绍", "Kubernetes 中的 EndpointSlice": about the feature, not again its project.
    owners = [_feature_owner(ctx, p.entity) for p in in_title if p.entity.type == "Feature"]
    for o in [o for o in owners if o is not None]:
        seen.add(o.id)
        seen.add(_mentioned_root(ctx, o).id)
    for p in in_title:
        if p.entity.id in seen or (p.entity.type == "Technology" and p.entity.label.islower()):
            continue  # practices and fields have lower-case names (service mesh, machine learning)
        seen.add(p.entity.id)
        seen.add(_mentioned_root(ctx, p.entity).id)  # "Knative Eventing 之 Choice": not Knative again
        ctx.add_rel(article, "about", p.entity, (u.start, u.end))
    for p in ctx.reg.in_range(u.start, u.end, body_types):
        if a <= p.start < b:
            continue
        # Articles are about projects, not about one of their components (when the issue names the project).
        target = _mentioned_root(ctx, p.entity) if p.entity.type == "Project" else p.entity
        if target.id in seen:
            continue
        owner = _feature_owner(ctx, target) if target.type == "Feature" else None
        if owner is not None and owner.id in seen:
            continue  # "Knative Eventing 之 Choice 介绍 … Choice 特性": the title already names its project
        seen.add(target.id)
        ctx.add_rel(article, "about", target, (u.start, u.end))


def _mentioned_root(ctx: Context, ent: Entity) -> Entity:
    best = ent
    seen = {ent.id}
    cur = ent
    while True:
        parent = _parent(ctx, cur)
        if parent is None or parent.id in seen:
            return best
        seen.add(parent.id)
        if parent.mentions:
            best = parent
        cur = parent


def _parent(ctx: Context, ent: Entity) -> Entity | None:
    key = ent.props.get("catalog")
    entry = ctx.catalog.get(ent.type, key) if key else None
    pkey = getattr(entry, "part_of", None) if entry else None
    if not pkey:
        return None
    pentry = ctx.catalog.get("Project", pkey) or ctx.catalog.find_key(pkey)
    if pentry is None:
        return None
    iri_known = [e for e in ctx.reg.by_id.values() if e.props.get("catalog") == pentry.key and e.type == pentry.type]
    return iri_known[0] if iri_known else None


def features(ctx: Context) -> None:
    """feature_of: the catalog's owner, else the project the sentence or item is about."""
    for ent in list(ctx.reg.by_id.values()):
        if ent.type != "Feature" or not ent.mentions:
            continue
        first = ent.mentions[0]
        ev = ctx.sentence_or_unit(first.start)
        owner = ctx.feature_owner.get(ent.id)
        key = ent.props.get("catalog")
        if owner is None and key:
            entry = ctx.catalog.get("Feature", key)
            target = getattr(entry, "feature_of", None) if entry else None
            if target:
                tentry = ctx.catalog.get("Project", target) or ctx.catalog.find_key(target)
                if tentry is not None:
                    cand = ctx.catalog_entity(tentry)
                    owner = cand if cand.mentions else _mentioned_ancestor(ctx, cand)
        if owner is None and not key and _code_like(ctx, ent, first.start, first.end):
            continue  # a Go type or function named in passing is not a feature of anything
        if owner is None:
            owner = context_project(ctx, first.start)
        if owner is not None:
            ctx.add_rel(ent, "feature_of", owner, ev)


_CODE_WORDS = re.compile(
    r"\b(?:function|func|method|struct|type|interface|field|variable|const|constant|package|test|tests|"
    r"testcases|error|errors|message|helper|library|call|calls|provided)\b",
    re.IGNORECASE,
)
_CODE_SUFFIX = re.compile(r"(?:List|Result|Spec|Status|TestCases?|Tests?|Func|Error|Interface|Options|Version)$")


def _code_like(ctx: Context, ent: Entity, start: int, end: int) -> bool:
    """Whether a CamelCase name reads as code (a type, function or field) rather than a feature."""
    if not re.match(r"^[A-Z][A-Za-z0-9]+$", ent.label):
        return False
    if _CODE_SUFFIX.search(ent.label):
        return True
    around = ctx.text[max(0, start - 25) : start] + " " + ctx.text[end : end + 25]
    return bool(_CODE_WORDS.search(around))


def _mentioned_ancestor(ctx: Context, ent: Entity) -> Entity | None:
    root = ctx.root(ent)
    return root if root.mentions else ctx.default_project()


def context_project(ctx: Context, offset: int) -> Entity | None:
    """The nearest project named before ``offset`` in its sentence, else the item's topic."""
    unit = ctx.index.unit_at(offset)
    sent = ctx.index.sentence_at(unit, offset)
    if sent is not None:
        before = [p for p in ctx.reg.in_range(sent[0], offset, ("Project",)) if p.end <= offset]
        if before:
            return before[-1].entity
    return ctx.topic(unit)


def keps(ctx: Context) -> None:
    """KEP about the feature named in the same item; targets_release from stage sentences."""
    placed = ctx.reg.placed
    for ent in list(ctx.reg.by_id.values()):
        if ent.type != "KEP" or not ent.mentions:
            continue
        m = ent.mentions[0]
        unit = ctx.index.unit_at(m.start)
        feats = _features_near(ctx, unit, m.start)
        if feats:
            number = ent.props.get("number")

            def rank(p: Placed, number: object = number, at: int = m.start) -> tuple[int, int, int]:
                entry = ctx.catalog.get("Feature", p.entity.props.get("catalog", "")) if p.entity.props else None
                tracked = entry is not None and getattr(entry, "number", None) == number
                return (0 if tracked else 1, 0 if entry is not None else 1, abs(p.start - at))

            best = min(feats, key=rank)
            ctx.add_rel(ent, "about", best.entity, (unit.start, unit.end) if unit else ctx.sentence_or_unit(m.start))
    # targets_release: a sentence with a stage word and a release.
    staged: dict[tuple[int, int], bool] = {}  # a sentence listing several versions is searched once
    for s, _e, rel in ctx.version_releases:
        unit = ctx.index.unit_at(s)
        sent = ctx.index.sentence_at(unit, s)
        if sent is None:
            continue
        if sent not in staged:
            staged[sent] = STAGE.search(ctx.text[sent[0] : sent[1]]) is not None
        if not staged[sent]:
            continue
        subj = _target_subject(ctx, unit, sent, s)
        if subj is not None:
            ctx.add_rel(subj, "targets_release", rel, sent)
    del placed
    announced_features(ctx)


def announced_features(ctx: Context) -> None:
    """An item announcing one release ("1. Kubernetes 1.18 正式发布", "Istio 1.4 is out"): the features of
    that project it goes on to name, with no release of their own, reached their stage in that release."""
    line_rx = re.compile(ctx.rel_pat["release_line"])
    targets = [(r.subject, r.evidence.start) for r in ctx.relations.values() if r.predicate == "targets_release"]
    for u in ctx.units:
        nl = ctx.text.find("\n", u.start, u.end)
        if nl < 0:
            continue
        rels = {p.entity.id: p.entity for p in ctx.reg.in_range(u.start, nl, ("Release",))}
        if len(rels) != 1 or not line_rx.search(ctx.text[u.start : nl]):
            continue
        rel = next(iter(rels.values()))
        targeted = {subj for subj, at in targets if u.start <= at < u.end}  # a release of their own here
        project = ctx.release_project.get(rel.id)
        if project is None:
            continue
        for p in ctx.reg.in_range(nl, u.end, ("Feature",)):
            if p.entity.id in targeted:
                continue
            owner = _feature_owner(ctx, p.entity)
            if owner is not None and ctx.root(owner).id != ctx.root(project).id:
                continue
            ctx.add_rel(p.entity, "targets_release", rel, ctx.sentence_or_unit(p.start))
            targeted.add(p.entity.id)


def _feature_owner(ctx: Context, feat: Entity) -> Entity | None:
    for s, pred, o in ctx.relations:
        if s == feat.id and pred == "feature_of":
            return ctx.reg.by_id.get(o)
    return None


def _features_near(ctx: Context, unit: Unit | None, offset: int) -> list[Placed]:
    if unit is None:
        return []
    feats = ctx.reg.in_range(unit.start, unit.end, ("Feature",))
    if not feats and unit.section is not None:
        feats = ctx.reg.in_range(unit.section.start, unit.section.end, ("Feature",), limit=1)
    return feats


_LEAD = re.compile(r"\s*(?:[-*+•]|\d+[.)、])?\s*(?:\*\*)?`?")
_HEAD_SEP = re.compile(r"`?(?:\*\*)?\s*[:：]")
_THIS_KEP = re.compile(r"\b(?:this|the)\s+KEP\b|这个\s*KEP|该\s*KEP|本\s*KEP", re.IGNORECASE)


def _target_subject(ctx: Context, unit: Unit | None, sent: tuple[int, int], offset: int) -> Entity | None:
    if _THIS_KEP.search(ctx.text[sent[0] : sent[1]]) and unit is not None:
        # "This KEP is in alpha in v1.28": the KEP the item or section is about.
        for a, b in ((unit.start, unit.end), (unit.section.start, unit.section.end) if unit.section else (0, 0)):
            kep = ctx.reg.in_range(a, b, ("KEP",))
            if kep:
                return kep[0].entity
    if unit is not None:
        # "- kubectl debug：… 1.18 中以 alpha 提供": the feature heading the item is what the item is about.
        lead = _LEAD.match(ctx.text, unit.start, unit.end)
        if lead:
            head = [p for p in ctx.reg.in_range(lead.end(), lead.end() + 120, ("Feature",)) if p.start == lead.end()]
            if head and _HEAD_SEP.match(ctx.text, head[0].end):
                return head[0].entity
    before = [p for p in ctx.reg.in_range(sent[0], offset, ("Feature", "KEP")) if p.end <= offset]
    feats = [p for p in before if p.entity.type == "Feature"]
    if feats:
        return feats[-1].entity
    if before:
        return before[-1].entity
    if unit is None:
        return None
    in_unit = ctx.reg.in_range(unit.start, unit.end, ("KEP",)) or ctx.reg.in_range(unit.start, unit.end, ("Feature",))
    if in_unit:
        return in_unit[0].entity
    if unit.section is not None:
        kep = ctx.reg.in_range(unit.section.start, unit.section.end, ("KEP",))
        if kep:
            return kep[0].entity
    return None


# ---------------------------------------------------------------------- vulnerabilities

_PLURAL_REF = re.compile(r"两个|三个|多个|这些|以上|上述|均|都|\b(?:both|these|all|those)\b", re.IGNORECASE)


def vulnerabilities(ctx: Context) -> None:
    """affects: the project a CVE is said to affect (a cue after it, else the project named just before it
    in its sentence, "kube-apiserver 的 YAML 解析漏洞 CVE-…"); fixed_in: the releases of a sentence that
    says the CVE (or "the vulnerability", "两个漏洞") was fixed, or of the item's announcement line."""
    vulns = [p for p in ctx.reg.placed if p.entity.type == "Vulnerability"]
    if not vulns:
        return
    fix_rx = re.compile(ctx.rel_pat["vuln_fix_cues"], re.IGNORECASE)
    after_rx = re.compile(ctx.rel_pat["vuln_affects_after"], re.IGNORECASE)
    line_rx = re.compile(ctx.rel_pat["release_line"])
    done_units: set[int] = set()
    for v in vulns:
        unit = ctx.index.unit_at(v.start)
        sent = ctx.index.sentence_at(unit, v.start) or ctx.sentence_or_unit(v.start)
        _affects(ctx, v, sent, after_rx)
        if unit is None or id(unit) in done_units:
            continue
        done_units.add(id(unit))
        unit_vulns = [p for p in ctx.reg.in_range(unit.start, unit.end, ("Vulnerability",))]
        nl = ctx.text.find("\n", unit.start, unit.end)
        head = (unit.start, nl if nl >= 0 else unit.end)  # the item's first line (its heading, "1. X 发布")
        head_rels = [p.entity for p in ctx.reg.in_range(*head, ("Release",))]
        if not line_rx.search(ctx.text[head[0] : head[1]]):
            head_rels = []
        for s, e in unit.sentences:
            chunk = ctx.text[s:e]
            if not fix_rx.search(chunk):
                continue
            named = [p.entity for p in unit_vulns if s <= p.start < e]
            rels = [p.entity for p in ctx.reg.in_range(s, e, ("Release",))]
            if not named:
                before = [p.entity for p in unit_vulns if p.start < s]
                if not before or not rels:
                    continue
                named = before if _PLURAL_REF.search(chunk) or len({b.id for b in before}) == 1 else before[-1:]
            elif not rels:
                rels = head_rels
            for cve in named:
                for rel in rels:
                    ctx.add_rel(cve, "fixed_in", rel, (s, e))


def _affects(ctx: Context, v: Placed, sent: tuple[int, int], after_rx: re.Pattern[str]) -> None:
    m = after_rx.match(ctx.text, v.end, sent[1])
    if m:
        nxt = [p for p in ctx.reg.in_range(m.end(), sent[1], ("Project",)) if p.start == m.end()]
        if nxt:
            ctx.add_rel(v.entity, "affects", nxt[0].entity, sent)
            return
    before = [p for p in ctx.reg.in_range(sent[0], v.start, ("Project",)) if p.end <= v.start]
    if before:
        ctx.add_rel(v.entity, "affects", before[-1].entity, sent)


def run(ctx: Context) -> None:
    """Relations the structure and the catalog give, then those cue words give."""
    structural(ctx)
    cue_relations.cued(ctx)
