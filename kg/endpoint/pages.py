"""The canned-query page of `kg serve` (``/queries``): every ``ontology/queries/*.rq`` as a form and a link.

``/queries`` lists the queries (title, description, parameters with their defaults), each with a form and a
ready-to-run link; ``/queries/NAME?param=value`` runs one and shows the rows as a table
(``&_format=csv`` or ``json`` gives the endpoint's own CSV or SPARQL-JSON).  Parameter values reach SPARQL
only through kg.query's validation and binding, exactly as with `kg query NAME --param k=v`.
Plain HTML with inline CSS and no script: it works offline and with JavaScript off.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from kg.endpoint.pool import Reply
from kg.errors import KgError

if TYPE_CHECKING:
    from kg.endpoint.app import Endpoint, Request
    from kg.query import CannedQuery, Param

PREFIX = "/queries"
_FORMATS = {"csv": "text/csv", "json": "application/sparql-results+json", "tsv": "text/tab-separated-values"}
_EXAMPLE = re.compile(r"\be\.g\.\s+([^\s,;()]+)")

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin: 1.6em 0 .2em; }
.query { border-top: 1px solid #ddd; padding-bottom: .6em; }
.desc { margin: .2em 0 .6em; color: #444; }
form { display: flex; flex-wrap: wrap; gap: .4em 1em; align-items: end; }
label { display: flex; flex-direction: column; font-size: .85em; color: #555; }
input { font: inherit; padding: .15em .3em; min-width: 12em; }
table { border-collapse: collapse; margin: 1em 0; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.error { color: #a00; font-weight: bold; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: .85em; }
nav a { margin-right: 1em; }
"""


def register(endpoint: Endpoint) -> None:
    endpoint.pages[PREFIX] = page


def example_value(param: Param) -> str | None:
    """A value to show a parameter with: its default, else the first "e.g. X" of its description (required ones)."""
    if param.default is not None:
        return param.default
    if param.optional:
        return None
    match = _EXAMPLE.search(param.doc)
    return match[1] if match else None


def ready_link(query: CannedQuery) -> str:
    """The page's link that runs `query` at once: required parameters take their example value."""
    given = {p.name: example_value(p) for p in query.params if not p.optional}
    filled = {k: v for k, v in given.items() if v is not None}
    return f"{PREFIX}/{query.name}" + (f"?{urlencode(filled)}" if filled else "")


def page(endpoint: Endpoint, request: Request) -> Reply:
    from kg.query import canned_queries

    if request.method not in ("GET", "HEAD"):
        return _html(405, "Method not allowed", "<p>Use GET.</p>")
    queries = canned_queries()
    name = request.path[len(PREFIX) :].strip("/")
    if not name:
        return _html(200, "Canned queries", _index(queries))
    if name not in queries:
        return _html(404, "No such query", f'<p class="error">no canned query named {_e(name)}</p>' + _back())
    return _run(endpoint, queries[name], request)


def _run(endpoint: Endpoint, query: CannedQuery, request: Request) -> Reply:
    from kg.query import resolve
    from kg.terms import bind_values, from_python

    given = {k: v[0] for k, v in request.query.items() if not k.startswith("_") and v and v[0].strip()}
    fmt = request.arg("_format", "html")
    try:
        sparql, params = resolve(query.name, None, given)  # the validation `kg query` applies
        bound = bind_values(sparql, {k: from_python(v) for k, v in params.items()})
    except KgError as err:
        body = f'<p class="error">{_e(str(err))}</p>' + _form(query, given)
        return _html(400, query.title, body + _back())
    if fmt in _FORMATS:
        return endpoint.run_sparql(bound, _FORMATS[fmt])
    if fmt != "html":
        return _html(400, query.title, f'<p class="error">unknown _format {_e(fmt)} (html, csv, tsv, json)</p>')
    reply = endpoint.run_sparql(bound, _FORMATS["json"])
    links = " ".join(
        f'<a href="{_e(PREFIX + "/" + query.name + "?" + urlencode({**given, "_format": f}))}">{f.upper()}</a>'
        for f in ("csv", "json")
    )
    parts = [f'<p class="desc">{_e(query.description)}</p>', _form(query, given)]
    if reply.status != 200:
        parts.append(f'<p class="error">HTTP {reply.status}: {_e(reply.body.decode("utf-8", "replace").strip())}</p>')
        status = reply.status
    else:
        parts.append(_table(json.loads(reply.body)))
        parts.append(f"<p>Download: {links}</p>")
        status = 200
    parts.append(f"<details><summary>SPARQL sent to the endpoint</summary><pre>{_e(bound)}</pre></details>")
    return _html(status, query.title, "".join(parts) + _back())


def _index(queries: dict[str, CannedQuery]) -> str:
    parts = [
        "<p>The canned queries of <code>ontology/queries/</code>, as <code>kg query NAME --param k=v</code> runs "
        "them. Each file also runs as it is on any SPARQL 1.1 endpoint (this one is at "
        '<a href="/query">/query</a>; the Oxigraph query editor is at <a href="/">/</a>).</p>'
    ]
    for query in queries.values():
        link = ready_link(query)
        parts.append(
            f'<section class="query" id="{_e(query.name)}"><h2>{_e(query.title)}</h2>'
            f'<p class="desc">{_e(query.description)} <a class="run" href="{_e(link)}">Run</a> '
            f"<code>{_e(query.name)}</code></p>{_form(query, {})}</section>"
        )
    return "".join(parts)


def _form(query: CannedQuery, given: dict[str, str]) -> str:
    fields = []
    for param in query.params:
        value = given.get(param.name, example_value(param) or "")
        kind = "number" if param.type in ("limit", "offset", "integer") else "text"
        flags = ", ".join([param.type] + (["optional"] if param.optional else ["required"]))
        required = "" if param.optional else " required"
        fields.append(
            f'<label>{_e(param.name)} ({_e(flags)})<input type="{kind}" name="{_e(param.name)}" '
            f'value="{_e(value)}" title="{_e(param.doc)}"{required}></label>'
        )
    action = f"{PREFIX}/{query.name}"
    return f'<form method="get" action="{_e(action)}">{"".join(fields)}<button type="submit">Run</button></form>'


def _table(results: dict[str, object]) -> str:
    head = results.get("head", {})
    columns: list[str] = list(head.get("vars", [])) if isinstance(head, dict) else []
    if "boolean" in results:
        return f"<p>Answer: <b>{_e(str(results['boolean']).lower())}</b></p>"
    bindings = results.get("results", {}).get("bindings", []) if isinstance(results.get("results"), dict) else []
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(row.get(c, {}).get('value', ''))}</td>" for c in columns) + "</tr>"
        for row in bindings
    )
    count = f"<p>{len(bindings)} row{'s' if len(bindings) != 1 else ''}</p>"
    header = "".join(f"<th>{_e(c)}</th>" for c in columns)
    return f"{count}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _back() -> str:
    return f'<nav><a href="{PREFIX}">All canned queries</a><a href="/">Query editor</a></nav>'


def _html(status: int, title: str, body: str) -> Reply:
    document = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)} · cnkg</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><h1>{_e(title)}</h1>{body}</body></html>"
    )
    return Reply(status, document.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)
