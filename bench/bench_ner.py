"""Does the weakly supervised NER (kg.extract.phases.ner) pay?  Training time, speed and scores with and without.

    python bench/bench_ner.py [--model DIR ...] [--train] [--unlabeled outside,missing_names] [--epochs N]
                              [--seed S] [--guards none,twice,...] [--no-speed] [--no-eval] [--show-tuning]

(a) training time: ``--train`` trains each ``--model`` first (kg.train.train over LWKD, LWCN and the seed corpus,
    held-out issues excluded) and times it; else the time recorded by the run that made the model.
(b) extraction speed over the LWKD corpus (read + nlp + extract, no quads) without and with the NER phase,
    one process, best of ``--repeat`` passes; CPU seconds are the figure to compare (the machine is shared).
(c) kg eval scores without and with the phase (one row per guard) on the tuning gold (corpus/gold/*.yaml) and
    the untouched gold (corpus/gold/untouched/*.yaml + ../shared/eval/gold/lw*.yaml): overall P/R/F1 of
    entities and relations, and per type for the types the phase adds.  ``--show-tuning`` lists what the
    phase adds on the tuning set (TP/FP per entity); the untouched set is only ever summed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"

from kg.catalog import load_catalog  # noqa: E402
from kg.evaluate import Counts, combine, find_source, load_gold, score  # noqa: E402
from kg.extract import load_pipeline, pipeline  # noqa: E402
from kg.extract.context import Context  # noqa: E402
from kg.extract.phases import ner  # noqa: E402
from kg.extract.pipeline import Phase, run_phases  # noqa: E402
from kg.ingest import discover, read_issue  # noqa: E402
from kg.nlp.hits import hits_of  # noqa: E402

CORPORA = [SHARED / "corpus", REPO / "corpus", SHARED / "corpus" / "lwkd"]


def phases_with(run) -> tuple[Phase, ...]:
    k = next(i for i, p in enumerate(pipeline.PHASES) if p.name == "relations")
    extra = Phase("ner", run, "text (statistical NER)", "Project, Person, Organization, Event, Technology")
    return pipeline.PHASES[:k] + (extra,) + pipeline.PHASES[k:]


def extract_with(issue, catalog, nlp, phases):
    hits = sorted(hits_of(nlp(issue.text)), key=lambda h: (h.start, -(h.end - h.start)))
    return run_phases(Context(issue, catalog, hits), phases)


def gold_sets() -> dict[str, list[Path]]:
    sets = {"tuning": sorted((REPO / "corpus" / "gold").glob("*.yaml"))}
    untouched = sorted((REPO / "corpus" / "gold" / "untouched").glob("*.yaml"))
    untouched += sorted((SHARED / "eval" / "gold").glob("lw*.yaml"))
    sets["untouched"] = untouched
    return sets


def prf(c: Counts) -> str:
    return f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"


def speed(catalog, nlp, variants: dict[str, tuple], repeat: int) -> None:
    paths = discover([SHARED / "corpus" / "lwkd"])
    mb = sum(p.stat().st_size for p in paths) / 1e6
    issues = [read_issue(p) for p in paths]
    print(f"\n(b) speed over LWKD: {len(paths)} files, {mb:.2f} MB (read excluded; nlp + extract), best of {repeat}")
    print(f"  {'variant':<22} {'wall s':>7} {'MB/s':>6} {'cpu s':>7} {'MB/s cpu':>8} {'entities':>8}")
    for name, phases in variants.items():
        best = None
        for _ in range(repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            n = 0
            for issue in issues:
                n += len(extract_with(issue, catalog, nlp, phases).entities)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            if best is None or cpu < best[1]:
                best = (wall, cpu, n)
        wall, cpu, n = best
        print(f"  {name:<22} {wall:7.2f} {mb / wall:6.2f} {cpu:7.2f} {mb / cpu:8.2f} {n:8d}")


def evaluate(catalog, nlp, variants: dict[str, tuple], show_tuning: bool) -> None:
    types = ner.ACCEPT
    for set_name, paths in gold_sets().items():
        if not paths:
            print(f"\n(c) {set_name}: no gold files")
            continue
        golds = [load_gold(p) for p in paths]
        issues = [read_issue(find_source(g, CORPORA)) for g in golds]
        results = {}
        extractions = {}
        for name, phases in variants.items():
            exs = [extract_with(i, catalog, nlp, phases).to_json() for i in issues]
            extractions[name] = exs
            results[name] = combine(score(g, ex) for g, ex in zip(golds, exs, strict=True))
        print(f"\n(c) {set_name} gold: {len(golds)} issues")
        print(
            f"  {'variant':<22} {'ent P':>6} {'ent R':>6} {'ent F1':>6}  {'rel P':>6} {'rel R':>6} {'rel F1':>6}"
            f"  {'ent TP/FP/FN':>14}  {'rel TP/FP/FN':>14}"
        )
        for name, s in results.items():
            e, r = s.entity_total, s.relation_total
            print(f"  {name:<22} {prf(e)}  {prf(r)}  {e.tp:>4}/{e.fp:>4}/{e.fn:>4}  {r.tp:>4}/{r.fp:>4}/{r.fn:>4}")
        print("  per type (TP/FP/FN  P R F1):")
        print("  " + f"{'variant':<22}" + "".join(f" | {t:^31}" for t in types))
        for name, s in results.items():
            cells = []
            for t in types:
                c = s.entities.get(t, Counts())
                cells.append(f"{c.tp:>3}/{c.fp:>3}/{c.fn:>3} {c.precision:5.2f} {c.recall:5.2f} {c.f1:5.2f}")
            print("  " + f"{name:<22}" + "".join(f" | {x:^31}" for x in cells))
        if show_tuning and set_name == "tuning":
            base = results["without"]
            for name, s in results.items():
                if name == "without":
                    continue
                new_fp = sorted(set(s.entity_spurious) - set(base.entity_spurious))
                found = sorted(set(base.entity_misses) - set(s.entity_misses))
                lost = sorted(set(s.entity_misses) - set(base.entity_misses))
                print(f"  [{name}] newly found: {found}")
                print(f"  [{name}] newly lost: {lost}")
                print(f"  [{name}] new FPs ({len(new_fp)}): {new_fp}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help=f"model folder (repeatable; default {ner.DEFAULT_MODEL})")
    parser.add_argument("--train", action="store_true", help="train every --model first")
    parser.add_argument(
        "--unlabeled",
        default="outside",
        help="kg.train's unlabeled mode per --model, comma-separated (outside, missing_names)",
    )
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--guards", default=",".join(ner.GUARDS))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-eval", action="store_true")
    parser.add_argument("--show-tuning", action="store_true")
    args = parser.parse_args()
    models = [Path(m) for m in (args.model or [str(ner.DEFAULT_MODEL)])]
    modes = args.unlabeled.split(",")
    modes += [modes[-1]] * (len(models) - len(modes))

    for model, mode in zip(models, modes[: len(models)], strict=True):
        print(f"(a) training: model {model}")
        if args.train:
            from kg.train import DEFAULT_CORPORA, train

            t0 = time.perf_counter()
            c0 = time.process_time()
            train([p for p in DEFAULT_CORPORA if p.exists()], model, seed=args.seed, epochs=args.epochs, unlabeled=mode)
            print(f"  trained in {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s cpu")
        info_path = model / "cnkg_train.json"
        if info_path.is_file():
            info = json.loads(info_path.read_text())
            print(
                f"  recorded: {info['seconds_total']} s total ({info['seconds_labelling']} s weak labelling), "
                f"unlabeled={info.get('unlabeled', 'outside')}, {info['epochs']} epochs, seed {info['seed']}, "
                f"{info['issues']} issues, {info['examples']} examples, {info['spans']} spans, "
                f"losses {info['losses']}, held out {len(info['held_out'])} issues"
            )
        t0 = time.perf_counter()
        if ner.load_model(model) is None:
            sys.exit(f"no model at {model}: run with --train")
        size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file()) / 1e6
        print(f"  model load: {time.perf_counter() - t0:.2f} s; size {size:.1f} MB")

    catalog = load_catalog()
    nlp = load_pipeline(catalog)
    guards = [g for g in args.guards.split(",") if g]
    variants = {"without": pipeline.PHASES}
    for model in models:
        tag = "ner" if len(models) == 1 else model.name
        for g in guards:
            variants[f"{tag}[{g}]"] = phases_with(ner.make_run(guard=g, model=model))
    if not args.no_speed:
        first = next(k for k in variants if k != "without")
        speed(catalog, nlp, {"without": pipeline.PHASES, first: variants[first]}, args.repeat)
    if not args.no_eval:
        evaluate(catalog, nlp, variants, args.show_tuning)


if __name__ == "__main__":
    main()
