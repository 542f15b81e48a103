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

Each file runs as it is on any SPARQL 1.1 endpoint (docs/endpoint.md): it declares its
``PREFIX``es; its paging defaults are written as that line's SPARQL
(``LIMIT 100  # paging: LIMIT and OFFSET go here``), which the paging asked for replaces;
an optional parameter left unbound means "any" (``FILTER(!BOUND(?series) || …)``); a
required parameter left unbound matches nothing.
(Oxigraph's own ``substitutions`` only bind projected variables, which does
not reach FILTERs.)
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.resources import data_file
from kg.terms import to_python
from kg.vocab import XSD, name_key

if TYPE_CHECKING:
    from kg.store import GraphStore

QUERIES_DIR = data_file("queries")
_PARAM = re.compile(r"^(?P<name>\w+)\s*\((?P<spec>[^)]*)\)\s*:\s*(?P<doc>.*)$")
_TYPES = {"string", "name", "integer", "iri", "date", "boolean", "limit", "offset"}
_PAGING = ("limit", "offset")
# What a parameter of these types must look like: (pattern, how the error says it).
_FORMS = {
    "limit": (r"[0-9]+", "a whole number >= 0"),  # ASCII digits: \d would take '١٢' or '１０'
    "offset": (r"[0-9]+", "a whole number >= 0"),
    "integer": (r"-?[0-9]+", "an integer"),
    "date": (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "a date YYYY-MM-DD"),
}
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
        form = _FORMS.get(param.type)
        if form is not None and not re.fullmatch(form[0], value.strip() if param.type in _PAGING else value):
            raise KgError(f"query {query.name}: parameter {param.name} must be {form[1]}, got {value!r}")
        if param.type in _PAGING:
            bound[param.name] = page_number(value, f"query {query.name}: parameter {param.name}")
        elif param.type == "integer":
            bound[param.name] = Literal(value, datatype=XSD.integer)
        elif param.type == "iri":
            bound[param.name] = NamedNode(value)
        elif param.type == "date":
            bound[param.name] = Literal(value, datatype=XSD.date)
        elif param.type == "boolean":
            bound[param.name] = Literal(
                "true" if value.lower() in ("1", "true", "yes") else "false", datatype=XSD.boolean
            )
        elif param.type == "name":
            # Entity names match the store's cnkg:nameKey (an index lookup, not a scan of every label).
            bound[param.name] = Literal(name_key(value))
        else:
            bound[param.name] = Literal(value)
    return bound


# Oxigraph reads LIMIT/OFFSET as 64-bit numbers; one more row is asked for to tell whether a page was cut.
MAX_ROWS = 2**62


def page_number(value: str | int, what: str) -> int:
    """A LIMIT/OFFSET value: ASCII digits only (int() would accept '١٢' or '１０'), at most MAX_ROWS."""
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise KgError(f"{what} must be a whole number >= 0 (digits 0-9), got {value!r}")
    number = int(text)
    if number > MAX_ROWS:
        raise KgError(f"{what} must be at most {MAX_ROWS}, got {text}")
    return number


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
    """SPARQL text and bound parameters for `kg query` (inline text, --file, or a canned name); a canned
    query's paging is its ``limit``/``offset`` parameters. (:func:`prepare` also folds in ``--limit``.)"""
    return prepare(text_or_name, file, params, probe=False).sparql_and_params()


@dataclass
class Prepared:
    """A query ready to run, and how its rows are paged."""

    sparql: str
    params: dict[str, Any]
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    limit: int | None = None  # at most this many rows are shown
    offset: int = 0
    in_query: bool = False  # the LIMIT is in the SPARQL (a canned query's own); else applied to the rows
    probed: bool = False  # the SPARQL asks for one row more than ``limit`` to tell whether the page was cut
    row_offset: int = 0  # rows to skip here (a query of the user's own, or a canned one without an offset)

    def sparql_and_params(self) -> tuple[str, dict[str, Any]]:
        return self.sparql, dict(self.params)


def prepare(
    text_or_name: str | None,
    file: Path | None,
    params: dict[str, str],
    limit: int | None = None,
    offset: int | None = None,
    probe: bool = True,
) -> Prepared:
    """Resolve the query text (``-`` or a --file of ``-`` reads standard input), bind parameters, and fold
    ``limit``/``offset`` into a canned query's own paging, so that ``--limit`` and ``limit=`` are one thing."""
    if limit is not None:
        limit = page_number(limit, "--limit")
    if offset is not None:
        offset = page_number(offset, "--offset")
    if file is not None:
        text = _read_text(file)
    elif text_or_name == "-":
        text = sys.stdin.read()
    elif text_or_name is None:
        raise KgError("give a SPARQL query, --file F, - (standard input), or a canned query name (see `kg queries`)")
    else:
        queries = canned_queries()
        if text_or_name in queries:
            return _prepare_canned(queries[text_or_name], params, limit, offset, probe)
        if re.fullmatch(r"[\w-]+", text_or_name):
            raise KgError(f"no canned query named {text_or_name!r}; `kg queries` lists them")
        text = text_or_name
    form = query_form(text)
    return Prepared(text, {k: _plain(v) for k, v in params.items()}, form, limit, offset or 0, row_offset=offset or 0)


def _read_text(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    if not file.is_file():
        raise KgError(f"{file}: no such query file")
    return file.read_text(encoding="utf-8")


def _prepare_canned(
    query: CannedQuery, params: dict[str, str], limit: int | None, offset: int | None, probe: bool
) -> Prepared:
    given = dict(params)
    outside: dict[str, int] = {}  # paging the query has no parameter for: applied to its rows
    for kind, value in (("limit", limit), ("offset", offset)):
        if value is None:
            continue
        name = next((p.name for p in query.params if p.type == kind), None)
        if name is None:
            outside[kind] = value
            continue
        if name in given and page_number(given[name], f"--param {name}") != value:
            raise KgError(f"query {query.name}: --{kind} {value} and --param {name}={given[name]} disagree")
        given[name] = str(value)
    bound = bind_params(query, given)
    paging = {p.type: bound.pop(p.name) for p in query.params if p.type in _PAGING and p.name in bound}
    page_limit = paging.get("limit")
    clause = ""
    if page_limit is not None:
        clause += f"LIMIT {int(page_limit) + (1 if probe else 0)}\n"
    if paging.get("offset"):
        clause += f"OFFSET {int(paging['offset'])}\n"
    slot = re.search(rf"^([ \t]*)[^\n#]*{re.escape(PAGING_SLOT)}[ \t]*$", query.sparql, re.MULTILINE)
    if slot:
        # The file's own paging line (its defaults, e.g. `LIMIT 100  # paging: …`, so that the file runs as
        # it is elsewhere) gives way to the paging asked for; it may sit in a sub-select.
        paged = slot[1] + clause.replace("\n", " ").strip()
        sparql = query.sparql[: slot.start()] + paged + query.sparql[slot.end() :]
    else:
        sparql = query.sparql.rstrip() + "\n" + clause
    if "limit" in outside:
        page_limit = outside["limit"]
    return Prepared(
        sparql,
        bound,
        query_form(query.sparql),
        page_limit,
        int(paging.get("offset") or 0) + outside.get("offset", 0),
        in_query="limit" not in outside,
        probed=probe and page_limit is not None and "limit" not in outside,
        row_offset=outside.get("offset", 0),
    )


_PROLOGUE = re.compile(r"\s+|#[^\n]*|(?:PREFIX\s*[\w.-]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>)", re.IGNORECASE)
_QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue; an update is refused."""
    position = 0
    while match := _PROLOGUE.match(sparql, position):
        if match.end() == position:
            break
        position = match.end()
    word = re.match(r"[A-Za-z]*", sparql[position:]).group(0).upper()  # type: ignore[union-attr]
    if word in _UPDATES:
        raise KgError(f"updates are not allowed: kg query only reads the store (this is a SPARQL {word})")
    return word if word in _QUERY_FORMS else "SELECT"  # anything else: Oxigraph's own syntax error says what is wrong


def _plain(value: str) -> Any:
    from pyoxigraph import Literal

    return Literal(value)


def run(graph: GraphStore, sparql: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a SELECT (ASK gives one boolean row; CONSTRUCT gives s/p/o rows)."""
    from pyoxigraph import QueryBoolean, QuerySolutions

    query_form(sparql)  # refuses an update with a clear message
    result = graph.query(sparql, params)
    if isinstance(result, QuerySolutions):
        columns = [v.value for v in result.variables]
        with _service_errors(sparql):
            return columns, [[to_python(row[c]) for c in columns] for row in result]
    if isinstance(result, QueryBoolean):
        return ["result"], [[bool(result)]]
    return ["subject", "predicate", "object"], [
        [to_python(t.subject), to_python(t.predicate), to_python(t.object)] for t in result
    ]


# `kg query --format`: SPARQL results formats for SELECT/ASK, RDF formats for CONSTRUCT/DESCRIBE.
SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "trig")
RESULT_FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS


def output_format(form: str, fmt: str | None) -> str:
    """The format to print a ``form`` query in (default: table, or Turtle for a graph); refuses a mismatch
    before the query runs."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt is None:
        return "turtle" if graph else "table"
    if fmt not in RESULT_FORMATS:
        raise KgError(f"unknown format {fmt!r} (one of {', '.join(RESULT_FORMATS)})")
    if graph and fmt not in GRAPH_FORMATS:
        raise KgError(f"a {form} query gives a graph: --format {' | '.join(GRAPH_FORMATS)}, not {fmt}")
    if not graph and fmt not in SOLUTION_FORMATS:
        raise KgError(f"a {form} query gives a table of results: --format {' | '.join(SOLUTION_FORMATS)}, not {fmt}")
    return fmt


@dataclass
class Page:
    """One page of a query's results: the standard SPARQL JSON results (SELECT, ASK) or the triples
    (CONSTRUCT, DESCRIBE), and whether more rows exist past it."""

    form: str
    results: dict[str, Any] | None = None  # SPARQL 1.1 JSON results
    triples: list[Any] = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None
    offset: int = 0

    @property
    def columns(self) -> list[str]:
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return ["subject", "predicate", "object"]
        if self.form == "ASK":
            return ["result"]
        return list(self.results["head"]["vars"]) if self.results else []

    @property
    def rows(self) -> list[list[Any]]:
        """Rows as Python values (numbers, booleans, strings; IRIs as strings)."""
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return [[to_python(t.subject), to_python(t.predicate), to_python(t.object)] for t in self.triples]
        solutions = self._solutions()
        if self.form == "ASK":
            return [[bool(solutions)]]
        return [[to_python(row[c]) for c in self.columns] for row in solutions]

    def _solutions(self) -> Any:
        from pyoxigraph import QueryResultsFormat, parse_query_results

        data = json.dumps(self.results, ensure_ascii=False).encode("utf-8")
        return parse_query_results(data, format=QueryResultsFormat.JSON)

    def note(self) -> str | None:
        """What to say on stderr when the page was cut at the limit."""
        if not self.truncated:
            return None
        shown = (
            len(self.triples) if self.form in ("CONSTRUCT", "DESCRIBE") else len(self.results["results"]["bindings"])
        )  # type: ignore[index]
        first = self.offset + 1
        return (
            f"result cut at {self.limit} rows (rows {first}-{self.offset + shown} shown; more follow): "
            f"--limit N (limit=N) for a longer page, --offset {self.offset + shown} (offset={self.offset + shown}) "
            "for the next one"
        )

    def serialize(self, fmt: str) -> bytes:
        """The page in ``fmt``, written by pyoxigraph's serialisers (table: a text table for people)."""
        from pyoxigraph import QueryResultsFormat, RdfFormat, serialize

        fmt = output_format(self.form, fmt)
        if fmt == "table":
            return render(self.columns, self.rows, "table").encode("utf-8") + b"\n"
        if fmt in GRAPH_FORMATS:
            from kg.vocab import PREFIXES

            rdf = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "nquads": RdfFormat.N_QUADS}
            rdf["trig"] = RdfFormat.TRIG
            prefixes = PREFIXES if fmt in ("turtle", "trig") else None
            return serialize(self.triples, format=rdf[fmt], prefixes=prefixes)
        if fmt == "json":
            return json.dumps(self.results, ensure_ascii=False).encode("utf-8") + b"\n"
        formats = {"csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV, "xml": QueryResultsFormat.XML}
        return self._solutions().serialize(format=formats[fmt])


def execute(graph: GraphStore, prepared: Prepared) -> Page:
    """Run a prepared query on a GraphStore; one page of its results."""
    from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions

    result = graph.query(prepared.sparql, prepared.params)
    page = Page(prepared.form, limit=prepared.limit, offset=prepared.offset)
    with _service_errors(prepared.sparql):  # results are computed lazily, while they are read
        if isinstance(result, QuerySolutions):
            page.form = "SELECT"
            page.results = json.loads(result.serialize(format=QueryResultsFormat.JSON))
            rows = page.results["results"]["bindings"]
            page.results["results"]["bindings"], page.truncated = _cut(rows, prepared)
        elif isinstance(result, QueryBoolean):
            page.form = "ASK"
            page.results = json.loads(result.serialize(format=QueryResultsFormat.JSON))
        else:
            page.form = "CONSTRUCT" if prepared.form != "DESCRIBE" else "DESCRIBE"
            page.triples, page.truncated = _cut(list(result), prepared)
    return page


@contextmanager
def _service_errors(sparql: str) -> Iterator[None]:
    """A failing SERVICE (the engine's HTTP client: only SERVICE makes it fetch anything) as one KgError."""
    try:
        yield
    except OSError as err:
        from kg.sparql_inspect import uses_service

        if not uses_service(sparql):
            raise
        # The engine's message carries the remote's whole response body (an HTML error page): its first line.
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise KgError(f"SERVICE request failed: {first} (kg query fetches SERVICE endpoints itself)") from err


def _cut(rows: list[Any], prepared: Prepared) -> tuple[list[Any], bool]:
    rows = rows[prepared.row_offset :]
    if prepared.limit is None or (prepared.in_query and not prepared.probed):
        return rows, False
    return rows[: prepared.limit], len(rows) > prepared.limit


def run_page(
    graph: GraphStore,
    text_or_name: str,
    params: dict[str, Any] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """The Python side of `kg query`: run SPARQL text or a canned query by name; ``limit``/``offset`` page it
    (for a canned query they are its own paging parameters); ``Page.truncated`` says whether rows were cut."""
    prepared = prepare(text_or_name, None, {k: str(v) for k, v in (params or {}).items()}, limit, offset)
    return execute(graph, prepared)


def render(columns: list[str], rows: list[list[Any]], fmt: str = "table") -> str:
    """A text table for people (machine-readable output: Page.serialize)."""
    if fmt != "table":
        raise KgError(f"unknown format {fmt!r} (table; --format of `kg query` has the standard ones)")
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]
