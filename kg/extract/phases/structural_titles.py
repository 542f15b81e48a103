"""Items whose title names a project (recommendations) or an article (reading lists)."""

from __future__ import annotations

from kg.extract.context import Context, _rx
from kg.extract.structure import Unit
from kg.text import has_cjk

# A recommended project's title that is safe to look for in the whole issue: one Latin word with a capital,
# a digit or a hyphen (Rudr, K9s, kube-bench), not a short lower-case word that is also English (kind, krew).
_DOC_WIDE_NAME = _rx(r"^(?=[\w.-]*[A-Z0-9-])[A-Za-z][\w.-]{2,30}$")


def run(ctx: Context) -> None:
    """Items whose title names a project (recommendations) or an article (reading lists)."""
    rec_kinds = set(ctx.sec_pat.get("recommend_kinds", []))
    read_kinds = set(ctx.sec_pat.get("reading_kinds", []))
    for u in ctx.units:
        if u.title is None and u.kind in read_kinds:
            u.title = _reading_title(ctx.text, u)
        if u.title is None:
            continue
        a, b = u.title
        title = ctx.text[a:b].strip()
        if not title:
            continue
        if u.kind in rec_kinds:
            inside = ctx.reg.in_range(a, b, ("Project", "Technology"))
            if inside and inside[0].end - inside[0].start >= len(title) - 2:
                ent = inside[0].entity
            else:
                ent = ctx.project_entity(title)
                ctx.reg.mention(ent, a + ctx.text[a:b].find(title), a + ctx.text[a:b].find(title) + len(title))
                ctx.mention_everywhere(ent, title, u.start, u.end)
                if _DOC_WIDE_NAME.match(title):
                    # A recommended project named elsewhere in the issue (news, articles), same spelling.
                    ctx.mention_everywhere(ent, title, 0, len(ctx.text), ignore_case=False)
            ctx.unit_topic_override[id(u)] = ent
        elif u.kind in read_kinds:
            clean = title.strip("《》 \t")
            off = ctx.text.find(clean, a, b)
            ent = ctx.reg.entity("Article", clean, clean)
            if off >= 0:
                ctx.reg.mention(ent, off, off + len(clean))
            url = next((lk.url for lk in (u.item.links if u.item else []) if lk.url), None)
            if url:
                ent.props.setdefault("url", url)
            ctx.unit_topic_override[id(u)] = ent


_TITLE_TRIM = " \t*_`《》“”\"'"


def _reading_title(text: str, unit: Unit) -> tuple[int, int] | None:
    """A reading-list item's title when its reader gave none: the anchor of its first link that reads as a title
    (two words or more, or CJK), e.g. ``- 技术博文：[《Title》](url) by Author``, ``1. [Title](url) — comment``."""
    if unit.item is None:
        return None
    for lk in unit.item.links:
        if lk.anchor_start < 0:
            continue
        a, b = lk.anchor_start, lk.anchor_end
        while a < b and text[a] in _TITLE_TRIM:
            a += 1
        while b > a and text[b - 1] in _TITLE_TRIM:
            b -= 1
        anchor = text[a:b]
        if "://" in anchor or not anchor:
            continue
        if len(anchor.split()) >= 2 or (has_cjk(anchor) and len(anchor) >= 4):
            return a, b
    return None
