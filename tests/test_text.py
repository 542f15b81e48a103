"""One norm, one CJK test: evaluation and extraction compare names alike."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kg import gold, text
from kg.extract import context

_STRIP = frozenset("《》“”\"'")
_REMOVE = frozenset("-_·")


def format_md_norm(s: str) -> str:
    """../shared/eval/FORMAT.md's norm, spelled out one character at a time: NFKC, casefold, drop a "v"
    before a digit at the start or after white space, drop quotes, dashes, underscores, middle dots
    and white space."""
    t = unicodedata.normalize("NFKC", s).casefold()
    out: list[str] = []
    for i, ch in enumerate(t):
        if ch in _STRIP or ch in _REMOVE or ch.isspace():
            continue
        if ch == "v" and i + 1 < len(t) and t[i + 1].isdecimal() and (i == 0 or t[i - 1].isspace()):
            continue
        out.append(ch)
    return "".join(out)


NAMES = st.text(alphabet=st.sampled_from(list("vV1٣2 .-_·'\"《》“”\tabKé云原ＡＢ１")), max_size=24) | st.text(
    max_size=16
)


@given(NAMES)
@settings(max_examples=500, deadline=None)
def test_evaluation_and_extraction_normalise_alike(name: str) -> None:
    """The keys evaluation compares gold and predicted names under are extraction's norm, FORMAT.md's."""
    key = format_md_norm(name)
    assert context.norm(name) == key
    assert gold.name_keys([name]) == (frozenset({key}) if key else frozenset())


def test_one_definition() -> None:
    assert gold.norm is text.norm is context.norm


@given(st.text(max_size=8))
@settings(max_examples=300, deadline=None)
def test_cjk_is_the_han_ideographs(sample: str) -> None:
    han = any("\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in sample)
    assert text.has_cjk(sample) == han


def test_cjk_examples() -> None:
    assert text.has_cjk("Kubernetes 云原生")
    assert not text.has_cjk("Kubernetes，")  # full-width punctuation is not a Han character
    assert not text.has_cjk("䷀")  # a Yijing hexagram (U+4DC0), between Extension A and the unified block
