"""RDF terms <-> Python values, and binding values into SPARQL.

The one conversion both the store (:meth:`kg.store.GraphStore.select`) and the query runner
(:func:`kg.query.run`) use, so neither imports the other.
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.errors import KgError
from kg.vocab import XSD

_INTEGER, _BOOLEAN = XSD.integer.value, XSD.boolean.value
_FLOATS = (XSD.decimal.value, XSD.double.value, XSD.float.value)


def to_python(term: Any) -> Any:
    """A query result term as a Python value: integers, floats and booleans typed, IRIs and other
    literals as their text, None for an unbound variable."""
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype.value
        value = term.value
        if datatype == _INTEGER:
            return int(value)
        if datatype in _FLOATS:
            return float(value)
        if datatype == _BOOLEAN:
            return value == "true"
        return value
    if isinstance(term, (NamedNode, BlankNode)):
        return term.value
    return str(term)


def from_python(value: Any) -> NamedNode | Literal | BlankNode:
    """A query parameter as an RDF term: terms stay as they are, IRIs become IRIs, everything else a typed literal."""
    if isinstance(value, (NamedNode, Literal, BlankNode)):
        return value
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=XSD.double)
    text = str(value)
    if text.startswith(("http://", "https://", "urn:", "file:")) and " " not in text:
        return NamedNode(text)
    return Literal(text)


_WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(sparql: str, params: dict[str, Any]) -> str:
    """The query with a VALUES block binding ``params`` (RDF terms) at the start of each WHERE group."""
    if not params:
        return sparql
    names = sorted(params)
    terms = [params[n] if not isinstance(params[n], str) else Literal(params[n]) for n in names]
    block = " VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(str(t) for t in terms) + ") } "
    # Skip the header comments so a '{' in a comment is never taken for the group.
    body_start = 0
    for line in sparql.splitlines(keepends=True):
        if line.lstrip().startswith("#") or not line.strip():
            body_start += len(line)
        else:
            break
    positions = [m.end() for m in _WHERE_GROUP.finditer(sparql, body_start)]
    if not positions:
        start = sparql.find("{", body_start) + 1
        if start <= 0:
            raise KgError("cannot bind parameters: the query has no group pattern")
        positions = [start]
    # The same one-row VALUES in every WHERE group: sub-selects see the parameters too.
    for position in reversed(positions):
        sparql = sparql[:position] + block + sparql[position:]
    return sparql
