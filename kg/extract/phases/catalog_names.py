"""Catalog names found by the matcher, where their context holds; the longest of overlapping ones."""

from __future__ import annotations

import re

from kg.extract.context import Context, DisjointSpans, _needs_context, _rx
from kg.nlp.hits import Hit


def run(ctx: Context) -> None:
    hits = [h for h in ctx.hits if h.kind == "catalog"]
    # Context check first, then keep the longest of overlapping hits (team entries win ties).
    ok: list[Hit] = []
    people = {
        n for e in ctx.reg.by_id.values() if e.type == "Person" for n in (e.label, *e.aliases) if n
    }  # the issue's own authors (metadata): "本周作者:青云,…" names a person, not QingCloud
    passing = set(ctx.ent_pat.get("passing_organizations", []))
    actor = _rx(ctx.ent_pat.get("organization_actor_after", "(?!)"), re.IGNORECASE)
    product = _rx(ctx.ent_pat.get("organization_product_after", "(?!)"))
    actor_before = _rx(ctx.ent_pat.get("organization_actor_before", "(?!)"), re.IGNORECASE)
    for h in hits:
        entry = h.entry
        name = h.data.get("name", "")
        if _needs_context(entry, name) and not ctx.context_ok(entry, h.start):
            continue
        if entry.type == "Organization":
            if h.text in people or product.match(ctx.text, h.end):
                continue
            if entry.key in passing and not (
                actor.match(ctx.text, h.end) or actor_before.search(ctx.text[max(0, h.start - 12) : h.start])
            ):
                continue  # a cloud named as a platform ("AWS EBS", "provider for AWS"), "the community"
        # The newsletter naming itself (its title line) is not a mention of an organisation.
        if ctx.issue.series_title and h.text == ctx.issue.series_title:
            continue
        ok.append(h)
    # Ties: team entries, then a name whose context held (README: "where the context holds, the
    # restricted entry wins"), then the catalog's order; the matcher's own order follows hashes.
    ok.sort(
        key=lambda h: (
            -(h.end - h.start),
            getattr(h.entry, "source", "team") != "team",
            not _needs_context(h.entry, h.data.get("name", "")),
            h.start,
            h.data.get("order", 0),
        )
    )
    taken = DisjointSpans()
    nested: list[Hit] = []
    for h in ok:
        over = taken.overlapping(h.start, h.end)
        if over:
            # A project named at the head of a feature's name ("kubelet resource metrics") is mentioned too.
            if h.entry.type == "Project" and all(t[2].type == "Feature" and t[0] == h.start for t in over):
                nested.append(h)
            continue
        if ctx.reg.overlaps(h.start, h.end):
            continue
        taken.add(h.start, h.end, h.entry)
        ent = ctx.catalog_entity(h.entry)
        ctx.reg.mention(ent, h.start, h.end)
    for h in nested:
        proj = ctx.catalog_entity(h.entry)
        ctx.reg.mention(proj, h.start, h.end)
        for p in ctx.reg.in_range(h.start, h.start + 200, ("Feature",)):
            if p.start == h.start:
                ctx.feature_owner.setdefault(p.entity.id, proj)
