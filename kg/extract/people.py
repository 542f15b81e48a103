"""People named the ways newsletters name them besides running prose.

- ``@Nina Polshakova``, ``@ChengHao Yang (tico88612)``, ``@dchan``: chat-style mentions (shoutouts);
  a one-word handle counts in community sections (shoutouts, thanks), a capitalised name anywhere;
- a link to a person's profile (GitHub user, Twitter/X, LinkedIn, Mastodon, Bluesky) whose anchor is a
  name or a handle;
- ``Nina Polshakova: Huge shoutout to …``: a name heading a list item in a community section.

Each function takes the running :class:`kg.extract.core.Extractor`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.extract.names import norm

if TYPE_CHECKING:
    from kg.extract.core import Extractor

_AT_NAME = re.compile(
    r"(?<![\w@/.])@(?P<name>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’.-]+){0,2})(?:[ \t]*\((?P<alias>[A-Za-z0-9][\w.-]{1,38})\))?"
)
_AT_HANDLE = re.compile(r"(?<![\w@/.])@(?P<name>[A-Za-z0-9][\w-]{1,38})(?![\w@-])")
_PROFILE = re.compile(
    r"^https?://(?:www\.)?(?:github\.com/(?P<gh>[A-Za-z0-9-]+)|(?:twitter|x)\.com/(?P<tw>\w+)|"
    r"linkedin\.com/in/(?P<li>[\w-]+)|bsky\.app/profile/(?P<bs>[\w.-]+)|[\w.-]+/@(?P<md>\w+))/?$"
)
_HANDLE_ANCHOR = re.compile(r"^@?[A-Za-z0-9][\w-]{1,38}$")
_SPEAKER = re.compile(r"(?P<name>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+){1,2})[ \t]*:[ \t]")
_COMMUNITY = ("community",)
# Not handles of people: platforms, teams and words that follow an @ in prose.
_NOT_HANDLES = frozenset({"here", "channel", "everyone", "all", "latest", "mention", "media"})


def _words_ok(ex: Extractor, name: str) -> bool:
    stop = set(ex.ent_pat.get("not_person_words", []))
    return not any(w in stop for w in name.split()) and ex.lookup(name) is None


def _person(ex: Extractor, name: str, start: int, aliases: list[str]) -> None:
    end = start + len(name)
    if ex.reg.overlaps(start, end):
        return
    ent = ex.reg.by_norm.get(("Person", norm(name))) or ex.reg.entity("Person", name, name, aliases)
    for a in aliases:
        ex.reg.alias(ent, a)
    ex.reg.mention(ent, start, end)


def at_mentions(ex: Extractor) -> None:
    text = ex.text
    if "@" not in text:
        return
    for m in _AT_NAME.finditer(text):
        name = m.group("name").rstrip(".")
        if (" " in name or _in_community(ex, m.start())) and _words_ok(ex, name):
            alias = [m.group("alias")] if m.group("alias") else []
            _person(ex, name, m.start("name"), ["@" + name.split()[0], *alias] if " " not in name else alias)
    for m in _AT_HANDLE.finditer(text):
        handle = m.group("name")
        if handle[:1].isupper() or handle.lower() in _NOT_HANDLES or not _in_community(ex, m.start()):
            continue
        _person(ex, handle, m.start("name"), ["@" + handle])


def profile_links(ex: Extractor) -> None:
    name_rx = re.compile(ex.ent_pat["person_name"])
    for lk in ex.issue.links:
        if lk.anchor_start < 0:
            continue
        m = _PROFILE.match(lk.url)
        if m is None:
            continue
        handle = next(g for g in m.groups() if g)
        anchor = lk.anchor.strip()
        start = lk.anchor_start + lk.anchor.find(anchor)
        if name_rx.fullmatch(anchor) and _words_ok(ex, anchor):
            _person(ex, anchor, start, [handle])
        elif _HANDLE_ANCHOR.match(anchor) and anchor.lstrip("@").lower() == handle.lower():
            _person(ex, anchor.lstrip("@"), start + (1 if anchor.startswith("@") else 0), ["@" + handle])


def speaker_lines(ex: Extractor) -> None:
    """``Name Surname: …`` heading an item of a community section (who gives the shoutout)."""
    for unit in ex.units:
        if unit.item is None or unit.kind not in _COMMUNITY:
            continue
        m = _SPEAKER.match(ex.text, unit.start, unit.end)
        if m and _words_ok(ex, m.group("name")):
            _person(ex, m.group("name"), m.start("name"), [])


def _in_community(ex: Extractor, offset: int) -> bool:
    unit = ex.index.unit_at(offset)
    return unit is not None and unit.kind in _COMMUNITY
