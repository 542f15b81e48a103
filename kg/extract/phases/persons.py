"""People in running text: a name with a handle, after a cue ("thanks to"), before a verb, in profile links."""

from __future__ import annotations

import re

from kg.extract.context import Context, _rx


def run(ctx: Context) -> None:
    name_rx = ctx.ent_pat["person_name"]
    handle = _rx(ctx.ent_pat["person_handle"].replace("{name}", name_rx))
    stop = set(ctx.ent_pat.get("not_person_words", []))
    for m in handle.finditer(ctx.text):
        name = m.group("name")
        words = name.split()
        while words and words[0] in stop:
            words.pop(0)
        if len(words) < 2 or any(w in stop for w in words):
            continue
        name = " ".join(words)
        s = m.start("name") + m.group("name").find(words[0])
        ent = ctx.reg.entity("Person", name, name, ["@" + m.group("handle"), m.group("handle")])
        ctx.reg.mention(ent, s, s + len(name))
    cues = sorted(ctx.ent_pat.get("person_cues", []), key=len, reverse=True)
    # A lookahead on the cues' first letters spares trying every cue at every position.
    first = "".join(sorted({c[:1].lower() for c in cues} | {c[:1].upper() for c in cues}))
    alts = "|".join(re.escape(c) for c in cues)
    # Only the cue ignores case: a name is capitalised ("by Jennifer Rondeau and Zach Corleissen").
    cue_rx = _rx(rf"(?=[{re.escape(first)}])\b(?i:{alts})\s+({name_rx})")
    and_rx = _rx(rf"\s*(?:,\s*)?(?:and|&)\s+({name_rx})")
    for m in cue_rx.finditer(ctx.text):
        name = m.group(1)
        words = name.split()
        if len(words) < 2 or any(w in stop for w in words) or ctx.reg.overlaps(m.start(1), m.end(1)):
            continue
        if not all(w[0].isupper() for w in words):
            continue
        ent = ctx.reg.entity("Person", name, name)
        ctx.reg.mention(ent, m.start(1), m.end(1))
        # "delivered by Jennifer Rondeau and Zach Corleissen": the second name shares the cue.
        mm = and_rx.match(ctx.text, m.end(1))
        if mm:
            other = mm.group(1).split()
            if len(other) >= 2 and not any(w in stop for w in other) and ctx.lookup(mm.group(1)) is None:
                if not ctx.reg.overlaps(mm.start(1), mm.end(1)):
                    o = ctx.reg.entity("Person", mm.group(1), mm.group(1))
                    ctx.reg.mention(o, mm.start(1), mm.end(1))
    for lk in ctx.issue.links:
        if lk.anchor_start < 0:
            continue
        mm = _rx(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9-]+)/?$").match(lk.url)
        anchor = lk.anchor.strip()
        if mm and re.fullmatch(name_rx, anchor) and not ctx.reg.overlaps(lk.anchor_start, lk.anchor_end):
            ent = ctx.reg.entity("Person", anchor, anchor, [mm.group(1)])
            ctx.reg.mention(ent, lk.anchor_start, lk.anchor_start + len(anchor))
    after = _rx(r"(" + name_rx + r")" + ctx.ent_pat["person_after"].replace("{name}", "(" + name_rx + ")"))
    before = _rx(ctx.ent_pat["person_before"], re.IGNORECASE)
    for rx_names in (after, _rx(r"(" + name_rx + r")")):
        for m in rx_names.finditer(ctx.text):
            names = [(m.start(i), m.group(i)) for i in range(1, (m.lastindex or 1) + 1) if m.group(i)]
            if rx_names is not after and not before.search(ctx.text[max(0, m.start() - 30) : m.start()]):
                continue
            for st, name in names:
                words = name.split()
                if len(words) < 2 or any(w in stop for w in words) or ctx.lookup(name) is not None:
                    continue
                if any(ctx.lookup(w) is not None for w in words) or ctx.reg.overlaps(st, st + len(name)):
                    continue
                ent = ctx.reg.entity("Person", name, name)
                ctx.reg.mention(ent, st, st + len(name))
    # Names already known as persons, wherever else they occur.
    people = [e for e in ctx.reg.by_id.values() if e.type == "Person" and " " in e.label]
    for ent in people:
        lit = re.escape(ent.label)
        # The literal first (not \b) lets re search for it instead of testing every position.
        rx = _rx(lit + r"(?<!\w" + lit + r")\b") if ent.label[:1].isalnum() else _rx(r"\b" + lit + r"\b")
        for m in rx.finditer(ctx.text):
            if not ctx.reg.overlaps(m.start(), m.end()):
                ctx.reg.mention(ent, m.start(), m.end())
