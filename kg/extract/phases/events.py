"""Events: catalog series with a year ("KubeCon EU 2024"), names with a region and a year, names with a head noun."""

from __future__ import annotations

from kg.extract.context import Context, _rx, ending_at, with_words
from kg.text import norm


def run(ctx: Context) -> None:
    """Dated events ("KubeCon EU 2024"): linked to the catalog's event when its name starts the match."""
    hits = [h for h in ctx.hits if h.kind == "event"]
    found = [(h.start, h.end, h.text) for h in hits]
    for m in _rx(ctx.ent_pat["event_generic"]).finditer(ctx.text):
        words = m.group(1).split()
        while words and words[0] in ("The", "A", "An", "This", "Our"):
            words.pop(0)
        name = " ".join(words)
        st = m.start(1) + m.group(1).find(words[0]) if words else m.start(1)
        if len(words) >= 3:
            found.append((st, st + len(name), name))
    # Named by their head noun: "Kubernetes Community Meeting", "Platform Engineering Day", "Open Source
    # SecurityCon", "Google Summer of Code 2026".
    stop = set(ctx.ent_pat.get("not_event_heads", []))
    # "Con" ends a one-word "…Con" too (SecurityCon), so it is an anchor (and, harmlessly, a head).
    pattern, heads = with_words(ctx.ent_pat["event_named"], "heads", (*ctx.ent_pat["event_heads"], "Con"))
    for m in ending_at(ctx.text, pattern, heads, reach=90, group=1, tail=5):
        words = m.group(1).split()
        while words and (words[0] in stop or words[0].lower() in ("the", "a", "an", "this", "our", "next")):
            words.pop(0)
        if len(words) < 2 and not _rx(r"^[A-Z][a-z]+Con$").match(words[0] if words else ""):
            continue
        name = " ".join(words)
        st = m.start(1) + m.group(1).find(words[0])
        found.append((st, st + len(name), name))
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    for start, end, label in found:
        if ctx.reg.overlaps(start, end):
            continue
        m = _rx(r"\s((?:19|20)\d\d)$").search(label)
        base = label[: m.start()] if m else label
        entry = ctx.lookup(base)
        aliases: list[str] = []
        if entry is not None and entry.type == "Event" and m:
            aliases = [f"{n} {m.group(1)}" for n in entry.surface_names()]
        if entry is not None and entry.type == "Event" and not m:
            ent = ctx.catalog_entity(entry)  # the undated series itself: one node with the catalog's
        else:
            ent = ctx.reg.entity("Event", norm(label), label, aliases)
        ctx.reg.mention(ent, start, end)
