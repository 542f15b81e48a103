"""The RDF mapping: the fast sentence and section lookups agree with the plain definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest import read_issue
from kg.model import Span
from kg.rdf import _SectionIndex, _SentenceIndex

from .conftest import SEED


def sentence_span(text: str, start: int, end: int) -> Span:
    """The plain definition: walk out to the nearest sentence delimiters, keep closing punctuation, trim."""
    left = start
    while left > 0 and text[left - 1] not in "\n。！？!?":
        left -= 1
    right = end
    while right < len(text) and text[right] not in "\n。！？!?":
        right += 1
    if right < len(text) and text[right] != "\n":
        right += 1
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return Span(left, right, text[left:right])


TEXT = st.text(alphabet=st.sampled_from(list("ab c\n。！？!?Kz云原 ")), max_size=80)


@given(TEXT, st.data())
@settings(max_examples=300, deadline=None)
def test_sentence_index_matches_sentence_span(text: str, data: st.DataObject) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert _SentenceIndex(text).around(start, end) == sentence_span(text, start, end)


def test_section_index_matches_section_at() -> None:
    issue = read_issue(SEED)
    index = _SectionIndex(issue)
    for offset in range(len(issue.text)):
        assert index.at(offset) is issue.section_at(offset), offset
