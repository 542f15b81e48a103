"""The canned queries that read materialised counts (tallies and the stats graph) give exactly what
the same questions asked of every mention give: each one is checked against its formulation over
mentions (as the queries were written before the counts existed), on a real build."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kg import aggregates
from kg import query as q
from kg.build import build
from kg.store import GraphStore

from .conftest import SEED, SHARED

LWCN = SHARED / "corpus" / "lwcn"

# The same questions asked of every mention (the oracle).
OVER_MENTIONS: dict[str, str] = {
    "most-mentioned-projects": """
SELECT (MIN(?l) AS ?label) (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?issue) AS ?issues)
WHERE {
  ?m cnkg:refersTo ?project ; cnkg:inIssue ?issue .
  ?project a cnkg:Project ; rdfs:label ?l .
  ?issue schema:isPartOf ?newsletter .
  OPTIONAL { ?issue schema:datePublished ?date }
  FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
  FILTER(!BOUND(?year) || (BOUND(?date) && YEAR(?date) = ?year))
}
GROUP BY ?project
ORDER BY DESC(?mentions) ?label
""",
    "co-mentioned-projects": """
SELECT (MIN(?la) AS ?a) (MIN(?lb) AS ?b) (COUNT(DISTINCT ?ev) AS ?together) (COUNT(DISTINCT ?issue) AS ?issues)
WHERE {
  ?m1 cnkg:refersTo ?p1 ; nif:sentence ?ev ; cnkg:inIssue ?issue .
  ?m2 cnkg:refersTo ?p2 ; nif:sentence ?ev .
  FILTER(STR(?p1) < STR(?p2))
  ?issue schema:isPartOf ?newsletter .
  FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
  ?p1 a cnkg:Project ; rdfs:label ?la .
  ?p2 a cnkg:Project ; rdfs:label ?lb .
  FILTER(!BOUND(?name) || EXISTS { ?p1 cnkg:nameKey ?name } || EXISTS { ?p2 cnkg:nameKey ?name })
}
GROUP BY ?p1 ?p2
ORDER BY DESC(?together) ?a ?b
""",
    "cross-series-entities": """
SELECT (MIN(?l) AS ?label) ?entityType ?series ?issues ?mentions ?bySeries
WHERE {
  {
    SELECT ?e (COUNT(?newsletter) AS ?series) (SUM(?k) AS ?issues) (SUM(?n) AS ?mentions)
           (GROUP_CONCAT(?part; separator="; ") AS ?bySeries)
    WHERE {
      {
        SELECT ?e ?newsletter ?k ?n ?part
        WHERE {
          {
            SELECT ?e ?newsletter (COUNT(DISTINCT ?issue) AS ?k) (COUNT(DISTINCT ?m) AS ?n)
            WHERE { ?m cnkg:refersTo ?e ; cnkg:inIssue ?issue . ?issue schema:isPartOf ?newsletter }
            GROUP BY ?e ?newsletter
          }
          BIND(CONCAT(STRAFTER(STR(?newsletter), "/newsletter/"), ": ", STR(?k), IF(?k = 1, " issue, ", " issues, "),
                      STR(?n), IF(?n = 1, " mention", " mentions")) AS ?part)
        }
        ORDER BY ?part
      }
    }
    GROUP BY ?e
    HAVING (COUNT(?newsletter) > 1
            && SUM(IF(!BOUND(?series1) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series1)), 1, 0)) > 0
            && SUM(IF(!BOUND(?series2) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series2)), 1, 0)) > 0)
  }
  ?e a ?class ; rdfs:label ?l .
  FILTER(STRSTARTS(STR(?class), STR(cnkg:)))
  BIND(STRAFTER(STR(?class), "#") AS ?entityType)
  FILTER(!BOUND(?type) || ?entityType = STR(?type))
}
GROUP BY ?e ?entityType ?series ?issues ?mentions ?bySeries
ORDER BY DESC(?issues) ?label
""",
    "issues": """
SELECT (SAMPLE(?sn) AS ?seriesName) ?number ?date (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?e) AS ?entities)
WHERE {
  ?issue a cnkg:Issue ; schema:issueNumber ?number ; dcterms:title ?t ; schema:isPartOf ?newsletter .
  ?newsletter rdfs:label ?sn .
  OPTIONAL { ?issue schema:datePublished ?date }
  OPTIONAL { ?issue cnkg:mentions ?e }
  FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
}
GROUP BY ?issue ?number ?date
ORDER BY ?seriesName ?date ?number
""",
    "issue-authors": """
SELECT DISTINCT ?person ?role ?issueLabel ?date
WHERE {
  { ?issue cnkg:authoredBy ?p . BIND("author" AS ?role) }
  UNION
  { ?issue cnkg:editedBy ?p . BIND("editor" AS ?role) }
  ?p rdfs:label ?person .
  ?issue rdfs:label ?issueLabel .
  OPTIONAL { ?issue schema:datePublished ?date }
  FILTER(!BOUND(?personName) || LCASE(STR(?person)) = LCASE(STR(?personName)))
}
ORDER BY ?person ?date
""",
    "issue-recommendations": """
SELECT ?issueLabel ?date (MIN(?l) AS ?project) (SAMPLE(?repo) AS ?repository) (SAMPLE(?d) AS ?discovered)
WHERE {
  ?issue cnkg:recommends ?p ; rdfs:label ?issueLabel ; schema:issueNumber ?num .
  ?p rdfs:label ?l .
  OPTIONAL { ?issue schema:datePublished ?date }
  OPTIONAL { ?p cnkg:repository ?repo }
  OPTIONAL { ?p cnkg:discovered ?d }
  FILTER(!BOUND(?number) || STR(?num) = STR(?number))
}
GROUP BY ?issueLabel ?date ?p
ORDER BY ?date ?issueLabel ?project
""",
    "project-mentions": """
SELECT DISTINCT ?issueLabel ?date ?section ?anchor ?sentence ?start
WHERE {
  ?entity cnkg:nameKey ?name .
  ?m cnkg:refersTo ?entity ; cnkg:inIssue ?issue ; nif:anchorOf ?anchor ; nif:beginIndex ?start .
  ?issue rdfs:label ?issueLabel ; schema:isPartOf ?newsletter .
  FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
  OPTIONAL { ?issue schema:datePublished ?date }
  OPTIONAL { ?m cnkg:inSection ?s . ?s rdfs:label ?section }
  OPTIONAL { ?m nif:sentence ?ev . ?ev nif:referenceContext ?c ; nif:beginIndex ?b ; nif:endIndex ?x .
             ?c nif:isString ?str BIND(SUBSTR(?str, ?b + 1, ?x - ?b) AS ?sentence) }
}
ORDER BY ?date ?issueLabel ?start
""",
    "project-releases": """
SELECT (MIN(?l) AS ?release) (SAMPLE(?v) AS ?version) (SAMPLE(?s) AS ?stage) (MIN(?date) AS ?firstMentioned)
       (STRAFTER(MIN(?key), "\u0001") AS ?firstIssue) (COUNT(DISTINCT ?issue) AS ?issues)
WHERE {
  ?project cnkg:nameKey ?name .
  ?project cnkg:hasRelease ?r .
  ?r rdfs:label ?l .
  OPTIONAL { ?r doap:revision ?v }
  OPTIONAL { ?r cnkg:stage ?s }
  OPTIONAL {
    ?m cnkg:refersTo ?r ; cnkg:inIssue ?issue .
    ?issue schema:isPartOf ?newsletter ; schema:issueNumber ?number .
    OPTIONAL { ?issue schema:datePublished ?date }
    FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
    # The first issue: earliest date (none last), then series and number.
    BIND(CONCAT(COALESCE(STR(?date), "9999-99-99"), "\u0001", STRAFTER(STR(?newsletter), "/newsletter/"), " ",
                STR(?number)) AS ?key)
  }
}
GROUP BY ?r
HAVING (SUM(IF(BOUND(?series), 0, 1)) > 0 || COUNT(?issue) > 0)
ORDER BY ?firstMentioned ?release
""",
    "keps": """
SELECT ?kep ?title ?sig ?kepStage ?features ?targets ?issues
WHERE {
  {
    SELECT ?k (COUNT(DISTINCT ?issue) AS ?issues) WHERE { ?m cnkg:refersTo ?k ; cnkg:inIssue ?issue . ?k a cnkg:KEP }
    GROUP BY ?k
  }
  { SELECT ?k (MIN(?l) AS ?kep) WHERE { ?k a cnkg:KEP ; rdfs:label ?l } GROUP BY ?k }
  OPTIONAL { ?k dcterms:title ?title }
  OPTIONAL { ?k cnkg:sig ?sig }
  OPTIONAL { ?k cnkg:stage ?kepStage }
  OPTIONAL {
    SELECT ?k (GROUP_CONCAT(DISTINCT ?feature; separator=", ") AS ?features)
    WHERE { ?k a cnkg:KEP ; cnkg:about ?f . ?f rdfs:label ?feature } GROUP BY ?k
  }
  OPTIONAL {
    SELECT ?k (GROUP_CONCAT(DISTINCT ?target; separator=", ") AS ?targets)
    WHERE { ?k a cnkg:KEP . { ?k cnkg:targetsRelease ?rel } UNION { ?k cnkg:about ?f2 . ?f2 cnkg:targetsRelease ?rel }
            ?rel rdfs:label ?target } GROUP BY ?k
  }
  FILTER(!BOUND(?stage) || (BOUND(?kepStage) && LCASE(STR(?kepStage)) = LCASE(STR(?stage))))
}
ORDER BY DESC(?issues) ?kep
""",
    "discovered-projects": """
SELECT (MIN(?l) AS ?project) (SAMPLE(?repo) AS ?repository) (COUNT(DISTINCT ?issue) AS ?issues)
       (MIN(?date) AS ?firstSeen)
WHERE {
  ?p cnkg:discovered true ; rdfs:label ?l .
  OPTIONAL { ?p cnkg:repository ?repo }
  OPTIONAL {
    ?m cnkg:refersTo ?p ; cnkg:inIssue ?issue .
    ?issue schema:isPartOf ?newsletter .
    OPTIONAL { ?issue schema:datePublished ?date }
    FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
  }
}
GROUP BY ?p
HAVING (SUM(IF(BOUND(?series), 0, 1)) > 0 || COUNT(?issue) > 0)
ORDER BY DESC(?issues) ?project
""",
    "mentions-over-time": """
SELECT ?month (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?issue) AS ?issues)
WHERE {
  ?entity cnkg:nameKey ?name .
  ?m cnkg:refersTo ?entity ; cnkg:inIssue ?issue .
  ?issue schema:datePublished ?date ; schema:isPartOf ?newsletter .
  FILTER(!BOUND(?series) || ?newsletter = IRI(CONCAT(STR(id:), "newsletter/", ?series)))
  BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
}
GROUP BY ?month
ORDER BY ?month
""",
}

CASES: list[tuple[str, dict[str, str]]] = [
    ("most-mentioned-projects", {}),
    ("most-mentioned-projects", {"series": "lwkd"}),
    ("most-mentioned-projects", {"year": "2021"}),
    ("most-mentioned-projects", {"year": "2021", "series": "lwkd"}),
    ("most-mentioned-projects", {"series": "cloud-native-weekly"}),
    ("co-mentioned-projects", {}),
    ("co-mentioned-projects", {"name": "kubelet"}),
    ("co-mentioned-projects", {"series": "lwkd"}),
    ("co-mentioned-projects", {"series": "lwkd", "name": "kubelet"}),
    ("cross-series-entities", {}),
    ("cross-series-entities", {"type": "Project"}),
    ("cross-series-entities", {"series1": "lwkd", "series2": "cloud-native-weekly"}),
    ("issues", {}),
    ("issues", {"series": "cloud-native-weekly"}),
    ("issue-authors", {}),
    ("issue-authors", {"personName": "墨封"}),
    ("issue-recommendations", {}),
    ("issue-recommendations", {"number": "17"}),
    ("project-mentions", {"name": "Kubernetes"}),
    ("project-mentions", {"name": "Kubernetes", "series": "cloud-native-weekly"}),
    ("project-releases", {"name": "Kubernetes"}),
    ("project-releases", {"name": "Kubernetes", "series": "lwkd"}),
    ("keps", {}),
    ("discovered-projects", {}),
    ("discovered-projects", {"series": "lwkd"}),
    ("mentions-over-time", {"name": "kubectl"}),
    ("mentions-over-time", {"name": "kubectl", "series": "lwkd"}),
]
if LWCN.is_dir():  # a third series, when ../shared has it
    CASES += [
        ("most-mentioned-projects", {"series": "lwcn"}),
        ("co-mentioned-projects", {"series": "lwcn"}),
        ("cross-series-entities", {"series1": "lwcn"}),
        ("cross-series-entities", {"series1": "lwcn", "series2": "lwkd"}),
        ("project-releases", {"name": "Kubernetes", "series": "lwcn"}),
        ("project-mentions", {"name": "Kubernetes", "series": "lwcn"}),
    ]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, lwkd_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("aggregates")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    # LWKD issues of several years, so that series, years and co-mentions all have something to count.
    for path in sorted(lwkd_dir.glob("*.md"))[::12]:
        shutil.copy(path, corpus / path.name)
    # Two LWCN weeks (each with its articles page), when ../shared has them: a third series.
    for week in ("2026-week-09", "2026-week-10"):
        for path in sorted(LWCN.glob(f"{week}*.md")):
            shutil.copy(path, corpus / path.name)
    assert build([corpus], root / "build", workers=2, write_html=False).ok
    return root / "build"


@pytest.fixture(scope="module")
def lwkd_dir() -> Path:
    from .conftest import LWKD

    if not LWKD.is_dir():
        pytest.skip("../shared/corpus/lwkd is absent")
    return LWKD


def _rows(graph: GraphStore, sparql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in q.run(graph, sparql, params)[1]]


@pytest.mark.parametrize(("name", "given"), CASES, ids=[f"{n}-{'-'.join(g.values()) or 'all'}" for n, g in CASES])
def test_counts_equal_the_counts_over_mentions(store_dir: Path, name: str, given: dict[str, str]) -> None:
    canned = q.canned_queries()[name]
    paging = {p.name: "100000" for p in canned.params if p.type == "limit"}
    sparql, params = q.resolve(name, None, {**given, **paging})
    with GraphStore.open(store_dir, read_only=True) as graph:
        new = _rows(graph, sparql, params)
        old = _rows(graph, OVER_MENTIONS[name], params)
    assert new, f"{name} {given}: no rows, so nothing was compared"
    assert sorted(new, key=repr) == sorted(old, key=repr)


def test_listings_page(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        everything = _rows(graph, *q.resolve("issues", None, {"limit": "1000"}))
        first = _rows(graph, *q.resolve("issues", None, {"limit": "3"}))
        second = _rows(graph, *q.resolve("issues", None, {"limit": "3", "offset": "3"}))
        default = _rows(graph, *q.resolve("issues", None, {}))
    assert len(everything) > 6
    assert first + second == everything[:6]
    assert default == everything[:100]


def test_totals_follow_changes_of_the_store(tmp_path: Path, lwkd_dir: Path) -> None:
    """After adding, changing and removing issues the stats graph equals one summed from scratch."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(lwkd_dir.glob("*.md"))[200:206]
    for path in files[:4]:
        shutil.copy(path, corpus / path.name)
    out = tmp_path / "build"
    assert build([corpus], out, write_html=False).ok
    shutil.copy(files[4], corpus / files[4].name)  # added
    (corpus / files[0].name).unlink()  # removed
    changed = corpus / files[1].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nKubernetes and Cilium and Helm.\n", encoding="utf-8")
    assert build([corpus], out, write_html=False).ok
    with GraphStore.open(out) as graph:
        incremental = graph.canonical_nquads()
        stamp = aggregates.current_stamp(graph)
        assert stamp is not None
        aggregates.refresh(graph, stamp)
        assert graph.canonical_nquads() == incremental
