"""How the explorer asks: one ``select(sparql) -> rows`` callable over a store or a SPARQL endpoint.

:func:`store_select` (a :class:`kg.store.GraphStore`) or :func:`endpoint_select` (a SPARQL 1.1 endpoint
such as `kg serve`'s, JSON results) give rows of the same shape, so the offline page, the build overview
and the live page read with the same queries; and the small helpers those queries are written with.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kg.errors import KgError
from kg.vocab import PREFIXES

Select = Callable[[str], list[dict[str, Any]]]

SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
CHUNK = 300  # IRIs per VALUES block


def store_select(graph: Any) -> Select:
    """Rows of a SELECT on a :class:`kg.store.GraphStore`, values as plain Python (its ``select``)."""
    return lambda sparql: graph.select(sparql)


def endpoint_select(url: str, timeout: float = 120.0) -> Select:
    """Rows of a SELECT on a SPARQL 1.1 endpoint (``application/sparql-results+json``), values as strings
    (integers as ints), like :func:`store_select`."""

    def select(sparql: str) -> list[dict[str, Any]]:
        body = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's endpoint
                result = json.load(response)
        except OSError as err:
            raise KgError(f"{url}: SPARQL query failed: {err}") from err
        return sparql_json_rows(result)

    return select


def sparql_json_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """SPARQL JSON results as rows like :func:`store_select`'s: values as strings, integers as ints."""
    rows = []
    for binding in result["results"]["bindings"]:
        row: dict[str, Any] = dict.fromkeys(result["head"]["vars"])
        for name, term in binding.items():
            value: Any = term["value"]
            if term.get("datatype", "").endswith("#integer"):
                value = int(value)
            row[name] = value
        rows.append(row)
    return rows


def query_rows(select: Select, body: str) -> list[dict[str, Any]]:
    return select(SPARQL_PREFIXES + body)


def iri_values(iris: Iterable[str]) -> str:
    out = []
    for iri in iris:
        if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri):
            raise KgError(f"not an IRI: {iri!r}")
        out.append(f"<{iri}>")
    return " ".join(out)


def chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


def literal(text: str) -> str:
    """``text`` as a SPARQL string literal: a JSON string is one (the same escapes; no \\u surrogates)."""
    return json.dumps(text, ensure_ascii=False)


def rows_over(select: Select, iris: Iterable[str], query: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """Rows of ``query(values)`` over ``iris`` a CHUNK at a time (``values``: the chunk written as IRIs for a
    VALUES block), so a long list of entities never becomes one huge query."""
    for chunk in chunks(sorted(set(iris))):
        yield from query_rows(select, query(iri_values(chunk)))
