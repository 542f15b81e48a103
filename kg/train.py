"""Train the small NER of :mod:`kg.extract.phases.ner` from our own corpus by weak supervision.

::

    python -m kg.train --out build/ner-model ../shared/corpus/lwkd ../shared/corpus/lwcn corpus

Every issue under the corpus folders is read and extracted by the rule + catalog extractor; the mentions of
the entity types in ``labels`` become NER spans (overlaps resolved: the longest wins), mentions of other types
(releases, KEPs, articles, CVEs) are left *unannotated* (missing, not "outside") so the model learns nothing
about them, and every other token is "outside".  A release mention that begins with its project's name
("Prometheus v3.9.1") also yields that name as a Project span.  Issues that have gold annotations in one of
the held-out gold folders (matched by the gold file's ``source:`` basename) are never read: they are the
evaluation set.

The model is ``spacy.blank("en")`` + ``ner`` with a small CNN tok2vec (HashEmbedCNN width 64, depth 2), so
that it reads fast; seeds are fixed (``spacy.util.fix_random_seed``), nothing is downloaded, CPU only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Gold folders whose issues are the held-out evaluation set.
HELD_OUT_GOLD = (REPO / "corpus" / "gold" / "untouched", SHARED / "eval" / "gold")
DEFAULT_CORPORA = (SHARED / "corpus" / "lwkd", SHARED / "corpus" / "lwcn", REPO / "corpus")
LABELS = ("Project", "Person", "Organization", "Event", "Technology", "Feature")


def held_out_sources(gold_dirs: Iterable[str | Path] = HELD_OUT_GOLD) -> set[str]:
    """Basenames of the issue files that have gold in ``gold_dirs`` (their ``source:`` fields)."""
    from kg.evaluate import load_gold

    out: set[str] = set()
    for d in map(Path, gold_dirs):
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            gold = load_gold(path)
            if gold.source:
                out.add(Path(gold.source).name)
    return out


def _companion_names(path: Path) -> list[str]:
    from kg.ingest import COMPANIONS

    names = []
    for finder, _ in COMPANIONS.values():
        names += [p.name for p in finder(path)]
    return names


def weak_spans(
    extraction: Any, labels: Sequence[str] = LABELS
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """(spans to learn, spans to leave unannotated) of one extraction, by character offsets.

    Spans to learn are mentions of ``labels`` types (plus the project name that begins a release mention);
    among overlapping ones the longest is kept.  Mentions of other types that overlap no kept span are
    returned as unannotated.
    """
    text = extraction.issue.text
    by_id = {e.id: e for e in extraction.entities}
    release_project = {
        r.object: by_id[r.subject] for r in extraction.relations if r.predicate == "has_release" and r.subject in by_id
    }
    cands: list[tuple[int, int, str]] = []
    other: list[tuple[int, int]] = []
    for ent in extraction.entities:
        for m in ent.mentions:
            if ent.type in labels:
                cands.append((m.start, m.end, ent.type))
                continue
            other.append((m.start, m.end))
            proj = release_project.get(ent.id) if ent.type == "Release" else None
            if proj is not None and proj.type in labels:
                anchor = text[m.start : m.end]
                for name in sorted([proj.label, *proj.aliases], key=len, reverse=True):
                    if name and anchor.startswith(name) and anchor[len(name) : len(name) + 1] in (" ", "-", "@"):
                        cands.append((m.start, m.start + len(name), proj.type))
                        break
    kept: list[tuple[int, int, str]] = []
    for s, e, lab in sorted(set(cands), key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if all(e <= a or b <= s for a, b, _ in kept):
            kept.append((s, e, lab))
    kept.sort()
    missing = [(s, e) for s, e in sorted(set(other)) if all(e <= a or b <= s for a, b, _ in kept)]
    return kept, missing


def _name_like(tok: Any) -> bool:
    """A token that may be a name the extractor did not know: capitalised inside a sentence, or mixed case."""
    t = tok.text
    if not t[:1].isalpha() or t.isupper() and len(t) == 1:
        return False
    inner = any(c.isupper() for c in t[1:]) and any(c.islower() for c in t)
    if inner:
        return True
    if not t[:1].isupper():
        return False
    prev = tok.nbor(-1) if tok.i > 0 else None
    # The first word of a line, a sentence or a link anchor is capitalised anyway.
    return not (prev is None or prev.text in (".", "!", "?", ":", "-", "*", "[", "#", "##", "###", "(", '"'))


def examples_of(
    nlp: Any,
    text: str,
    spans: Sequence[tuple[int, int, str]],
    missing: Sequence[tuple[int, int]],
    unlabeled: str = "outside",
) -> tuple[list[Any], int]:
    """spaCy Examples, one per line of ``text`` (already URL-blanked); and the number of spans that fit tokens.

    ``unlabeled``: what tokens outside every span are: ``outside`` (not a name), or ``missing_names``
    (name-like tokens, see :func:`_name_like`, are left unannotated: the extractor's silence about a
    capitalised word is no evidence that it is not a name).
    """
    from spacy.training import Example

    from kg.extract.phases.ner import lines, prepare_text

    prepared = prepare_text(text)
    out = []
    placed = 0
    si = mi = 0
    spans = sorted(spans)
    missing = sorted(missing)
    for a, b in lines(prepared):
        while si < len(spans) and spans[si][0] < a:
            si += 1
        while mi < len(missing) and missing[mi][0] < a:
            mi += 1
        doc = nlp.make_doc(prepared[a:b])
        ents = []
        j = si
        while j < len(spans) and spans[j][0] < b:
            s, e, lab = spans[j]
            j += 1
            if e > b:
                continue
            sp = doc.char_span(s - a, e - a, label=lab, alignment_mode="strict")
            if sp is None:
                sp = doc.char_span(s - a, e - a, label=lab, alignment_mode="contract")
            if sp is not None and len(sp) and all(sp.end <= x.start or x.end <= sp.start for x in ents):
                ents.append(sp)
        miss = []
        j = mi
        while j < len(missing) and missing[j][0] < b:
            s, e = missing[j]
            j += 1
            sp = doc.char_span(s - a, min(e, b) - a, alignment_mode="expand")
            if sp is not None and len(sp) and all(sp.end <= x.start or x.end <= sp.start for x in ents + miss):
                miss.append(sp)
        if unlabeled == "missing_names":
            covered = {i for sp in ents + miss for i in range(sp.start, sp.end)}
            miss += [doc[t.i : t.i + 1] for t in doc if t.i not in covered and _name_like(t)]
        ref = doc.copy()
        ref.set_ents(ents, missing=miss, default="outside")
        out.append(Example(doc, ref))
        placed += len(ents)
    return out, placed


def model_config(width: int = 64, depth: int = 2, embed_size: int = 2000, hidden: int = 64) -> dict[str, Any]:
    return {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": hidden,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": width,
            "depth": depth,
            "embed_size": embed_size,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    }


def blank_model(labels: Sequence[str] = LABELS, **model_kw: Any) -> Any:
    import spacy

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner", config={"model": model_config(**model_kw)})
    for lab in labels:
        ner.add_label(lab)
    return nlp


def collect_examples(
    nlp: Any,
    corpus_paths: Sequence[str | Path],
    labels: Sequence[str] = LABELS,
    held_out: set[str] | None = None,
    log: Callable[[str], None] = print,
    unlabeled: str = "outside",
) -> tuple[list[Any], dict[str, Any]]:
    """Weakly labelled examples of every issue under ``corpus_paths`` except the held-out ones."""
    from kg.catalog import load_catalog
    from kg.errors import InputError
    from kg.extract import extract, load_pipeline
    from kg.ingest import discover, read_issue

    held_out = held_out_sources() if held_out is None else held_out
    catalog = load_catalog()
    rules = load_pipeline(catalog)
    examples: list[Any] = []
    stats: dict[str, Any] = {"issues": 0, "skipped_held_out": [], "spans": 0, "examples": 0, "unreadable": 0}
    for path in discover([Path(p) for p in corpus_paths]):
        if path.name in held_out or any(n in held_out for n in _companion_names(path)):
            stats["skipped_held_out"].append(path.name)
            continue
        try:
            issue = read_issue(path, companions=True)
        except InputError as exc:
            stats["unreadable"] += 1
            log(f"skip {exc}")
            continue
        ex = extract(issue, catalog, rules)
        spans, missing = weak_spans(ex, labels)
        exs, placed = examples_of(nlp, issue.text, spans, missing, unlabeled)
        examples += exs
        stats["issues"] += 1
        stats["spans"] += placed
    stats["examples"] = len(examples)
    return examples, stats


def train(
    corpus_paths: Sequence[str | Path] = DEFAULT_CORPORA,
    out_dir: str | Path = REPO / "build" / "ner-model",
    seed: int = 0,
    epochs: int = 4,
    labels: Sequence[str] = LABELS,
    held_out: set[str] | None = None,
    batch_size: int = 64,
    dropout: float = 0.1,
    width: int = 64,
    depth: int = 2,
    unlabeled: str = "outside",
    log: Callable[[str], None] = print,
) -> Path:
    """Train the NER on the weakly labelled corpus and save it to ``out_dir``; returns ``out_dir``.

    ``held_out``: basenames of issue files never to train on (default: those with gold in
    :data:`HELD_OUT_GOLD`).
    """
    import spacy
    from spacy.util import fix_random_seed, minibatch

    t0 = time.perf_counter()
    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = blank_model(labels, width=width, depth=depth)
    examples, stats = collect_examples(nlp, corpus_paths, labels, held_out, log, unlabeled)
    if not examples:
        raise ValueError("no training examples (empty corpus, or every issue held out)")
    t_label = time.perf_counter() - t0
    log(
        f"weak labels: {stats['issues']} issues ({len(stats['skipped_held_out'])} held out), "
        f"{stats['examples']} examples, {stats['spans']} spans, {t_label:.1f} s"
    )
    optimizer = nlp.initialize(lambda: examples[:2000])
    losses_by_epoch = []
    for epoch in range(1, epochs + 1):
        t1 = time.perf_counter()
        order = list(examples)
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        loss = losses.get("ner", 0.0)
        losses_by_epoch.append(round(float(loss), 2))
        log(f"epoch {epoch}/{epochs}: loss {loss:.1f}, {time.perf_counter() - t1:.1f} s")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "cnkg_ner"
    nlp.meta["description"] = "weakly supervised NER trained by kg.train from the rule + catalog extractor"
    nlp.to_disk(out)
    info = {
        "seed": seed,
        "epochs": epochs,
        "labels": list(labels),
        "batch_size": batch_size,
        "dropout": dropout,
        "width": width,
        "depth": depth,
        "unlabeled": unlabeled,
        "corpus": [str(p) for p in corpus_paths],
        "issues": stats["issues"],
        "examples": stats["examples"],
        "spans": stats["spans"],
        "held_out": sorted(stats["skipped_held_out"]),
        "losses": losses_by_epoch,
        "seconds_labelling": round(t_label, 2),
        "seconds_total": round(time.perf_counter() - t0, 2),
        "spacy": spacy.__version__,
    }
    (out / "cnkg_train.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    log(f"saved {out} in {info['seconds_total']:.1f} s")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the weakly supervised NER (kg.extract.phases.ner).")
    parser.add_argument("corpus", nargs="*", default=[str(p) for p in DEFAULT_CORPORA])
    parser.add_argument("--out", default=str(REPO / "build" / "ner-model"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--unlabeled", choices=("outside", "missing_names"), default="outside")
    args = parser.parse_args(argv)
    paths = [p for p in args.corpus if Path(p).exists()]
    train(paths, args.out, seed=args.seed, epochs=args.epochs, unlabeled=args.unlabeled)


if __name__ == "__main__":
    sys.exit(main())
