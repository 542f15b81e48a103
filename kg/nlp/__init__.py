"""The cnkg spaCy pipeline: a mixed-script tokenizer plus catalog and pattern components.

``load_pipeline(catalog)`` builds (once per catalog fingerprint) a blank multi-language
``Language`` whose tokenizer is :class:`kg.nlp.tokenizer.CnkgTokenizer` and whose components
``cnkg_catalog_ruler`` and ``cnkg_patterns`` record :class:`kg.nlp.components.Hit` s (and, with
``mirror_spans=True``, mirror them in ``doc.spans["cnkg"]`` for spaCy tooling; extraction does not read them).
spaCy and jieba are imported on first use only.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

from kg.text import has_cjk

if TYPE_CHECKING:
    from spacy.language import Language

_CACHE: dict[tuple[str, bool], Language] = {}
_LOCK = threading.Lock()


def catalog_fingerprint(catalog: Any) -> str:
    fp = getattr(catalog, "fingerprint", "") or ""
    if fp:
        return fp
    # Test fixtures without a fingerprint: derive one from the names.
    h = hashlib.sha1()
    for name, entry in catalog.names():
        h.update(f"{entry.type}\0{entry.key}\0{name}\n".encode())
    return h.hexdigest()


def load_pipeline(catalog: Any, mirror_spans: bool = False) -> Language:
    """The pipeline for ``catalog``, built once per catalog fingerprint (and ``mirror_spans``)."""
    fp = catalog_fingerprint(catalog)
    with _LOCK:
        nlp = _CACHE.get((fp, mirror_spans))
        if nlp is not None:
            return nlp
        import spacy

        from kg.nlp import components
        from kg.nlp.tokenizer import CnkgTokenizer

        components.CATALOGS[fp] = catalog
        nlp = spacy.blank("xx")
        _trim_lexeme_attrs(nlp)
        cjk_words = [name for name, _ in catalog.names() if has_cjk(name)]
        nlp.tokenizer = CnkgTokenizer(nlp.vocab, cjk_words)
        nlp.add_pipe("cnkg_catalog_ruler", config={"catalog_fingerprint": fp, "mirror_spans": mirror_spans})
        nlp.add_pipe("cnkg_patterns", config={"mirror_spans": mirror_spans})
        nlp.max_length = 50_000_000
        _CACHE[fp, mirror_spans] = nlp
        return nlp


# Lexical attributes spaCy computes for every new word: only LOWER is kept, the one a cnkg component reads
# (the catalog ruler's PhraseMatcher; ORTH is the word itself).  The others (shape, prefix, suffix,
# norm, like_*, is_*) were a Python call each per new word, and over LWKD about one token in twelve is a
# word the vocabulary has not seen (URLs, versions, names): token.is_alpha, .norm_ and the like are unset.
_USED_LEX_ATTRS = ("LOWER",)


def _trim_lexeme_attrs(nlp: Language) -> None:
    from spacy import attrs

    keep = {getattr(attrs, name) for name in _USED_LEX_ATTRS}
    getters = nlp.vocab.lex_attr_getters
    for attr in [a for a in getters if a not in keep]:
        del getters[attr]


__all__ = ["load_pipeline", "catalog_fingerprint"]
