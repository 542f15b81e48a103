"""Issue + Catalog -> Extraction: entities with mentions, relations with evidence.

The pipeline (kg.nlp) finds candidate spans; this module decides what they denote, using
the document's structure as much as its words: the section an item sits in (project
recommendations, reading lists, version updates), the item's title, the subsection's
project ("Kubernetes 项目"), and the series' default project (LWKD is about Kubernetes).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from kg.extract import discovery, links, people
from kg.extract.names import norm
from kg.extract.structure import Unit, UnitIndex, build_units
from kg.ids import entity_iri, issue_iri
from kg.model import Entity, Extraction, Issue, Mention, Relation, Span
from kg.nlp.hits import Hit, hits_of
from kg.nlp.patterns import load_patterns

_log = logging.getLogger(__name__)
# Compiled patterns, kept here rather than in re's own cache: the per-name patterns (context words,
# person names, repository names) filled that cache and evicted the large static ones, which were
# then compiled again for every issue.
_rx = lru_cache(maxsize=8192)(re.compile)
_CJK = _rx(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A recommended project's title that is safe to look for in the whole issue: one Latin word with a capital,
# a digit or a hyphen (Rudr, K9s, kube-bench), not a short lower-case word that is also English (kind, krew).
_DOC_WIDE_NAME = _rx(r"^(?=[\w.-]*[A-Z0-9-])[A-Za-z][\w.-]{2,30}$")


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


class Registry:
    """Entities of one issue, one node per real thing."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        self.by_id: dict[str, Entity] = {}
        self.placed: list[Placed] = []
        self._seen: set[tuple[str, int, int]] = set()
        self._spans: set[tuple[int, int]] = set()
        self.by_norm: dict[tuple[str, str], Entity] = {}

    def entity(
        self, etype: str, key: str, label: str, aliases: tuple[str, ...] | list[str] = (), **props: Any
    ) -> Entity:
        iri = entity_iri(etype, key)
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
        key = (ent.id, start, end)
        if key in self._seen or end <= start:
            return
        # One span denotes one thing: the first entity placed on it keeps it.
        if (start, end) in self._spans:
            return
        self._seen.add(key)
        self._spans.add((start, end))
        section = self.issue.section_at(start)
        anchor = self.issue.text[start:end]
        ent.mentions.append(Mention(start, end, section.title if section else None, anchor))
        self.alias(ent, anchor)
        bisect.insort(self.placed, Placed(start, end, ent), key=lambda p: (p.start, p.end))

    def in_range(self, start: int, end: int, types: tuple[str, ...] | None = None) -> list[Placed]:
        i = bisect.bisect_left(self.placed, start, key=lambda p: p.start)
        out = []
        while i < len(self.placed) and self.placed[i].start < end:
            p = self.placed[i]
            if p.end <= end and (types is None or p.entity.type in types):
                out.append(p)
            i += 1
        return out

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.placed, start, key=lambda p: p.start)
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


class Extractor:
    def __init__(self, issue: Issue, catalog: Any, doc: Any) -> None:
        self.issue = issue
        self.text = issue.text
        self.catalog = catalog
        self.doc = doc
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
        self.version_releases: list[tuple[int, int, Entity]] = []

    # ------------------------------------------------------------------ helpers

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
            chunk = self.text[a:b].casefold()
            for w in words:
                if w and _rx(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])").search(chunk):
                    return True
        return False

    # ------------------------------------------------------------------ entities

    def run(self) -> Extraction:
        hits = sorted(hits_of(self.doc), key=lambda h: (h.start, -(h.end - h.start)))
        phases = [
            self.metadata,
            lambda: self.events([h for h in hits if h.kind == "event"]),
            lambda: self.catalog_hits([h for h in hits if h.kind == "catalog"]),
            lambda: links.release_links(self),
            lambda: links.keps_by_title(self),
            lambda: links.update_lines(self),
            self.hyphen_prefixes,
            self.structural_titles,
            lambda: self.pattern_hits([h for h in hits if h.kind != "event"]),
            lambda: discovery.listed_projects(self),
            self.persons,
            lambda: people.profile_links(self),
            lambda: people.at_mentions(self),
            lambda: people.speaker_lines(self),
            self.organizations,
            self.articles,
            self.bylines,
            lambda: self.releases([h for h in hits if h.kind == "version"]),
            self.relations_all,
        ]
        for phase in phases:
            try:
                phase()
            except Exception:  # noqa: BLE001 - odd text must cost findings, never the whole issue
                _log.warning(
                    "%s: an extraction phase failed; continuing with fewer findings", self.issue.path, exc_info=True
                )
        entities = [e for e in self.reg.by_id.values() if e.mentions or self._related(e)]
        for e in entities:
            e.mentions.sort(key=lambda m: (m.start, m.end))
        entities.sort(key=lambda e: (e.mentions[0].start if e.mentions else -1, e.type, e.id))
        rels = sorted(self.relations.values(), key=lambda r: (r.evidence.start, r.subject, r.predicate, r.object))
        known = {e.id for e in entities} | {self.issue_id}
        rels = [r for r in rels if r.subject in known and r.object in known]
        return Extraction(issue=self.issue, issue_id=self.issue_id, entities=entities, relations=rels)

    def _related(self, ent: Entity) -> bool:
        return any(ent.id in (s, o) for s, _, o in self.relations)

    def metadata(self) -> None:
        for role, spans in (("authored_by", self.issue.authors), ("edited_by", self.issue.editors)):
            for sp in spans:
                name = sp.text.strip()
                if not name:
                    continue
                ent = self.reg.entity("Person", name, name)
                self.reg.mention(ent, sp.start, sp.end)
                self.add_rel(self.issue_id, role, ent, self._line(sp.start, sp.end))
        for sp in self.issue.publishers:
            name = sp.text.strip()
            if not name:
                continue
            entry = self.lookup(name)
            if entry is not None and entry.type == "Organization":
                ent = self.catalog_entity(entry)
            else:
                ent = self.reg.entity("Organization", name, name)
            self.reg.mention(ent, sp.start, sp.end)
            self.add_rel(self.issue_id, "published_by", ent, self._line(sp.start, sp.end))

    def _line(self, start: int, end: int) -> tuple[int, int]:
        s = self.text.rfind("\n", 0, start) + 1
        e = self.text.find("\n", end)
        return s, (e if e >= 0 else len(self.text))

    def catalog_hits(self, hits: list[Hit]) -> None:
        # Context check first, then keep the longest of overlapping hits (team entries win ties).
        ok: list[Hit] = []
        people = {
            n for e in self.reg.by_id.values() if e.type == "Person" for n in (e.label, *e.aliases) if n
        }  # the issue's own authors (metadata): "本周作者:青云,…" names a person, not QingCloud
        passing = set(self.ent_pat.get("passing_organizations", []))
        actor = _rx(self.ent_pat.get("organization_actor_after", "(?!)"), re.IGNORECASE)
        product = _rx(self.ent_pat.get("organization_product_after", "(?!)"))
        actor_before = _rx(self.ent_pat.get("organization_actor_before", "(?!)"), re.IGNORECASE)
        for h in hits:
            entry = h.entry
            name = h.data.get("name", "")
            if _needs_context(entry, name) and not self.context_ok(entry, h.start):
                continue
            if entry.type == "Organization":
                if h.text in people or product.match(self.text, h.end):
                    continue
                if entry.key in passing and not (
                    actor.match(self.text, h.end) or actor_before.search(self.text[max(0, h.start - 12) : h.start])
                ):
                    continue  # a cloud named as a platform ("AWS EBS", "provider for AWS"), "the community"
            # The newsletter naming itself (its title line) is not a mention of an organisation.
            if self.issue.series_title and h.text == self.issue.series_title:
                continue
            ok.append(h)
        # Ties: team entries, then a name whose context held (README: "where the context holds, the
        # restricted entry wins"), then the catalog's order; the matcher's own order follows hashes.
        ok.sort(
            key=lambda h: (
                -(h.end - h.start),
                getattr(h.entry, "source", "team") != "team",
                not _needs_context(h.entry, h.data.get("name", "")),
                h.start,
                h.data.get("order", 0),
            )
        )
        taken: list[tuple[int, int, Any]] = []
        nested: list[Hit] = []
        for h in ok:
            over = [t for t in taken if t[0] < h.end and h.start < t[1]]
            if over:
                # A project named at the head of a feature's name ("kubelet resource metrics") is mentioned too.
                if h.entry.type == "Project" and all(t[2].type == "Feature" and t[0] == h.start for t in over):
                    nested.append(h)
                continue
            if self.reg.overlaps(h.start, h.end):
                continue
            taken.append((h.start, h.end, h.entry))
            ent = self.catalog_entity(h.entry)
            self.reg.mention(ent, h.start, h.end)
        for h in nested:
            proj = self.catalog_entity(h.entry)
            self.reg.mention(proj, h.start, h.end)
            for p in self.reg.in_range(h.start, h.start + 200, ("Feature",)):
                if p.start == h.start:
                    self.feature_owner.setdefault(p.entity.id, proj)

    def structural_titles(self) -> None:
        """Items whose title names a project (recommendations) or an article (reading lists)."""
        rec_kinds = set(self.sec_pat.get("recommend_kinds", []))
        read_kinds = set(self.sec_pat.get("reading_kinds", []))
        for u in self.units:
            if u.title is None and u.kind in read_kinds:
                u.title = _reading_title(self.text, u)
            if u.title is None:
                continue
            a, b = u.title
            title = self.text[a:b].strip()
            if not title:
                continue
            if u.kind in rec_kinds:
                inside = self.reg.in_range(a, b, ("Project", "Technology"))
                if inside and inside[0].end - inside[0].start >= len(title) - 2:
                    ent = inside[0].entity
                else:
                    ent = self.project_entity(title)
                    self.reg.mention(ent, a + self.text[a:b].find(title), a + self.text[a:b].find(title) + len(title))
                    self._mention_everywhere(ent, title, u.start, u.end)
                    if _DOC_WIDE_NAME.match(title):
                        # A recommended project named elsewhere in the issue (news, articles), same spelling.
                        self._mention_everywhere(ent, title, 0, len(self.text), ignore_case=False)
                self.unit_topic_override[id(u)] = ent
            elif u.kind in read_kinds:
                clean = title.strip("《》 \t")
                off = self.text.find(clean, a, b)
                ent = self.reg.entity("Article", clean, clean)
                if off >= 0:
                    self.reg.mention(ent, off, off + len(clean))
                url = next((lk.url for lk in (u.item.links if u.item else []) if lk.url), None)
                if url:
                    ent.props.setdefault("url", url)
                self.unit_topic_override[id(u)] = ent

    unit_topic_override: dict[int, Entity]

    def _mention_everywhere(self, ent: Entity, name: str, start: int, end: int, ignore_case: bool = True) -> None:
        """Mentions of a discovered name inside one unit (whole words only)."""
        if not name:
            return
        rx = _rx(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE if ignore_case else 0)
        for m in rx.finditer(self.text, start, end):
            if not self.reg.overlaps(m.start(), m.end()) and not self._in_url(m.start()):
                self.reg.mention(ent, m.start(), m.end())

    def _in_url(self, offset: int) -> bool:
        s = self.text.rfind(" ", 0, offset)
        s2 = self.text.rfind("\n", 0, offset)
        chunk = self.text[max(s, s2) + 1 : offset]
        return "://" in chunk or "](" in chunk and "http" in chunk

    def pattern_hits(self, hits: list[Hit]) -> None:
        not_feat = set(self.ent_pat.get("not_features", []))
        for h in hits:
            if h.kind == "kep":
                if self.reg.overlaps(h.start, h.end) and "url" not in h.data:
                    continue
                ent = self.kep_entity(h.data["number"], url=h.data.get("url"))
                self.reg.mention(ent, h.start, h.end)
            elif h.kind == "cve":
                ent = self.reg.entity("Vulnerability", h.text, h.text)
                self.reg.mention(ent, h.start, h.end)
            elif h.kind == "repo":
                self.repo_hit(h)
            elif h.kind == "camel":
                if self.reg.overlaps(h.start, h.end) or h.text in not_feat:
                    continue
                self.camel_hit(h)
            elif h.kind == "flag":
                if self.reg.overlaps(h.start, h.end):
                    continue
                ent = self.reg.entity("Feature", h.text, h.text)
                self.reg.mention(ent, h.start, h.end)
        self.backticks()

    def events(self, hits: list[Hit]) -> None:
        """Dated events ("KubeCon EU 2024"): linked to the catalog's event when its name starts the match."""
        found = [(h.start, h.end, h.text) for h in hits]
        for m in _rx(self.ent_pat["event_generic"]).finditer(self.text):
            words = m.group(1).split()
            while words and words[0] in ("The", "A", "An", "This", "Our"):
                words.pop(0)
            name = " ".join(words)
            st = m.start(1) + m.group(1).find(words[0]) if words else m.start(1)
            if len(words) >= 3:
                found.append((st, st + len(name), name))
        # Named by their head noun: "Kubernetes Community Meeting", "Platform Engineering Day", "Open Source
        # SecurityCon", "Google Summer of Code 2026".
        stop = set(self.ent_pat.get("not_event_heads", []))
        for m in _rx(self.ent_pat["event_named"]).finditer(self.text):
            words = m.group(1).split()
            while words and (words[0] in stop or words[0].lower() in ("the", "a", "an", "this", "our", "next")):
                words.pop(0)
            if len(words) < 2 and not _rx(r"^[A-Z][a-z]+Con$").match(words[0] if words else ""):
                continue
            name = " ".join(words)
            st = m.start(1) + m.group(1).find(words[0])
            found.append((st, st + len(name), name))
        found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
        for start, end, label in found:
            if self.reg.overlaps(start, end):
                continue
            m = _rx(r"\s((?:19|20)\d\d)$").search(label)
            base = label[: m.start()] if m else label
            entry = self.lookup(base)
            aliases: list[str] = []
            if entry is not None and entry.type == "Event" and m:
                aliases = [f"{n} {m.group(1)}" for n in entry.surface_names()]
            if entry is not None and entry.type == "Event" and not m:
                ent = self.catalog_entity(entry)  # the undated series itself: one node with the catalog's
            else:
                ent = self.reg.entity("Event", norm(label), label, aliases)
            self.reg.mention(ent, start, end)

    def hyphen_prefixes(self) -> None:
        """ "CNCF-hosted", "Kubernetes-native": the name before the hyphen is a mention."""
        suffixes = "|".join(map(re.escape, self.ent_pat.get("name_suffixes", [])))
        if not suffixes:
            return
        rx = _rx(r"(?<![\w./-])([A-Za-z][\w.]*)-(?:" + suffixes + r")(?![\w-])")
        for m in rx.finditer(self.text):
            entry = self.lookup(m.group(1))
            if entry is None or entry.type not in ("Project", "Organization", "Technology"):
                continue
            if getattr(entry, "case_sensitive", False) and m.group(1) not in entry.surface_names():
                continue
            # Inside a longer event or article name the prefix is still a mention of its own.
            over = self.reg.in_range(max(0, m.start(1) - 200), m.end(1) + 200)
            if not any(
                p.start < m.end(1) and m.start(1) < p.end and p.entity.type not in ("Event", "Article") for p in over
            ):
                self.reg.mention(self.catalog_entity(entry), m.start(1), m.end(1))

    def organizations(self) -> None:
        heads = set(self.ent_pat.get("not_organization_heads", []))
        for m in _rx(self.ent_pat["organization"]).finditer(self.text):
            name = m.group(1)
            words = name.split()
            while words and words[0] in heads:
                words.pop(0)
            if len(words) < 2:
                continue
            name = " ".join(words)
            start = m.start(1) + m.group(1).find(words[0])
            end = start + len(name)
            if self.reg.overlaps(start, end) or "\n" in name:
                continue
            entry = self.lookup(name)
            ent = self.catalog_entity(entry) if entry is not None else self.reg.entity("Organization", norm(name), name)
            self.reg.mention(ent, start, end)

    def articles(self) -> None:
        """Linked titles introduced by words like "book" or "writing"; written_by the person nearby."""
        cues = self.ent_pat.get("article_cues", [])
        cue_rx = _rx(r"(?<![\w-])(?:" + "|".join(re.escape(c) for c in cues) + r")(?![\w-])", re.IGNORECASE)
        for lk in self.issue.links:
            if lk.anchor_start < 0 or not lk.anchor:
                continue
            anchor = lk.anchor.strip()
            words = anchor.split()
            if len(words) < 2 or sum(w[:1].isupper() for w in words) < max(2, (len(words) + 1) // 2):
                continue
            sent = self.sentence_or_unit(lk.anchor_start)
            before = self.text[max(sent[0], lk.start - 40) : lk.start]
            if not cue_rx.search(before) or self.reg.overlaps(lk.anchor_start, lk.anchor_end):
                continue
            ent = self.reg.entity("Article", norm(anchor), anchor, url=lk.url)
            self.reg.mention(ent, lk.anchor_start, lk.anchor_end)
            unit = self.index.unit_at(lk.start)
            lo = unit.start if unit else sent[0]
            people = [p for p in self.reg.in_range(lo, lk.start, ("Person",))]
            if people:
                self.add_rel(ent, "written_by", people[-1].entity, sent)

    def bylines(self) -> None:
        """Who wrote an article: "作者：云舟", "作者 孙言之、林木", "by Priya Sharma", "Jane Doe 撰写" in its item."""
        arts = [p for p in self.reg.placed if p.entity.type == "Article"]
        if not arts:
            return
        name_rx = self.ent_pat["person_name"]
        stop = set(self.ent_pat.get("not_person_words", []))
        one = rf"(?:[\u4e00-\u9fff]{{2,4}}(?![\u4e00-\u9fff])|{name_rx})"
        names = rf"({one}(?:\s*(?:、|,|，|/|&|和|and)\s*{one})*)"
        rxs = [
            _rx(rf"(?:作者|译者)\s*[:：|/]?\s*{names}|(?<![\u4e00-\u9fff])文\s*[:：|/]\s*{names}"),
            _rx(rf"(?<![\w-])(?:[Bb]y|[Ww]ritten by|[Aa]uthored by)\s+{names}"),
            _rx(rf"{names}\s*(?:撰写|撰文|著)"),
        ]
        one_rx = _rx(one)
        done: set[int] = set()
        for art in arts:
            unit = self.index.unit_at(art.start)
            if unit is None or id(unit) in done:
                continue
            done.add(id(unit))
            unit_arts = [p for p in arts if unit.start <= p.start < unit.end]
            for rx in rxs:
                for m in rx.finditer(self.text, unit.start, unit.end):
                    if self._in_url(m.start()):
                        continue
                    target = [p for p in unit_arts if p.start <= m.start()] or unit_arts
                    g = m.lastindex or 1
                    for nm in one_rx.finditer(self.text, m.start(g), m.end(g)):
                        name = nm.group()
                        words = name.split()
                        if _CJK.search(name):
                            if name in ("本文", "文章", "作者") or self.lookup(name) is not None:
                                continue
                        elif len(words) < 2 or any(w in stop for w in words) or self.lookup(name) is not None:
                            continue
                        if any(p.entity.type != "Person" for p in self.reg.in_range(nm.start(), nm.end())):
                            continue
                        ent = self.reg.by_norm.get(("Person", norm(name))) or self.reg.entity("Person", name, name)
                        self.reg.mention(ent, nm.start(), nm.end())
                        self.add_rel(target[-1].entity, "written_by", ent, self.sentence_or_unit(nm.start()))

    def camel_hit(self, h: Hit) -> None:
        entry = self.lookup(h.text)
        if entry is not None:
            ent = self.catalog_entity(entry)
            self.reg.mention(ent, h.start, h.end)
            return
        if self._typo_of_known(h.text):
            return
        if _rx(r"\s+(?:wrote|writes|said|says|is\s+stepping|joined|joins|presented|gave)\b").match(
            self.text[h.end : h.end + 20]
        ):
            return  # a person's handle ("YangLu wrote some instructions")
        end = h.end
        # "StorageVersion API": the API phrase is the feature's name.
        m = _rx(r"[ \t]+API\b").match(self.text[end : end + 6])
        if m:
            end += m.end()
        label = self.text[h.start : end]
        if end == h.end and self._names_a_project(h.start, h.end):
            ent = self.project_entity(label)
            self.reg.mention(ent, h.start, h.end)
            return
        ent = self.reg.entity("Feature", norm(label), label)
        self.reg.mention(ent, h.start, end)

    def _names_a_project(self, start: int, end: int) -> bool:
        """Whether an unknown name is a project's, by what surrounds it: a head noun after it ("VibePod CLI",
        "Kelos framework"), a list cue before it ("tools like Kelos and VibePod"), or a unit that is about
        no Kubernetes component while the series is not Kubernetes' own."""
        heads = self.ent_pat.get("project_heads", [])
        after = self.text[end : end + 24]
        if heads and _rx(r"[ \t]+(?:" + "|".join(map(re.escape, heads)) + r")\b").match(after):
            return True
        cues = self.ent_pat.get("project_list_cues")
        unit = self.index.unit_at(start)
        lo = unit.start if unit else max(0, start - 80)
        before = self.text[max(lo, start - 80) : start]
        if cues and _rx(r"(?:" + cues + r")[^.;:!?]{0,60}$", re.IGNORECASE).search(before):
            return True
        if self.default_project() is not None or unit is None or unit.kind not in ("community", "news", "other"):
            return False
        if self.reg.in_range(unit.start, unit.end, ("Release",)):
            return False  # a release note's names are the release's features
        feature_words = _rx(self.ent_pat.get("feature_context", r"(?!)"), re.IGNORECASE)
        if feature_words.search(self.text[unit.start : unit.end]):
            return False
        return not any(
            p.entity.props.get("catalog") in ("kubernetes",) or self.root(p.entity).props.get("catalog") == "kubernetes"
            for p in self.reg.in_range(unit.start, unit.end, ("Project",))
        )

    def _typo_of_known(self, word: str) -> bool:
        """A CamelCase word one edit away from a known name is a misspelling (GranphQL)."""
        if len(word) < 6:
            return False
        return _catalog_tables(self.catalog).is_typo(word.lower())

    def repo_hit(self, h: Hit) -> None:
        d = h.data
        entry = self.catalog.by_repo(d["url"]) if hasattr(self.catalog, "by_repo") else None
        span = self._link_span(h.start, h.end)
        ent: Entity | None = None
        if entry is not None:
            ent = self.catalog_entity(entry)
            if not d.get("tag"):
                self.reg.mention(ent, *span)
        elif not d.get("skip_discovery"):
            name = d["repo"]
            unit = self.index.unit_at(h.start)
            a, b = (unit.start, unit.end) if unit else self._line(h.start, h.end)
            rx = _rx(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
            # Only a repository whose name the text itself uses is a project of this issue.
            found = [m for m in rx.finditer(self.text, a, b) if not self._in_url(m.start())]
            if found:
                existing = [p.entity for m in found for p in self.reg.in_range(m.start(), m.end(), ("Project",))]
                ent = existing[0] if existing else self.project_entity(name, url=d["url"])
                for m in found:
                    if not self.reg.overlaps(m.start(), m.end()):
                        self.reg.mention(ent, m.start(), m.end())
        tag = d.get("tag") or ""
        if ent is not None and (pm := _rx(r"^([A-Za-z][\w.-]*?)-(?=[vV]?\d)").match(tag)):
            # "cluster-autoscaler-1.34.4", "controller-v1.14.2": the prefix names the component released, a
            # generic word its repository's project; a chart's version is not the project's.
            prefix = pm.group(1)
            named = self.lookup(prefix, strict=False)
            if norm(prefix) in norm(ent.label) or norm(prefix) in norm(d["repo"]):
                pass  # "knative-v1.21.1" of Knative Serving: the repository's own name
            elif named is not None and named.type == "Project":
                ent = self.catalog_entity(named)
            elif prefix.lower() not in ("controller", "release", "version", "app"):
                ent = None
            tag = tag[pm.end() :]
        if ent is not None and tag and ent.type == "Project":
            version = _norm_version(tag)
            if _rx(self.rel_versions["version"]).match(version):
                rel = self.release(ent, version, tag)
                self.reg.mention(rel, *span)

    def _link_span(self, start: int, end: int) -> tuple[int, int]:
        """The anchor of the markdown link whose URL is at start..end, else the URL itself."""
        for lk in self.issue.links:
            if lk.start <= start and end <= lk.end and lk.anchor_start >= 0 and lk.anchor_end > lk.anchor_start:
                return lk.anchor_start, lk.anchor_end
        if start >= 2 and self.text[start - 2 : start] == "](":
            s = self.text.rfind("[", 0, start - 2)
            if s >= 0 and "\n" not in self.text[s : start - 2] and start - 2 > s + 1:
                return s + 1, start - 2
        return start, end

    def backticks(self) -> None:
        """`kubectl drain`, `kubelet --containerized`, `SomeGate`, `--flag`: code spans naming features."""
        rx = _rx(r"`([^`\n]{2,80})`")
        for m in rx.finditer(self.text):
            s, e = m.span(1)
            code = m.group(1).strip()
            words = code.split()
            if not words:
                continue
            head = self.reg.in_range(s, s + len(words[0]), ("Project",))
            if head and len(words) == 2 and _rx(r"^(--?[a-z][\w-]*|[a-z][a-z-]+)$").match(words[1]):
                proj = head[0].entity
                sub = words[1]
                if sub.startswith("-"):
                    ent = self.feature_entity(sub, sub, [code])
                else:
                    ent = self.feature_entity(norm(code), code)
                self.reg.mention(ent, s, e)
                self.feature_owner[ent.id] = proj
                continue
            if len(words) == 1 and not head and not self.reg.overlaps(s, e):
                w = words[0]
                if (
                    _rx(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}$").match(w)
                    or _rx(r"^--?[a-z][\w-]+$").match(w)
                    or _rx(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$").match(w)  # environment variables / constants
                ):
                    ent = self.reg.entity("Feature", w, w)
                    self.reg.mention(ent, s, e)

        # "the kubectl delete command": a project followed by a subcommand.
        sub = _rx(self.ent_pat["subcommand"])
        for p in list(self.reg.placed):
            if p.entity.type != "Project":
                continue
            m = sub.match(self.text, p.end)
            if m and not self.reg.overlaps(m.start(1), m.end(1)):
                name = f"{self.text[p.start : p.end]} {m.group(1)}"
                ent = self.feature_entity(norm(name), name)
                self.reg.mention(ent, p.start, m.end(1))
                self.feature_owner[ent.id] = p.entity
        stop = set(self.ent_pat.get("not_flag_words", []))
        for m in _rx(self.ent_pat["flag_words"]).finditer(self.text):
            if m.group(1) in stop or self.reg.overlaps(m.start(), m.end()):
                continue
            name = self.text[m.start() : m.end()]
            ent = self.reg.entity("Feature", norm(name), name)
            self.reg.mention(ent, m.start(), m.end())

    feature_owner: dict[str, Entity]

    def persons(self) -> None:
        name_rx = self.ent_pat["person_name"]
        handle = _rx(self.ent_pat["person_handle"].replace("{name}", name_rx))
        stop = set(self.ent_pat.get("not_person_words", []))
        for m in handle.finditer(self.text):
            name = m.group("name")
            words = name.split()
            while words and words[0] in stop:
                words.pop(0)
            if len(words) < 2 or any(w in stop for w in words):
                continue
            name = " ".join(words)
            s = m.start("name") + m.group("name").find(words[0])
            ent = self.reg.entity("Person", name, name, ["@" + m.group("handle"), m.group("handle")])
            self.reg.mention(ent, s, s + len(name))
        cues = sorted(self.ent_pat.get("person_cues", []), key=len, reverse=True)
        # A lookahead on the cues' first letters spares trying every cue at every position.
        first = "".join(sorted({c[:1].lower() for c in cues} | {c[:1].upper() for c in cues}))
        alts = "|".join(re.escape(c) for c in cues)
        # Only the cue ignores case: a name is capitalised ("by Jennifer Rondeau and Zach Corleissen").
        cue_rx = _rx(rf"(?=[{re.escape(first)}])\b(?i:{alts})\s+({name_rx})")
        and_rx = _rx(rf"\s*(?:,\s*)?(?:and|&)\s+({name_rx})")
        for m in cue_rx.finditer(self.text):
            name = m.group(1)
            words = name.split()
            if len(words) < 2 or any(w in stop for w in words) or self.reg.overlaps(m.start(1), m.end(1)):
                continue
            if not all(w[0].isupper() for w in words):
                continue
            ent = self.reg.entity("Person", name, name)
            self.reg.mention(ent, m.start(1), m.end(1))
            # "delivered by Jennifer Rondeau and Zach Corleissen": the second name shares the cue.
            mm = and_rx.match(self.text, m.end(1))
            if mm:
                other = mm.group(1).split()
                if len(other) >= 2 and not any(w in stop for w in other) and self.lookup(mm.group(1)) is None:
                    if not self.reg.overlaps(mm.start(1), mm.end(1)):
                        o = self.reg.entity("Person", mm.group(1), mm.group(1))
                        self.reg.mention(o, mm.start(1), mm.end(1))
        for lk in self.issue.links:
            if lk.anchor_start < 0:
                continue
            mm = _rx(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9-]+)/?$").match(lk.url)
            anchor = lk.anchor.strip()
            if mm and re.fullmatch(name_rx, anchor) and not self.reg.overlaps(lk.anchor_start, lk.anchor_end):
                ent = self.reg.entity("Person", anchor, anchor, [mm.group(1)])
                self.reg.mention(ent, lk.anchor_start, lk.anchor_start + len(anchor))
        after = _rx(r"(" + name_rx + r")" + self.ent_pat["person_after"].replace("{name}", "(" + name_rx + ")"))
        before = _rx(self.ent_pat["person_before"], re.IGNORECASE)
        for rx_names in (after, _rx(r"(" + name_rx + r")")):
            for m in rx_names.finditer(self.text):
                names = [(m.start(i), m.group(i)) for i in range(1, (m.lastindex or 1) + 1) if m.group(i)]
                if rx_names is not after and not before.search(self.text[max(0, m.start() - 30) : m.start()]):
                    continue
                for st, name in names:
                    words = name.split()
                    if len(words) < 2 or any(w in stop for w in words) or self.lookup(name) is not None:
                        continue
                    if any(self.lookup(w) is not None for w in words) or self.reg.overlaps(st, st + len(name)):
                        continue
                    ent = self.reg.entity("Person", name, name)
                    self.reg.mention(ent, st, st + len(name))
        # Names already known as persons, wherever else they occur.
        people = [e for e in self.reg.by_id.values() if e.type == "Person" and " " in e.label]
        for ent in people:
            lit = re.escape(ent.label)
            # The literal first (not \b) lets re search for it instead of testing every position.
            rx = _rx(lit + r"(?<!\w" + lit + r")\b") if ent.label[:1].isalnum() else _rx(r"\b" + lit + r"\b")
            for m in rx.finditer(self.text):
                if not self.reg.overlaps(m.start(), m.end()):
                    self.reg.mention(ent, m.start(), m.end())

    # ------------------------------------------------------------------ releases

    def release(self, project: Entity, version: str, surface: str | None = None) -> Entity:
        version = _norm_version(version)
        key = project.props.get("catalog") or norm(project.label)
        label = f"{project.label} {version}"
        # "containerd 1.3" and its tag v1.3.0 are one release: x.y is released as x.y.0.
        m = _rx(r"^(\d+\.\d+)(\.0)?$").match(version)
        if m:
            other = m.group(1) if m.group(2) else m.group(1) + ".0"
            same = self.reg.by_id.get(entity_iri("Release", f"{key}/{other}"))
            if same is not None:
                self.reg.alias(same, label)
                return same
        aliases = [f"{project.label} v{version}"] if version[:1].isdigit() else []
        ent = self.reg.entity("Release", f"{key}/{version}", label, aliases, version=version, stage=_stage_of(version))
        self.add_rel(project, "has_release", ent, self._first_sentence(ent, project))
        self.release_project[ent.id] = project
        return ent

    release_project: dict[str, Entity]
    accepted_owner: dict[int, Entity]  # end of an accepted bare version -> its project

    def _first_sentence(self, ent: Entity, other: Entity) -> tuple[int, int]:
        if ent.mentions:
            return self.sentence_or_unit(ent.mentions[0].start)
        if other.mentions:
            return self.sentence_or_unit(other.mentions[0].start)
        return 0, 0

    def releases(self, hits: list[Hit]) -> None:
        major = _rx(self.rel_versions["major"])
        # "Helm 3", "Helm v3": a bare major version right after a project name.
        for p in list(self.reg.placed):
            if p.entity.type != "Project":
                continue
            m = _rx(r"[ \t]?([vV]?\d{1,2})(?![\w.%])").match(self.text[p.end : p.end + 5])
            if m and major.match(m.group(1)):
                s, e = p.end + m.start(1), p.end + m.end(1)
                rel = self.release(p.entity, m.group(1))
                self.reg.mention(rel, p.start, e)
                self.version_releases.append((s, e, rel))
        accepted: list[int] = []
        for h in hits:
            if self.reg.overlaps(h.start, h.end) or self._in_url(h.start):
                continue
            nxt = self.text[h.end : h.end + 1]
            if nxt in ("%",) or _rx(r"\s?(?:ms|s|GB|MB|KB|Gi|Mi|x|倍|秒)\b").match(self.text[h.end : h.end + 4]):
                continue
            owner, start = self._version_owner(h, accepted)
            if owner is None:
                continue
            rel = self.release(owner, h.text)
            self.reg.mention(rel, start, h.end)
            self.version_releases.append((h.start, h.end, rel))
            accepted.append(h.end)
            self.accepted_owner[h.end] = owner

    _JOINER = _rx(
        r"(?:\s+|\[|\]\([^()\s]*\)|\]|\*+|`|\b(?:to|version|release|v|bump|bumped|bumps|update|updated|upgrade|upgraded)\b|版本|的|:|-|@|(?:升级|更新|降级)[到至为]?)$",
        re.IGNORECASE,
    )

    def _version_owner(self, h: Hit, accepted: list[int]) -> tuple[Entity | None, int]:
        unit = self.index.unit_at(h.start)
        sent = self.index.sentence_at(unit, h.start) or self._line(h.start, h.end)
        before = self.text[sent[0] : h.start]
        stripped = before
        for _ in range(6):
            new = self._JOINER.sub("", stripped)
            if new == stripped:
                break
            stripped = new
        pos = sent[0] + len(stripped)
        # Adjacent project (or technology) name: "cilium 1.6", "Fluentd to 1.8.0", "Go 1.21".
        adj = [p for p in self.reg.in_range(max(sent[0], pos - 80), pos) if p.end == pos]
        if adj:
            ent = adj[-1].entity
            if ent.type in ("Project", "Technology"):
                return ent, adj[-1].start
            return None, h.start
        if unit is not None and any(t in self.sec_pat.get("version_update_titles", []) for t in unit.section_titles()):
            m = _rx(r"(?:^|[\[*\-\s])([A-Za-z][\w./-]*)$").search(stripped)
            line_prefix = self.text[self._line(h.start, h.end)[0] : sent[0] + len(stripped)]
            if m and _rx(r"^[\s*\-\[]*(?:update|bump|upgrade)?\s*(?:to\s+)?[A-Za-z][\w./-]*$", re.I).match(line_prefix):
                name = m.group(1)
                if name.lower() not in {"to", "update", "bump", "upgrade"}:
                    ent = self.project_entity(name, strict=False)  # "GO to 1.26.3" is Go
                    s = sent[0] + m.start(1)
                    self.reg.mention(ent, s, s + len(name))
                    return ent, s
        # The word right before, when it is a Latin word that is not a cue, names something else.
        last = _rx(r"([A-Za-z][\w.+-]*)\s*$").search(stripped)
        cues_b, cues_a, cjk_cues = _version_cues()
        cjk_after = tuple(c for c in cues_a if not c.isascii())
        if last and last.group(1).lower() not in cues_b and not last.group(1).islower():
            # A name-like word right before ("OAuth 2.0", "Ubuntu 18.04") owns the version.
            return None, h.start
        # A bare version: only when it looks like a release.
        word = h.text
        strong = word[:1] in "vV" or word.count(".") >= 2 or _stage_of(word) is not None
        prev_word = last.group(1).lower() if last else before.rstrip()[-2:].strip()
        after = self.text[h.end : h.end + 12].strip().lower()
        after_word = _rx(r"[a-z]+|[\u4e00-\u9fff]|\S").match(after)
        cue = (
            prev_word in cues_b
            or before.rstrip().endswith(cjk_cues)
            or (after_word is not None and after_word.group() in cues_a)
            or after.startswith(cjk_after)
        )
        listed = [
            a
            for a in accepted
            if 0 <= h.start - a <= 5 and _rx(r"^[\s、,，和/]*(?:and|or)?\s*$").match(self.text[a : h.start])
        ]
        if not (strong or cue or listed):
            return None, h.start
        if self.default_project() is None:
            # No series default: the project the sentence is about, its first before the version ("Envoy
            # 自身也在 1.11.2 中修复了该问题"), as its root (a component's version is its project's).
            near = [p for p in self.reg.in_range(sent[0], h.start, ("Project",)) if p.end <= h.start]
            if near:
                return self.root(near[0].entity), h.start
        if listed and (prev := self.accepted_owner.get(listed[-1])) is not None:
            return prev, h.start  # "containerd 2.3.4 and 2.2.7": the listed version's project
        owner = self.release_topic(unit)
        if owner is not None and not self.plausible_version(owner, word):
            return None, h.start  # a bare version the project never had (no Kubernetes 2.x)
        return owner, h.start

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

    # ------------------------------------------------------------------ relations

    def relations_all(self) -> None:
        from kg.extract import relations

        relations.structural(self)
        relations.cued(self)


_TITLE_TRIM = " \t*_`《》“”\"'"


def _reading_title(text: str, unit: Unit) -> tuple[int, int] | None:
    """A reading-list item's title when its reader gave none: the anchor of its first link that reads as a title
    (two words or more, or CJK), e.g. ``- 技术博文：[《Title》](url) by Author``, ``1. [Title](url) — comment``."""
    if unit.item is None:
        return None
    for lk in unit.item.links:
        if lk.anchor_start < 0:
            continue
        a, b = lk.anchor_start, lk.anchor_end
        while a < b and text[a] in _TITLE_TRIM:
            a += 1
        while b > a and text[b - 1] in _TITLE_TRIM:
            b -= 1
        anchor = text[a:b]
        if "://" in anchor or not anchor:
            continue
        if len(anchor.split()) >= 2 or (_CJK.search(anchor) and len(anchor) >= 4):
            return a, b
    return None


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


@cache
def _version_cues() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Words before / after a bare version that make it a release (releases.yaml), lower-cased."""
    rel = load_patterns("releases")
    before = frozenset(str(c).lower() for c in rel.get("cues_before", []))
    after = frozenset(str(c).lower() for c in rel.get("cues_after", []))
    return before, after, tuple(c for c in before if not c.isascii())  # CJK words and punctuation ("，")


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


def extract(issue: Issue, catalog: Any, nlp: Any = None) -> Extraction:
    """Entities and relations of one issue.  Never raises on odd text: finds less instead."""
    from kg.nlp import load_pipeline

    if nlp is None:
        nlp = load_pipeline(catalog)
    return run_extractor(issue, catalog, nlp(issue.text))


def run_extractor(issue: Issue, catalog: Any, doc: Any) -> Extraction:
    """The extraction of ``issue`` from its processed ``doc`` (``nlp(issue.text)``)."""
    ex = Extractor(issue, catalog, doc)
    ex.unit_topic_override = {}
    ex.feature_owner = {}
    ex.release_project = {}
    ex.accepted_owner = {}
    return ex.run()
