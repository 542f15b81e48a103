"""A statistical safety net: names no rule or catalog knows, found by a small spaCy NER.

Not in :data:`kg.extract.pipeline.PHASES`: measured on the held-out gold (December 2026) the best variant
found 5 more entities and 13 more false ones (entities F1 0.871 -> 0.869, relations unchanged) and cut
extraction speed by six; ``bench/bench_ner.py`` repeats the measurement with the phase inserted.

The model is trained by :mod:`kg.train` from the rule + catalog extractor's own output over the corpus
(weak supervision), so it knows the *shapes* of the places where names of projects, people, organisations,
events and technologies stand, not a list of names.  This phase runs late (before ``relations``): every
predicted span that no earlier phase placed a mention on, that is not inside a URL and that the catalog does
not know as something of another type becomes an entity of the predicted type with its mention; projects go
through :meth:`Context.project_entity` (so they are ``discovered`` unless the catalog knows them).

The model is read from ``$CNKG_NER_MODEL`` (default ``build/ner-model`` under the repository) once per
process.  Without a model the phase does nothing.

The model reads the issue line by line (the lines it was trained on), with URLs blanked out.  Spans with
Chinese characters are never taken (the model's tokenizer is English and does not segment them), nor dates,
spans opening with a function word ("And check") or made only of common words.

Guards (``$CNKG_NER_GUARD`` or :func:`make_run`): ``none`` accepts every prediction that passes the checks
above; ``twice`` only names predicted at least twice in the issue (same norm); ``cased`` only spans that
start with an upper-case letter or a digit or have an upper-case letter inside (``kOps``); ``twice_or_list``
a name predicted twice, or once inside a list item of the issue.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.text import CJK_CHARS, norm

if TYPE_CHECKING:
    from kg.extract.context import Context

REPO = Path(__file__).resolve().parents[3]
DEFAULT_MODEL = REPO / "build" / "ner-model"
ENV_MODEL = "CNKG_NER_MODEL"
ENV_GUARD = "CNKG_NER_GUARD"

# Types the phase adds (the model may know more, e.g. Feature, so that it does not call those projects).
ACCEPT = ("Project", "Person", "Organization", "Event", "Technology")
GUARDS = ("none", "twice", "cased", "twice_or_list")

_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>\"']+")
_LETTER = re.compile(r"[^\W\d_]")
# The model's English tokenizer does not segment Chinese: a "span" there is a clause, never trusted.
# Han characters, CJK punctuation or full-width forms: no English name holds any.
_CJK_TEXT = re.compile(f"[\u3000-\u303f{CJK_CHARS}\uff00-\uffef]")
_EDGE = " \t\n*_`'\"“”‘’()[]{}<>.,;:!?|#-"

# Words a span must not be on its own: sentence starts, markdown words, generic heads.
_STOP = frozenset(
    """
    a an and the this that these those it its we i you he she they our my your their there here
    new next last week weeks month day today release releases released update updates version versions
    note notes fix fixes bug bugs feature features support change changes pr prs issue issues
    welcome thanks thank also read more see how what why when where who which please help
    alpha beta ga stable deprecated deprecation removal api apis kep keps sig sigs wg
    """.split()
)

# Words a name does not begin with (sentence openers the model took for a name: "And check").
_OPENERS = frozenset("and or but if when so then also to for in on at of by with from".split())
# Dates are not names ("July 3", "Nov", "Dec. 2").
_DATE = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:\s+\d{1,4}(?:st|nd|rd|th)?)?,?(?:\s+\d{4})?$",
    re.IGNORECASE,
)

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


def prepare_text(text: str) -> str:
    """The text the model reads: URLs blanked out (same length, so offsets are the issue's)."""
    return _URL.sub(lambda m: " " * len(m.group()), text)


def lines(text: str, min_letters: int = 8) -> list[tuple[int, int]]:
    """(start, end) of the lines the model reads (and is trained on): those with some letters."""
    out = []
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if sum(c.isalpha() for c in line) >= min_letters:
            out.append((a, b))
    return out


def model_path() -> Path:
    return Path(os.environ.get(ENV_MODEL) or DEFAULT_MODEL)


def load_model(path: str | Path | None = None) -> Any:
    """The trained spaCy pipeline at ``path`` (default :func:`model_path`), once per process; None if absent."""
    p = Path(path) if path is not None else model_path()
    key = str(p.resolve()) if p.exists() else str(p)
    with _LOCK:
        if key in _MODELS:
            return _MODELS[key]
        nlp = None
        if (p / "config.cfg").is_file() and (p / "ner").is_dir():
            import spacy

            nlp = spacy.load(p)
            nlp.max_length = 50_000_000
        _MODELS[key] = nlp
        return nlp


def clear_cache() -> None:
    with _LOCK:
        _MODELS.clear()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    # A possessive is not part of the name.
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    return start, end


def _plausible(name: str) -> bool:
    if len(name) < 2 or len(name) > 60 or "\n" in name or not _LETTER.search(name) or _CJK_TEXT.search(name):
        return False
    words = name.split()
    if len(words) > 5 or words[0].lower() in _OPENERS or _DATE.match(name):
        return False
    return not all(w.lower() in _STOP for w in words)


def _cased(name: str) -> bool:
    return name[:1].isupper() or name[:1].isdigit() or any(c.isupper() for c in name[1:])


def predictions(ctx: Context, nlp: Any) -> list[tuple[int, int, str]]:
    """(start, end, label) of the model's spans over the issue, trimmed of markup."""
    prepared = prepare_text(ctx.text)
    chunks = lines(prepared)
    out = []
    # One doc per line, in batches: lines are what the model was trained on, and the parser steps through
    # a batch of short docs at once (over LWKD ~15% less CPU than one doc per issue).
    for (a, _), doc in zip(chunks, nlp.pipe((prepared[a:b] for a, b in chunks), batch_size=256), strict=True):
        for ent in doc.ents:
            s, e = _trim(ctx.text, a + ent.start_char, a + ent.end_char)
            if e > s:
                out.append((s, e, ent.label_))
    return out


def _in_list_item(ctx: Context, start: int) -> bool:
    for sec in ctx.issue.sections:
        if sec.start <= start < sec.end:
            for it in sec.items:
                if it.start <= start < it.end and it.kind in ("list", "numbered"):
                    return True
    s = ctx.text.rfind("\n", 0, start) + 1
    return ctx.text[s : s + 2].lstrip()[:1] in ("-", "*")


def make_run(
    guard: str | None = None, accept: Iterable[str] = ACCEPT, model: str | Path | None = None
) -> Callable[[Context], None]:
    """The phase with a given guard, accepted types and model path (defaults: env vars, :data:`ACCEPT`)."""
    accept = tuple(accept)

    def run(ctx: Context) -> None:
        nlp = load_model(model)
        if nlp is None:
            return
        g = guard or os.environ.get(ENV_GUARD) or "none"
        if g not in GUARDS:
            raise ValueError(f"unknown NER guard {g!r} (expected one of {', '.join(GUARDS)})")
        spans = [(s, e, lab) for s, e, lab in predictions(ctx, nlp) if lab in accept]
        counts: dict[str, int] = {}
        for s, e, _ in spans:
            k = norm(ctx.text[s:e])
            counts[k] = counts.get(k, 0) + 1
        for s, e, label in spans:
            name = ctx.text[s:e]
            if not _plausible(name) or ctx.reg.overlaps(s, e) or ctx.in_url(s):
                continue
            twice = counts.get(norm(name), 0) >= 2
            if g == "twice" and not twice:
                continue
            if g == "cased" and not _cased(name):
                continue
            if g == "twice_or_list" and not (twice or _in_list_item(ctx, s)):
                continue
            ent = _entity(ctx, name, label)
            if ent is not None:
                ctx.reg.mention(ent, s, e)

    return run


def _entity(ctx: Context, name: str, label: str) -> Any:
    entry = ctx.lookup(name)
    if entry is not None:
        # The catalog knows the name: as something else, the model is wrong; as this, it is the catalog's.
        if entry.type == label or (label == "Project" and entry.type == "Technology"):
            return ctx.catalog_entity(entry)
        if label == "Technology" and entry.type == "Project":
            return ctx.catalog_entity(entry)
        return None
    if label == "Project":
        return ctx.project_entity(name)
    existing = ctx.reg.by_norm.get((label, norm(name)))
    if existing is not None:
        return existing
    if label == "Person":
        return ctx.reg.entity("Person", name, name)
    return ctx.reg.entity(label, norm(name) or name, name, discovered=True)


run = make_run()
