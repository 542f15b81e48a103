"""Looking inside SPARQL text without running it: a small tokenizer, used by `kg query` and `kg serve`.

Questions such as "does this query call SERVICE?" or "which prefixes does it declare?" cannot be answered
with a regular expression over the text: ``"SERVICE"`` in a string literal, ``<http://example.org/service>``,
``?service`` or ``ex:SERVICE`` are not the keyword, and a ``#`` inside an IRI or a string starts no comment.
So the text is split into SPARQL 1.1 tokens first (strings, IRIs, comments, variables, prefixed names,
keywords, punctuation) and the questions are asked about the tokens.

The tokenizer is deliberately lenient: it never fails, and text it cannot make sense of becomes one-character
punctuation tokens.  It follows the SPARQL grammar's terminals (section 19.8) where they matter: a ``<`` starts
an IRI only when an IRIREF follows (otherwise it is the less-than operator), and strings keep their escapes.
Oxigraph, like most engines, does not unescape ``\\u`` sequences outside strings, so neither do we.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Token kinds.
STRING, IRI, VAR, PNAME, WORD, NUMBER, PUNCT = "string", "iri", "var", "pname", "word", "number", "punct"

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
_LONG_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"", re.DOTALL)
_SHORT_STRING = re.compile(r"'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"")
_VAR = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+")
# A prefixed name (``ex:thing``, ``:thing``, ``ex:``, ``_:b0``) or a bare word (keyword, ``a``, ``true``).
_NAME = re.compile(r"(?:[^\W\d][\w.\-\u00b7]*)?:(?:[\w:%\\.\-\u00b7]*)|[^\W\d][\w\-]*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(sparql: str) -> Iterator[Token]:
    """The SPARQL tokens of `sparql`, comments and whitespace skipped."""
    pos, end = 0, len(sparql)
    while pos < end:
        char = sparql[pos]
        if char.isspace():
            pos = _SPACE.match(sparql, pos).end()  # type: ignore[union-attr]
            continue
        if char == "#":
            newline = sparql.find("\n", pos)
            pos = end if newline < 0 else newline + 1
            continue
        if char in "'\"":
            match = _LONG_STRING.match(sparql, pos) or _SHORT_STRING.match(sparql, pos)
            if match:
                yield Token(STRING, match.group(), pos)
                pos = match.end()
                continue
        elif char == "<":
            match = _IRIREF.match(sparql, pos)
            if match:
                yield Token(IRI, match.group(1), pos)
                pos = match.end()
                continue
        elif char in "?$":
            match = _VAR.match(sparql, pos)
            if match:
                yield Token(VAR, match.group()[1:], pos)
                pos = match.end()
                continue
        elif char.isdigit() or (char == "." and sparql[pos + 1 : pos + 2].isdigit()):
            match = _NUMBER.match(sparql, pos)
            if match:
                yield Token(NUMBER, match.group(), pos)
                pos = match.end()
                continue
        elif char == ":" or char == "_" or char.isalpha():
            match = _NAME.match(sparql, pos)
            if match:
                text = match.group().rstrip(".")  # a name never ends with '.': that dot ends the triple
                yield Token(PNAME if ":" in text else WORD, text, pos)
                pos += len(text)
                continue
        yield Token(PUNCT, char, pos)
        pos += 1


def keywords(sparql: str) -> list[str]:
    """The bare words of the query (keywords, ``a``, ``true``), upper-cased, in order."""
    return [t.text.upper() for t in tokens(sparql) if t.kind == WORD]


def uses_service(sparql: str) -> bool:
    """True when the query has a ``SERVICE`` clause (federated query: the engine fetches another endpoint)."""
    return "SERVICE" in keywords(sparql)


def declared_prefixes(sparql: str) -> dict[str, str]:
    """``PREFIX name: <iri>`` declarations of the query's prologue, as ``{name: iri}``."""
    found: dict[str, str] = {}
    stream = list(tokens(sparql))
    for i, token in enumerate(stream[:-2]):
        if token.kind == WORD and token.text.upper() == "PREFIX":
            name, iri = stream[i + 1], stream[i + 2]
            if name.kind == PNAME and name.text.endswith(":") and iri.kind == IRI:
                found[name.text[:-1]] = iri.text
    return found


def used_prefixes(sparql: str) -> set[str]:
    """Prefix names the query uses in prefixed names (``cnkg:Project`` -> ``cnkg``), declarations excluded."""
    stream = list(tokens(sparql))
    used = set()
    for i, token in enumerate(stream):
        if token.kind != PNAME or token.text.startswith("_:"):
            continue
        if i > 0 and stream[i - 1].kind == WORD and stream[i - 1].text.upper() == "PREFIX":
            continue
        used.add(token.text.split(":", 1)[0])
    return used
