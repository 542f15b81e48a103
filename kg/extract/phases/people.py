"""People named the ways newsletters name them besides running prose.

- ``@Nina Polshakova``, ``@ChengHao Yang (tico88612)``, ``@dchan``: chat-style mentions (shoutouts);
  a one-word handle counts in community sections (shoutouts, thanks), a capitalised name anywhere;
- a link to a person's profile (GitHub user, Twitter/X, LinkedIn, Mastodon, Bluesky) whose anchor is a
  name or a handle;
- ``Nina Polshakova: Huge shoutout to …``: a name heading a list item in a community section.


"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.text import norm

if TYPE_CHECKING:
    from kg.extract.context import Context

_AT_NAME = re.compile(
    r"(?<![\w@/.])@(?P<name>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’.-]+){0,2})(?:[ \t]*\((?P<alias>[A-Za-z0-9][\w.-]{1,38})\))?"
)
_AT_HANDLE = re.compile(r"(?<![\w@/.])@(?P<name>[A-Za-z0-9][\w-]{1,38})(?![\w@-])")
_PROFILE = re.compile(
    r"^https?://(?:www\.)?(?:github\.com/(?P<gh>[A-Za-z0-9-]+)|(?:twitter|x)\.com/(?P<tw>\w+)|"
    r"linkedin\.com/in/(?P<li>[\w-]+)|bsky\.app/profile/(?P<bs>[\w.-]+)|[\w.-]+/@(?P<md>\w+))/?$"
)
_HANDLE_ANCHOR = re.compile(r"^@?[A-Za-z0-9][\w-]{1,38}$")
_SPEAKER = re.compile(r"(?P<name>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+){1,2}|[a-z0-9][\w-]{2,38})[ \t]*[:,][ \t]")
_COMMUNITY = ("community",)
# Not handles of people: platforms, teams and words that follow an @ in prose.
_NOT_HANDLES = frozenset({"here", "channel", "everyone", "all", "latest", "mention", "media"})


def _words_ok(ctx: Context, name: str) -> bool:
    stop = set(ctx.ent_pat.get("not_person_words", []))
    return not any(w in stop for w in name.split()) and ctx.lookup(name) is None


def _person(ctx: Context, name: str, start: int, aliases: list[str]) -> None:
    end = start + len(name)
    if ctx.reg.overlaps(start, end):
        return
    ent = ctx.reg.by_norm.get(("Person", norm(name))) or ctx.reg.entity("Person", name, name, aliases)
    for a in aliases:
        ctx.reg.alias(ent, a)
    ctx.reg.mention(ent, start, end)


def at_mentions(ctx: Context) -> None:
    text = ctx.text
    if "@" not in text:
        return
    for m in _AT_NAME.finditer(text):
        name = m.group("name").rstrip(".")
        if (" " in name or _in_community(ctx, m.start())) and _words_ok(ctx, name):
            alias = [m.group("alias")] if m.group("alias") else []
            _person(ctx, name, m.start("name"), ["@" + name.split()[0], *alias] if " " not in name else alias)
    for m in _AT_HANDLE.finditer(text):
        handle = m.group("name")
        if handle[:1].isupper() or handle.lower() in _NOT_HANDLES or not _in_community(ctx, m.start()):
            continue
        _person(ctx, handle, m.start("name"), ["@" + handle])


def profile_links(ctx: Context) -> None:
    name_rx = re.compile(ctx.ent_pat["person_name"])
    for lk in ctx.issue.links:
        if lk.anchor_start < 0:
            continue
        m = _PROFILE.match(lk.url)
        if m is None:
            continue
        handle = next(g for g in m.groups() if g)
        anchor = lk.anchor.strip()
        start = lk.anchor_start + lk.anchor.find(anchor)
        if name_rx.fullmatch(anchor) and _words_ok(ctx, anchor):
            _person(ctx, anchor, start, [handle])
        elif _HANDLE_ANCHOR.match(anchor) and anchor.lstrip("@").lower() == handle.lower():
            _person(ctx, anchor.lstrip("@"), start + (1 if anchor.startswith("@") else 0), ["@" + handle])


def speaker_lines(ctx: Context) -> None:
    """``Name Surname: …`` heading an item of a community section (who gives the shoutout)."""
    for unit in ctx.units:
        if unit.item is None or unit.kind not in _COMMUNITY:
            continue
        m = _SPEAKER.match(ctx.text, unit.start, unit.end)
        if m is None or not _words_ok(ctx, m.group("name")):
            continue
        name = m.group("name")
        if name[:1].islower() and ctx.text[m.end("name")] != ":":
            continue  # a lower-case word is a handle only as "handle:"
        _person(ctx, name, m.start("name"), [] if name[:1].isupper() else ["@" + name])


def _in_community(ctx: Context, offset: int) -> bool:
    unit = ctx.index.unit_at(offset)
    return unit is not None and unit.kind in _COMMUNITY


def run(ctx: Context) -> None:
    profile_links(ctx)
    at_mentions(ctx)
    speaker_lines(ctx)
