"""Features named by a change of stage: ``[fsGroup Change Policy](…) to beta``, ``[Pod Resources API to GA](…)``,
``Kubelet [credential provider plugins](…) in alpha``.

A link whose anchor ends with ``to|in <stage>``, or is followed by it, names a feature (unless the name is a
project's): the anchor's name is a Feature of the component named before it in the item, else of the
series' project.  A trailing "field"/"feature"/"support" is not part of the name ("AppProtocol field").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.text import norm

if TYPE_CHECKING:
    from kg.extract.context import Context

_STAGE = r"(?:alpha|beta|GA|stable|general availability|deprecated|removed)"
_IN_ANCHOR = re.compile(
    rf"(?P<name>.+?)\s+(?:(?:goes|graduates|moves|promoted)\s+)?(?:to|in|is now)\s+{_STAGE}\b", re.I
)
_AFTER = re.compile(rf"[ \t]+(?:(?:goes|graduates|moves|is)[ \t]+)?(?:to|in|now)[ \t]+{_STAGE}\b", re.I)
_TRAILING = re.compile(r"\s+(?:field|feature gate|feature|support|functionality)$", re.I)


def run(ctx: Context) -> None:
    for lk in ctx.issue.links:
        if lk.anchor_start < 0 or "`" in lk.anchor:
            continue
        a, b = lk.anchor_start, lk.anchor_end
        m = _IN_ANCHOR.match(ctx.text, a, b)
        if m is not None:
            name_end = m.end("name")
        elif _AFTER.match(ctx.text, lk.end):
            name_end = b
        else:
            continue
        name = _TRAILING.sub("", ctx.text[a:name_end].strip(" *_"))
        if len(name) < 3 or len(name.split()) > 6 or not re.search(r"[A-Za-z]{2}", name):
            continue
        s = a + ctx.text[a:name_end].find(name)
        e = s + len(name)
        inside = ctx.reg.in_range(s, e)
        if any(p.entity.type in ("Project", "Technology", "KEP") and (p.start, p.end) == (s, e) for p in inside):
            continue  # "[Helm to GA]": a project's stage, not a feature
        whole = [p for p in inside if p.entity.type == "Feature" and (p.start, p.end) == (s, e)]
        feature = whole[0].entity if whole else ctx.feature_entity(norm(name), name)
        if not whole:
            ctx.reg.mention(feature, s, e)
        unit = ctx.index.unit_at(lk.start)
        lo = unit.start if unit is not None else ctx.line(lk.start, lk.end)[0]
        owners = [p.entity for p in ctx.reg.in_range(lo, lk.start, ("Project",))]
        owners += [p.entity for p in inside if p.entity.type == "Project"]
        owner = owners[0] if owners else ctx.default_project()
        if owner is None:
            continue
        ctx.feature_owner.setdefault(feature.id, owner)
        if not any(k[0] == feature.id and k[1] == "feature_of" for k in ctx.relations):
            ctx.add_rel(feature, "feature_of", ctx.feature_owner[feature.id], ctx.sentence_or_unit(s))
