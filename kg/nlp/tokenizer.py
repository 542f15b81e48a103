"""A tokenizer for mixed Chinese / English cloud-native text.

One master regular expression (shapes from ontology/patterns/tokens.yaml) splits the text
into URLs, Latin "words" that keep versions, flags, API groups and paths whole, CJK runs,
whitespace and single punctuation characters.  Only CJK runs go through jieba, so English
Markdown runs at regex speed.  Token offsets (``token.idx``) map back to the text exactly.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.patterns import load_patterns

_JIEBA_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _base_jieba():  # noqa: ANN202 - jieba has no types
    """jieba's default dictionary, loaded once and quietly (jieba logs to stderr on init)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def make_jieba(words: Iterable[str] = ()):  # noqa: ANN201
    """A jieba tokenizer that also knows ``words`` (the catalog's CJK names) as single words."""
    import copy

    base = _base_jieba()
    with _JIEBA_LOCK:
        tok = copy.copy(base)
        tok.FREQ = dict(base.FREQ)  # add_word mutates FREQ: keep the shared base clean
        tok.total = base.total
        for word in words:
            word = word.strip()
            if word and len(word) > 1:
                tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 100000))
    return tok


def compile_master(shapes: dict[str, str]) -> re.Pattern[str]:
    parts = [f"(?P<{name}>{rx})" for name, rx in shapes.items()]
    return re.compile("|".join(parts))


class CnkgTokenizer:
    """Callable spaCy tokenizer: ``tokenizer(text) -> Doc``."""

    def __init__(self, vocab: Vocab, cjk_words: Iterable[str] = ()) -> None:
        patterns = load_patterns("tokens")
        self.vocab = vocab
        self._master = compile_master(patterns["shapes"])
        self._url_trailing = patterns.get("url_trailing", ".,;:!?")
        self._jieba = make_jieba(cjk_words)

    def split(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every token, whitespace runs included."""
        out: list[tuple[int, int]] = []
        pos = 0
        n = len(text)
        master = self._master
        while pos < n:
            m = master.match(text, pos)
            if m is None or m.end() == pos:
                out.append((pos, pos + 1))
                pos += 1
                continue
            kind = m.lastgroup
            start, end = m.start(), m.end()
            if kind == "url":
                while end > start + 1 and text[end - 1] in self._url_trailing:
                    end -= 1
                out.append((start, end))
            elif kind == "cjk":
                if end - start == 1:
                    out.append((start, end))
                else:
                    i = start
                    for piece in self._jieba.cut(text[start:end], HMM=True):
                        out.append((i, i + len(piece)))
                        i += len(piece)
            else:
                out.append((start, end))
            pos = end
        return out

    def __call__(self, text: str) -> Doc:
        spans = self.split(text)
        words: list[str] = []
        spaces: list[bool] = []
        i = 0
        n = len(spans)
        while i < n:
            s, e = spans[i]
            piece = text[s:e]
            if piece.isspace() and words and not spaces[-1] and piece.startswith(" "):
                # A single space after a token becomes that token's trailing whitespace, as in spaCy.
                spaces[-1] = True
                if len(piece) == 1:
                    i += 1
                    continue
                piece = piece[1:]
            words.append(piece)
            spaces.append(False)
            i += 1
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # Token boundaries, for components that align regex matches to whole tokens.
        doc.user_data["cnkg_text"] = text  # doc.text re-joins every token on each access
        doc.user_data["cnkg_bounds"] = ({s for s, _ in spans}, {e for _, e in spans})
        return doc

    # spaCy calls these when (de)serialising a pipeline; the tokenizer is rebuilt from data instead.
    def to_bytes(self, **_: object) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: object) -> CnkgTokenizer:
        return self

    def to_disk(self, _path: object, **_: object) -> None:
        return None

    def from_disk(self, _path: object, **_: object) -> CnkgTokenizer:
        return self
