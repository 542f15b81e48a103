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
from itertools import accumulate
from operator import add, itemgetter

from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.patterns import load_patterns
from kg.text import CJK_CHARS

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


def _compile_fast(shapes: dict[str, str], url_trailing: str) -> re.Pattern[str] | None:
    """The shapes as one ``findall`` pattern with two groups: (token, its trailing space).

    Same tokens as ``CnkgTokenizer.split`` on text without CJK: the non-space shapes in their order,
    any other single character, a single space after a token as its trailing whitespace (as spaCy
    does), and the rest of a whitespace run as a token (the run takes all its spaces, so its trailing
    space is always empty).  A url may not end in ``url_trailing``
    characters (sentence punctuation glued to a bare URL): the regex backtracks instead of stripping
    (the one difference: a scheme followed by punctuation only, "http://..", is not a url token here).
    None when the shapes do not fit that form (capturing groups, a whitespace shape under another name).
    """
    parts: list[str] = []
    for name, rx in shapes.items():
        if name == "space":
            continue
        if name == "url" and url_trailing:
            rx = f"(?:{rx})(?<![{re.escape(url_trailing)}])"
        parts.append(f"(?:{rx})")
    parts.append(r"\S")
    fast = re.compile("((?:" + "|".join(parts) + r")|\s+)( ?)")
    if fast.groups != 2 or set(shapes) - {"url", "word", "possessive", "cjk", "space"}:
        return None
    return fast


class CnkgTokenizer:
    """Callable spaCy tokenizer: ``tokenizer(text) -> Doc``."""

    def __init__(self, vocab: Vocab, cjk_words: Iterable[str] = ()) -> None:
        patterns = load_patterns("tokens")
        self.vocab = vocab
        shapes: dict[str, str] = patterns["shapes"]
        self._master = compile_master(shapes)
        self._url_trailing = patterns.get("url_trailing", ".,;:!?")
        self._cjk_words = tuple(cjk_words)
        self._jieba_tok = None  # built on the first text with CJK characters (English-only runs never load it)
        self._cjk = re.compile(shapes.get("cjk", f"[{CJK_CHARS}]+"))
        self._fast = _compile_fast(shapes, self._url_trailing)

    @property
    def _jieba(self):  # noqa: ANN202 - jieba has no types
        if self._jieba_tok is None:
            self._jieba_tok = make_jieba(self._cjk_words)
        return self._jieba_tok

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

    def _fast_tokens(self, text: str) -> tuple[list[str], list[bool], list[int]] | None:
        """Words, trailing spaces and start offsets of a text without CJK characters, in one findall.

        Per-token Python work was most of the tokenizer's time; this path leaves it to the regex engine
        and list comprehensions.  None when the text needs the general path (CJK runs go through jieba).
        """
        if self._fast is None or self._cjk.search(text):
            return None
        found = self._fast.findall(text)
        # Built by map and accumulate rather than per-token Python code (a tenth of the pipeline's time).
        words = list(map(itemgetter(0), found))
        spaces = list(map(bool, map(itemgetter(1), found)))
        starts = list(accumulate(map(add, map(len, words), spaces), initial=0))
        starts.pop()
        return words, spaces, starts

    def __call__(self, text: str) -> Doc:
        fast = self._fast_tokens(text)
        if fast is not None:
            words, spaces, starts = fast
            doc = Doc(self.vocab, words=words, spaces=spaces)
            doc.user_data["cnkg_text"] = text  # doc.text re-joins every token on each access
            # Token offsets, for components that align regex matches to whole tokens.
            doc.user_data["cnkg_offsets"] = (starts, list(map(add, starts, map(len, words))))
            return doc
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
        doc.user_data["cnkg_text"] = text
        doc.user_data["cnkg_offsets"] = ([t.idx for t in doc], [t.idx + len(t.text) for t in doc])
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
