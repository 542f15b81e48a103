"""The RDF mapping: the fast sentence and section lookups agree with the plain definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest import read_issue
from kg.rdf import _SectionIndex
from kg.text import SentenceIndex, sentences

from .conftest import SEED

TEXT = st.text(alphabet=st.sampled_from(list("ab c\n。！？；!?;.Kz云原 ")), max_size=80)


@given(TEXT, st.data())
@settings(max_examples=300, deadline=None)
def test_a_span_inside_a_sentence_has_that_sentence_around_it(text: str, data: st.DataObject) -> None:
    """nif:sentence (SentenceIndex over the whole text) and relation evidence (sentences of a unit) use
    one sentence: any span inside one of the splitter's sentences is given exactly that sentence."""
    pieces = sentences(text, 0, len(text))
    if not pieces:
        return
    start_, end_ = data.draw(st.sampled_from(pieces))
    start = data.draw(st.integers(start_, end_ - 1))
    end = data.draw(st.integers(start + 1, end_))
    assert SentenceIndex(text).around(start, end) == (start_, end_)


def test_english_sentences_end_at_a_full_stop() -> None:
    text = "Cilium 1.14 is out. It uses eBPF; Hubble too!\nKubernetes v1.30 released"
    assert [text[s:e] for s, e in sentences(text, 0, len(text))] == [
        "Cilium 1.14 is out.",
        "It uses eBPF;",
        "Hubble too!",
        "Kubernetes v1.30 released",
    ]
    assert SentenceIndex(text).around(text.index("eBPF"), text.index("eBPF") + 4) == (20, 33)


def test_section_index_matches_section_at() -> None:
    issue = read_issue(SEED)
    index = _SectionIndex(issue)
    for offset in range(len(issue.text)):
        assert index.at(offset) is issue.section_at(offset), offset
