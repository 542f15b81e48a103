"""SPARQL over the store, and canned queries as data (``ontology/queries/*.rq``).

A canned query is a SPARQL file whose header comment documents it::

    # title: Most-mentioned projects
    # description: Projects by number of mentions, optionally for one series or year.
    # param: series (string, optional): series slug, e.g. lwkd or cloud-native-weekly
    # param: name (name): an entity's name or alias, matched case-insensitively
    # param: year (integer, optional): only issues published that year
    # param: limit (limit, default 20): at most this many rows (paging types: limit, offset)

Parameters are bound as RDF terms: each value becomes a typed RDF term
(serialised and escaped by pyoxigraph) in a ``VALUES`` block at the top of
the query's outer group and of each sub-select (a sub-select does not see the
outer group's bindings), as rdflib's ``initBindings`` does.  Paging
parameters (types ``limit`` and ``offset``) are checked to be whole numbers
and become the query's ``LIMIT``/``OFFSET`` (at its end, or where the line
``# paging: LIMIT and OFFSET go here`` stands, e.g. in a sub-select).  The user's text
is never spliced into the SPARQL, so a value can never change the query.
(Oxigraph's own ``substitutions`` only bind projected variables, which does
not reach FILTERs.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.resources import data_file

QUERIES_DIR = data_file("queries")
_PARAM = re.compile(r"^(?P<name>\w+)\s*\((?P<spec>[^)]*)\)\s*:\s*(?P<doc>.*)$")
_TYPES = {"string", "name", "integer", "iri", "date", "boolean", "limit", "offset"}
_PAGING = ("limit", "offset")
# A comment line in a canned query where its LIMIT/OFFSET go (by default they end the query).  Being a
# comment, the query text as written still runs (unpaged).
PAGING_SLOT = "# paging: LIMIT and OFFSET go here"


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    optional: bool = False
    default: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sparql: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None


def parse_canned(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    title, description, params = path.stem, "", []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line.lstrip("#").strip()
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = (description + " " + value).strip()
        elif key == "param":
            match = _PARAM.match(value)
            if not match:
                raise KgError(
                    f"{path}: bad param line {value!r} (expected 'name (type[, optional][, default X]): doc')"
                )
            spec = [s.strip() for s in match["spec"].split(",") if s.strip()]
            kind = spec[0] if spec and spec[0] in _TYPES else "string"
            default = next((s.split(None, 1)[1] for s in spec if s.startswith("default ")), None)
            params.append(Param(match["name"], kind, "optional" in spec or default is not None, default, match["doc"]))
    return CannedQuery(path.stem, title, description, text, tuple(params), path)


def canned_queries(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    return {p.stem: parse_canned(p) for p in sorted(directory.glob("*.rq"))}


def bind_params(query: CannedQuery, given: dict[str, str]) -> dict[str, Any]:
    """Check and type the parameters of a canned query (strings from the command line)."""
    from pyoxigraph import Literal, NamedNode

    from kg.rdf import XSD

    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise KgError(f"query {query.name}: unknown parameter(s) {', '.join(unknown)}; it takes {_param_names(query)}")
    bound: dict[str, Any] = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is None:
            if not param.optional:
                raise KgError(f"query {query.name}: missing parameter {param.name} (--param {param.name}=...)")
            continue
        if param.type in _PAGING:
            if not re.fullmatch(r"\d+", value.strip()):
                raise KgError(f"query {query.name}: parameter {param.name} must be a whole number >= 0, got {value!r}")
            bound[param.name] = int(value)
        elif param.type == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise KgError(f"query {query.name}: parameter {param.name} must be an integer, got {value!r}")
            bound[param.name] = Literal(value, datatype=XSD.integer)
        elif param.type == "iri":
            bound[param.name] = NamedNode(value)
        elif param.type == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise KgError(f"query {query.name}: parameter {param.name} must be a date YYYY-MM-DD, got {value!r}")
            bound[param.name] = Literal(value, datatype=XSD.date)
        elif param.type == "boolean":
            bound[param.name] = Literal(
                "true" if value.lower() in ("1", "true", "yes") else "false", datatype=XSD.boolean
            )
        elif param.type == "name":
            # Entity names match the store's cnkg:nameKey (an index lookup, not a scan of every label).
            from kg.rdf import name_key

            bound[param.name] = Literal(name_key(value))
        else:
            bound[param.name] = Literal(value)
    return bound


def _param_names(query: CannedQuery) -> str:
    return ", ".join(p.name for p in query.params) or "no parameters"


def parse_param_args(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise KgError(f"--param {item!r}: expected k=v")
        params[key.strip()] = value
    return params


def resolve(text_or_name: str | None, file: Path | None, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """SPARQL text and bound parameters for `kg query` (inline text, --file, or a canned name)."""
    if file is not None:
        if not file.is_file():
            raise KgError(f"{file}: no such query file")
        return file.read_text(encoding="utf-8"), {k: _plain(v) for k, v in params.items()}
    if text_or_name is None:
        raise KgError("give a SPARQL query, --file F, or a canned query name (see `kg queries`)")
    queries = canned_queries()
    if text_or_name in queries:
        query = queries[text_or_name]
        bound = bind_params(query, params)
        paging = {p.type: bound.pop(p.name) for p in query.params if p.type in _PAGING and p.name in bound}
        clause = ""
        if "limit" in paging:
            clause += f"LIMIT {int(paging['limit'])}\n"
        if paging.get("offset"):
            clause += f"OFFSET {int(paging['offset'])}\n"
        if PAGING_SLOT in query.sparql:
            # The query pages in a sub-select (sorting and joining only what the page needs).
            return query.sparql.replace(PAGING_SLOT, clause.replace("\n", " ").strip(), 1), bound
        return query.sparql.rstrip() + "\n" + clause, bound
    if re.fullmatch(r"[\w-]+", text_or_name):
        raise KgError(f"no canned query named {text_or_name!r}; `kg queries` lists them")
    return text_or_name, {k: _plain(v) for k, v in params.items()}


def _plain(value: str) -> Any:
    from pyoxigraph import Literal

    return Literal(value)


_WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(sparql: str, params: dict[str, Any]) -> str:
    """The query with a VALUES block binding ``params`` (RDF terms) at the start of each WHERE group."""
    if not params:
        return sparql
    from pyoxigraph import Literal

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


def run(store: Any, sparql: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a SELECT (ASK gives one boolean row; CONSTRUCT gives s/p/o rows)."""
    from pyoxigraph import QueryBoolean, QuerySolutions

    from kg.store import _term_to_python

    result = store.query(sparql, params)
    if isinstance(result, QuerySolutions):
        columns = [v.value for v in result.variables]
        return columns, [[_term_to_python(row[c]) for c in columns] for row in result]
    if isinstance(result, QueryBoolean):
        return ["result"], [[bool(result)]]
    return ["subject", "predicate", "object"], [
        [_term_to_python(t.subject), _term_to_python(t.predicate), _term_to_python(t.object)] for t in result
    ]


def render(columns: list[str], rows: list[list[Any]], fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    if fmt != "table":
        raise KgError(f"unknown format {fmt!r} (table, csv or json)")
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]
