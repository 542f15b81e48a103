"""The RDF mapping: the fast sentence and section lookups agree with the plain definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest import read_issue
from kg.model import Issue
from kg.rdf import _SectionIndex, _SentenceIndex, sentence_span

from .conftest import SEED

TEXT = st.text(alphabet=st.sampled_from(list("ab c\n。！？!?Kz云原 ")), max_size=80)


@given(TEXT, st.data())
@settings(max_examples=300, deadline=None)
def test_sentence_index_matches_sentence_span(text: str, data: st.DataObject) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    issue = Issue(path="x", text=text, format="t", series="s", series_title="S", number="1", title="t")
    assert _SentenceIndex(text).around(start, end) == sentence_span(issue, start, end)


def test_section_index_matches_section_at() -> None:
    issue = read_issue(SEED)
    index = _SectionIndex(issue)
    for offset in range(len(issue.text)):
        assert index.at(offset) is issue.section_at(offset), offset
