"""KEPs named by their title (``[KEP: <title>](…)``, ``the <title> KEP``, ``keps: sig-x: <title>``).

A title is resolved to its KEP number through the KEP catalog (imported from
../shared/reference/enhancements): titles are compared as sets of content words, and a title names a
KEP when one KEP's title overlaps it at least :data:`TITLE_THRESHOLD` (Jaccard) and no other as much.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

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


_KEP_TITLE_CUES = [
    re.compile(r"\bKEP[:\s-]+(?!\d)(?P<title>[A-Z][^\[\]\n()]{8,120}?)(?=\]|\s*\(|$|\.\s)", re.MULTILINE),
    re.compile(r"\bkeps?:\s*sig-[\w-]+:\s*(?P<title>[^\n\]]{8,120}?)(?:\s+proposal)?(?=\]|$|\.\s)", re.I | re.M),
    re.compile(r"\b[Tt]he[ \t]+(?P<title>(?:[A-Z][\w/-]*(?:\.\w+)*[ \t]+){1,8})KEP\b"),
]


def run(ctx: Context) -> None:
    """KEPs named by title, resolved through the KEP catalog; the title's span is the mention."""
    if not _kep_index(ctx.catalog):
        return
    for rx in _KEP_TITLE_CUES:
        for m in rx.finditer(ctx.text):
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
