"""Plain data passed between the pipeline stages.

ingest -> Issue -> extract -> Extraction -> rdf -> quads.  Every offset is a
Python ``str`` index into ``Issue.text`` (end exclusive), so that
``issue.text[x.start:x.end]`` gives back what was found.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.errors import KgError

# Normalised section kinds (Section.kind).
SECTION_KINDS = (
    "news",
    "upstream",
    "releases",
    "project-recommendation",
    "reading",
    "events",
    "community",
    "glossary",
    "other",
)

# Closed set of entity types and predicates (../shared/eval/FORMAT.md).
ENTITY_TYPES = (
    "Project",
    "Release",
    "Feature",
    "KEP",
    "Person",
    "Organization",
    "Article",
    "Technology",
    "Event",
    "Vulnerability",
)
PREDICATES = (
    "authored_by",
    "edited_by",
    "published_by",
    "recommends",
    "has_release",
    "part_of",
    "feature_of",
    "about",
    "targets_release",
    "developed_by",
    "uses",
    "integrates",
    "replaces",
    "written_by",
    "affects",
    "fixed_in",
)


@dataclass(frozen=True)
class Span:
    """A stretch of the issue text; ``text`` is ``issue.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    anchor: str  # anchor text as written ("" for a bare URL)
    start: int  # span of the whole link as written (markdown link or bare URL)
    end: int
    anchor_start: int = -1  # span of the anchor text, -1 when there is none
    anchor_end: int = -1


@dataclass
class Item:
    """A list entry or paragraph inside a section."""

    kind: str  # "list" | "numbered" | "paragraph" | "heading"
    start: int
    end: int
    text: str
    links: list[Link] = field(default_factory=list)
    title: Span | None = None  # e.g. a 《title》 or a project name line heading the item


@dataclass
class Section:
    title: str  # as written
    kind: str  # one of SECTION_KINDS
    start: int  # start of the heading
    end: int  # end of the section's last character
    title_start: int
    title_end: int
    items: list[Item] = field(default_factory=list)
    level: int = 1  # 1 top-level section, 2 subsection (e.g. "Kubernetes 项目")


@dataclass
class Issue:
    path: str  # path as given to the reader
    text: str  # the decoded text, offsets index into this
    format: str  # reader name: "weekly-text" | "weekly-markdown" | "lwkd-markdown" | ...
    series: str  # slug: "cloud-native-weekly" | "lwkd"
    series_title: str  # "云原生生态周报" | "Last Week in Kubernetes Development"
    number: str  # volume number ("17") or date slug ("2020-01-05"), unique in the series
    title: str
    title_span: Span | None = None
    date: str | None = None  # ISO date yyyy-mm-dd
    date_inferred: bool = False  # True when taken from links rather than stated
    authors: list[Span] = field(default_factory=list)
    editors: list[Span] = field(default_factory=list)
    publishers: list[Span] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    encoding: str = "utf-8"
    content_hash: str = ""  # sha256 of the raw bytes
    keywords: list[str] = field(default_factory=list)  # front matter keywords / tags / highlights
    summary: str | None = None  # front matter summary or description
    # Files read into this issue after its own (a companion articles page): (path, offset in text).
    parts: list[tuple[str, int]] = field(default_factory=list)
    body_start: int = 0  # where the body starts: front matter is metadata, not text that mentions things
    url: str | None = None  # the issue's public page (schema:url), when the file or its series says it

    def section_at(self, offset: int) -> Section | None:
        """The innermost section containing ``offset`` (the deepest; of equally deep ones, the last listed)."""
        # Asked once per mention: a scan of every section made extraction quadratic in the issue's size.
        # The index is made again when sections are added (a companion page is read in after them).
        index = self.__dict__.get("_section_index")
        if index is None or index[0] != len(self.sections):
            index = (len(self.sections), *_innermost_sections(self.sections))
            self.__dict__["_section_index"] = index
        _, points, inner = index
        i = bisect.bisect_right(points, offset) - 1
        return inner[i] if i >= 0 else None


def _innermost_sections(sections: list[Section]) -> tuple[list[int], list[Section | None]]:
    """Section boundaries in order, and the innermost section from each up to the next, in one sweep."""
    points = sorted({p for s in sections for p in (s.start, s.end)})
    starting: dict[int, list[int]] = {}
    for index, section in enumerate(sections):
        if section.start < section.end:
            starting.setdefault(section.start, []).append(index)
    active: list[tuple[int, int]] = []  # (-level, -index): the heap's top is the deepest, then the last listed
    inner: list[Section | None] = []
    for point in points:
        for index in starting.get(point, ()):
            heapq.heappush(active, (-sections[index].level, -index))
        while active and sections[-active[0][1]].end <= point:
            heapq.heappop(active)  # ended: dropped once it reaches the top
        inner.append(sections[-active[0][1]] if active else None)
    return points, inner


@dataclass
class Mention:
    start: int
    end: int
    section: str | None  # the title of the section as written, None outside sections
    anchor: str = ""  # text[start:end]


@dataclass
class Entity:
    id: str  # IRI
    type: str  # one of ENTITY_TYPES
    label: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Extra facts carried into the graph: "version", "stage", "number", "url",
    # "discovered" (bool), "catalog" (catalog key), "label_zh", ...
    props: dict[str, object] = field(default_factory=dict)


@dataclass
class Relation:
    subject: str  # IRI (the issue IRI for issue-level relations)
    predicate: str  # one of PREDICATES
    object: str  # IRI
    evidence: Span


@dataclass
class Extraction:
    issue: Issue
    issue_id: str  # IRI of the issue
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.issue.title

    def to_json(self) -> dict:
        """The ``kg extract --format json`` object of ../shared/eval/FORMAT.md."""
        return {
            "issue": {"id": self.issue_id, "label": self.issue.title},
            "entities": [
                {
                    "id": e.id,
                    "type": e.type,
                    "label": e.label,
                    "aliases": list(e.aliases),
                    "mentions": [{"start": m.start, "end": m.end, "section": m.section} for m in e.mentions],
                }
                for e in self.entities
            ],
            "relations": [
                {
                    "subject": r.subject,
                    "predicate": r.predicate,
                    "object": r.object,
                    "evidence": {"start": r.evidence.start, "end": r.evidence.end},
                }
                for r in self.relations
            ],
        }


def entity_types_named(types: Iterable[str] | None) -> list[str] | None:
    """Entity type names as a user gives them (any case, comma-separated allowed) in ENTITY_TYPES order;
    None for all.  An unknown name is a KgError naming the known ones."""
    if not types:
        return None
    known = {t.casefold(): t for t in ENTITY_TYPES}
    wanted: set[str] = set()
    for raw in types:
        for name in (n.strip() for n in str(raw).split(",")):
            if name and name.casefold() not in known:
                raise KgError(f"unknown entity type '{name}' (known: {', '.join(ENTITY_TYPES)})")
            if name:
                wanted.add(known[name.casefold()])
    return [t for t in ENTITY_TYPES if t in wanted] or None


def checked_date(text: str | None, what: str) -> str | None:
    """A date bound as a user gives it (YYYY, YYYY-MM or YYYY-MM-DD; ISO dates compare as strings), or None."""
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise KgError(f"{what}: '{text}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return text
