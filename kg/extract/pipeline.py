"""Issue + Catalog -> Extraction: the phases, in the order they run, and what each reads and writes.

The NLP pipeline (kg.nlp) finds candidate spans (``hits``); the phases decide what they denote, using the
document's structure as much as its words: links and their URLs, the section an item sits in (releases,
recommendations, reading lists, version updates), the item's title, the subsection's project
("Kubernetes 项目"), and the series' default project (LWKD is about Kubernetes).  Each phase is a module of
:mod:`kg.extract.phases` with one ``run(ctx)``; they share one :class:`kg.extract.context.Context`.  A phase
adds entities, mentions and relations through the context and never removes what an earlier one added, so
the order below is the precedence: the first phase to place a mention on a span keeps it.

To add a rule: find the phase whose reads/writes fit, or add a module and a row here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.extract.context import Context
from kg.extract.phases import (
    articles,
    bylines,
    catalog_names,
    events,
    hyphen_prefixes,
    kep_titles,
    listed_projects,
    metadata,
    organizations,
    patterns,
    people,
    persons,
    promotions,
    relations,
    release_links,
    releases,
    structural_titles,
    update_lines,
)
from kg.model import Extraction, Issue
from kg.nlp.hits import hits_of

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Phase:
    name: str
    run: Callable[[Context], None]
    reads: str
    writes: str


PHASES: tuple[Phase, ...] = (
    Phase("metadata", metadata.run, "issue bylines", "Person, Organization; ISSUE relations"),
    Phase("events", events.run, "event hits, text", "Event"),
    Phase("catalog_names", catalog_names.run, "catalog hits, unit context", "catalog entities; feature owners"),
    Phase("release_links", release_links.run, "links (anchor + release URL)", "Project, Release, has_release, part_of"),
    Phase("kep_titles", kep_titles.run, "text, KEP catalog titles", "KEP"),
    Phase("update_lines", update_lines.run, "units of update sections", "Project, Release, has_release"),
    Phase("hyphen_prefixes", hyphen_prefixes.run, "text", "catalog mentions before '-native' etc."),
    Phase("structural_titles", structural_titles.run, "unit titles, kinds, links", "Project, Article; unit topics"),
    Phase("patterns", patterns.run, "KEP/CVE/repo/CamelCase/flag hits", "KEP, Vulnerability, Feature, Project"),
    Phase("promotions", promotions.run, "links followed by 'to beta' / 'in alpha'", "Feature, feature_of"),
    Phase("kep_features", kep_titles.features, "KEP links with number and title, KEP catalog gates", "Feature, about"),
    Phase("listed_projects", listed_projects.run, "text after list cues", "Project (discovered)"),
    Phase("persons", persons.run, "text, links", "Person"),
    Phase("people", people.run, "@mentions, profile links, community items", "Person"),
    Phase("organizations", organizations.run, "text", "Organization"),
    Phase("articles", articles.run, "links after article cues", "Article, written_by"),
    Phase("bylines", bylines.run, "units of placed articles", "Person, written_by"),
    Phase("releases", releases.run, "version hits, placed projects, unit topics", "Release, has_release"),
    Phase("relations", relations.run, "placed entities, units, cue words, catalog facts", "relations"),
)


def run_phases(ctx: Context, phases: tuple[Phase, ...] = PHASES) -> Extraction:
    for phase in phases:
        try:
            phase.run(ctx)
        except Exception:  # noqa: BLE001 - odd text must cost findings, never the whole issue
            _log.warning(
                "%s: extraction phase %s failed; continuing with fewer findings",
                ctx.issue.path,
                phase.name,
                exc_info=True,
            )
    reg = ctx.reg
    # Front matter is metadata: its names (keywords, a description) are not mentions, but for the issue's own
    # authors, editors and publishers read from it.
    if ctx.issue.body_start:
        issue_people = {o for s, _, o in ctx.relations if s == ctx.issue_id}
        for e in reg.by_id.values():
            if e.id not in issue_people and any(m.start < ctx.issue.body_start for m in e.mentions):
                e.mentions = [m for m in e.mentions if m.start >= ctx.issue.body_start]
    # The newsletter naming itself ("Last Week in Kubernetes Development") is not something it mentions.
    itself = ctx.issue.series_title
    entities = [
        e for e in reg.by_id.values() if (e.mentions or ctx.related(e)) and e.label != itself and not _concept(ctx, e)
    ]
    for e in entities:
        e.mentions.sort(key=lambda m: (m.start, m.end))
    entities.sort(key=lambda e: (e.mentions[0].start if e.mentions else -1, e.type, e.id))
    rels = sorted(ctx.relations.values(), key=lambda r: (r.evidence.start, r.subject, r.predicate, r.object))
    known = {e.id for e in entities} | {ctx.issue_id}
    rels = [r for r in rels if r.subject in known and r.object in known]
    return Extraction(issue=ctx.issue, issue_id=ctx.issue_id, entities=entities, relations=rels)


def _concept(ctx: Context, entity: Any) -> bool:
    """A catalog concept ("service mesh", "DevOps"): matched so its words are taken, but no named thing."""
    key = entity.props.get("catalog")
    entry = ctx.catalog.get(entity.type, key) if key else None
    return bool(getattr(entry, "concept", False))


def extract(issue: Issue, catalog: Any, nlp: Any = None) -> Extraction:
    """Entities and relations of one issue.  Never raises on odd text: finds less instead."""
    from kg.nlp import load_pipeline

    if nlp is None:
        nlp = load_pipeline(catalog)
    return run_extractor(issue, catalog, nlp(issue.text))


def run_extractor(issue: Issue, catalog: Any, doc: Any) -> Extraction:
    """The extraction of ``issue`` from its processed ``doc`` (``nlp(issue.text)``)."""
    hits = sorted(hits_of(doc), key=lambda h: (h.start, -(h.end - h.start)))
    return run_phases(Context(issue, catalog, hits))
