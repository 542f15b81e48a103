"""KEPs named by their title (``[KEP: <title>](…)``, ``the <title> KEP``, ``keps: sig-x: <title>``), and the
features KEPs introduce (:func:`features`).

A title is resolved to its KEP number through the KEP catalog (imported from
../shared/reference/enhancements): titles are compared as sets of content words, and a title names a
KEP when one KEP's title overlaps it at least :data:`TITLE_THRESHOLD` (Jaccard) and no other as much.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kg.text import norm

if TYPE_CHECKING:
    from kg.extract.context import Context

_WORD = re.compile(r"[a-z0-9]+")
# Words a KEP title shares with most others: they say nothing about which KEP it is.
_TITLE_STOP = frozenset(
    "a an the and or of for to in on with by from as at kep keps proposal enhancement support add adding "
    "allow allowing kubernetes k8s api new via into be is".split()
)
# Two titles whose content words overlap at least this much (Jaccard) are the same KEP's.  Measured on the
# tuning gold and the LWKD corpus: 0.8 joins "Pod Level Resources" with its KEP while leaving apart KEPs
# that share two generic words.
TITLE_THRESHOLD = 0.8


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(title.lower()) if w not in _TITLE_STOP)


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_KEP_INDEX: dict[int, tuple[Any, tuple[tuple[int, frozenset[str]], ...]]] = {}


def _kep_index(catalog: Any) -> tuple[tuple[int, frozenset[str]], ...]:
    cached = _KEP_INDEX.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    out = []
    for entry in getattr(catalog, "entries", ()):
        if entry.type == "KEP" and entry.number is not None and entry.title:
            words = title_words(entry.title)
            if len(words) >= 2:
                out.append((int(entry.number), words))
    _KEP_INDEX[id(catalog)] = (catalog, tuple(out))
    return tuple(out)


def kep_by_title(catalog: Any, title: str) -> int | None:
    """The number of the KEP whose title ``title`` is (compared as content-word sets), when one stands out."""
    words = title_words(title)
    if len(words) < 2:
        return None
    scored = sorted(((title_similarity(words, w), n) for n, w in _kep_index(catalog)), reverse=True)
    if not scored or scored[0][0] < TITLE_THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0]:
        return None  # two KEPs fit as well: not named
    return scored[0][1]


_KEP_COLON = re.compile(
    r"KEP(?<![\w]KEP)[:\s-]+(?!\d)(?P<title>[A-Z][^\[\]\n()]{8,120}?)(?=\]|\s*\(|$|\.\s)", re.MULTILINE
)
_KEPS_SIG = re.compile(r"\bkeps?:\s*sig-[\w-]+:\s*(?P<title>[^\n\]]{8,120}?)(?:\s+proposal)?(?=\]|$|\.\s)", re.I | re.M)
# "the <Title> KEP", tried only before each "KEP" (a pattern starting at every "the" costs more than it finds).
_THE_TITLE = re.compile(r"\b[Tt]he[ \t]+(?P<title>(?:[A-Z][\w/-]*(?:\.\w+)*[ \t]+){1,8})$")


def _title_matches(text: str) -> list[re.Match[str]]:
    found = list(_KEP_COLON.finditer(text))
    if "sig-" in text:
        found += _KEPS_SIG.finditer(text)
    pos = text.find("KEP")
    while pos >= 0:
        if m := _THE_TITLE.search(text, max(0, pos - 160), pos):
            found.append(m)
        pos = text.find("KEP", pos + 3)
    return found


def run(ctx: Context) -> None:
    """KEPs named by title, resolved through the KEP catalog; the title's span is the mention."""
    if not _kep_index(ctx.catalog):
        return
    for m in _title_matches(ctx.text):
        title = m.group("title").strip().rstrip(".")
        s = m.start("title")
        e = s + len(title)
        if ctx.reg.in_range(s, e, ("KEP",)):
            continue
        number = kep_by_title(ctx.catalog, title)
        if number is None:
            continue
        ent = ctx.kep_entity(number, title=title)
        ctx.reg.mention(ent, s, e)


# "KEP-3895: Interactive(-i) flag …", "KEP 3257: Cluster Trust Bundles", "4815 DRA Partitionable Devices"
_NUMBERED_TITLE = re.compile(
    r"[\W_]*(?:KEP[- #]?)?(?P<number>\d{1,5})\s*[:：\-–—]?\s+(?P<title>[^\s\W].{3,150}?)[\W_]*$"
)


# A title that names a thing rather than says what a KEP does: a few capitalised words ("Cluster Trust Bundles",
# "APIServer Tracing", "DRA Partitionable Devices").
_NAME_LIKE = re.compile(r"^(?:[A-Z0-9][\w()/.+-]*)(?:[ \t]+(?:[A-Z0-9][\w()/.+-]*|of|and|for|in|on)){0,5}$")


def features(ctx: Context) -> None:
    """The feature a KEP introduces, named by the KEP's title where a link gives both number and title
    (the KEP catalog's feature gates are its other names), and features named by a mentioned KEP's gate."""
    for lk in ctx.issue.links:
        if lk.anchor_start < 0 or not ("/keps/" in lk.url or "enhancements" in lk.url or "k8s.io/" in lk.url):
            continue
        m = _NUMBERED_TITLE.match(ctx.text, lk.anchor_start, lk.anchor_end)
        if m is None or not (lk.anchor.lstrip("[*_ ").upper().startswith("KEP") or f"/{m.group('number')}-" in lk.url):
            continue
        number = int(m.group("number"))
        title = m.group("title").strip()
        s = m.start("title")
        e = s + len(title)
        if ctx.reg.in_range(s, e, ("Feature", "KEP")):
            continue
        kep = ctx.kep_entity(number, title=title, url=lk.url)
        entry = ctx.catalog.find_kep(number) if hasattr(ctx.catalog, "find_kep") else None
        gates = tuple(getattr(entry, "feature_gates", ()) or ())
        evidence = ctx.sentence_or_unit(s)
        if len(gates) == 1 or _NAME_LIKE.match(title):
            label = gates[0] if len(gates) == 1 else title
            aliases = [n for n in (title, *gates) if n != label]
            feature = ctx.feature_entity(norm(label), label, aliases)
            ctx.reg.mention(feature, s, e)
        else:
            # A title that reads as a sentence ("Interactive(-i) flag to kubectl delete for user confirmation"):
            # the feature is the first one the KEP's description names.
            # Only for a KEP that has its section to itself (a "KEP of the Week"), not one of a list.
            section = ctx.issue.section_at(lk.start)
            if section is None or len(ctx.reg.in_range(section.start, section.end, ("KEP",))) > 2:
                continue
            others = [p for p in ctx.reg.in_range(section.start, section.end, ("KEP",)) if p.entity is not kep]
            if others:
                continue
            after = ctx.reg.in_range(lk.end, min(section.end, lk.end + 800), ("Feature",))
            if not after:
                continue
            feature = after[0].entity
        ctx.add_rel(kep, "about", feature, evidence)
        owner = _owner(ctx, entry, s, e)
        if owner is not None:
            ctx.add_rel(feature, "feature_of", owner, evidence)
    _gate_mentions(ctx)


def _owner(ctx: Context, entry: Any, start: int, end: int) -> Any:
    """The project a KEP's feature belongs to: a component named in its title, the one its gates live in
    (when it is one), else the series' project."""
    named = ctx.reg.in_range(start, end, ("Project",))
    if named:
        return named[0].entity
    components = tuple(getattr(entry, "components", ()) or ())
    if len(components) == 1:
        found = ctx.lookup(components[0])
        if found is not None and found.type == "Project":
            return ctx.catalog_entity(found)
    return ctx.default_project()


def _gate_mentions(ctx: Context) -> None:
    """A feature named by a KEP's gate, in an issue that names that KEP: the KEP is about it."""
    keps = {e.props.get("number"): e for e in ctx.reg.by_id.values() if e.type == "KEP" and e.mentions}
    if not keps:
        return
    for feature in [e for e in ctx.reg.by_id.values() if e.type == "Feature" and e.mentions]:
        for number, kep in keps.items():
            entry = ctx.catalog.find_kep(int(number)) if number is not None else None
            if entry is not None and feature.label in (getattr(entry, "feature_gates", ()) or ()):
                ctx.add_rel(kep, "about", feature, ctx.sentence_or_unit(feature.mentions[0].start))
