"""Text ideas every stage shares: what a sentence is, the name key names are compared under, what CJK is.

- **Sentences** end where ``sentence_end`` of ``ontology/patterns/relations.yaml`` matches (。！？；!?; a
  line break, a full stop before white space or at the end).  One definition for the sentences
  relations are read from (:func:`sentences`, per unit) and for a mention's ``nif:sentence`` and the
  co-mention tallies (:class:`SentenceIndex`), so "same sentence" means one thing.
- **norm** is ``../shared/eval/FORMAT.md``'s name normalisation, used by extraction and evaluation alike.
- **CJK** is the CJK Unified Ideographs, Extension A and the compatibility ideographs
  (U+3400–4DBF, U+4E00–9FFF, U+F900–FAFF): Han characters, not the Yijing hexagram symbols between
  Extension A and the unified block (U+4DC0–4DFF), nor CJK punctuation or full-width forms.

Only the standard library and the patterns file (:mod:`kg.patterns`): this is a bottom layer, imported by ingest,
extraction, RDF conversion and evaluation.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import cache, lru_cache

from kg.patterns import load_patterns

# ---------------------------------------------------------------------- CJK

# The ranges as a character-class body, for patterns that embed them ("[{CJK_CHARS}]{2,4}").
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a Han character."""
    return CJK.search(text) is not None


# ---------------------------------------------------------------------- norm

_STRIP = frozenset("《》“”\"'")
_REMOVE = frozenset("-_·")
# A "v" dropped before a digit at the start or after whitespace ("v1.16" ~ "1.16"), then quotes,
# dashes, underscores, middle dots and whitespace removed.
_NORM_V = re.compile(r"(?:(?<=\s)|^)v(?=\d)")
_NORM_DROP = re.compile("[" + re.escape("".join(sorted(_STRIP | _REMOVE))) + r"\s]+")


@lru_cache(maxsize=1 << 16)
def norm(s: str) -> str:
    """FORMAT.md's name normalisation (the key two names are the same name under).

    Cached and done by two regexes: it runs for every name of every entity an issue mentions.
    """
    t = unicodedata.normalize("NFKC", s).casefold()
    if "v" in t:
        t = _NORM_V.sub("", t)
    return _NORM_DROP.sub("", t)


# ---------------------------------------------------------------------- sentences


@cache
def sentence_end() -> re.Pattern[str]:
    """The sentence boundary of the patterns file (each match ends a sentence and belongs to it)."""
    return re.compile(load_patterns("relations")["sentence_end"])


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` (trimmed, none empty), in order."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in sentence_end().finditer(text, start, end):
        e = m.end()
        s, t = trim(text, pos, e)
        if s < t:  # not white space only
            out.append((s, t))
        pos = e
    if pos < end:
        s, t = trim(text, pos, end)
        if s < t:
            out.append((s, t))
    return out


class SentenceIndex:
    """The sentence around a span of a whole text, with the text's boundaries found once, so that
    each lookup is a bisect."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = [m.end() for m in sentence_end().finditer(text)]

    def around(self, start: int, end: int) -> tuple[int, int]:
        """The sentence containing [start, end) (several, when the span crosses a boundary), with its
        closing punctuation, trimmed of white space."""
        ends = self.ends
        i = bisect.bisect_right(ends, start) - 1  # the last boundary ending at or before the span
        left = ends[i] if i >= 0 else 0
        j = bisect.bisect_left(ends, end)  # the first boundary ending at or after its end
        right = ends[j] if j < len(ends) else len(self.text)
        return trim(self.text, left, right)
