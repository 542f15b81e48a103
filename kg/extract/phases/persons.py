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
    and_rx = _rx(rf"\s*(?:,\s*)?(?:and|&)\s+({name_rx})")
    for m in _after_cues(ctx.text, tuple(cues), _rx(rf"\s+({name_rx})")):
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
        if ent.label[:1].isalnum():
            spans = _whole_word(ctx.text, ent.label)
        else:
            lit = re.escape(ent.label)
            spans = (m.span() for m in _rx(r"\b" + lit + r"\b").finditer(ctx.text))
        for start, end in spans:
            if not ctx.reg.overlaps(start, end):
                ctx.reg.mention(ent, start, end)


def _is_word(ch: str) -> bool:
    """Whether ``ch`` is a word character as re's ``\\w`` has it (alphanumeric or the underscore)."""
    return ch.isalnum() or ch == "_"


def _whole_word(text: str, name: str) -> list[tuple[int, int]]:
    """Spans of ``name`` (starting with a word character) not inside a longer word, left to right without
    overlaps: the matches of ``\\b{name}\\b``, found by ``str.find``.  A pattern per person name cost a
    compile each (hundreds over LWKD, most names seen in one issue only)."""
    found: list[tuple[int, int]] = []
    size = len(text)
    pos = text.find(name)
    while pos >= 0:
        end = pos + len(name)
        before = pos > 0 and _is_word(text[pos - 1])
        # \b after the name: a change between word and non-word characters (the text's end is non-word).
        after = _is_word(text[end - 1]) != (end < size and _is_word(text[end]))
        if not before and after:
            found.append((pos, end))
            pos = text.find(name, end)
        else:
            pos = text.find(name, pos + 1)
    return found


def _after_cues(text: str, cues: tuple[str, ...], name: re.Pattern[str]) -> list[re.Match[str]]:
    """Names right after a cue ("thanks to", "by"; the cue in any case, the name capitalised), left to right
    without overlaps, the longest cue first at one place: what ``\b(?i:cue|…)\\s+(name)`` finds, found with
    ``str.find`` on the lower-cased text (an alternation that ignores case is tried at every position)."""
    low = text.lower()
    starts: dict[int, list[str]] = {}
    for cue in cues:  # longest first
        pos = low.find(cue)
        while pos >= 0:
            if pos == 0 or not (low[pos - 1].isalnum() or low[pos - 1] == "_"):
                starts.setdefault(pos, []).append(cue)
            pos = low.find(cue, pos + 1)
    found = []
    done = 0
    for pos in sorted(starts):
        if pos < done:
            continue
        for cue in starts[pos]:
            m = name.match(text, pos + len(cue))
            if m is not None:
                found.append(m)
                done = m.end()
                break
    return found
