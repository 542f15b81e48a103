"""Release links: a link whose anchor is ``<name> <version>`` and whose URL is a release page.

``**[Argo CD v3.4.1](https://github.com/argoproj/argo-cd/releases/tag/v3.4.1)**`` names a project and
one of its releases.  The project is the catalog's when the name or the repository is known (a name
that adds a component word, "External Secrets Helm Chart", is a part of it), else a discovered one named
as the anchor names it.  A bare version linked to a release page right after a named one
(``[v1.34.4](…)``) is the same project's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kg.model import Link
from kg.text import norm

if TYPE_CHECKING:
    from kg.extract.context import Context

# "<name> v1.2.3", "<name> 1.2.3-rc.1", "<name> knative-v1.21.1", "<name> (OPA) v1.14.0"
_NAME_VERSION = re.compile(
    r"^(?P<name>[^\[\]\n]{1,80}?)[\s:]+(?:(?P<prefix>[A-Za-z][\w.]*(?:-[A-Za-z][\w.]*)*)-)?"
    r"(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z][\w.]*)?)$"
)
_RELEASE_URL = re.compile(r"/releases?(?:/|$)|/tag/|changelog|release-notes|/news/.*release", re.IGNORECASE)
_PROSE_WORDS = frozenset("of for the to in on at with and is are was week weeks cycle".split())
_REPO_NAME = re.compile(r"^[\w.-]+/[\w.-]+$")
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


def run(ctx: Context) -> None:
    last: tuple[int, Any] | None = None  # (end, project) of the last release link read
    for lk in ctx.issue.links:
        if lk.anchor_start < 0 or not _RELEASE_URL.search(lk.url):
            continue
        if "," in lk.anchor or " and " in lk.anchor:
            _listed_versions(ctx, lk)
            continue
        found = _anchor_release(ctx, lk)
        if found is None:
            # "[v1.34.4](…/releases/tag/cluster-autoscaler-1.34.4)": a bare version after a named one is that
            # project's; else the repository's, when the catalog knows it.
            version = _bare_version(ctx.text[lk.anchor_start : lk.anchor_end])
            if version is None:
                continue
            project = last[1] if last is not None and 0 <= lk.start - last[0] <= 40 else None
            if project is None:
                entry = ctx.catalog.by_repo(lk.url) if hasattr(ctx.catalog, "by_repo") else None
                project = ctx.catalog_entity(entry) if entry is not None and entry.type == "Project" else None
            if project is None:
                continue
            release = ctx.release(project, version)
            ctx.reg.mention(release, lk.anchor_start, lk.anchor_end)
            ctx.version_releases.append((lk.anchor_start, lk.anchor_end, release))
            last = (lk.end, project)
            continue
        name, name_start, version = found
        project = _project(ctx, name, lk.url)
        if project is None:
            continue
        if not any(p.entity is project for p in ctx.reg.in_range(name_start, name_start + len(name))):
            ctx.reg.mention(project, name_start, name_start + len(name))
        release = ctx.release(project, version)
        ctx.reg.mention(release, lk.anchor_start, lk.anchor_end)
        ctx.version_releases.append((lk.anchor_start, lk.anchor_end, release))
        last = (lk.end, project)


_BARE_VERSION = re.compile(r"^[*_` ]*([vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)[*_` ]*$")


def _bare_version(anchor: str) -> str | None:
    m = _BARE_VERSION.match(anchor)
    return m.group(1) if m else None


# "[golang text to v0.3.8](…)", "Structured Merge Diff bumped to v6.4.2", "`x` bumped from v0.60.3 to v0.60.4",
_MORE_VERSIONS = re.compile(
    r"[ \t]*(?:,|and|&)[ \t]*(?:and[ \t]+)?(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)"
)


def _listed_versions(ctx: Context, lk: Link) -> None:
    """``[Kuma v2.13.1, v2.12.6 and v2.7.21](…)``: the anchor's first release read, the others are the same
    project's."""
    text = ctx.text
    head = _FIRST_VERSION.match(text, lk.anchor_start, lk.anchor_end)
    if head is None:
        return
    name = head.group("name").strip()
    project = _project(ctx, name, lk.url)
    if project is None:
        return
    spans = [(head.start("name"), head.start("version"), head.end("version"))]
    pos = head.end()
    while more := _MORE_VERSIONS.match(text, pos, lk.anchor_end):
        spans.append((more.start("version"), more.start("version"), more.end("version")))
        pos = more.end()
    for start, vs, ve in spans:
        release = ctx.release(project, text[vs:ve])
        ctx.reg.mention(release, start, ve)
        ctx.version_releases.append((vs, ve, release))
    if not ctx.reg.in_range(head.start("name"), head.start("name") + len(name), ("Project",)):
        ctx.reg.mention(project, head.start("name"), head.start("name") + len(name))


_FIRST_VERSION = re.compile(
    r"[*_` ]*(?P<name>[A-Z][\w.+-]*(?:[ \t][A-Z][\w.+-]*){0,3})[ \t]+(?P<version>[vV]?\d+(?:\.\d+){1,3}"
    r"(?:-[0-9A-Za-z][\w.]*)?)(?=[ \t]*(?:,|and|&))"
)


def _anchor_release(ctx: Context, lk: Link) -> tuple[str, int, str] | None:
    """(name, where the name starts, version) of an anchor ``<name> <version>``."""
    a, b = lk.anchor_start, lk.anchor_end
    text = ctx.text
    while a < b and text[a] in "*_` ":
        a += 1
    while b > a and text[b - 1] in "*_` ":
        b -= 1
    m = _NAME_VERSION.match(text[a:b])
    if m is None:
        return None
    name = m.group("name").strip()
    prefix = m.group("prefix")
    if prefix and norm(prefix) in {norm(w) for w in ctx.ent_pat.get("component_words", [])}:
        # "External-Secrets helm-chart-2.8.0": the chart is what is released.
        name = text[a + m.start("name") : a + m.end("prefix")].strip()
    # "Open Policy Agent (OPA)": the name before the parenthesised short name.
    if p := _PAREN.search(name):
        name = name[: p.start()].strip()
    if not name or not any(c.isalpha() for c in name) or len(name.split()) > 6:
        return None
    if _PROSE_WORDS & set(name.lower().split()):
        return None  # "[week 9 of 12 for 1.10](…/releases/…)": prose, not a name
    return name, a + text[a:b].find(name), m.group("version")


def _project(ctx: Context, name: str, url: str) -> Any:
    entry = ctx.lookup(name, strict=False)
    if entry is not None and entry.type in ("Project", "Technology"):
        return ctx.catalog_entity(entry)
    if _REPO_NAME.match(name):
        # "containers/buildah v1.43.2": a repository's name stands for its project (the catalog's by name or by
        # repository when it knows it), the owner/name form an alias.
        repo = name.split("/")[1]
        entry = ctx.lookup(repo, strict=False) or (
            ctx.catalog.by_repo(f"https://github.com/{name}") if hasattr(ctx.catalog, "by_repo") else None
        )
        if entry is not None and entry.type in ("Project", "Technology"):
            ent = ctx.catalog_entity(entry)
            ctx.reg.alias(ent, name)
            return ent
    entry = ctx.catalog.by_repo(url) if hasattr(ctx.catalog, "by_repo") else None
    if entry is not None and entry.type in ("Project", "Technology"):
        ent = ctx.catalog_entity(entry)
        names = {norm(n) for n in entry.surface_names()}
        if norm(name) in names:
            return ent
        rest = _component_rest(name, entry.surface_names(), ctx.ent_pat.get("component_words", []))
        if rest:
            # "External Secrets Helm Chart v1.2.1" from external-secrets' repository: a part of the project.
            part = ctx.project_entity(name, url=_repo_url(url))
            if part is not ent:
                ctx.add_rel(part, "part_of", ent, ctx.sentence_or_unit(ctx.text.find(name)))
            return part
        ctx.reg.alias(ent, name)  # the repository's project under another name ("Kubernetes Gateway API")
        return ent
    return ctx.project_entity(name, url=_repo_url(url))


def _component_rest(name: str, names: tuple[str, ...], words: list[str]) -> str | None:
    """The component word(s) after a project's name ("Helm Chart" in "External Secrets Helm Chart"), if any."""
    whole = norm(name)
    for n in names:
        key = norm(n)
        if key and whole.startswith(key) and whole != key and whole[len(key) :] in {norm(w) for w in words}:
            return whole[len(key) :]
    return None


def _repo_url(url: str) -> str | None:
    m = re.match(r"(https?://(?:www\.)?github\.com/[\w.-]+/[\w.-]+)", url)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- KEPs by title
