"""Updates: list items of update sections that read ``<name> [bumped] [from x] to <version>``, and updates
in prose (``Updates Buildah to v1.43.2 and gvisor-tap-vsock to v0.8``).

"[golang text to v0.3.8](…)", "Structured Merge Diff bumped to v6.4.2", "Go [to v1.16.0](…)": the item
names a project (or technology) and its new version (sections named in ``version_update_titles``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.extract.context import Context

# "Go [to v1.16.0](…)": an update line names a project (or technology) and its new version.
_UPDATE_LINE = re.compile(
    r"[\[*_`\s]*(?P<name>[A-Za-z][\w./+-]*(?:[ \t]+[A-Za-z][\w./+-]*){0,4}?)[`*_]*[ \t]+\[?"
    r"(?:(?:is[ \t]+|was[ \t]+)?(?:bumped|updated|upgraded|moved|raised|pinned)[ \t]+)?"
    r"(?:from[ \t]+[vV]?\d[\w.+-]*[ \t]+)?to[ \t]+(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)(?![\w.])"
)
# Names joined by "and" / "," in one update line; the line must be nothing but such a list.
_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def _listed(names: str) -> list[tuple[int, str]]:
    """(offset, name) of each name in "a, b and c"."""
    out, pos = [], 0
    for sep in [*_SEPARATOR.finditer(names), None]:
        end = sep.start() if sep is not None else len(names)
        if names[pos:end].strip():
            out.append((pos, names[pos:end].strip()))
        pos = sep.end() if sep is not None else end
    return out


# "kube-cross base image to v1.2.3", "kube-dns version to 1.14": the image or version of the named thing.
_TRAILING_NOUN = re.compile(r"(?:[ \t]+(?:base|container|docker))?[ \t]+(?:images?|version|binary|binaries|tag)$", re.I)
_NOT_NAME_WORDS = frozenset("of for or the release week master main branch in on with from".split())
_UPDATE_SKIP = frozenset(
    "to from update updates bump bumps upgrade the a an and or in on go-to it them this that support version".split()
)


def run(ctx: Context) -> None:
    """List items of update sections (``version_update_titles``) that read ``<name> [bumped] to <version>``."""
    titles = set(ctx.sec_pat.get("version_update_titles", []))
    for unit in ctx.units:
        if unit.item is None or not titles.intersection(unit.section_titles()):
            continue
        m = _UPDATE_LINE.match(ctx.text, unit.start, min(unit.end, unit.start + 200))
        if m is None:
            continue
        vs, ve = m.span("version")
        if ctx.reg.in_range(vs, ve, ("Release",)):
            continue
        # "logr and zapr to v1.2.3": each name listed gets the version.
        for offset, name in _listed(_TRAILING_NOUN.sub("", m.group("name"))):
            words = name.lower().split()
            if (
                name.lower() in _UPDATE_SKIP
                or words[0] in ("update", "bump", "upgrade")
                or _NOT_NAME_WORDS & set(words)
            ):
                continue
            if not re.search(r"[a-z]{2}", name, re.IGNORECASE):
                continue  # "v.1.5"
            project = ctx.project_entity(name, strict=False)
            ns = m.start("name") + offset
            if not ctx.reg.in_range(ns, ns + len(name)):
                ctx.reg.mention(project, ns, ns + len(name))
            release = ctx.release(project, m.group("version"))
            ctx.reg.mention(release, vs, ve)  # the version's span: one release when one name, the first else
            ctx.version_releases.append((vs, ve, release))
    prose_updates(ctx)


_VERB = re.compile(r"\b(?:updat|bump|upgrad|mov|rais)(?:e|es|ed|ing|s)?\b", re.IGNORECASE)
# "<name> [dependency|toolchain|version] to [version] <version>", the name possibly in code.
_TO_VERSION = re.compile(
    r"(?P<tick>`?)(?P<name>[A-Za-z][\w./+-]*[\w+])(?P=tick)[ \t]+"
    r"(?:(?:dependency|toolchain|library|module|version)[ \t]+)?(?:from[ \t]+[vV]?\d[\w.+-]*[ \t]+)?"
    r"to[ \t]+(?:version[ \t]+)?(?P<version>[vV]?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][\w.]*)?)(?![\w.]*\d)"
)
_TO_DIGIT = re.compile(r" to (?:version )?[vV]?\d")
_IDENTIFIER = re.compile(r"^(?:[a-z][\w.+]*[-_/][\w./+-]+|[A-Z][a-z0-9]+[A-Z][\w]*)$")


def prose_updates(ctx: Context) -> None:
    """In a sentence with an update verb, "<name> to <version>" gives the name's release: a catalog name's,
    or a discovered project's when the name is written as an identifier (``gvisor-tap-vsock``, ``c/common``
    is left out: a path under a project is not one)."""
    text = ctx.text
    seen: set[int] = set()
    for to in _TO_DIGIT.finditer(text):
        sent = ctx.sentence_or_unit(to.start())
        if sent[0] in seen:
            continue
        seen.add(sent[0])
        if not _VERB.search(text, sent[0], sent[1]):
            continue
        for m in _TO_VERSION.finditer(text, sent[0], sent[1]):
            name = m.group("name")
            vs, ve = m.span("version")
            if (
                ctx.reg.in_range(vs, ve, ("Release",))
                or name.lower() in _UPDATE_SKIP
                or name.lower() in _NOT_NAME_WORDS
            ):
                continue
            entry = ctx.lookup(name, strict=False)
            if entry is not None and entry.type in ("Project", "Technology"):
                project = ctx.catalog_entity(entry)
            elif (m.group("tick") or _IDENTIFIER.match(name)) and "/" not in name:
                project = ctx.project_entity(name)
            else:
                continue
            ns, ne = m.span("name")
            if not ctx.reg.overlaps(ns, ne):
                ctx.reg.mention(project, ns, ne)
            release = ctx.release(project, m.group("version"))
            ctx.reg.mention(release, vs, ve)
            ctx.version_releases.append((vs, ve, release))
