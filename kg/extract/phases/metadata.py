"""Who wrote, edited and published the issue (the readers' bylines): authored_by, edited_by, published_by."""

from __future__ import annotations

from kg.extract.context import Context


def run(ctx: Context) -> None:
    for role, spans in (("authored_by", ctx.issue.authors), ("edited_by", ctx.issue.editors)):
        for sp in spans:
            name = sp.text.strip()
            if not name:
                continue
            ent = ctx.reg.entity("Person", name, name)
            ctx.reg.mention(ent, sp.start, sp.end)
            ctx.add_rel(ctx.issue_id, role, ent, ctx.line(sp.start, sp.end))
    for sp in ctx.issue.publishers:
        name = sp.text.strip()
        if not name:
            continue
        entry = ctx.lookup(name)
        if entry is not None and entry.type == "Organization":
            ent = ctx.catalog_entity(entry)
        else:
            ent = ctx.reg.entity("Organization", name, name)
        ctx.reg.mention(ent, sp.start, sp.end)
        ctx.add_rel(ctx.issue_id, "published_by", ent, ctx.line(sp.start, sp.end))
