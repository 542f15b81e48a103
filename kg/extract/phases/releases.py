"""Versions: releases of the project named next to them, or of their unit's topic when the text says they are."""

from __future__ import annotations

import itertools
import re
from functools import cache

from kg.extract.context import Context, _rx, _stage_of
from kg.model import Entity
from kg.nlp.hits import Hit
from kg.patterns import load_patterns
from kg.text import CJK_CHARS


def run(ctx: Context) -> None:
    hits = [h for h in ctx.hits if h.kind == "version"]
    major = _rx(ctx.rel_versions["major"])
    # "Helm 3", "Helm v3": a bare major version right after a project name.
    for p in list(ctx.reg.placed):
        if p.entity.type != "Project":
            continue
        m = _rx(r"[ \t]?([vV]?\d{1,2})(?![\w.%])").match(ctx.text[p.end : p.end + 5])
        if m and major.match(m.group(1)):
            s, e = p.end + m.start(1), p.end + m.end(1)
            if ctx.reg.in_range(max(0, p.start - 80), e + 80, ("Release",)) and any(
                r.start <= p.start and e <= r.end for r in ctx.reg.in_range(max(0, p.start - 80), e + 80, ("Release",))
            ):
                continue  # "Flux 2 v2.8.6": inside a release already read, the 2 is part of the name
            rel = ctx.release(p.entity, m.group(1))
            ctx.reg.mention(rel, p.start, e)
            ctx.version_releases.append((s, e, rel))
    # Versions read by earlier phases (release links, update lines) can head a list too: "Go 1.25.7 / 1.24.13".
    # Ends of accepted versions -> when last accepted: looked up by offset (a scan of them all for each
    # version made a long issue quadratic), ordered by that number.
    accepted: dict[int, int] = {}
    order = itertools.count()
    for _start, end, rel in sorted(ctx.version_releases, key=lambda t: t[1]):
        owner = ctx.release_project.get(rel.id)
        if owner is not None:
            accepted[end] = next(order)
            ctx.accepted_owner.setdefault(end, owner)
    for h in hits:
        if ctx.reg.overlaps(h.start, h.end) or ctx.in_url(h.start):
            continue
        if _rx(r"\d-[vV]\d").search(h.text):
            continue  # a range ("v1.30-v1.35"), not one version
        nxt = ctx.text[h.end : h.end + 1]
        if nxt in ("%",) or _rx(r"\s?(?:ms|s|GB|MB|KB|Gi|Mi|x|倍|秒)\b").match(ctx.text[h.end : h.end + 4]):
            continue
        owner, start = _version_owner(ctx, h, accepted)
        if owner is None:
            continue
        rel = ctx.release(owner, h.text)
        ctx.reg.mention(rel, start, h.end)
        ctx.version_releases.append((h.start, h.end, rel))
        accepted[h.end] = next(order)
        ctx.accepted_owner[h.end] = owner


def _version_owner(ctx: Context, h: Hit, accepted: dict[int, int]) -> tuple[Entity | None, int]:
    unit = ctx.index.unit_at(h.start)
    sent = ctx.index.sentence_at(unit, h.start) or ctx.line(h.start, h.end)
    before = ctx.text[sent[0] : h.start]
    stripped = before
    for _ in range(6):
        new = _drop_joiner(stripped)
        if new == stripped:
            break
        stripped = new
    pos = sent[0] + len(stripped)
    # Adjacent project (or technology) name: "cilium 1.6", "Fluentd to 1.8.0", "Go 1.21".
    adj = [p for p in ctx.reg.in_range(max(sent[0], pos - 80), pos) if p.end == pos]
    if adj:
        ent = adj[-1].entity
        if ent.type in ("Project", "Technology"):
            return ent, adj[-1].start
        return None, h.start
    if unit is not None and any(t in ctx.sec_pat.get("version_update_titles", []) for t in unit.section_titles()):
        m = _rx(r"(?:^|[\[*\-\s])([A-Za-z][\w./-]*)$").search(stripped)
        line_prefix = ctx.text[ctx.line(h.start, h.end)[0] : sent[0] + len(stripped)]
        if m and _rx(r"^[\s*\-\[]*(?:update|bump|upgrade)?\s*(?:to\s+)?[A-Za-z][\w./-]*$", re.I).match(line_prefix):
            name = m.group(1)
            if name.lower() not in {"to", "update", "bump", "upgrade"}:
                ent = ctx.project_entity(name, strict=False)  # "GO to 1.26.3" is Go
                s = sent[0] + m.start(1)
                ctx.reg.mention(ent, s, s + len(name))
                return ent, s
    # The word right before, when it is a Latin word that is not a cue, names something else.
    last = _rx(r"([A-Za-z][\w.+-]*)\s*$").search(stripped)
    cues_b, cues_a, cjk_cues, cjk_after = _version_cues()
    if last and last.group(1).lower() not in cues_b and not last.group(1).islower():
        # A name-like word right before ("OAuth 2.0", "Ubuntu 18.04") owns the version.
        return None, h.start
    if _rx(r"`[^`\n]+`[\s*]*(?:to|at|from)?[\s*]*$", re.IGNORECASE).search(before):
        return None, h.start  # a dependency named in code ("bumps `c/common` to v0.67.1") owns it
    # A bare version: only when it looks like a release.
    word = h.text
    strong = word[:1] in "vV" or word.count(".") >= 2 or _stage_of(word) is not None
    prev_word = last.group(1).lower() if last else before.rstrip()[-2:].strip()
    after = ctx.text[h.end : h.end + 12].strip().lower()
    after_word = _rx(f"[a-z]+|[{CJK_CHARS}]|\\S").match(after)
    cue = (
        prev_word in cues_b
        or before.rstrip().endswith(cjk_cues)
        or (after_word is not None and after_word.group() in cues_a)
        or after.startswith(cjk_after)
    )
    listed = sorted(
        (
            a
            for a in range(max(0, h.start - 5), h.start + 1)
            if a in accepted and _rx(r"^[\s、,，和/]*(?:and|or)?\s*$").match(ctx.text[a : h.start])
        ),
        key=accepted.__getitem__,
    )
    if not (strong or cue or listed):
        return None, h.start
    if ctx.default_project() is None:
        # No series default: the project the sentence is about, its first before the version ("Envoy
        # 自身也在 1.11.2 中修复了该问题"), as its root (a component's version is its project's).
        near = [p for p in ctx.reg.in_range(sent[0], h.start, ("Project",)) if p.end <= h.start]
        if near:
            return ctx.root(near[0].entity), h.start
    if listed and (prev := ctx.accepted_owner.get(listed[-1])) is not None:
        return prev, h.start  # "containerd 2.3.4 and 2.2.7": the listed version's project
    owner = ctx.release_topic(unit)
    if owner is not None and not ctx.plausible_version(owner, word):
        return None, h.start  # a bare version the project never had (no Kubernetes 2.x)
    return owner, h.start


_JOINER = _rx(
    r"(?:\s+|\[|\(|\]\([^()\s]*\)|\]|\*+|`|\b(?:to|version|release|v|bump|bumped|bumps|update|updated|upgrade|upgraded|dependenc(?:y|ies)|deps|toolchain|modules?|librar(?:y|ies)|images?)\b|版本|的|:|-|@|(?:升级|更新|降级)[到至为]?)$",
    re.IGNORECASE,
)


# A match of _JOINER starting this far from the end is one of its unbounded alternatives (white space, "*" runs,
# a "](url)" link target); every other alternative is shorter.
_JOINER_REACH = 40


def _drop_joiner(text: str) -> str:
    """``_JOINER.sub("", text)``: the joiner ending ``text`` removed.  The pattern is anchored at the end, but
    ``sub`` tries it at every position of what can be a long sentence; this looks in the last
    ``_JOINER_REACH`` characters first, and falls back to ``sub`` where a longer match may start earlier.
    """
    window = len(text) - _JOINER_REACH
    # A text ending in ")" may end in a long link target, matched from before the window.
    if window > 0 and not text.endswith((")", ")\n")):
        m = _JOINER.search(text, window)
        if m is None:
            return text  # a white space or "*" run from before the window would match at its start too
        if m.start() > window and m.end() == len(text):
            return text[: m.start()]
    return _JOINER.sub("", text)


@cache
def _version_cues() -> tuple[frozenset[str], frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """Words before / after a bare version that make it a release (releases.yaml), lower-cased; then the
    non-ASCII ones of each (CJK words and punctuation, which need no word boundary)."""
    rel = load_patterns("releases")
    before = frozenset(str(c).lower() for c in rel.get("cues_before", []))
    after = frozenset(str(c).lower() for c in rel.get("cues_after", []))
    return before, after, tuple(c for c in before if not c.isascii()), tuple(c for c in after if not c.isascii())
