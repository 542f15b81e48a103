"""Store -> the explorer's data: plain dicts and lists, ready for ``json.dumps``.

Everything is read with a handful of SPARQL SELECTs through one ``select(sparql) -> rows`` callable
(kg.explorer.sparql: a store's or an endpoint's), so a live page can ask for the same shape.  Every pattern names its
graph (``GRAPH ?g``), so the queries mean the same on an endpoint whatever its default graph is.

The data holds every entity mentioned inside the window (series, dates) up to ``cap`` (most mentioned
first), so the page can search them all; the ``budget`` best of them (most mentioned, or nearest to
the focus) are marked ``drawn``.  Per entity: labels, type, mentions per issue (so the page can filter
by series, period and minimum mentions without asking again), first/last issue and its best evidence
sentences (as text/link segments: no Markdown reaches the page).  Edges: the relations of
``kg.model.PREDICATES`` and co-mentions (the co-mention tallies `kg build` keeps).

What it reads is bounded by what it keeps, not by the mentions: the ranking comes from the stats graph's
totals (every per-issue tally only for a date window), per-issue counts, labels, types and relations are
read for the kept entities, and evidence among the sentences of each entity's newest issues.

How it asks is kg.explorer.sparql; evidence text is kg.explorer.evidence; the live page's later pieces
(search, neighbours, one entity) are kg.explorer.live.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kg import ids
from kg.errors import KgError
from kg.explorer.evidence import safe_url, segments, sentence_around, sentence_score
from kg.explorer.sparql import (
    CHUNK,
    Select,
    chunks,
    iri_values,
    literal,
    local_name,
    query_rows,
    rows_over,
)
from kg.model import ENTITY_TYPES, PREDICATES, checked_date, entity_types_named
from kg.vocab import name_key, span_text

RELATIONS = tuple(ids.camel(p) for p in PREDICATES)
DEFAULT_BUDGET = 300
DEFAULT_CAP = 5000
EVIDENCE_DRAWN = 3  # sentences kept per drawn entity
EVIDENCE_OTHER = 1  # per entity reachable by search only (keeps the file small)
# Evidence is chosen among the sentences of an entity's newest issues only: Kubernetes is quoted in every
# issue, and reading all its sentences (thousands) to keep three cost most of the page's time.
EVIDENCE_ISSUES_DRAWN = 6
EVIDENCE_ISSUES_OTHER = 2
STATS_GRAPH = f"<{ids.GRAPH_STATS}>"


@dataclass
class ExplorerOptions:
    focus: str | None = None
    series: str | None = None  # a series slug or label
    since: str | None = None  # YYYY[-MM[-DD]], inclusive
    until: str | None = None
    budget: int = DEFAULT_BUDGET  # entities drawn at first
    cap: int = DEFAULT_CAP  # entities in the data (the rest of the window is left out)
    depth: int | None = None  # with focus: draw neighbours up to this many hops only (None: until the budget)
    types: list[str] | None = None  # only entities of these types (None: all)
    min_mentions: int = 1  # only entities mentioned this often inside the window


# --------------------------------------------------------------------------- reading


def _series(select: Select) -> dict[str, str]:
    rows = query_rows(
        select, "SELECT DISTINCT ?n ?label WHERE { GRAPH ?g { ?n a cnkg:Newsletter ; rdfs:label ?label } }"
    )
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["n"], str(r["label"]))):
        labels.setdefault(row["n"], str(row["label"]))
    return labels


def _issues(select: Select) -> dict[str, dict[str, Any]]:
    rows = query_rows(
        select,
        "SELECT ?i ?g ?series ?date ?title ?url WHERE { GRAPH ?g { ?i a cnkg:Issue ; schema:isPartOf ?series . "
        "OPTIONAL { ?i schema:datePublished ?date } OPTIONAL { ?i rdfs:label ?title } "
        "OPTIONAL { ?i schema:url ?url } } }",
    )
    issues: dict[str, dict[str, Any]] = {}
    # The issue's own graph (its mentions are there) sorts first: the per-issue prefix.
    own = ids.GRAPH_ISSUE_PREFIX
    for row in sorted(rows, key=lambda r: (r["i"], not r["g"].startswith(own), r["g"], str(r["title"] or ""))):
        issues.setdefault(
            row["i"],
            {
                "iri": row["i"],
                "series": row["series"],
                "date": str(row["date"] or "")[:10],
                "title": str(row["title"] or local_name(row["i"])),
                "url": safe_url(str(row["url"] or "")),
                "graph": row["g"],
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


def entity_types(select: Select, iris: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    wanted = ", ".join(f"cnkg:{t}" for t in ENTITY_TYPES)
    for row in rows_over(
        select,
        iris,
        lambda values: (
            f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?e a ?type }} "
            f"FILTER(?type IN ({wanted})) }}"
        ),
    ):
        type_ = local_name(row["type"])
        if row["e"] not in found or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(found[row["e"]]):
            found[row["e"]] = type_
    return found


def _labels(select: Select, iris: list[str]) -> dict[str, tuple[str, list[str]]]:
    """IRI -> (label, aliases): the English or untagged label first, then Chinese."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    alts: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(iris):
        q = (
            f"SELECT DISTINCT ?e ?p ?l (LANG(?l) AS ?lang) WHERE {{ VALUES ?e {{ {iri_values(chunk)} }} "
            "GRAPH ?g { ?e ?p ?l } FILTER(?p IN (rdfs:label, skos:altLabel) && isLiteral(?l)) }"
        )
        for row in sorted(query_rows(select, q), key=lambda r: (r["e"], r["p"], str(r["lang"]), str(r["l"]))):
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
        if entity_types(select, [name]):
            return [name]
    rows = query_rows(
        select,
        # A JSON string is a valid SPARQL string literal (same escapes).
        f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e cnkg:nameKey {literal(name_key(name))} }} }}",
    )
    found = sorted(r["e"] for r in rows)
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return found


@dataclass
class Context:
    """What every piece of explorer data refers to: the series and the issues, in the page's order."""

    series_labels: dict[str, str]  # newsletter IRI -> label
    issues: dict[str, dict[str, Any]]  # issue IRI -> iri, series, date, title, url, graph
    issue_list: list[dict[str, Any]]  # by date (undated last), then IRI: a mention names its issue by index here
    issue_index: dict[str, int]
    series_list: list[str]
    series_index: dict[str, int]

    def page_issues(self) -> list[dict[str, Any]]:
        keys = ("date", "title", "url", "iri")
        return [{"series": self.series_index[i["series"]], **{k: i[k] for k in keys}} for i in self.issue_list]

    def page_series(self) -> list[dict[str, str]]:
        return [
            {"iri": s, "slug": local_name(s), "label": self.series_labels.get(s, local_name(s))}
            for s in self.series_list
        ]


def read_context(select: Select) -> Context:
    series_labels = _series(select)
    issues = _issues(select)
    issue_list = sorted(issues.values(), key=lambda i: (i["date"] or "9999", i["iri"]))
    series_list = sorted({i["series"] for i in issue_list})
    return Context(
        series_labels,
        issues,
        issue_list,
        {i["iri"]: n for n, i in enumerate(issue_list)},
        series_list,
        {s: n for n, s in enumerate(series_list)},
    )


def _scan_mentions(select: Select, in_window: set[str]) -> dict[str, dict[str, int]]:
    """Entity -> issue -> mentions, for every entity mentioned inside the window: every mention counted.

    Two sub-selects joined by hash (faster here than one pattern, which Oxigraph evaluates as a lookup
    per mention)."""
    per_issue: dict[str, dict[str, int]] = defaultdict(dict)
    rows = query_rows(
        select,
        "SELECT ?e ?i (COUNT(*) AS ?n) WHERE { { SELECT ?m ?e WHERE { GRAPH ?g1 { ?m cnkg:refersTo ?e } } } "
        "{ SELECT ?m ?i WHERE { GRAPH ?g2 { ?m cnkg:inIssue ?i } } } } GROUP BY ?e ?i",
    )
    for row in rows:
        if row["i"] in in_window:
            per_issue[row["e"]][row["i"]] = int(row["n"])
    return per_issue


def mention_counts(select: Select, iris: list[str], in_window: set[str]) -> dict[str, dict[str, int]]:
    """Entity -> issue -> mentions inside the window, for these entities: their mentions counted per issue."""
    per_issue: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows_over(
        select,
        iris,
        lambda values: (
            f"SELECT ?e ?i (COUNT(*) AS ?n) WHERE {{ VALUES ?e {{ {values} }} "
            "GRAPH ?g { ?m cnkg:refersTo ?e ; cnkg:inIssue ?i } } GROUP BY ?e ?i"
        ),
    ):
        if row["i"] in in_window:
            per_issue[row["e"]][row["i"]] = int(row["n"])
    return per_issue


def counts_among(
    counts: Mapping[str, Mapping[str, int]], iris: list[str], in_window: set[str]
) -> dict[str, dict[str, int]]:
    """Entity -> issue -> mentions inside the window, for these entities, from counts kept per issue (the
    same as :func:`mention_counts` reads from the store)."""
    wanted = set(iris)
    per_issue: dict[str, dict[str, int]] = defaultdict(dict)
    for issue, found in counts.items():
        if issue in in_window:
            for entity, mentions in found.items():
                if entity in wanted:
                    per_issue[entity][issue] = mentions
    return per_issue


def _ranked_body(series: list[str], types: list[str] | None) -> str:
    """The pattern ranking entities by the stats graph's totals (per series).

    A type test costs a lookup per entity (most of the query's time): left out when every type is wanted, the
    caller checking the types of the rows it keeps."""
    in_series = f"FILTER(?s IN ({iri_values(series)}))" if series else ""
    typed = ""
    if types:
        wanted = ", ".join(f"cnkg:{t}" for t in types)
        typed = f"FILTER EXISTS {{ GRAPH ?tg {{ ?e a ?type }} FILTER(?type IN ({wanted})) }}"
    return (
        f"GRAPH {STATS_GRAPH} {{ ?t a cnkg:MentionTotal ; cnkg:tallyOf ?e ; cnkg:inSeries ?s ; "
        f"cnkg:mentionCount ?n }} {in_series} {typed}"
    )


def ranked_entities(
    select: Select, series: list[str], types: list[str] | None, least: int, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """Up to ``limit`` most mentioned (entity, mentions), ties by IRI, from the totals `kg build` keeps in
    the stats graph (the window's series only, ``least`` mentions or more); and how many entities pass.

    Ordered by the count alone in SPARQL (by count and IRI made the query five times slower here).  When the
    limit cuts through a tie, the tied entities are left out (all of them: which of them the store returned
    first must not matter) if 80% of the limit is left, else they are read again and cut by IRI (the tie of
    entities mentioned once holds most of a store)."""
    grouped = f"SELECT ?e (SUM(?n) AS ?total) WHERE {{ {_ranked_body(series, types)} }} GROUP BY ?e "
    having = f"HAVING (SUM(?n) >= {int(least)}) "
    rows = [
        (r["e"], int(r["total"]))
        for r in query_rows(select, f"{grouped}{having}ORDER BY DESC(?total) LIMIT {limit + 1}")
    ]
    if len(rows) <= limit:
        return sorted(rows, key=lambda r: (-r[1], r[0])), len(rows)
    last = rows[limit - 1][1]
    above = sorted(((e, n) for e, n in rows if n > last), key=lambda r: (-r[1], r[0]))
    if rows[limit][1] != last:
        tied = sorted(e for e, n in rows[:limit] if n == last)
    elif len(above) >= 0.8 * limit:  # the limit cuts through a tie: leave it out
        tied = []
    else:
        tied = sorted(r["e"] for r in query_rows(select, f"{grouped}HAVING (SUM(?n) = {last})"))
    if series or types or least > 1:
        count_q = f"SELECT (COUNT(*) AS ?count) WHERE {{ {grouped}{having}}}"
    else:
        totals = f"GRAPH {STATS_GRAPH} {{ ?t a cnkg:MentionTotal ; cnkg:tallyOf ?e }}"
        count_q = f"SELECT (COUNT(DISTINCT ?e) AS ?count) WHERE {{ {totals} }}"
    count = int(query_rows(select, count_q)[0]["count"])
    return above + [(e, last) for e in tied[: limit - len(above)]], count


def explorer_data(
    select: Select,
    options: ExplorerOptions | None = None,
    title: str = "cnkg explorer",
    counts: Mapping[str, Mapping[str, int]] | None = None,
) -> dict:
    """The explorer's data for this window (see the module docstring); ``select`` from
    :func:`store_select` or :func:`endpoint_select`.  ``counts`` (issue IRI -> entity -> mentions, every
    issue) answers the per-issue mentions of the ranked entities instead of the store, when the caller
    keeps them (`kg build`'s overview)."""
    opts = options or ExplorerOptions()
    if opts.budget < 1:
        raise KgError(f"--budget must be 1 or more, not {opts.budget}")
    if opts.depth is not None and opts.depth < 0:
        raise KgError(f"--depth must be 0 or more, not {opts.depth}")
    if opts.min_mentions < 1:
        raise KgError(
            f"--min-mentions must be 1 or more, not {opts.min_mentions} (the explorer shows mentioned entities)"
        )
    since, until = checked_date(opts.since, "--since"), checked_date(opts.until, "--until")
    wanted_types = entity_types_named(opts.types)
    ctx = read_context(select)
    window_series = _resolve_series(ctx.series_labels, ctx.issues, opts.series)
    in_window = _window_issues(ctx.issues, window_series, since, until)
    focus_roots = _focus_iris(select, opts.focus) if opts.focus else []

    ranked: list[str] = []
    per_issue: dict[str, dict[str, int]] = {}
    if not (since or until):
        # The common window (all issues, or whole series): ranked by the stats graph's totals, and only the
        # kept entities' per-issue tallies read.
        top, in_window_count = ranked_entities(select, window_series, wanted_types, opts.min_mentions, opts.cap)
        if top:
            ranked = [e for e, _n in top]
            wanted = ranked + focus_roots
            per_issue = (
                mention_counts(select, wanted, in_window) if counts is None else counts_among(counts, wanted, in_window)
            )
    if not ranked:  # a date window, or a store without totals: every tally, summed here
        per_issue = _scan_mentions(select, in_window)
        totals = {e: sum(found.values()) for e, found in per_issue.items()}
        order = sorted((e for e, n in totals.items() if n >= opts.min_mentions), key=lambda e: (-totals[e], e))
        typed = entity_types(select, order)
        ranked = [e for e in order if e in typed and (not wanted_types or typed[e] in wanted_types)]
        in_window_count = len(ranked)
        ranked = ranked[: opts.cap]
    totals = {e: sum(per_issue.get(e, {}).values()) for e in [*ranked, *focus_roots]}
    types = entity_types(select, list(dict.fromkeys([*focus_roots, *ranked])))
    focus_roots = [r for r in focus_roots if r in types]
    # An entity typed twice shows its first type (ENTITY_TYPES order): it must be a wanted one (the focus: any).
    wanted_set = set(wanted_types or ENTITY_TYPES)
    kept = [
        e for e in dict.fromkeys([*focus_roots, *ranked]) if e in types and (e in focus_roots or types[e] in wanted_set)
    ]
    kept_set = set(kept)

    relations = relations_among(select, kept, kept_set)
    co = _co_mentions(select, kept_set, in_window, whole=len(in_window) == len(ctx.issues))

    # Drawn: the focus and its neighbours nearest first (up to --depth hops), else the most mentioned.
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
        hops = 0
        while frontier and len(order) < opts.budget and (opts.depth is None or hops < opts.depth):
            nxt = sorted({n for f in frontier for n in neighbours[f]} - seen, key=lambda e: (-totals.get(e, 0), e))
            order.extend(nxt)
            seen.update(nxt)
            frontier = nxt
            hops += 1
        drawn = order[: opts.budget]
    else:
        drawn = kept[: opts.budget]
    drawn_set = set(drawn)

    entities = entity_records(select, ctx, kept, per_issue, types, drawn_set, set(focus_roots))
    entity_index = {iri: n for n, iri in enumerate(kept)}
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
        "in_window": in_window_count,  # entities mentioned inside the window (the data holds up to cap of them)
        "types": wanted_types or list(ENTITY_TYPES),
        "min_mentions": opts.min_mentions,
        "series": ctx.page_series(),
        "issues": ctx.page_issues(),
        "entities": entities,
        "edges": edges,
    }


PREDICATE_FILTER = "FILTER(?p IN ({}))".format(", ".join(f"cnkg:{p}" for p in RELATIONS))
RELATION_PATTERN = f"GRAPH ?g {{ ?s ?p ?o }} {PREDICATE_FILTER}"


def relations_among(select: Select, sources: list[str], among: set[str]) -> set[tuple[str, str, str]]:
    """(subject, predicate, object) relations from ``sources`` to entities of ``among``."""
    relations: set[tuple[str, str, str]] = set()
    rows = rows_over(
        select,
        sources,
        lambda values: f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} {RELATION_PATTERN} }}",
    )
    relations.update((r["s"], local_name(r["p"]), r["o"]) for r in rows if r["o"] in among)
    return relations


def co_mention_totals_query(ordered: bool) -> Callable[[str], str]:
    """The stats graph's co-mention totals of the entities in a VALUES block (``ordered``: each pair once)."""
    keep = "STR(?a) < STR(?b)" if ordered else "?a != ?b"
    return lambda values: (
        f"SELECT ?a ?b ?n WHERE {{ VALUES ?a {{ {values} }} GRAPH {STATS_GRAPH} {{ "
        f"?t a cnkg:CoMentionTotal ; cnkg:tallyOf ?a, ?b ; cnkg:sentenceCount ?n }} FILTER({keep}) }}"
    )


def _co_mentions(select: Select, among: set[str], in_window: set[str], whole: bool) -> dict[tuple[str, str], int]:
    """(a, b) -> sentences naming both inside the window, for pairs of ``among``: the stats graph's totals
    when the window is every issue (``whole``), else the per-issue tallies of the window."""
    co: dict[tuple[str, str], int] = defaultdict(int)
    if whole:
        for row in rows_over(select, among, co_mention_totals_query(ordered=True)):
            if row["b"] in among:
                co[(row["a"], row["b"])] = int(row["n"])
        return co
    rows = query_rows(
        select,
        "SELECT ?i ?a ?b ?n WHERE { GRAPH ?g { ?t a cnkg:CoMentionTally ; cnkg:inIssue ?i ; cnkg:tallyOf ?a, ?b ; "
        "cnkg:sentenceCount ?n } FILTER(STR(?a) < STR(?b)) }",
    )
    for row in rows:
        if row["i"] in in_window and row["a"] in among and row["b"] in among:
            co[(row["a"], row["b"])] += int(row["n"])
    return co


def entity_records(
    select: Select,
    ctx: Context,
    iris: list[str],
    per_issue: dict[str, dict[str, int]],
    types: dict[str, str],
    drawn: set[str],
    focus: set[str],
) -> list[dict[str, Any]]:
    """The page's record of each entity: labels, type, mentions per issue, evidence (more when drawn)."""
    labels = _labels(select, iris)
    evidence = _evidence(select, ctx, iris, drawn, per_issue)
    records = []
    for iri in iris:
        found = per_issue.get(iri, {})
        ordered = sorted(found, key=lambda i: ctx.issue_index[i])
        label, aliases = labels[iri]
        records.append(
            {
                "iri": iri,
                "label": label,
                "aliases": aliases,
                "type": types[iri],
                # [issue index, mentions] pairs, flattened: the page sums them by series and period.
                "mentions": [x for i in ordered for x in (ctx.issue_index[i], found[i])],
                "evidence": [{"issue": ctx.issue_index[i], "text": text} for i, text in evidence.get(iri, [])],
                "drawn": iri in drawn,
                "focus": iri in focus,
            }
        )
    return records


def _evidence(
    select: Select, ctx: Context, kept: list[str], drawn: set[str], per_issue: dict[str, dict[str, int]]
) -> dict[str, list[tuple[str, list[list[str]]]]]:
    """Entity -> its best (issue, sentence segments), among the sentences of its newest issues: most
    informative first, one per issue where it can."""
    pairs: list[tuple[str, str]] = []  # (issue graph, entity)
    issue_of_graph: dict[str, str] = {}
    for iri in kept:
        newest = sorted(per_issue.get(iri, {}), key=lambda i: ctx.issue_index[i], reverse=True)
        for issue in newest[: EVIDENCE_ISSUES_DRAWN if iri in drawn else EVIDENCE_ISSUES_OTHER]:
            graph = ctx.issues[issue]["graph"]
            issue_of_graph[graph] = issue
            pairs.append((graph, iri))
    rows = []
    for start in range(0, len(pairs), CHUNK):
        values = " ".join(f"({iri_values([g])} {iri_values([e])})" for g, e in pairs[start : start + CHUNK])
        q = (
            f"SELECT DISTINCT ?g ?e ?ev ?anchor ?text WHERE {{ VALUES (?g ?e) {{ {values} }} GRAPH ?g {{ "
            f"?m cnkg:refersTo ?e ; nif:sentence ?ev ; nif:anchorOf ?anchor . {span_text('?ev', '?text')} }} }}"
        )
        rows.extend(query_rows(select, q))
    # Other entities the sentence names: counted among all its mentions, not only the kept ones.
    named: dict[str, int] = {}
    sentences = {row["ev"] for row in rows}
    for row in rows_over(
        select,
        sentences,
        lambda values: (
            f"SELECT ?ev (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?ev {{ {values} }} "
            "GRAPH ?g { ?m nif:sentence ?ev ; cnkg:refersTo ?x } } GROUP BY ?ev"
        ),
    ):
        named[row["ev"]] = int(row["n"])
    candidates: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    scores: dict[tuple[str, int], float] = {}
    for row in rows:
        # The evidence node is the mention's line (a whole paragraph in LWCN): quote its sentence.
        text = sentence_around(str(row["text"]), str(row["anchor"]))
        others = named.get(row["ev"], 1) - 1
        if (text, others) not in scores:
            scores[(text, others)] = sentence_score(text, others)
        candidates[row["e"]].append((scores[(text, others)], issue_of_graph[row["g"]], row["ev"], text))
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
