"""The live explorer of `kg serve` (``/explore``): the explorer page, its data fetched from this endpoint.

``/explore`` is the page `kg explore` writes, holding no graph; its script asks this front for pieces, as
JSON, each made by kg.explorer.data's queries run through the same pool, limits and checks as a client's
SPARQL (:meth:`Endpoint.run_sparql`):

- ``GET /explore[?budget=N]``: the page (N: entities drawn at first, default 300);
- ``GET /explore/data?budget=N``: the first view: the N most mentioned entities, laid out, with the series
  and issues every later piece refers to;
- ``GET /explore/search?q=TEXT``: the most mentioned entities whose label or alias holds TEXT;
- ``POST /explore/neighbours`` (JSON ``{"iri": …, "known": [IRIs the page holds]}``): the entity's most
  mentioned neighbours and every edge between them and what the page holds;
- ``GET /explore/entity?iri=IRI``: one entity with the evidence of a drawn one (the side panel).

Why routes and not query texts handed to the page: the evidence is shaped in Python (the sentence around the
mention, Markdown to text and http(s)-only links, the scoring), and so is the escaping of the search text
into SPARQL; a second copy in JavaScript would drift from the offline page's.  The page still gets only
what SPARQL on this endpoint gives, and talks to its own origin only.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.endpoint.pool import Reply
from kg.errors import KgError

if TYPE_CHECKING:
    from kg.endpoint.app import Endpoint, Request
    from kg.explorer.data import Context
    from kg.explorer.sparql import Select

PREFIX = "/explore"
LIVE_BUDGET = 300  # entities drawn at first
MAX_BUDGET = 2000
MAX_KNOWN = 20_000  # IRIs a neighbours request may name

# Read once per store (it is read-only while served): its series and issues, the page, and each first view.
_contexts: dict[Path, Context] = {}
_pages: dict[int, bytes] = {}
_first_views: dict[tuple[Path, int], bytes] = {}
_lock = threading.Lock()
_making = threading.Lock()


def register(endpoint: Endpoint) -> None:
    endpoint.pages[PREFIX] = page


def warm(endpoint: Endpoint) -> None:
    """Make the default page and first view ahead of the first visitor (`kg serve` runs it in a thread at
    start): cold, the first view costs a few seconds of queries; made, it is served at once."""
    try:
        _page(LIVE_BUDGET)
        _first_view_body(endpoint, LIVE_BUDGET)
    except (KgError, OSError):
        pass  # the visitor who asks gets the error, as one line (an empty store, a stopped server)


def endpoint_rows(endpoint: Endpoint) -> Select:
    """A ``select`` for kg.explorer.data that runs through the front's pool, limits and checks."""
    from kg.explorer.sparql import sparql_json_rows

    def select(sparql: str) -> list[dict[str, Any]]:
        reply = endpoint.run_sparql(sparql, "application/sparql-results+json")
        if reply.status != 200:
            raise KgError(f"SPARQL query failed (HTTP {reply.status}): {reply.body.decode('utf-8', 'replace').strip()}")
        return sparql_json_rows(json.loads(reply.body))

    return select


def _context(endpoint: Endpoint, select: Select) -> Context:
    from kg.explorer.data import read_context

    with _lock:
        found = _contexts.get(endpoint.store_dir)
    if found is None:
        found = read_context(select)
        with _lock:
            _contexts[endpoint.store_dir] = found
    return found


def page(endpoint: Endpoint, request: Request) -> Reply:
    route = request.path[len(PREFIX) :].strip("/")
    try:
        if route == "" and request.method in ("GET", "HEAD"):
            return _page(_budget(request))
        if route == "data" and request.method == "GET":
            body = _first_view_body(endpoint, _budget(request))
            return Reply(200, body, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"})
        if route == "search" and request.method == "GET":
            return _json(_search(endpoint, request.arg("q", "") or ""))
        if route == "entity" and request.method == "GET":
            return _json(_entity(endpoint, request.arg("iri", "") or ""))
        if route == "neighbours" and request.method == "POST":
            return _json(_neighbours(endpoint, request.body))
    except _BadRequest as err:
        return _text(400, str(err))
    except KgError as err:
        return _text(502, str(err))
    return _text(404, f"no such explorer route: {request.method} {request.path}")


class _BadRequest(Exception):
    pass


def _budget(request: Request) -> int:
    try:
        budget = int(request.arg("budget", str(LIVE_BUDGET)) or LIVE_BUDGET)
    except ValueError:
        raise _BadRequest("budget: not a number") from None
    return max(1, min(budget, MAX_BUDGET))


def _page(budget: int) -> Reply:
    from kg.explorer.page import render_live_page

    with _lock:
        html = _pages.get(budget)
    if html is None:
        html = render_live_page(f"{PREFIX}/data?budget={budget}").encode("utf-8")
        with _lock:
            _pages[budget] = html
    return Reply(200, html, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})


def _first_view_body(endpoint: Endpoint, budget: int) -> bytes:
    key = (endpoint.store_dir, budget)
    with _lock:
        body = _first_views.get(key)
    if body is None:
        with _making:  # one at a time: a visitor during `warm` waits for its answer, not a second one
            body = _first_views.get(key) or _json(_first_view(endpoint, budget)).body
            with _lock:
                _first_views[key] = body
    return body


def _first_view(endpoint: Endpoint, budget: int) -> dict[str, Any]:
    from kg.explorer.data import ExplorerOptions, explorer_data
    from kg.explorer.page import layout

    select = endpoint_rows(endpoint)
    data = explorer_data(select, ExplorerOptions(budget=budget, cap=budget), title="cnkg explorer (live)")
    _context(endpoint, select)  # warm: later pieces refer to the same issue list
    layout(data)
    data["live"] = {"search": f"{PREFIX}/search", "neighbours": f"{PREFIX}/neighbours", "entity": f"{PREFIX}/entity"}
    return data


def _iri(text: str) -> str:
    from kg.explorer.sparql import iri_values

    try:
        iri_values([text])
    except KgError as err:
        raise _BadRequest(str(err)) from None
    if not text:
        raise _BadRequest("iri: missing")
    return text


def _search(endpoint: Endpoint, text: str) -> dict[str, Any]:
    from kg.explorer.live import piece, search_iris

    select = endpoint_rows(endpoint)
    found = search_iris(select, text[:200])
    result = piece(select, _context(endpoint, select), found, known=())
    result["order"] = found  # most mentioned first
    return result


def _entity(endpoint: Endpoint, iri: str) -> dict[str, Any]:
    from kg.explorer.live import piece

    iri = _iri(iri)
    select = endpoint_rows(endpoint)
    return piece(select, _context(endpoint, select), [iri], known=(), full=[iri])


def _neighbours(endpoint: Endpoint, body: bytes) -> dict[str, Any]:
    from kg.explorer.live import neighbour_iris, piece

    try:
        asked = json.loads(body or b"{}")
        iri = _iri(str(asked.get("iri", "")))
        known = [_iri(str(k)) for k in asked.get("known", [])[:MAX_KNOWN]]
    except (ValueError, AttributeError, TypeError):
        raise _BadRequest('body: expected JSON {"iri": IRI, "known": [IRI, …]}') from None
    select = endpoint_rows(endpoint)
    near = neighbour_iris(select, iri)
    result = piece(select, _context(endpoint, select), [iri, *near], known=known)
    result["order"] = near
    return result


def _json(data: dict[str, Any]) -> Reply:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(200, body, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"})


def _text(status: int, message: str) -> Reply:
    return Reply(status, (message + "\n").encode(), {"Content-Type": "text/plain; charset=utf-8"})
