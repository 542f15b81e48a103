"""Projects the catalog does not know, named where the text itself says "these are projects".

After a list cue (``tools like Kelos and VibePod CLI``, ``alternatives like Mocker``, ``projects such as
X, Y and Z``, ``工具如 …``) the capitalised names of the list are projects; each is the catalog's when a
name matches, else a discovered one (``discovered`` is set, as for every name the catalog lacks).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.extract.context import ending_at, with_words

if TYPE_CHECKING:
    from kg.extract.context import Context

_NAME = r"`?[A-Z][\w.+-]*[A-Za-z0-9+]`?(?:[ \t][A-Z][\w.+-]*[A-Za-z0-9+])?"
_SEP = r"[ \t]*(?:,[ \t]*(?:and[ \t]+|or[ \t]+)?|[ \t]and[ \t]|[ \t]or[ \t])[ \t]*"
_LIST = re.compile(rf"[ \t]+(?P<list>{_NAME}(?:{_SEP}{_NAME}){{0,6}})")
_ITEM = re.compile(_NAME)
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")


def run(ctx: Context) -> None:
    listed(ctx)
    component_identifiers(ctx)
    parenthesised_tools(ctx)


def listed(ctx: Context) -> None:
    cues = ctx.ent_pat.get("project_list_cues")
    if not cues:
        return
    heads = {h.lower() for h in ctx.ent_pat.get("project_heads", [])}
    stop = set(ctx.ent_pat.get("not_person_words", [])) | {"AI", "I", "A", "The"}
    for cue in _cues(ctx.text, cues):
        m = _LIST.match(ctx.text, cue.end())
        if m is None:
            continue
        for item in _ITEM.finditer(ctx.text, m.start("list"), m.end("list")):
            raw = item.group()
            s = item.start() + (1 if raw.startswith("`") else 0)
            name = raw.strip("`")
            words = name.split()
            if len(words) == 2 and words[1].lower() in heads:
                name = words[0]  # "VibePod CLI": the project is VibePod
            if name in stop or any(w in stop for w in name.split()) or _PLURAL_ACRONYM.match(name):
                continue  # "VMs", "LLMs": kinds of things, not names
            e = s + len(name)
            if ctx.reg.overlaps(s, e):
                continue
            entry = ctx.lookup(name)
            if entry is not None and entry.type not in ("Project", "Technology"):
                continue
            ent = ctx.project_entity(name)
            ctx.reg.mention(ent, s, e)


# The words that join a cue to its list, found by str.find; the cue pattern is tried only just before one.
_CONNECTORS = ("like", "such as", "including", "e.g.", "show hn", "如", "包括")


def _cues(text: str, cues: str) -> list[re.Match[str]]:
    low = text.lower()
    rx = re.compile(r"(?:" + cues + r")", re.IGNORECASE)
    found: dict[int, re.Match[str]] = {}
    for word in _CONNECTORS:
        pos = low.find(word)
        while pos >= 0:
            for m in rx.finditer(text, max(0, pos - 40), min(len(text), pos + len(word) + 1)):
                if m.end() >= pos + len(word):
                    found.setdefault(m.start(), m)
            pos = low.find(word, pos + len(word))
    return [found[k] for k in sorted(found)]


def _discover(ctx: Context, name: str, start: int) -> None:
    end = start + len(name)
    if ctx.reg.overlaps(start, end) or ctx.in_url(start):
        return
    entry = ctx.lookup(name)
    if entry is not None and entry.type not in ("Project", "Technology"):
        return
    ctx.reg.mention(ctx.project_entity(name), start, end)


def component_identifiers(ctx: Context) -> None:
    """Identifiers whose suffix says "a component": ``kustomize-controller``, ``aws-load-balancer-controller``."""
    pattern = ctx.ent_pat.get("component_identifier")
    if not pattern or "-" not in ctx.text:
        return
    # The suffix first (a literal "-"), then the identifier it ends.
    full, suffixes = with_words(pattern, "suffixes", tuple(ctx.ent_pat["component_suffixes"]), anchor_prefix="-")
    for m in ending_at(ctx.text, full, suffixes, reach=60):
        _discover(ctx, m.group(), m.start())


_PAREN_NAMES = re.compile(r"\((?P<names>[A-Z][\w.+-]*(?:,[ \t]*[A-Z][\w.+-]*){0,3})\)")


def parenthesised_tools(ctx: Context) -> None:
    """Names in parentheses after a phrase about tools: "AI agent fleets with Kubernetes (A3)",
    "tools for managing AI-generated code (Twill.ai, Claudraband)"."""
    nouns = ctx.ent_pat.get("tool_nouns")
    if not nouns or "(" not in ctx.text:
        return
    nouns_rx = re.compile(nouns, re.IGNORECASE)
    for m in _PAREN_NAMES.finditer(ctx.text):
        unit = ctx.index.unit_at(m.start())
        if unit is None or unit.kind not in ("community", "news", "other"):
            continue
        clause = ctx.text[max(unit.start, m.start() - 120) : m.start()]
        clause = re.split(r"[.;:!?]\s|\)", clause)[-1]
        if not nouns_rx.search(clause):
            continue
        pos = m.start("names")
        for name in m.group("names").split(","):
            stripped = name.strip()
            start = ctx.text.find(stripped, pos, m.end())
            pos = start + len(stripped)
            if re.fullmatch(r"[A-Z]{2,5}", stripped) and ctx.lookup(stripped) is None:
                continue  # an abbreviation of the words before it ("Open Policy Agent (OPA)"), not a tool's name
            _discover(ctx, stripped, start)
