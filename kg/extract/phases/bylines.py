"""Who wrote an article: "作者：x", "by Jane Doe", "x 撰写" in its item."""

from __future__ import annotations

from kg.extract.context import Context, _rx
from kg.text import CJK_CHARS, has_cjk, norm


def run(ctx: Context) -> None:
    """Who wrote an article: "作者：云舟", "作者 孙言之、林木", "by Priya Sharma", "Jane Doe 撰写" in its item."""
    arts = [p for p in ctx.reg.placed if p.entity.type == "Article"]
    if not arts:
        return
    name_rx = ctx.ent_pat["person_name"]
    stop = set(ctx.ent_pat.get("not_person_words", []))
    one = rf"(?:[{CJK_CHARS}]{{2,4}}(?![{CJK_CHARS}])|{name_rx})"
    names = rf"({one}(?:\s*(?:、|,|，|/|&|和|and)\s*{one})*)"
    rxs = [
        _rx(rf"(?:作者|译者)\s*[:：|/]?\s*{names}|(?<![{CJK_CHARS}])文\s*[:：|/]\s*{names}"),
        _rx(rf"(?<![\w-])(?:[Bb]y|[Ww]ritten by|[Aa]uthored by)\s+{names}"),
        _rx(rf"{names}\s*(?:撰写|撰文|著)"),
    ]
    one_rx = _rx(one)
    done: set[int] = set()
    for art in arts:
        unit = ctx.index.unit_at(art.start)
        if unit is None or id(unit) in done:
            continue
        done.add(id(unit))
        unit_arts = [p for p in arts if unit.start <= p.start < unit.end]
        for rx in rxs:
            for m in rx.finditer(ctx.text, unit.start, unit.end):
                if ctx.in_url(m.start()):
                    continue
                target = [p for p in unit_arts if p.start <= m.start()] or unit_arts
                g = m.lastindex or 1
                for nm in one_rx.finditer(ctx.text, m.start(g), m.end(g)):
                    name = nm.group()
                    words = name.split()
                    if has_cjk(name):
                        if name in ("本文", "文章", "作者") or ctx.lookup(name) is not None:
                            continue
                    elif len(words) < 2 or any(w in stop for w in words) or ctx.lookup(name) is not None:
                        continue
                    if any(p.entity.type != "Person" for p in ctx.reg.in_range(nm.start(), nm.end())):
                        continue
                    ent = ctx.reg.by_norm.get(("Person", norm(name))) or ctx.reg.entity("Person", name, name)
                    ctx.reg.mention(ent, nm.start(), nm.end())
                    ctx.add_rel(target[-1].entity, "written_by", ent, ctx.sentence_or_unit(nm.start()))
