"""Name normalisation shared by the extraction phases (../shared/eval/FORMAT.md's ``norm``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_STRIP = frozenset("《》“”\"'")
_REMOVE = frozenset("-_·")


# norm(): a "v" dropped before a digit at the start or after whitespace ("v1.16" ~ "1.16"), then
# quotes, dashes, underscores, middle dots and whitespace removed.
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
