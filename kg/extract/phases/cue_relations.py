"""Relations from cue words: "X uses Y", "由 Y 开发", "integrates with", "developed by" and the like.

Cue lists live in ontology/patterns/relations.yaml; a relation's evidence is the sentence its cue
stands in.  Run after the structural relations (:func:`kg.extract.phases.relations.run`).
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from kg.extract.context import DisjointSpans
from kg.model import Entity
from kg.text import CJK, has_cjk

if TYPE_CHECKING:
    from kg.extract.context import Context, Placed
    from kg.extract.structure import Unit

# Nothing but coordination between two names ("A 和 B", "A, B and C").
_COORD = re.compile(r"^(?:\s|和|与|及|以及|、|,|，|/|\(|\)|（|）|and|or|&)*$", re.IGNORECASE)


_FINDERS: dict[tuple[str, ...], CueFinder] = {}


class CueFinder:
    """Occurrences of cue words: str.find per cue (C speed) plus a word-boundary check for Latin cues.

    A regex alternation of ~100 cues tried at every offset was the slowest part of extraction.
    """

    def __init__(self, cues: list[str]) -> None:
        self.cues = sorted({" ".join(c.lower().split()) for c in cues if c.strip()}, key=len, reverse=True)
        self._latin = [not has_cjk(c) for c in self.cues]

    @classmethod
    def of(cls, cues: list[str]) -> CueFinder:
        """One finder per cue list (the lists come from the cached pattern files)."""
        key = tuple(cues)
        finder = _FINDERS.get(key)
        if finder is None:
            finder = _FINDERS[key] = cls(cues)
        return finder

    def find(self, lower: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        end = len(lower) if end is None else end
        found: list[tuple[int, int]] = []
        # Longest cues first, so a later one overlaps an earlier one exactly when it starts or ends inside it.
        taken = DisjointSpans()
        for cue, latin in zip(self.cues, self._latin, strict=True):
            i = lower.find(cue, start, end)
            while i >= 0:
                j = i + len(cue)
                if not latin or (
                    (i == 0 or not (lower[i - 1].isalnum() or lower[i - 1] in "-_"))
                    and (j >= len(lower) or not (lower[j].isalnum() or lower[j] in "-_"))
                ):
                    if not taken.overlapping(i, j):
                        taken.add(i, j)
                        found.append((i, j))
                i = lower.find(cue, j, end)
        found.sort()
        return found


def cued(ctx: Context) -> None:
    pats = ctx.rel_pat
    text = ctx.text
    lower = text.lower()  # same length as text for the scripts we meet; checked below
    if len(lower) != len(text):
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    found = {name: CueFinder.of(pats[name]["before"]).find(lower) for name in ("uses", "integrates", "replaces")}
    if "用" in text and pats["uses"].get("yong"):
        # "用 Go 编写": a bare 用 (not inside 使用/采用, which CueFinder already has).
        taken = found["uses"]
        extra = [
            (m.start(), m.end())
            for m in re.finditer(pats["uses"]["yong"], text)
            if not any(a <= m.start() < b for a, b in taken)
        ]
        found["uses"] = sorted(taken + extra)
    dev_first = CueFinder.of(pats["developed_by"]["org_first"]).find(lower)
    dev_after = CueFinder.of(pats["developed_by"]["org_after"]).find(lower)
    cue_pos = sorted(a for lst in (*found.values(), dev_first, dev_after) for a, _ in lst)
    for u in ctx.units:
        for s, e in u.sentences:
            i = bisect.bisect_left(cue_pos, s)
            if i >= len(cue_pos) or cue_pos[i] >= e:
                continue
            placed = [p for p in ctx.reg.in_range(s, e) if p.entity.type in ("Project", "Technology", "Organization")]
            if not placed:
                continue

            def within(lst: list[tuple[int, int]], s: int = s, e: int = e) -> list[tuple[int, int]]:
                # The lists are sorted: bisection, not a scan of the whole issue's cues per sentence.
                return lst[bisect.bisect_left(lst, (s,)) : bisect.bisect_left(lst, (e,))]

            for m in within(found["uses"]):
                if _NEGATED.search(text[max(s, m[0] - 12) : m[0]]):
                    continue  # "不依赖 Mixer 的遥测", "does not use etcd"
                _binary(ctx, u, (s, e), placed, m, "uses", ("Project", "Technology"))
            ints = within(found["integrates"])
            ints = [m for m in ints if not _NEGATED.search(text[max(s, m[0] - 12) : m[0]])]
            if ints:
                last = ints[-1]
                with_obj = _with_object(ctx, placed, last[0])
                subj = _subject(ctx, u, placed, with_obj.start if with_obj else last[0], s)
                if subj is not None and not has_cjk(text[last[0] : last[1]]):
                    # English "includes/ships with": the project must be the cue's own subject ("containerd 2.0
                    # ships with runc"), not the item's topic ("Major features include … kubelet …").
                    own = [p for p in placed if p.end <= last[0] and p.entity.type == "Project"]
                    if _EN_PRONOUN.search(text[max(s, last[0] - 30) : last[0]]):
                        subj = ctx.topic(u)  # "It integrates with Helm", "The full bundle includes …"
                    elif (
                        not own
                        or own[-1].entity.id != subj.id
                        or not _EN_SUBJECT_GAP.match(text[own[-1].end : last[0]])
                    ):
                        subj = None
                if subj is not None and with_obj is not None:
                    # "X 与 Harbor 集成": the project between 与 and the cue.
                    if with_obj.entity.id != subj.id:
                        ctx.add_rel(subj, "integrates", with_obj.entity, (s, e))
                elif subj is not None:
                    # The list the cue introduces ends at a colon or semicolon ("共包含 38 项增强:… kubectl …").
                    stop = _LIST_END.search(text, last[1], e)
                    list_end = stop.start() if stop else e
                    objs = [p for p in placed if last[1] <= p.start < list_end and p.entity.type == "Project"]
                    if objs and not has_cjk(text[last[0] : last[1]]):
                        # English: the list starts right after the cue and runs on through commas and "and".
                        if len(text[last[1] : objs[0].start].strip()) > 12:
                            objs = []
                        for k in range(1, len(objs)):
                            if not _COORD.match(text[objs[k - 1].end : objs[k].start]):
                                objs = objs[:k]
                                break
                    for p in objs:
                        if p.entity.id != subj.id:
                            ctx.add_rel(subj, "integrates", p.entity, (s, e))
            for m in within(found["replaces"]):
                _binary(ctx, u, (s, e), placed, m, "replaces", ("Project",))
            after_ends = dict(within(dev_after))
            for ms, me in within(dev_first):
                orgs = [p for p in placed if p.entity.type == "Organization" and 0 <= ms - p.end <= 3]
                if not orgs:
                    continue
                org = orgs[-1]
                # "Dragonfly 是阿里巴巴开源、…": the subject before "是" is what the org open-sourced.
                subj = [
                    p
                    for p in placed
                    if p.entity.type in ("Project", "Technology")
                    and p.end <= org.start
                    and _IS.match(text[p.end : org.start])
                ]
                if subj and has_cjk(text[ms:me]):
                    ctx.add_rel(subj[-1].entity, "developed_by", org.entity, (s, e))
                    continue
                if after_ends.get(ms, 0) > me:
                    continue  # "X 开源的 …" (a longer cue): read as org_after below
                objs = [p for p in ctx.reg.in_range(me, e, ("Project", "Technology")) if not _modifier(ctx, p, me)]
                if objs:
                    ctx.add_rel(objs[0].entity, "developed_by", org.entity, (s, e))
            for ms, me in within(dev_after):
                cue = text[ms:me]
                if has_cjk(cue):
                    # "GraphQL 是 Facebook 2015 年开源的…": org before the cue, subject first in the sentence.
                    orgs = [p for p in placed if p.entity.type == "Organization" and 0 <= ms - p.end <= 12]
                    subj = [p for p in placed if p.entity.type in ("Project", "Technology") and p.end <= ms]
                    if orgs and subj and subj[0].end <= orgs[-1].start:
                        ctx.add_rel(subj[0].entity, "developed_by", orgs[-1].entity, (s, e))
                    elif orgs and not subj:
                        # "VMware 开源的 Kubernetes 备份工具" heading a recommended project: the item's project.
                        over = ctx.unit_topic_override.get(id(u))
                        if over is not None and over.type == "Project":
                            ctx.add_rel(over, "developed_by", orgs[-1].entity, (s, e))
                else:
                    orgs = [p for p in placed if p.entity.type == "Organization" and 0 <= p.start - me <= 5]
                    subj = [p for p in placed if p.entity.type in ("Project", "Technology") and p.end <= ms]
                    if orgs and subj and ms - subj[-1].end <= 40:
                        ctx.add_rel(subj[-1].entity, "developed_by", orgs[0].entity, (s, e))


_CLAUSE = re.compile(r"[,，;；:：]")
_LIST_END = re.compile(r"[:：;；]")
# Between an English subject and its uses cue ("kube-up.sh uses", "Kubernetes is now built using").
_EN_USES_GAP = re.compile(
    r"^(?:\s|\*|\[|\]|\)|\(|`|\.sh|v?\d[\w.+-]*|now|also|still|already|which|that|will|can|is|are|was|were|be|been|"
    r"being|built|written|implemented|now)*$",
    re.IGNORECASE,
)
# A name after a preposition is not a subject ("Tests for kubelet now use Go").
_EN_PREPOSITION = re.compile(r"(?<![\w-])(?:for|of|in|with|to|from|on|by|via|about|into|under)\s+[\[`*]*$", re.I)
# English subjects that stand for the item's project.
_EN_PRONOUN = re.compile(
    r"(?:^|[.;:]\s+|\n\s*)(?:it|the (?:full )?(?:bundle|distribution|image))(?:\s+(?:now|also|still))?\s+$",
    re.IGNORECASE,
)
# Between an English subject and its integrates cue: a version, an adverb, a relative pronoun.
_EN_SUBJECT_GAP = re.compile(
    r"^(?:\s|\*|\[|\]|\)|\(|`|v?\d[\w.+-]*|now|also|still|already|which|that|will|can|now)*$", re.IGNORECASE
)
# An opening name that only qualifies the subject ("Kubernetes 的 GraphQL API", "Mixer 被废弃").
_OPENING_MODIFIER = re.compile(r"\s*(?:的|被|[’']s\b)")
# "除 Istio 外还可以选用 …", "besides Istio": a name after 除/besides is not the clause's subject.
_EXCEPT = re.compile(r"(?:除了?|besides|apart from|other than)\s*$", re.IGNORECASE)
# A negation right before a cue ("不依赖", "无需使用", "does not use", "without").
_NEGATED = re.compile(
    r"(?:不|无|无需|没有|未|非|不再)\s*$|(?<![\w-])(?:not|no longer|without|never|n't)\s+$", re.IGNORECASE
)
# The Latin word right before a CJK cue: a name the catalog does not know ("Kourier 基于 Envoy 实现").
_UNKNOWN_SUBJECT = re.compile(r"(?<![\w.-])[A-Za-z][\w.-]*\s*$")
_IS = re.compile(r"^\s*(?:是|为|由)\s*$")
_USES_BEFORE = re.compile(r"(?:基于|使用|采用|依赖|用|based on|using|on top of)\s*$", re.IGNORECASE)


def _modifier(ctx: Context, p: Placed, cue_end: int) -> bool:
    """A name that only qualifies the object ("基于 Kubernetes 的 OAM 实现"): after a uses cue, before 的."""
    qualified = ctx.text[p.end : p.end + 3].lstrip().startswith("的")
    return qualified and bool(_USES_BEFORE.search(ctx.text[cue_end : p.start]))


def _subject(ctx: Context, u: Unit, placed: list[Placed], cue_start: int, sent_start: int = -1) -> Entity | None:
    """The project the clause before the cue names (its first), else the item's topic ("它包含…")."""
    sent_start = min((p.start for p in placed), default=cue_start)
    text = ctx.text
    clause_start = cue_start
    while clause_start > 0 and clause_start > sent_start - 200:
        ch = text[clause_start - 1]
        if _CLAUSE.match(ch) or ch in "。\n!?！？":
            break
        clause_start -= 1
    before = [
        p
        for p in placed
        if clause_start <= p.start
        and p.end <= cue_start
        and p.entity.type == "Project"
        and not _EXCEPT.search(text, max(0, p.start - 3), p.start)
    ]
    if before:
        return before[0].entity
    if CJK.match(text[cue_start : cue_start + 1]):
        m = _UNKNOWN_SUBJECT.search(text, clause_start, cue_start)
        if m and m.group().strip()[:1].isupper() and not any(p.start <= m.start() < p.end for p in placed):
            return None  # the clause's own subject is a name we do not know: not the item's topic
    # "MicroK8s 将捆绑的 Istio 升级,并与 Knative 集成": a later clause shares the sentence's opening subject.
    opening = [p for p in placed if sent_start >= 0 and p.end <= clause_start and p.entity.type == "Project"]
    if (
        opening
        and not text[sent_start : opening[0].start].strip(" \t\n-*•0123456789.、)）")
        and not _OPENING_MODIFIER.match(text, opening[0].end)
    ):
        return opening[0].entity
    return ctx.topic(u)


def _with_object(ctx: Context, placed: list[Placed], cue_start: int) -> Placed | None:
    """ "与 Harbor 集成": the project right before a CJK integrates cue, itself after 与/和/同."""
    rx = ctx.rel_pat["integrates"].get("with_before")
    if not rx or not CJK.match(ctx.text[cue_start : cue_start + 1]):
        return None
    before = [p for p in placed if p.end <= cue_start and p.entity.type == "Project"]
    if not before or ctx.text[before[-1].end : cue_start].strip(" 进行深度无缝地"):
        return None
    p = before[-1]
    return p if re.search(rx, ctx.text[max(0, p.start - 4) : p.start]) else None


def _head_after_de(
    ctx: Context, placed: list[Placed], obj_end: int, sent_end: int
) -> tuple[Placed, list[Placed]] | None:
    """ "基于 Y 的 X …": X, the last project of the noun phrase after 的, and the names it implements."""
    pats = ctx.rel_pat["uses"]
    rx = pats.get("passive_de")
    m = re.match(rx, ctx.text[obj_end:sent_end]) if rx else None
    if m is None:
        return None
    start = obj_end + m.end()
    stop = start
    limit = min(sent_end, start + 30)
    while stop < limit and not _CLAUSE.match(ctx.text[stop]) and ctx.text[stop] not in "。、的\n（(":
        stop += 1
    phrase = [p for p in placed if start <= p.start and p.end <= stop and p.entity.type == "Project"]
    if not phrase:
        return None
    head = phrase[-1]
    impl = pats.get("implements")
    implemented = [
        p
        for p in placed
        if start <= p.start and p.end <= head.start and impl and re.match(impl, ctx.text[p.end : head.start])
    ]
    return head, implemented


def _english_subject(
    ctx: Context, u: Unit, placed: list[Placed], subj: Entity, cue_start: int, sent_start: int
) -> Entity | None:
    """English "X uses/is built on Y": X must be the cue's own subject, with at most an auxiliary between
    ("Kubernetes is now built using Go"), or "it" for the item's project; not the item's topic by default."""
    text = ctx.text
    if _EN_PRONOUN.search(text[max(sent_start, cue_start - 30) : cue_start]):
        return ctx.topic(u)
    own = [p for p in placed if sent_start <= p.start and p.end <= cue_start and p.entity.type == "Project"]
    if (
        own
        and own[-1].entity.id == subj.id
        and _EN_USES_GAP.match(text[own[-1].end : cue_start])
        and not _EN_PREPOSITION.search(text[max(sent_start, own[-1].start - 12) : own[-1].start])
    ):
        return subj
    return None


def _binary(
    ctx: Context,
    u: Unit,
    sent: tuple[int, int],
    placed: list[Placed],
    m: tuple[int, int],
    pred: str,
    obj_types: tuple[str, ...],
) -> None:
    after = [p for p in placed if p.start >= m[1] and p.entity.type in obj_types]
    if not after:
        return
    gap = ctx.text[m[1] : after[0].start]
    if len(gap.strip()) > 12 or re.search(r"[。；;!?！？]", gap):
        return
    objs = [after[0]]
    for p in after[1:]:
        if _COORD.match(ctx.text[objs[-1].end : p.start]):
            objs.append(p)
        else:
            break
    if pred == "uses" and has_cjk(ctx.text[m[0] : m[1]]):
        head = _head_after_de(ctx, placed, objs[-1].end, sent[1])
        if head is None and re.match(ctx.rel_pat["uses"].get("passive_de", "^$"), ctx.text[objs[-1].end : sent[1]]):
            return  # "由基于 Envoy 的 Telemetry v2 取代": Y qualifies a name we do not know
        if head is not None:
            # "基于 Kubernetes 的 OAM 实现 Rudr": Rudr uses Kubernetes (and OAM, which it implements).
            user, implemented = head
            for p in [*objs, *implemented]:
                if p.entity.id != user.entity.id:
                    ctx.add_rel(user.entity, pred, p.entity, sent)
            return
    subj = _subject(ctx, u, placed, m[0], sent[0])
    if subj is not None and pred == "uses" and not has_cjk(ctx.text[m[0] : m[1]]):
        subj = _english_subject(ctx, u, placed, subj, m[0], sent[0])
    if subj is None:
        return
    for p in objs:
        if p.entity.id != subj.id:
            ctx.add_rel(subj, pred, p.entity, sent)
