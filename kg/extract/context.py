"""The extraction context: what every phase reads and adds to, and the services they share.

:class:`Context` holds one issue's state while the phases of :mod:`kg.extract.pipeline` run over it:
the issue and its text, the processed ``doc`` and its candidate ``hits``, the document's units
(:mod:`kg.extract.structure`), the :class:`Registry` of entities with their mentions, the relations found so
far, the pattern files, and the per-issue notes phases leave for later ones (topics of units, feature owners,
release owners).  Its methods are the services phases share: catalog lookups, entity makers (catalog,
project, feature, KEP, release), relation adding with evidence, and the topic of a unit.  The catalog is
reached through :class:`CatalogLike`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any, Protocol

from kg.extract.structure import Unit, UnitIndex, build_units
from kg.ids import entity_iri, issue_iri
from kg.model import Entity, Issue, Mention, Relation, Span
from kg.nlp.hits import Hit
from kg.patterns import load_patterns
from kg.text import norm

# Compiled patterns, kept here rather than in re's own cache: the per-name patterns (context words,
# person names, repository names) filled that cache and evicted the large static ones, which were
# then compiled again for every issue.
rx = lru_cache(maxsize=8192)(re.compile)
_rx = rx
# An entity's IRI, asked again for every mention of it (slugging the key is NFKC, casefold and a regex).
_entity_iri = lru_cache(maxsize=1 << 16)(entity_iri)


@lru_cache(maxsize=64)
def with_words(
    pattern: str, slot: str, words: tuple[str, ...], anchor_prefix: str = ""
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(``pattern`` with its ``{slot}`` filled by ``words``, the pattern of those words alone): one list in the
    pattern files serves the full pattern and the anchor :func:`ending_at` finds first."""
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    full = re.compile(pattern.replace("{" + slot + "}", alternation))
    return full, re.compile(anchor_prefix + "(?:" + alternation + r")(?![\w-])")


def ending_at(
    text: str, pattern: re.Pattern[str], anchors: re.Pattern[str], reach: int, group: int = 0, tail: int = 0
) -> list[re.Match[str]]:
    """Matches of ``pattern`` whose ``group`` ends at (or up to ``tail`` characters after) a match of ``anchors``,
    each once, by start.

    A pattern that may start at every capital or letter ("… Foundation", "X-native", "… Summit 2026") costs
    more than it finds; its last word is a literal one, so that word (``anchors``) is found first and the
    pattern tried only in the ``reach`` characters before it, on the same line.
    """
    found: dict[int, re.Match[str]] = {}
    for anchor in anchors.finditer(text):
        lo = max(0, anchor.start() - reach, text.rfind("\n", 0, anchor.start()) + 1)
        for m in pattern.finditer(text, lo, min(len(text), anchor.end() + tail)):
            if m.end(group) >= anchor.end() and m.start(group) not in found:
                found[m.start(group)] = m
    return [found[k] for k in sorted(found)]


class CatalogLike(Protocol):
    """What extraction asks of a catalog (kg.catalog.Catalog; tests pass small fakes)."""

    entries: list[Any]

    def get(self, type: str, key: str) -> Any: ...
    def find_key(self, key: str) -> Any: ...
    def names(self) -> Iterator[tuple[str, Any]]: ...
    def by_repo(self, url: str) -> Any: ...
    def find_kep(self, number: int) -> Any: ...
    def context_names(self, entry: Any) -> tuple[str, ...]: ...


def _norm_version(v: str) -> str:
    v = v.strip()
    if v[:1] in "vV" and v[1:2].isdigit():
        v = v[1:]
    return v


def _stage_of(version: str) -> str | None:
    stages = load_patterns("releases").get("stages", {})
    low = version.lower()
    for word, stage in stages.items():
        if _rx(rf"(?:^|[-.\d]){word}(?:$|[-.\d])").search(low):
            return stage
    return None


@dataclass
class Placed:
    """An entity mention placed in the text (for relation finding)."""

    start: int
    end: int
    entity: Entity


class DisjointSpans:
    """Spans that do not overlap one another, sorted, with the ones overlapping a query found by bisection
    (a scan of all of them per query made a long issue's extraction quadratic)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._spans: list[tuple[int, int, Any]] = []

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, Any]]:
        # Disjoint and sorted by start, so sorted by end too: the overlapping ones are the run just before
        # the first span starting at or after ``end``.
        i = bisect.bisect_left(self._starts, end)
        out = []
        while i > 0 and self._spans[i - 1][1] > start:
            i -= 1
            out.append(self._spans[i])
        out.reverse()
        return out

    def add(self, start: int, end: int, value: Any = None) -> None:
        """Add a span that overlaps none of those already added."""
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._spans.insert(i, (start, end, value))


# Sort keys of placed mentions, as C getters (a lambda was a Python call per comparison, per mention).
_START = attrgetter("start")
_START_END = attrgetter("start", "end")


class Registry:
    """Entities of one issue, one node per real thing."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        self.by_id: dict[str, Entity] = {}
        self.placed: list[Placed] = []
        self._spans: set[tuple[int, int]] = set()
        self.by_norm: dict[tuple[str, str], Entity] = {}

    def entity(
        self, etype: str, key: str, label: str, aliases: tuple[str, ...] | list[str] = (), **props: Any
    ) -> Entity:
        iri = _entity_iri(etype, key)
        ent = self.by_id.get(iri)
        if ent is None:
            ent = Entity(id=iri, type=etype, label=label, props={k: v for k, v in props.items() if v is not None})
            self.by_id[iri] = ent
        for alias in aliases:
            self.alias(ent, alias)
        self.by_norm.setdefault((etype, norm(label)), ent)
        return ent

    def alias(self, ent: Entity, name: str) -> None:
        name = " ".join(name.split())
        if name and name != ent.label and name not in ent.aliases:
            ent.aliases.append(name)
            self.by_norm.setdefault((ent.type, norm(name)), ent)

    def mention(self, ent: Entity, start: int, end: int) -> None:
        # One span denotes one thing: the first entity placed on it keeps it (and a second mention of it is none).
        if end <= start or (start, end) in self._spans:
            return
        self._spans.add((start, end))
        section = self.issue.section_at(start)
        anchor = self.issue.text[start:end]
        ent.mentions.append(Mention(start, end, section.title if section else None, anchor))
        self.alias(ent, anchor)
        bisect.insort(self.placed, Placed(start, end, ent), key=_START_END)

    def in_range(
        self, start: int, end: int, types: tuple[str, ...] | None = None, limit: int | None = None
    ) -> list[Placed]:
        """Mentions inside [start, end) in text order (of ``types``; the first ``limit``)."""
        i = bisect.bisect_left(self.placed, start, key=_START)
        out = []
        while i < len(self.placed) and self.placed[i].start < end:
            p = self.placed[i]
            if p.end <= end and (types is None or p.entity.type in types):
                out.append(p)
                if limit is not None and len(out) >= limit:
                    break
            i += 1
        return out

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.placed, start, key=_START)
        for j in (i - 1, i):
            if 0 <= j < len(self.placed):
                p = self.placed[j]
                if p.start < end and start < p.end:
                    return True
        # Long mentions starting well before start.
        k = i - 2
        while k >= 0 and k >= i - 6:
            p = self.placed[k]
            if p.start < end and start < p.end:
                return True
            k -= 1
        return False


class Context:
    """One issue's extraction state and the services phases share (see the module's docstring)."""

    def __init__(self, issue: Issue, catalog: CatalogLike, hits: list[Hit]) -> None:
        self.issue = issue
        self.text = issue.text
        self.catalog = catalog
        self.hits = hits  # candidate spans from the NLP pipeline, by start (longest first)
        self.reg = Registry(issue)
        self.issue_id = issue_iri(issue.series, issue.number)
        self.units = build_units(issue)
        self.index = UnitIndex(self.units)
        self.relations: dict[tuple[str, str, str], Relation] = {}
        self.ent_pat = load_patterns("entities")
        self.rel_pat = load_patterns("relations")
        self.rel_versions = load_patterns("releases")
        self.sec_pat = load_patterns("sections")
        self._norm_index: dict[str, Any] | None = None
        self._catalog_ents: dict[int, Entity] = {}
        self._casefolded: dict[tuple[int, int], str] = {}  # (start, end) -> text[start:end].casefold()
        # Notes phases leave for later ones.
        self.version_releases: list[tuple[int, int, Entity]] = []  # (start, end, release) of versions read
        self.unit_topic_override: dict[int, Entity] = {}  # id(unit) -> the project or article it is about
        self.feature_owner: dict[str, Entity] = {}  # feature id -> the project it was named with
        self.release_project: dict[str, Entity] = {}  # release id -> its project
        self.accepted_owner: dict[int, Entity] = {}  # end of an accepted bare version -> its project

    def norm_index(self) -> dict[str, Any]:
        """norm(name) -> team catalog entry, for CamelCase spellings of known names (PodOverhead)."""
        if self._norm_index is None:
            self._norm_index = _catalog_tables(self.catalog).idx
        return self._norm_index

    def catalog_entity(self, entry: Any) -> Entity:
        # Once per entry and issue: every hit of a catalog name comes here.
        ent = self._catalog_ents.get(id(entry))
        if ent is not None:
            return ent
        if entry.type == "KEP" and getattr(entry, "number", None) is not None:
            return self.kep_entity(int(entry.number))
        aliases = [n for n in entry.surface_names() if n != entry.name]
        props: dict[str, Any] = {"catalog": entry.key}
        if entry.name_zh:
            props["label_zh"] = entry.name_zh
        ent = self._catalog_ents[id(entry)] = self.reg.entity(entry.type, entry.key, entry.name, aliases, **props)
        return ent

    def kep_entity(self, number: int, title: str | None = None, url: str | None = None) -> Entity:
        entry = self.catalog.find_kep(number) if hasattr(self.catalog, "find_kep") else None
        aliases = []
        props: dict[str, Any] = {"number": number}
        if entry is not None:
            t = getattr(entry, "title", None) or entry.name
            if t and t != f"KEP-{number}":
                aliases.append(t)
                props["title"] = t
            props["catalog"] = entry.key
            if getattr(entry, "stage", None):
                props["stage"] = entry.stage
        if title:
            aliases.append(title)
            props.setdefault("title", title)
        if url:
            props["url"] = url
        ent = self.reg.entity("KEP", str(number), f"KEP-{number}", aliases, **props)
        return ent

    def project_entity(self, name: str, discovered: bool = True, url: str | None = None, strict: bool = True) -> Entity:
        """A project by name: the catalog's when a name matches, else a discovered one."""
        entry = self.lookup(name, strict)
        if entry is not None and entry.type in ("Project", "Technology"):
            return self.catalog_entity(entry)
        key = norm(name) or name
        existing = self.reg.by_norm.get(("Project", norm(name)))
        if existing is not None:
            return existing
        props: dict[str, Any] = {"discovered": True} if discovered else {}
        if url:
            props["url"] = url
        return self.reg.entity("Project", key, name.strip(), **props)

    def lookup(self, name: str, strict: bool = True) -> Any:
        """The team entry ``name`` denotes, compared under norm() (case, dashes and spaces ignored).

        ``strict``: an all-caps word is not a case variant of a case-sensitive name it is not written
        as ("GO", "KIND" as acronyms); callers whose context already says "a project" (a version
        update line: "GO to 1.26.3") pass False so that the variant merges into the entry.
        """
        entry = self.norm_index().get(norm(name))
        if (
            strict
            and entry is not None
            and getattr(entry, "case_sensitive", False)
            and name.isupper()
            and name not in entry.surface_names()
        ):
            return None
        return entry

    def feature_entity(self, key: str, label: str, aliases: tuple[str, ...] | list[str] = ()) -> Entity:
        """A feature by name: the catalog's when the name is one of its features (one node per feature)."""
        entry = self.lookup(label)
        if entry is not None and entry.type == "Feature":
            return self.catalog_entity(entry)
        return self.reg.entity("Feature", key, label, aliases)

    def add_rel(self, subj: Entity | str, pred: str, obj: Entity | str, ev: tuple[int, int]) -> None:
        s = subj if isinstance(subj, str) else subj.id
        o = obj if isinstance(obj, str) else obj.id
        if s == o:
            return
        key = (s, pred, o)
        if key not in self.relations:
            a, b = ev
            self.relations[key] = Relation(s, pred, o, Span(a, b, self.text[a:b]))

    def sentence_or_unit(self, offset: int) -> tuple[int, int]:
        unit = self.index.unit_at(offset)
        sent = self.index.sentence_at(unit, offset)
        if sent is not None:
            return sent
        if unit is not None:
            return unit.start, unit.end
        # Outside any unit: the line.
        s = self.text.rfind("\n", 0, offset) + 1
        e = self.text.find("\n", offset)
        return s, (e if e >= 0 else len(self.text))

    def context_ok(self, entry: Any, start: int) -> bool:
        """Context-restricted aliases match only where their context is named nearby."""
        unit = self.index.unit_at(start)
        spans = []
        if unit is not None:
            spans.append((unit.start, unit.end))
            for sec in (unit.section, unit.parent):
                if sec is not None:
                    spans.append((sec.start, sec.end))
        else:
            sec = self.issue.section_at(start)
            if sec is not None:
                spans.append((sec.start, sec.end))
        words = [w.casefold() for w in self.catalog.context_names(entry)]
        for a, b in spans:
            chunk = self._casefolded.get((a, b))
            if chunk is None:  # a section's text, folded once per issue rather than once per name in it
                chunk = self._casefolded[a, b] = self.text[a:b].casefold()
            for w in words:
                if w and _rx(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])").search(chunk):
                    return True
        return False

    def line(self, start: int, end: int) -> tuple[int, int]:
        s = self.text.rfind("\n", 0, start) + 1
        e = self.text.find("\n", end)
        return s, (e if e >= 0 else len(self.text))

    def mention_everywhere(self, ent: Entity, name: str, start: int, end: int, ignore_case: bool = True) -> None:
        """Mentions of a discovered name inside one unit (whole words only)."""
        if not name:
            return
        rx = _rx(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE if ignore_case else 0)
        for m in rx.finditer(self.text, start, end):
            if not self.reg.overlaps(m.start(), m.end()) and not self.in_url(m.start()):
                self.reg.mention(ent, m.start(), m.end())

    def in_url(self, offset: int) -> bool:
        s = self.text.rfind(" ", 0, offset)
        s2 = self.text.rfind("\n", 0, offset)
        chunk = self.text[max(s, s2) + 1 : offset]
        return "://" in chunk or "](" in chunk and "http" in chunk

    def _links_around(self, start: int, end: int) -> Any:
        """The first link (in the issue's order) with an anchor whose span holds start..end, found by bisection
        over the links sorted by start (a scan of every link per call was quadratic in a long issue)."""
        if getattr(self, "_anchored", None) is None:
            anchored = sorted(
                (lk.start, index, lk)
                for index, lk in enumerate(self.issue.links)
                if lk.anchor_start >= 0 and lk.anchor_end > lk.anchor_start
            )
            reach, longest = [], -1  # the furthest end among the links up to each one
            for _, _, lk in anchored:
                longest = max(longest, lk.end)
                reach.append(longest)
            self._anchored = ([a for a, _, _ in anchored], anchored, reach)
        starts, anchored, reach = self._anchored
        best = None
        i = bisect.bisect_right(starts, start) - 1
        while i >= 0 and reach[i] >= end:
            _, index, lk = anchored[i]
            if end <= lk.end and (best is None or index < best[0]):
                best = (index, lk)
            i -= 1
        return best[1] if best is not None else None

    def link_span(self, start: int, end: int) -> tuple[int, int]:
        """The anchor of the markdown link whose URL is at start..end, else the URL itself."""
        lk = self._links_around(start, end)
        if lk is not None:
            return lk.anchor_start, lk.anchor_end
        if start >= 2 and self.text[start - 2 : start] == "](":
            s = self.text.rfind("[", 0, start - 2)
            if s >= 0 and "\n" not in self.text[s : start - 2] and start - 2 > s + 1:
                return s + 1, start - 2
        return start, end

    def release(self, project: Entity, version: str, surface: str | None = None) -> Entity:
        version = _norm_version(version)
        key = project.props.get("catalog") or norm(project.label)
        label = f"{project.label} {version}"
        # "containerd 1.3" and its tag v1.3.0 are one release: x.y is released as x.y.0.
        m = _rx(r"^(\d+\.\d+)(\.0)?$").match(version)
        if m:
            other = m.group(1) if m.group(2) else m.group(1) + ".0"
            same = self.reg.by_id.get(_entity_iri("Release", f"{key}/{other}"))
            if same is not None:
                self.reg.alias(same, label)
                return same
        aliases = [f"{project.label} v{version}"] if version[:1].isdigit() else []
        ent = self.reg.entity("Release", f"{key}/{version}", label, aliases, version=version, stage=_stage_of(version))
        self.add_rel(project, "has_release", ent, self.first_sentence(ent, project))
        self.release_project[ent.id] = project
        return ent

    def first_sentence(self, ent: Entity, other: Entity) -> tuple[int, int]:
        if ent.mentions:
            return self.sentence_or_unit(ent.mentions[0].start)
        if other.mentions:
            return self.sentence_or_unit(other.mentions[0].start)
        return 0, 0

    def plausible_version(self, project: Entity, version: str) -> bool:
        key = project.props.get("catalog")
        entry = self.catalog.get("Project", key) if key else None
        pattern = getattr(entry, "versions", None) if entry else None
        return pattern is None or _rx(pattern).match(_norm_version(version)) is not None

    def release_topic(self, unit: Unit | None) -> Entity | None:
        if unit is None:
            return self.default_project()
        over = self.unit_topic_override.get(id(unit))
        if over is not None and over.type == "Project":
            return over
        sub = self.subsection_project(unit)
        if sub is not None:
            return self.root(sub)
        default = self.default_project()
        if default is not None:
            return default
        first = self.reg.in_range(unit.start, unit.end, ("Project",))
        return self.root(first[0].entity) if first else None

    def root(self, ent: Entity) -> Entity:
        key = ent.props.get("catalog")
        seen = set()
        while key and key not in seen:
            seen.add(key)
            entry = self.catalog.get(ent.type, key)
            parent = getattr(entry, "part_of", None) if entry else None
            if not parent:
                break
            pentry = self.catalog.get("Project", parent) or self.catalog.find_key(parent)
            if pentry is None:
                break
            ent = self.catalog_entity(pentry)
            key = pentry.key
        return ent

    def subsection_project(self, unit: Unit) -> Entity | None:
        sec = unit.section
        if sec is None or sec.level < 2:
            return None
        inside = self.reg.in_range(sec.title_start, sec.title_end, ("Project",))
        return inside[0].entity if inside else None

    def default_project(self) -> Entity | None:
        key = (self.sec_pat.get("series_default_project") or {}).get(self.issue.series)
        if not key:
            return None
        entry = self.catalog.get("Project", key)
        if entry is None:
            return None
        return self.catalog_entity(entry)

    def topic(self, unit: Unit | None) -> Entity | None:
        """The project a unit is about: its title, else the first project it names, else its subsection's."""
        if unit is None:
            return self.default_project()
        over = self.unit_topic_override.get(id(unit))
        if over is not None:
            return over if over.type == "Project" else None
        first = self.reg.in_range(unit.start, unit.end, ("Project",))
        if first:
            return first[0].entity
        return self.subsection_project(unit) or self.default_project()

    def related(self, ent: Entity) -> bool:
        """Whether a relation found so far has ``ent`` at one end."""
        return any(ent.id in (s, o) for s, _, o in self.relations)


class _Tables:
    """Per-catalog lookup tables, built once: norm(name) -> team entry, and a one-edit index of names.

    The typo test compared each new CamelCase word with every catalog name of a similar length
    (a fifth of extraction time); deletion neighbourhoods answer it in O(len(word)) lookups.
    """

    def __init__(self, catalog: Any) -> None:
        self.idx: dict[str, Any] = {}
        self.names: set[str] = set()  # one-word team names of 5+ characters, lower-cased
        for name, entry in catalog.names():
            if getattr(entry, "source", "team") != "team":
                continue
            if not _needs_context(entry, name):
                self.idx.setdefault(norm(name), entry)
            if " " not in name and len(name) >= 5:
                self.names.add(name.lower())
        self._deletions: set[str] | None = None
        self._substitutions: dict[tuple[int, str], set[str]] = {}
        self._memo: dict[str, bool] = {}

    def _build(self) -> set[str]:
        deletions: set[str] = set()
        for n in self.names:
            for i in range(len(n)):
                d = n[:i] + n[i + 1 :]
                deletions.add(d)
                self._substitutions.setdefault((i, d), set()).add(n)
        self._deletions = deletions
        return deletions

    def is_typo(self, low: str) -> bool:
        """Whether a known name differs from ``low`` by exactly one insertion, deletion or substitution."""
        hit = self._memo.get(low)
        if hit is not None:
            return hit
        deletions = self._deletions if self._deletions is not None else self._build()
        hit = low in deletions  # low is a name with one character deleted
        for i in range(len(low)):
            if hit:
                break
            d = low[:i] + low[i + 1 :]
            # A name is low with one character deleted, or differs from it at position i only.
            hit = d in self.names or bool(self._substitutions.get((i, d), set()) - {low})
        self._memo[low] = hit
        return hit


_TABLES: dict[int, tuple[Any, _Tables]] = {}


def _catalog_tables(catalog: Any) -> _Tables:
    cached = _TABLES.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    tables = _Tables(catalog)
    _TABLES[id(catalog)] = (catalog, tables)
    return tables


def warm_catalog_tables(catalog: Any) -> None:
    """Build the catalog's lookup tables (norm index, typo neighbourhoods) now rather than mid-extraction."""
    tables = _catalog_tables(catalog)
    if tables._deletions is None:
        tables._build()


def _needs_context(entry: Any, name: str) -> bool:
    if hasattr(entry, "needs_context"):
        return bool(entry.needs_context(name))
    return bool(entry.context) and name in entry.aliases and name not in (entry.name, entry.name_zh)


def _edit1(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion or substitution."""
    if a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) != 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
