"""Store -> the explorer's data: plain dicts and lists, ready for ``json.dumps``.

Everything is read with a handful of SPARQL SELECTs through one ``select(sparql) -> rows`` callable:
:func:`store_select` (a :class:`kg.store.GraphStore`) or :func:`endpoint_select` (a SPARQL endpoint such
as `kg serve`'s, JSON results), so a live page can ask for the same shape.  Every pattern names its
graph (``GRAPH ?g``), so the queries mean the same on an endpoint whatever its default graph is.

The data holds every entity mentioned inside the window (series, dates) up to ``cap`` (most mentioned
first), so the page can search them all; the ``budget`` best of them (most mentioned, or nearest to
the focus) are marked ``drawn``.  Per entity: labels, type, mentions per issue (so the page can filter
by series, period and minimum mentions without asking again), first/last issue and its best evidence
sentences (as text/link segments: no Markdown reaches the page).  Edges: the relations of
``kg.model.PREDICATES`` and co-mentions (the per-issue co-mention tallies `kg build` keeps).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kg import ids
from kg.errors import KgError
from kg.model import ENTITY_TYPES, PREDICATES
from kg.vocab import PREFIXES, name_key

Select = Callable[[str], list[dict[str, Any]]]

SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
RELATIONS = tuple(ids.camel(p) for p in PREDICATES)
DEFAULT_BUDGET = 300
DEFAULT_CAP = 5000
EVIDENCE_DRAWN = 3  # sentences kept per drawn entity
EVIDENCE_OTHER = 1  # per entity reachable by search only (keeps the file small)
EVIDENCE_CHARS = 280
_CHUNK = 300


@dataclass
class ExplorerOptions:
    focus: str | None = None
    series: str | None = None  # a series slug or label
    since: str | None = None  # YYYY[-MM[-DD]], inclusive
    until: str | None = None
    budget: int = DEFAULT_BUDGET
    cap: int = DEFAULT_CAP


# --------------------------------------------------------------------------- selecting


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

    return select


def _q(select: Select, body: str) -> list[dict[str, Any]]:
    return select(SPARQL_PREFIXES + body)


def _iris(iris: Iterable[str]) -> str:
    out = []
    for iri in iris:
        if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri):
            raise KgError(f"not an IRI: {iri!r}")
        out.append(f"<{iri}>")
    return " ".join(out)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


# --------------------------------------------------------------------------- evidence text


_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE), ""),  # heading marks
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # list markers
    (re.compile(r"^\s*>\s?", re.MULTILINE), ""),  # quotes
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`([^`\n]*)`"), r"\1"),  # code
    (re.compile(r"<[^<>\n]{1,200}>"), ""),  # inline HTML tags (shown as text, never parsed)
]


_STRAY_EMPHASIS = re.compile(r"\*\*|__|(?<=\s)\*(?=\s|$)|^\*(?=\s)")


def safe_url(url: str) -> str:
    """Only http(s) URLs become links: a javascript: or data: URL in issue text must not."""
    return url if re.match(r"(?i)^https?://[^\s\"'<>]+$", url or "") else ""


def segments(text: str, limit: int = EVIDENCE_CHARS) -> list[list[str]]:
    """A Markdown sentence as ``[text]`` and ``[anchor, url]`` segments: links kept as links (http(s)
    only), headings' ``###``, list markers, emphasis and code marks removed, cut at ``limit`` characters."""
    out: list[list[str]] = []
    used = 0
    pos = 0
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()

    def plain(chunk: str) -> None:
        for pattern, replacement in _MARKUP:
            chunk = pattern.sub(replacement, chunk)
        chunk = _STRAY_EMPHASIS.sub("", chunk)  # the halves of **[a link](…)**, split by the link
        chunk = " ".join(chunk.split()) if chunk.strip() else (" " if chunk else "")
        if chunk:
            out.append([chunk])

    for m in _LINK.finditer(text):
        plain(text[pos : m.start()])
        anchor = m.group(1).strip() or m.group(2)
        for pattern, replacement in _MARKUP[3:]:
            anchor = pattern.sub(replacement, anchor)
        url = safe_url(m.group(2))
        out.append([anchor, url] if url else [anchor])
        pos = m.end()
    plain(text[pos:])
    # Join neighbouring text pieces, trim, and cut to the limit.
    joined: list[list[str]] = []
    for seg in out:
        if joined and len(seg) == 1 and len(joined[-1]) == 1:
            joined[-1][0] += seg[0] if seg[0].startswith((" ", ",", ".", ";", ":", ")")) else " " + seg[0]
        elif joined and len(seg) == 2 and len(joined[-1]) == 1 and not joined[-1][0].endswith((" ", "(")):
            joined[-1][0] += " "
            joined.append(seg)
        else:
            if joined and len(joined[-1]) == 2 and len(seg) == 1 and not seg[0].startswith((" ", ",", ".", ";", ":")):
                seg = [" " + seg[0]]
            joined.append(seg)
    result: list[list[str]] = []
    for seg in joined:
        room = limit - used
        if room <= 0:
            break
        if len(seg[0]) > room:
            seg = [seg[0][: room - 1].rstrip() + "…", *seg[1:]]
        result.append(seg)
        used += len(seg[0])
    if result:
        result[0][0] = result[0][0].lstrip()
        result[-1][0] = result[-1][0].rstrip()
    return [s for s in result if s[0]]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+(?=[\"'(\[*A-Z0-9\u3400-\u9fff])")


def sentence_around(text: str, anchor: str) -> str:
    """The sentence of ``text`` that holds ``anchor`` (the whole text when it is one, or when the anchor
    is not found); a Markdown link is never split."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        before = text[start : m.start()]
        if before.count("[") > before.count("]") or before.count("(") > before.count(")"):
            continue  # inside a link or a parenthesis
        pieces.append(before)
        start = m.end()
    pieces.append(text[start:])
    if len(pieces) == 1:
        return text
    for piece in pieces:
        if anchor and anchor in piece:
            return piece
    return pieces[0]


_BOILERPLATE = re.compile(
    r"^(no |none|nothing|n/a|tbd|this week|last week|see (also|below|above))|shoutouts?\b|subscribe|unsubscribe",
    re.IGNORECASE,
)


def sentence_score(text: str, others: int) -> float:
    """How much a sentence tells about the entity: other entities it names, its length (short lines
    and headings say little; very long ones are lists), minus boilerplate."""
    plain = "".join(s[0] for s in segments(text, 10_000))
    words = len(plain.split())
    score = 2.0 * min(others, 4)
    score += min(words, 30) / 10.0 - (2.0 if words < 6 else 0.0) - (1.0 if words > 80 else 0.0)
    if _BOILERPLATE.search(plain):
        score -= 5.0
    if text.lstrip().startswith("#"):
        score -= 1.0  # a heading names a thing; a sentence says something about it
    return score


# --------------------------------------------------------------------------- reading


def _series(select: Select) -> dict[str, str]:
    rows = _q(select, "SELECT DISTINCT ?n ?label WHERE { GRAPH ?g { ?n a cnkg:Newsletter ; rdfs:label ?label } }")
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["n"], str(r["label"]))):
        labels.setdefault(row["n"], str(row["label"]))
    return labels


def _issues(select: Select) -> dict[str, dict[str, Any]]:
    rows = _q(
        select,
        "SELECT ?i ?series ?date ?title ?url WHERE { GRAPH ?g { ?i a cnkg:Issue ; schema:isPartOf ?series . "
        "OPTIONAL { ?i schema:datePublished ?date } OPTIONAL { ?i rdfs:label ?title } "
        "OPTIONAL { ?i schema:url ?url } } }",
    )
    issues: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["i"], str(r["title"] or ""), str(r["url"] or ""))):
        issues.setdefault(
            row["i"],
            {
                "iri": row["i"],
                "series": row["series"],
                "date": str(row["date"] or "")[:10],
                "title": str(row["title"] or local_name(row["i"])),
                "url": safe_url(str(row["url"] or "")),
            },
        )
    return issues


def _window_issues(
    issues: dict[str, dict[str, Any]], series: list[str] | None, since: str | None, until: str | None
) -> set[str]:
    kept = set()
    for iri, issue in issues.items():
        if series and issue["series"] not in series:
            continue
        date = issue["date"]
        if (since or until) and not date:
            continue
        if since and date[: len(since)] < since:
            continue
        if until and date[: len(until)] > until:
            continue
        kept.add(iri)
    return kept


def _check_date(text: str | None, what: str) -> str | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise KgError(f"{what}: '{text}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


def _resolve_series(series: dict[str, str], issues: dict[str, dict[str, Any]], wanted: str | None) -> list[str]:
    if not wanted:
        return []
    used = sorted({i["series"] for i in issues.values()})
    key = wanted.casefold()
    found = [n for n in used if key in (local_name(n).casefold(), series.get(n, "").casefold())]
    if not found:
        known = ", ".join(local_name(n) for n in used) or "none"
        raise KgError(f"no newsletter series '{wanted}' in the graph (known: {known})")
    return found


def _types(select: Select, iris: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    wanted = ", ".join(f"cnkg:{t}" for t in ENTITY_TYPES)
    for chunk in _chunks(iris):
        q = (
            f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?e {{ {_iris(chunk)} }} GRAPH ?g {{ ?e a ?type }} "
            f"FILTER(?type IN ({wanted})) }}"
        )
        for row in _q(select, q):
            type_ = local_name(row["type"])
            if row["e"] not in found or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(found[row["e"]]):
                found[row["e"]] = type_
    return found


def _labels(select: Select, iris: list[str]) -> dict[str, tuple[str, list[str]]]:
    """IRI -> (label, aliases): the English or untagged label first, then Chinese."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    alts: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(iris):
        q = (
            f"SELECT DISTINCT ?e ?p ?l (LANG(?l) AS ?lang) WHERE {{ VALUES ?e {{ {_iris(chunk)} }} "
            "GRAPH ?g { ?e ?p ?l } FILTER(?p IN (rdfs:label, skos:altLabel) && isLiteral(?l)) }"
        )
        for row in sorted(_q(select, q), key=lambda r: (r["e"], r["p"], str(r["lang"]), str(r["l"]))):
            if row["p"].endswith("#label"):
                labels[row["e"]].setdefault(str(row["lang"] or ""), str(row["l"]))
            else:
                alts[row["e"]].add(str(row["l"]))
    out: dict[str, tuple[str, list[str]]] = {}
    for iri in iris:
        by_lang = labels.get(iri, {})
        label = next((by_lang[lang] for lang in ("en", "", "zh") if lang in by_lang), None)
        label = label or (by_lang[sorted(by_lang)[0]] if by_lang else local_name(iri))
        others = {v for v in by_lang.values() if v != label} | alts.get(iri, set())
        out[iri] = (label, sorted(others - {label}))
    return out


def _focus_iris(select: Select, name: str) -> list[str]:
    if re.match(r"https?://\S+$", name):
        if _types(select, [name]):
            return [name]
    rows = _q(
        select,
        # A JSON string is a valid SPARQL string literal (same escapes).
        f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e cnkg:nameKey {json.dumps(name_key(name))} }} }}",
    )
    found = sorted(r["e"] for r in rows)
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return found


def explorer_data(select: Select, options: ExplorerOptions | None = None, title: str = "cnkg explorer") -> dict:
    """The explorer's data for this window (see the module docstring); ``select`` from
    :func:`store_select` or :func:`endpoint_select`."""
    opts = options or ExplorerOptions()
    if opts.budget < 1:
        raise KgError(f"--budget must be 1 or more, not {opts.budget}")
    since, until = _check_date(opts.since, "--since"), _check_date(opts.until, "--until")
    series_labels = _series(select)
    issues = _issues(select)
    window_series = _resolve_series(series_labels, issues, opts.series)
    in_window = _window_issues(issues, window_series, since, until)

    # Mentions per (entity, issue), from the per-issue tallies `kg build` writes.
    per_issue: dict[str, dict[str, int]] = defaultdict(dict)
    rows = _q(
        select,
        "SELECT ?e ?i ?n WHERE { GRAPH ?g { ?t a cnkg:MentionTally ; cnkg:inIssue ?i ; cnkg:tallyOf ?e ; "
        "cnkg:mentionCount ?n } }",
    )
    for row in rows:
        if row["i"] in in_window:
            per_issue[row["e"]][row["i"]] = int(row["n"])
    totals = {e: sum(found.values()) for e, found in per_issue.items()}
    ranked = sorted(totals, key=lambda e: (-totals[e], e))
    # Types for the head of the ranking only (a lookup each); the few untyped ones are made up from the tail.
    types = _types(select, ranked[: opts.cap + 200])
    ranked = [e for e in ranked[: opts.cap + 200] if e in types] + ranked[opts.cap + 200 :]
    focus_roots = _focus_iris(select, opts.focus) if opts.focus else []
    if focus_roots:
        types.update(_types(select, [r for r in focus_roots if r not in types]))
        focus_roots = [r for r in focus_roots if r in types]
    kept = list(dict.fromkeys([*focus_roots, *ranked[: opts.cap]]))
    kept_set = set(kept)

    # Edges: relations between kept entities, and co-mentions inside the window.
    predicates = ", ".join(f"cnkg:{p}" for p in RELATIONS)
    relations: set[tuple[str, str, str]] = set()
    for chunk in _chunks(sorted(kept_set)):
        q = (
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {_iris(chunk)} }} GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(?p IN ({predicates})) }}"
        )
        relations.update((r["s"], local_name(r["p"]), r["o"]) for r in _q(select, q) if r["o"] in kept_set)
    co: dict[tuple[str, str], int] = defaultdict(int)
    rows = _q(
        select,
        "SELECT ?i ?a ?b ?n WHERE { GRAPH ?g { ?t a cnkg:CoMentionTally ; cnkg:inIssue ?i ; cnkg:tallyOf ?a, ?b ; "
        "cnkg:sentenceCount ?n } FILTER(STR(?a) < STR(?b)) }",
    )
    for row in rows:
        if row["i"] in in_window and row["a"] in kept_set and row["b"] in kept_set:
            co[(row["a"], row["b"])] += int(row["n"])

    # Drawn: the focus and its neighbours nearest first, else the most mentioned.
    neighbours: dict[str, set[str]] = defaultdict(set)
    for s, _p, o in relations:
        neighbours[s].add(o)
        neighbours[o].add(s)
    for a, b in co:
        neighbours[a].add(b)
        neighbours[b].add(a)
    if focus_roots:
        order = list(focus_roots)
        seen = set(order)
        frontier = list(focus_roots)
        while frontier and len(order) < opts.budget:
            nxt = sorted({n for f in frontier for n in neighbours[f]} - seen, key=lambda e: (-totals.get(e, 0), e))
            order.extend(nxt)
            seen.update(nxt)
            frontier = nxt
        drawn = order[: opts.budget]
    else:
        drawn = kept[: opts.budget]
    drawn_set = set(drawn)

    labels = _labels(select, kept)
    evidence = _evidence(select, kept, drawn_set, in_window)

    issue_list = sorted(issues.values(), key=lambda i: (i["date"] or "9999", i["iri"]))
    issue_index = {i["iri"]: n for n, i in enumerate(issue_list)}
    series_list = sorted({i["series"] for i in issue_list})
    series_index = {s: n for n, s in enumerate(series_list)}
    entity_index = {iri: n for n, iri in enumerate(kept)}
    entities = []
    for iri in kept:
        found = per_issue.get(iri, {})
        ordered = sorted(found, key=lambda i: issue_index[i])
        label, aliases = labels[iri]
        entities.append(
            {
                "iri": iri,
                "label": label,
                "aliases": aliases,
                "type": types[iri],
                # [issue index, mentions] pairs, flattened: the page sums them by series and period.
                "mentions": [x for i in ordered for x in (issue_index[i], found[i])],
                "evidence": [{"issue": issue_index[i], "text": text} for i, text in evidence.get(iri, [])],
                "drawn": iri in drawn_set,
                "focus": iri in focus_roots,
            }
        )
    edges = [
        {"from": entity_index[s], "to": entity_index[o], "predicate": p} for s, p, o in sorted(relations) if s != o
    ]
    edges += [
        {"from": entity_index[a], "to": entity_index[b], "predicate": "coMentioned", "count": n}
        for (a, b), n in sorted(co.items())
    ]
    return {
        "title": title,
        "window": {"series": [local_name(s) for s in window_series], "since": since or "", "until": until or ""},
        "focus": opts.focus or "",
        "budget": opts.budget,
        "cap": opts.cap,
        "in_window": len(ranked),  # entities mentioned inside the window (the data holds up to cap of them)
        "types": list(ENTITY_TYPES),
        "series": [
            {"iri": s, "slug": local_name(s), "label": series_labels.get(s, local_name(s))} for s in series_list
        ],
        "issues": [
            {
                "series": series_index[i["series"]],
                "date": i["date"],
                "title": i["title"],
                "url": i["url"],
                "iri": i["iri"],
            }
            for i in issue_list
        ],
        "entities": entities,
        "edges": edges,
    }


def _evidence(
    select: Select, kept: list[str], drawn: set[str], in_window: set[str]
) -> dict[str, list[tuple[str, list[list[str]]]]]:
    """Entity -> its best (issue, sentence segments): most informative first, one per issue where it can."""
    by_sentence: dict[str, set[str]] = defaultdict(set)  # evidence node -> entities named in it
    rows = []
    for chunk in _chunks(kept):
        q = (
            f"SELECT DISTINCT ?e ?i ?ev ?anchor ?text WHERE {{ VALUES ?e {{ {_iris(chunk)} }} GRAPH ?g {{ "
            "?m cnkg:refersTo ?e ; cnkg:inIssue ?i ; nif:sentence ?ev ; nif:anchorOf ?anchor . "
            "?ev nif:anchorOf ?text } }"
        )
        for row in _q(select, q):
            if row["i"] in in_window:
                rows.append(row)
                by_sentence[row["ev"]].add(row["e"])
    # Other entities the sentence names: counted among all mentions, not only the kept ones.
    candidates: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    for row in rows:
        # The evidence node is the mention's line (a whole paragraph in LWCN): quote its sentence.
        text = sentence_around(str(row["text"]), str(row["anchor"]))
        score = sentence_score(text, len(by_sentence[row["ev"]]) - 1)
        candidates[row["e"]].append((score, row["i"], row["ev"], text))
    out: dict[str, list[tuple[str, list[list[str]]]]] = {}
    for iri, found in candidates.items():
        want = EVIDENCE_DRAWN if iri in drawn else EVIDENCE_OTHER
        found.sort(key=lambda c: (-c[0], c[1], c[2]))
        chosen: list[tuple[str, list[list[str]]]] = []
        texts: set[str] = set()
        issues_used: set[str] = set()
        for prefer_new_issue in (True, False):
            for _score, issue, _ev, text in found:
                if len(chosen) >= want:
                    break
                key = " ".join(text.split())
                if key in texts or (prefer_new_issue and issue in issues_used):
                    continue
                texts.add(key)
                issues_used.add(issue)
                chosen.append((issue, segments(text)))
        out[iri] = chosen
    return out
