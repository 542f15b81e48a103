"""Extraction that reads links: what a link's anchor and URL say together.

- a link whose anchor is ``<name> <version>`` and whose URL is a release page
  (``…/releases/tag/…``, ``…/releases/…``, ``…/changelog…``) names a project and one of its
  releases: ``**[Argo CD v3.4.1](https://github.com/argoproj/argo-cd/releases/tag/v3.4.1)**``;
  the project is the catalog's when the name or the repository is known, else a discovered one
  named as the anchor names it;
- a KEP named by its title (``[KEP: <title>](…)``, ``the <title> KEP``, ``keps: sig-x: <title>``)
  is resolved to its number through the KEP catalog (titles compared as word sets, see
  :func:`title_similarity`).

Each function takes the running :class:`kg.extract.core.Extractor`; they only add entities,
mentions and relations through it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kg.extract.names import norm
from kg.model import Link

if TYPE_CHECKING:
    from kg.extract.core import Extractor

# "<name> v1.2.3", "<name> 1.2.3-rc.1", "<name> knative-v1.21.1", "<name> (OPA) v1.14.0"
_NAME_VERSION = re.compile(
    r"^(?P<name>[^\[\]\n]{1,80}?)[\s:]+(?:[A-Za-z][\w.]*-)?(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z][\w.]*)?)$"
)
_RELEASE_URL = re.compile(r"/releases?(?:/|$)|/tag/|changelog|release-notes|/news/.*release", re.IGNORECASE)
_PAREN = re.compile(r"\s*\(([^()]{1,40})\)\s*$")
_WORD = re.compile(r"[a-z0-9]+")
# Words a KEP title shares with most others: they say nothing about which KEP it is.
_TITLE_STOP = frozenset(
    "a an the and or of for to in on with by from as at kep keps proposal enhancement support add adding "
    "allow allowing kubernetes k8s api new via into be is".split()
)
# Two titles whose content words overlap at least this much (Jaccard) are the same KEP's.  Measured on the
# tuning gold and the LWKD corpus: 0.8 joins "Pod Level Resources" with its KEP while leaving apart KEPs
# that share two generic words.
TITLE_THRESHOLD = 0.8


def release_links(ex: Extractor) -> None:
    last: tuple[int, Any] | None = None  # (end, project) of the last release link read
    for lk in ex.issue.links:
        if lk.anchor_start < 0 or not _RELEASE_URL.search(lk.url):
            continue
        found = _anchor_release(ex, lk)
        if found is None:
            # "[v1.34.4](…/releases/tag/cluster-autoscaler-1.34.4)": a bare version after a named one is that
            # project's; else the repository's, when the catalog knows it.
            version = _bare_version(ex.text[lk.anchor_start : lk.anchor_end])
            if version is None:
                continue
            project = last[1] if last is not None and 0 <= lk.start - last[0] <= 40 else None
            if project is None:
                entry = ex.catalog.by_repo(lk.url) if hasattr(ex.catalog, "by_repo") else None
                project = ex.catalog_entity(entry) if entry is not None and entry.type == "Project" else None
            if project is None:
                continue
            release = ex.release(project, version)
            ex.reg.mention(release, lk.anchor_start, lk.anchor_end)
            ex.version_releases.append((lk.anchor_start, lk.anchor_end, release))
            last = (lk.end, project)
            continue
        name, name_start, version = found
        project = _project(ex, name, lk.url)
        if project is None:
            continue
        if not any(p.entity is project for p in ex.reg.in_range(name_start, name_start + len(name))):
            ex.reg.mention(project, name_start, name_start + len(name))
        release = ex.release(project, version)
        ex.reg.mention(release, lk.anchor_start, lk.anchor_end)
        ex.version_releases.append((lk.anchor_start, lk.anchor_end, release))
        last = (lk.end, project)


_BARE_VERSION = re.compile(r"^[*_` ]*([vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)[*_` ]*$")


def _bare_version(anchor: str) -> str | None:
    m = _BARE_VERSION.match(anchor)
    return m.group(1) if m else None


# "[golang text to v0.3.8](…)", "Structured Merge Diff bumped to v6.4.2", "`x` bumped from v0.60.3 to v0.60.4",
# "Go [to v1.16.0](…)": an update line names a project (or technology) and its new version.
_UPDATE_LINE = re.compile(
    r"[\[*_`\s]*(?P<name>[A-Za-z][\w./+-]*(?:[ \t]+[A-Za-z][\w./+-]*){0,4}?)[`*_]*[ \t]+\[?"
    r"(?:(?:is[ \t]+|was[ \t]+)?(?:bumped|updated|upgraded|moved|raised|pinned)[ \t]+)?"
    r"(?:from[ \t]+[vV]?\d[\w.+-]*[ \t]+)?to[ \t]+(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)(?![\w.])"
)
_NOT_NAME_WORDS = frozenset("of for and or the release week master main branch in on with from".split())
_UPDATE_SKIP = frozenset("to from update updates bump bumps upgrade the a an and or in on go-to".split())


def update_lines(ex: Extractor) -> None:
    """List items of update sections (``version_update_titles``) that read ``<name> [bumped] to <version>``."""
    titles = set(ex.sec_pat.get("version_update_titles", []))
    for unit in ex.units:
        if unit.item is None or not titles.intersection(unit.section_titles()):
            continue
        m = _UPDATE_LINE.match(ex.text, unit.start, min(unit.end, unit.start + 200))
        if m is None:
            continue
        name = m.group("name").strip()
        words = name.lower().split()
        if name.lower() in _UPDATE_SKIP or words[0] in ("update", "bump", "upgrade") or _NOT_NAME_WORDS & set(words):
            continue
        if not re.search(r"[a-z]{2}", name, re.IGNORECASE):
            continue  # "v.1.5"
        vs, ve = m.span("version")
        if ex.reg.in_range(vs, ve, ("Release",)):
            continue
        project = ex.project_entity(name, strict=False)
        ns = m.start("name")
        if not ex.reg.in_range(ns, ns + len(name)):
            ex.reg.mention(project, ns, ns + len(name))
        release = ex.release(project, m.group("version"))
        ex.reg.mention(release, vs, ve)
        ex.version_releases.append((vs, ve, release))


def _anchor_release(ex: Extractor, lk: Link) -> tuple[str, int, str] | None:
    """(name, where the name starts, version) of an anchor ``<name> <version>``."""
    a, b = lk.anchor_start, lk.anchor_end
    text = ex.text
    while a < b and text[a] in "*_` ":
        a += 1
    while b > a and text[b - 1] in "*_` ":
        b -= 1
    m = _NAME_VERSION.match(text[a:b])
    if m is None:
        return None
    name = m.group("name").strip()
    # "Open Policy Agent (OPA)": the name before the parenthesised short name.
    if p := _PAREN.search(name):
        name = name[: p.start()].strip()
    if not name or not any(c.isalpha() for c in name) or len(name.split()) > 6:
        return None
    return name, a + text[a:b].find(name), m.group("version")


def _project(ex: Extractor, name: str, url: str) -> Any:
    entry = ex.lookup(name, strict=False)
    if entry is not None and entry.type in ("Project", "Technology"):
        return ex.catalog_entity(entry)
    entry = ex.catalog.by_repo(url) if hasattr(ex.catalog, "by_repo") else None
    if entry is not None and entry.type in ("Project", "Technology"):
        ent = ex.catalog_entity(entry)
        names = {norm(n) for n in entry.surface_names()}
        if norm(name) in names:
            return ent
        rest = _component_rest(name, entry.surface_names(), ex.ent_pat.get("component_words", []))
        if rest:
            # "External Secrets Helm Chart v1.2.1" from external-secrets' repository: a part of the project.
            part = ex.project_entity(name, url=_repo_url(url))
            if part is not ent:
                ex.add_rel(part, "part_of", ent, ex.sentence_or_unit(ex.text.find(name)))
            return part
        ex.reg.alias(ent, name)  # the repository's project under another name ("Kubernetes Gateway API")
        return ent
    return ex.project_entity(name, url=_repo_url(url))


def _component_rest(name: str, names: tuple[str, ...], words: list[str]) -> str | None:
    """The component word(s) after a project's name ("Helm Chart" in "External Secrets Helm Chart"), if any."""
    low = name.casefold()
    for n in names:
        if low.startswith(n.casefold() + " "):
            rest = low[len(n) + 1 :].strip()
            if rest in {w.casefold() for w in words}:
                return rest
    return None


def _repo_url(url: str) -> str | None:
    m = re.match(r"(https?://(?:www\.)?github\.com/[\w.-]+/[\w.-]+)", url)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- KEPs by title


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(title.lower()) if w not in _TITLE_STOP)


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_KEP_INDEX: dict[int, tuple[Any, tuple[tuple[int, frozenset[str]], ...]]] = {}


def _kep_index(catalog: Any) -> tuple[tuple[int, frozenset[str]], ...]:
    cached = _KEP_INDEX.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    out = []
    for entry in getattr(catalog, "entries", ()):
        if entry.type == "KEP" and entry.number is not None and entry.title:
            words = title_words(entry.title)
            if len(words) >= 2:
                out.append((int(entry.number), words))
    _KEP_INDEX[id(catalog)] = (catalog, tuple(out))
    return tuple(out)


def kep_by_title(catalog: Any, title: str) -> int | None:
    """The number of the KEP whose title ``title`` is (compared as content-word sets), when one stands out."""
    words = title_words(title)
    if len(words) < 2:
        return None
    scored = sorted(((title_similarity(words, w), n) for n, w in _kep_index(catalog)), reverse=True)
    if not scored or scored[0][0] < TITLE_THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0]:
        return None  # two KEPs fit as well: not named
    return scored[0][1]


_KEP_TITLE_CUES = [
    re.compile(r"\bKEP[:\s-]+(?!\d)(?P<title>[A-Z][^\[\]\n()]{8,120}?)(?=\]|\s*\(|$|\.\s)", re.MULTILINE),
    re.compile(r"\bkeps?:\s*sig-[\w-]+:\s*(?P<title>[^\n\]]{8,120}?)(?:\s+proposal)?(?=\]|$|\.\s)", re.I | re.M),
    re.compile(r"\b[Tt]he[ \t]+(?P<title>(?:[A-Z][\w/-]*(?:\.\w+)*[ \t]+){1,8})KEP\b"),
]


def keps_by_title(ex: Extractor) -> None:
    """KEPs named by title, resolved through the KEP catalog; the title's span is the mention."""
    if not _kep_index(ex.catalog):
        return
    for rx in _KEP_TITLE_CUES:
        for m in rx.finditer(ex.text):
            title = m.group("title").strip().rstrip(".")
            s = m.start("title")
            e = s + len(title)
            if ex.reg.in_range(s, e, ("KEP",)):
                continue
            number = kep_by_title(ex.catalog, title)
            if number is None:
                continue
            ent = ex.kep_entity(number, title=title)
            ex.reg.mention(ent, s, e)
