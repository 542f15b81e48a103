"""Pattern hits: KEP numbers and links, CVEs, repository links, CamelCase names, flags, code spans, subcommands."""

from __future__ import annotations

import re
from functools import cache

from kg.extract.context import Context, _catalog_tables, _norm_version, _rx
from kg.model import Entity
from kg.nlp.hits import Hit
from kg.text import norm


def run(ctx: Context) -> None:
    hits = [h for h in ctx.hits if h.kind != "event"]
    not_feat = set(ctx.ent_pat.get("not_features", []))
    for h in hits:
        if h.kind == "kep":
            if ctx.reg.overlaps(h.start, h.end) and "url" not in h.data:
                continue
            ent = ctx.kep_entity(h.data["number"], url=h.data.get("url"))
            ctx.reg.mention(ent, h.start, h.end)
        elif h.kind == "cve":
            ent = ctx.reg.entity("Vulnerability", h.text, h.text)
            ctx.reg.mention(ent, h.start, h.end)
        elif h.kind == "repo":
            repo_hit(ctx, h)
        elif h.kind == "camel":
            if ctx.reg.overlaps(h.start, h.end) or h.text in not_feat:
                continue
            camel_hit(ctx, h)
        elif h.kind == "flag":
            if ctx.reg.overlaps(h.start, h.end):
                continue
            ent = ctx.reg.entity("Feature", h.text, h.text)
            ctx.reg.mention(ent, h.start, h.end)
    backticks(ctx)


def camel_hit(ctx: Context, h: Hit) -> None:
    if h.start > 0 and ctx.text[h.start - 1] == "@":
        return  # a handle ("@ChengHao Yang"): the people phase reads it
    if _rx(r"(?:Mc|Mac|O')[A-Z][a-z]+$").match(h.text) and _rx(r"[A-Z][a-z]+[ \t]$").search(
        ctx.text, max(0, h.start - 20), h.start
    ):
        return  # a surname after a first name ("Sean McGinnis"): the persons phase reads it
    for etype in ("Project", "Technology", "Organization"):
        known = ctx.reg.by_norm.get((etype, norm(h.text)))
        if known is not None:  # a name this issue already gave to a thing ("CrateDB" of a release link)
            ctx.reg.mention(known, h.start, h.end)
            return
    entry = ctx.lookup(h.text)
    if entry is not None:
        ent = ctx.catalog_entity(entry)
        ctx.reg.mention(ent, h.start, h.end)
        return
    if _typo_of_known(ctx, h.text):
        return
    if _rx(r"\s+(?:wrote|writes|said|says|is\s+stepping|joined|joins|presented|gave)\b").match(
        ctx.text[h.end : h.end + 20]
    ):
        return  # a person's handle ("YangLu wrote some instructions")
    end = h.end
    # "StorageVersion API": the API phrase is the feature's name.
    m = _rx(r"[ \t]+API\b").match(ctx.text[end : end + 6])
    if m:
        end += m.end()
    label = ctx.text[h.start : end]
    if end == h.end and _names_a_project(ctx, h.start, h.end):
        ent = ctx.project_entity(label)
        ctx.reg.mention(ent, h.start, h.end)
        return
    ent = ctx.reg.entity("Feature", norm(label), label)
    ctx.reg.mention(ent, h.start, end)


def _names_a_project(ctx: Context, start: int, end: int) -> bool:
    """Whether an unknown name is a project's, by what surrounds it: a head noun after it ("VibePod CLI",
    "Kelos framework"), a list cue before it ("tools like Kelos and VibePod"), or a unit that is about
    no Kubernetes component while the series is not Kubernetes' own."""
    heads_rx, cues_rx = _project_context(
        tuple(ctx.ent_pat.get("project_heads", [])), ctx.ent_pat.get("project_list_cues")
    )
    if heads_rx is not None and heads_rx.match(ctx.text, end, end + 24):
        return True
    unit = ctx.index.unit_at(start)
    lo = unit.start if unit else max(0, start - 80)
    if cues_rx is not None and cues_rx.search(ctx.text, max(lo, start - 80), start):
        return True
    if ctx.default_project() is not None or unit is None or unit.kind not in ("community", "news", "other"):
        return False
    if ctx.reg.in_range(unit.start, unit.end, ("Release",)):
        return False  # a release note's names are the release's features
    feature_words = _rx(ctx.ent_pat.get("feature_context", r"(?!)"), re.IGNORECASE)
    if feature_words.search(ctx.text[unit.start : unit.end]):
        return False
    return not any(
        p.entity.props.get("catalog") in ("kubernetes",) or ctx.root(p.entity).props.get("catalog") == "kubernetes"
        for p in ctx.reg.in_range(unit.start, unit.end, ("Project",))
    )


@cache
def _project_context(heads: tuple[str, ...], cues: str | None) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(a head noun right after a name, a list cue shortly before one), compiled once per pattern file."""
    heads_rx = re.compile(r"[ \t]+(?:" + "|".join(map(re.escape, heads)) + r")\b") if heads else None
    cues_rx = re.compile(r"(?:" + cues + r")[^.;:!?]{0,60}$", re.IGNORECASE) if cues else None
    return heads_rx, cues_rx


def _typo_of_known(ctx: Context, word: str) -> bool:
    """A CamelCase word one edit away from a known name is a misspelling (GranphQL)."""
    if len(word) < 6:
        return False
    return _catalog_tables(ctx.catalog).is_typo(word.lower())


def repo_hit(ctx: Context, h: Hit) -> None:
    d = h.data
    entry = ctx.catalog.by_repo(d["url"]) if hasattr(ctx.catalog, "by_repo") else None
    span = ctx.link_span(h.start, h.end)
    ent: Entity | None = None
    if entry is not None:
        ent = ctx.catalog_entity(entry)
        if not d.get("tag"):
            ctx.reg.mention(ent, *span)
    elif not d.get("skip_discovery"):
        name = d["repo"]
        unit = ctx.index.unit_at(h.start)
        a, b = (unit.start, unit.end) if unit else ctx.line(h.start, h.end)
        rx = _rx(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
        # Only a repository whose name the text itself uses is a project of this issue.
        found = [m for m in rx.finditer(ctx.text, a, b) if not ctx.in_url(m.start())]
        if found:
            # A project already named over the repository's name ("Sigstore Rekor" over "rekor") is the one.
            existing = [
                p.entity
                for m in found
                for p in ctx.reg.in_range(max(0, m.start() - 80), m.end(), ("Project",))
                if p.start < m.end() and m.start() < p.end
            ]
            ent = existing[0] if existing else ctx.project_entity(name, url=d["url"])
            for m in found:
                if not ctx.reg.overlaps(m.start(), m.end()):
                    ctx.reg.mention(ent, m.start(), m.end())
    tag = d.get("tag") or ""
    if ent is not None and (pm := _rx(r"^([A-Za-z][\w.-]*?)-(?=[vV]?\d)").match(tag)):
        # "cluster-autoscaler-1.34.4", "controller-v1.14.2": the prefix names the component released, a
        # generic word its repository's project; a chart's version is not the project's.
        prefix = pm.group(1)
        named = ctx.lookup(prefix, strict=False)
        if norm(prefix) in norm(ent.label) or norm(prefix) in norm(d["repo"]):
            pass  # "knative-v1.21.1" of Knative Serving: the repository's own name
        elif named is not None and named.type == "Project":
            ent = ctx.catalog_entity(named)
        elif prefix.lower() not in ("controller", "release", "version", "app"):
            ent = None
        tag = tag[pm.end() :]
    if ent is not None and tag and ent.type == "Project":
        version = _norm_version(tag)
        if _rx(ctx.rel_versions["version"]).match(version):
            rel = ctx.release(ent, version, tag)
            ctx.reg.mention(rel, *span)


def backticks(ctx: Context) -> None:
    """`kubectl drain`, `kubelet --containerized`, `SomeGate`, `--flag`: code spans naming features."""
    rx = _rx(r"`([^`\n]{2,80})`")
    for m in rx.finditer(ctx.text):
        s, e = m.span(1)
        code = m.group(1).strip()
        words = code.split()
        if not words:
            continue
        head = ctx.reg.in_range(s, s + len(words[0]), ("Project",))
        if head and len(words) == 2 and _rx(r"^(--?[a-z][\w-]*|[a-z][a-z-]+)$").match(words[1]):
            proj = head[0].entity
            sub = words[1]
            if sub.startswith("-"):
                ent = ctx.feature_entity(sub, sub, [code])
            else:
                ent = ctx.feature_entity(norm(code), code)
            ctx.reg.mention(ent, s, e)
            ctx.feature_owner[ent.id] = proj
            continue
        if len(words) == 1 and not head and not ctx.reg.overlaps(s, e):
            w = words[0]
            if (
                _rx(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}$").match(w)
                or _rx(r"^--?[a-z][\w-]+$").match(w)
                or _rx(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$").match(w)  # environment variables / constants
            ):
                ent = ctx.reg.entity("Feature", w, w)
                ctx.reg.mention(ent, s, e)

    # "the kubectl delete command": a project followed by a subcommand.
    sub = _rx(ctx.ent_pat["subcommand"])
    for p in list(ctx.reg.placed):
        if p.entity.type != "Project":
            continue
        m = sub.match(ctx.text, p.end)
        if m and not ctx.reg.overlaps(m.start(1), m.end(1)):
            name = f"{ctx.text[p.start : p.end]} {m.group(1)}"
            ent = ctx.feature_entity(norm(name), name)
            ctx.reg.mention(ent, p.start, m.end(1))
            ctx.feature_owner[ent.id] = p.entity
    stop = set(ctx.ent_pat.get("not_flag_words", []))
    # A pattern ending in "flag" matches no text without the word (most issues), where it would be tried at
    # every position (it starts with a lookbehind).
    pattern = ctx.ent_pat["flag_words"]
    needless = pattern.endswith(r"\s+flag\b") and "flag" not in ctx.text
    for m in () if needless else _rx(pattern).finditer(ctx.text):
        if m.group(1) in stop or ctx.reg.overlaps(m.start(), m.end()):
            continue
        name = ctx.text[m.start() : m.end()]
        ent = ctx.reg.entity("Feature", norm(name), name)
        ctx.reg.mention(ent, m.start(), m.end())
