"""spaCy pipeline components, registered by name and configured by data.

Each component appends :class:`Hit` records to ``doc.user_data["cnkg_hits"]`` (character
offsets into ``doc.text``, aligned to whole tokens).  With ``mirror_spans`` (their config) they
also mirror the hits as labelled spans in ``doc.spans["cnkg"]``, so that ordinary spaCy tooling
(displacy, span inspection) sees them; extraction reads the hits only, and ``kg.nlp.load_pipeline``
leaves the mirror off unless asked (a Span object per hit was a fifth of the components' time).

- ``cnkg_catalog_ruler``: every surface name of the catalog.  Latin names go through a
  PhraseMatcher (lower-cased unless the entry is case-sensitive); names containing CJK
  characters are found by one regular expression on the text, since Chinese has no spaces
  and jieba may cut a name differently in context.
- ``cnkg_patterns``: versions, KEP numbers, CVEs, GitHub repositories, CamelCase
  identifiers, flags and events, from ontology/patterns/entities.yaml and releases.yaml.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.nlp.hits import Hit, hits_of
from kg.patterns import load_patterns
from kg.text import has_cjk

SPANS_KEY = "cnkg"
_PENDING = "cnkg_pending_spans"

# Catalogs handed to components by fingerprint (spaCy configs must be JSON-serialisable).
CATALOGS: dict[str, Any] = {}


def _add(doc: Doc, hit: Hit, label: str) -> None:
    hits_of(doc).append(hit)
    pending = doc.user_data.get(_PENDING)  # a list while a component that mirrors its hits runs
    if pending is not None:
        pending.append((hit, label))


def _start_spans(doc: Doc, mirror: bool) -> None:
    """Before a component adds hits: collect them for :func:`_flush_spans` when it mirrors them."""
    if mirror:
        doc.user_data[_PENDING] = []


def _flush_spans(doc: Doc) -> None:
    """Mirror the hits recorded since :func:`_start_spans` in doc.spans (one SpanGroup update per component)."""
    pending = doc.user_data.pop(_PENDING, None)
    if not pending:
        return
    starts, _ = offsets(doc)
    spans = []
    for hit, label in pending:
        # The tokens covering the hit ("expand" alignment), found by bisection: doc.char_span built a
        # Token object per step and was most of the components' time.
        i = bisect.bisect_right(starts, hit.start) - 1
        j = bisect.bisect_left(starts, hit.end)
        if 0 <= i < j:
            spans.append(Span(doc, i, j, label=label))
    if spans:
        group = doc.spans.get(SPANS_KEY)
        doc.spans[SPANS_KEY] = [*group, *spans] if group is not None else spans


def doc_text(doc: Doc) -> str:
    """The text, without the cost of doc.text (which joins every token on each access)."""
    text = doc.user_data.get("cnkg_text")
    if text is None:
        text = doc.user_data["cnkg_text"] = doc.text
    return text


def offsets(doc: Doc) -> tuple[list[int], list[int]]:
    """Start and end character offsets of every token, in order (the cnkg tokenizer records them)."""
    cached = doc.user_data.get("cnkg_offsets")
    if cached is None:
        cached = doc.user_data["cnkg_offsets"] = ([t.idx for t in doc], [t.idx + len(t.text) for t in doc])
    return cached


def _bounds(doc: Doc) -> tuple[set[int], set[int]]:
    cached = doc.user_data.get("cnkg_bounds")
    if cached is None:
        starts, ends = offsets(doc)
        cached = doc.user_data["cnkg_bounds"] = (set(starts), set(ends))
    return cached


_LEADING_WORD = re.compile(r"^\\b([A-Za-z]+)(?![*+?{])")


def literal_first(pattern: str) -> str:
    """``\\bKEP...`` as ``KEP(?<!\\wKEP)...``: the same matches, but Python's re can then search for the
    literal prefix instead of testing the word boundary at every position (30x faster on LWKD)."""
    m = _LEADING_WORD.match(pattern)
    if m is None:
        return pattern
    word = m.group(1)
    return f"{word}(?<!\\w{word}){pattern[m.end() :]}"


class CatalogRuler:
    def __init__(self, nlp: Language, catalog_fingerprint: str, mirror_spans: bool = True) -> None:
        catalog = CATALOGS[catalog_fingerprint]
        self.mirror_spans = mirror_spans
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.entries: list[Any] = []
        self._ids: dict[tuple[int, str], int] = {}
        cjk: dict[str, list[int]] = {}
        lower_pats: dict[str, list[Doc]] = {}
        exact_pats: dict[str, list[Doc]] = {}
        for name, entry in catalog.names():
            name = name.strip()
            if not name:
                continue
            imported = getattr(entry, "source", "team") != "team"
            if imported and len(name) <= 2:
                continue  # short imported names ("Go", "K3") are mostly noise
            idx = self._ids.setdefault((id(entry), name), len(self.entries))
            if idx == len(self.entries):
                self.entries.append((entry, name))
            if has_cjk(name):
                cjk.setdefault(name, []).append(idx)
                continue
            # Imported names are matched as written: landscape names are often common words.
            case_sensitive = bool(getattr(entry, "case_sensitive", False)) or imported
            target = exact_pats if case_sensitive else lower_pats
            target.setdefault(str(idx), []).append(nlp.make_doc(name))
        for key, docs in lower_pats.items():
            self.lower.add(key, docs)
        for key, docs in exact_pats.items():
            self.exact.add(key, docs)
        self.cjk_ids = cjk
        names = sorted(cjk, key=len, reverse=True)
        self.cjk_rx = re.compile("|".join(map(re.escape, names))) if names else None

    def __call__(self, doc: Doc) -> Doc:
        _start_spans(doc, self.mirror_spans)
        vocab = doc.vocab
        text = doc_text(doc)
        starts, ends = offsets(doc)
        for matcher in (self.lower, self.exact):
            for match_id, s, e in matcher(doc):
                idx = int(vocab.strings[match_id])
                entry, name = self.entries[idx]
                start, end = starts[s], ends[e - 1]
                hit = Hit(start, end, "catalog", text[start:end], entry, {"name": name, "order": idx})
                _add(doc, hit, entry.type)
        # Every CJK name holds a Han character: a text without one (English issues) is not searched.
        if self.cjk_rx is not None and has_cjk(text):
            for m in self.cjk_rx.finditer(text):
                s, e = m.span()
                # A Latin edge of a mixed name must not continue a Latin word.
                if text[s].isascii() and s > 0 and text[s - 1].isalnum() and text[s - 1].isascii():
                    continue
                if text[e - 1].isascii() and e < len(text) and text[e].isalnum() and text[e].isascii():
                    continue
                for idx in self.cjk_ids[m.group()]:
                    entry, name = self.entries[idx]
                    _add(doc, Hit(s, e, "catalog", m.group(), entry, {"name": name, "order": idx}), entry.type)
        _flush_spans(doc)
        return doc


class PatternMatcher:
    def __init__(self, mirror_spans: bool = True) -> None:
        self.mirror_spans = mirror_spans
        ent = load_patterns("entities")
        rel = load_patterns("releases")
        self.kep_text = re.compile(literal_first(ent["kep"]["text"]))
        self.kep_url = re.compile(ent["kep"]["url"])
        self.cve = re.compile(literal_first(ent["cve"]))
        self.repo = re.compile(ent["github_repo"])
        self.repo_orgs_skip = {s.lower() for s in ent.get("github_orgs_not_projects", [])}
        self.repo_names_skip = {s.lower() for s in ent.get("github_repos_not_projects", [])}
        self.camel = re.compile(ent["camel"])
        self.flag = re.compile(ent["flag"])
        self.event = re.compile(ent["event"])
        self.not_features = set(ent.get("not_features", []))
        self.version = re.compile(rel["version"])
        # Candidate tokens are found with one scan of the text, then checked whole.
        # The lookahead rejects most positions with one character test instead of four alternatives.
        self._scan = re.compile(
            r"(?=[hvV0-9A-Z-])(?:(?P<url>https?://\S+)"
            r"|(?P<num>(?<![\w.])[vV]?\d+(?:\.\d+)+(?:-?[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?)"
            r"|(?P<camel>(?<![\w-])[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)"
            r"|(?P<flag>(?<![\w-])--[a-z][\w-]*))"
        )

    def __call__(self, doc: Doc) -> Doc:
        _start_spans(doc, self.mirror_spans)
        text = doc_text(doc)
        starts, ends = _bounds(doc)
        tok_starts, tok_ends = offsets(doc)
        for m in self._scan.finditer(text):
            kind = m.lastgroup
            s, e = m.span()
            if kind == "url":
                # The url token may be shorter than \S+ (closing parenthesis, punctuation).
                i = bisect.bisect_left(tok_starts, s)
                if i == len(tok_starts) or tok_starts[i] != s:
                    continue
                self._url(doc, s, tok_ends[i], text[s : tok_ends[i]])
                continue
            if s not in starts or e not in ends:
                continue
            word = m.group()
            if kind == "num":
                if self.version.match(word):
                    _add(doc, Hit(s, e, "version", word), "VERSION")
            elif kind == "camel":
                if self.camel.match(word) and word not in self.not_features:
                    _add(doc, Hit(s, e, "camel", word), "CAMEL")
            elif kind == "flag" and self.flag.match(word):
                _add(doc, Hit(s, e, "flag", word), "FLAG")
        for m in self.kep_text.finditer(text):
            _add(doc, Hit(m.start(), m.end(), "kep", m.group(), data={"number": int(m.group(1))}), "KEP")
        for m in self.cve.finditer(text):
            _add(doc, Hit(m.start(), m.end(), "cve", m.group().upper()), "Vulnerability")
        for m in self.event.finditer(text):
            _add(doc, Hit(m.start(), m.end(), "event", " ".join(m.group().split())), "Event")
        _flush_spans(doc)
        return doc

    def _url(self, doc: Doc, s: int, e: int, url: str) -> None:
        m = self.kep_url.search(url)
        if m:
            number = int(next(g for g in m.groups() if g))
            _add(doc, Hit(s, e, "kep", url, data={"number": number, "url": url}), "KEP")
            return
        m = self.repo.match(url)
        if m:
            org, name, tag = m.group(1), m.group(2), m.group(3)
            data = {"org": org, "repo": name, "tag": tag, "url": url}
            data["skip_discovery"] = org.lower() in self.repo_orgs_skip or name.lower() in self.repo_names_skip
            _add(doc, Hit(s, e, "repo", url, data=data), "REPO")


@Language.factory("cnkg_catalog_ruler", default_config={"catalog_fingerprint": "", "mirror_spans": True})
def make_catalog_ruler(nlp: Language, name: str, catalog_fingerprint: str, mirror_spans: bool) -> CatalogRuler:
    return CatalogRuler(nlp, catalog_fingerprint, mirror_spans)


@Language.factory("cnkg_patterns", default_config={"mirror_spans": True})
def make_patterns(nlp: Language, name: str, mirror_spans: bool) -> PatternMatcher:
    return PatternMatcher(mirror_spans)
