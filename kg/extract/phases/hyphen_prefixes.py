""" "CNCF-hosted", "Kubernetes-native": the name before such a hyphen is a mention."""

from __future__ import annotations

import re

from kg.extract.context import Context, _rx, ending_at


def run(ctx: Context) -> None:
    """ "CNCF-hosted", "Kubernetes-native": the name before the hyphen is a mention."""
    suffixes = "|".join(map(re.escape, ctx.ent_pat.get("name_suffixes", [])))
    if not suffixes:
        return
    rx = _rx(r"(?<![\w./-])([A-Za-z][\w.]*)-(?:" + suffixes + r")(?![\w-])")
    # The "-suffix" first (a literal "-" starts it), then the name before it.
    for m in ending_at(ctx.text, rx, _rx(r"-(?:" + suffixes + r")(?![\w-])"), reach=60):
        entry = ctx.lookup(m.group(1))
        if entry is None or entry.type not in ("Project", "Organization", "Technology"):
            continue
        if getattr(entry, "case_sensitive", False) and m.group(1) not in entry.surface_names():
            continue
        # Inside a longer event or article name the prefix is still a mention of its own.
        over = ctx.reg.in_range(max(0, m.start(1) - 200), m.end(1) + 200)
        if not any(
            p.start < m.end(1) and m.start(1) < p.end and p.entity.type not in ("Event", "Article") for p in over
        ):
            ctx.reg.mention(ctx.catalog_entity(entry), m.start(1), m.end(1))
