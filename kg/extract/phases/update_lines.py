"""Update lines: list items of update sections that read ``<name> [bumped] [from x] to <version>``.

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


_NOT_NAME_WORDS = frozenset("of for or the release week master main branch in on with from".split())
_UPDATE_SKIP = frozenset("to from update updates bump bumps upgrade the a an and or in on go-to".split())


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
        for offset, name in _listed(m.group("name")):
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
