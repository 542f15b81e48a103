"""Linked titles introduced by words like "book" or "blog post"; written_by the person nearby."""

from __future__ import annotations

import re

from kg.extract.context import Context, _rx
from kg.text import norm


def run(ctx: Context) -> None:
    """Linked titles introduced by words like "book" or "writing"; written_by the person nearby."""
    cues = ctx.ent_pat.get("article_cues", [])
    cue_rx = _rx(r"(?<![\w-])(?:" + "|".join(re.escape(c) for c in cues) + r")(?![\w-])", re.IGNORECASE)
    for lk in ctx.issue.links:
        if lk.anchor_start < 0 or not lk.anchor:
            continue
        anchor = lk.anchor.strip()
        words = anchor.split()
        if len(words) < 2 or sum(w[:1].isupper() for w in words) < max(2, (len(words) + 1) // 2):
            continue
        sent = ctx.sentence_or_unit(lk.anchor_start)
        before = ctx.text[max(sent[0], lk.start - 40) : lk.start]
        if not cue_rx.search(before) or ctx.reg.overlaps(lk.anchor_start, lk.anchor_end):
            continue
        ent = ctx.reg.entity("Article", norm(anchor), anchor, url=lk.url)
        ctx.reg.mention(ent, lk.anchor_start, lk.anchor_end)
        unit = ctx.index.unit_at(lk.start)
        lo = unit.start if unit else sent[0]
        people = [p for p in ctx.reg.in_range(lo, lk.start, ("Person",))]
        if people:
            ctx.add_rel(ent, "written_by", people[-1].entity, sent)
