"""Organizations named by a head noun ("… Foundation", "… Working Group", "… Team")."""

from __future__ import annotations

from kg.extract.context import Context, ending_at, with_words
from kg.text import norm


def run(ctx: Context) -> None:
    heads = set(ctx.ent_pat.get("not_organization_heads", []))
    pattern, last_words = with_words(ctx.ent_pat["organization"], "heads", tuple(ctx.ent_pat["organization_heads"]))
    for m in ending_at(ctx.text, pattern, last_words, reach=120, group=1):
        name = m.group(1)
        words = name.split()
        while words and words[0] in heads:
            words.pop(0)
        if len(words) < 2:
            continue
        name = " ".join(words)
        start = m.start(1) + m.group(1).find(words[0])
        end = start + len(name)
        if "\n" in name:
            continue
        if ctx.reg.overlaps(start, end):
            # "PyTorch Foundation": a project's name inside an organisation's is still the organisation's mention.
            around = ctx.reg.in_range(max(0, start - 200), end + 200)
            over = [p for p in around if p.start < end and start < p.end]
            if not over or any(p.entity.type not in ("Project", "Technology") or p.start < start or p.end > end
                               or (p.start, p.end) == (start, end) for p in over):  # fmt: skip
                continue
        entry = ctx.lookup(name)
        ent = ctx.catalog_entity(entry) if entry is not None else ctx.reg.entity("Organization", norm(name), name)
        ctx.reg.mention(ent, start, end)
