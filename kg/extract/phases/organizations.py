"""Organizations named by a head noun ("… Foundation", "… Working Group", "… Team")."""

from __future__ import annotations

from kg.extract.context import Context, _rx
from kg.extract.names import norm


def run(ctx: Context) -> None:
    heads = set(ctx.ent_pat.get("not_organization_heads", []))
    for m in _rx(ctx.ent_pat["organization"]).finditer(ctx.text):
        name = m.group(1)
        words = name.split()
        while words and words[0] in heads:
            words.pop(0)
        if len(words) < 2:
            continue
        name = " ".join(words)
        start = m.start(1) + m.group(1).find(words[0])
        end = start + len(name)
        if ctx.reg.overlaps(start, end) or "\n" in name:
            continue
        entry = ctx.lookup(name)
        ent = ctx.catalog_entity(entry) if entry is not None else ctx.reg.entity("Organization", norm(name), name)
        ctx.reg.mention(ent, start, end)
