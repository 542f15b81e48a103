"""kg.train (weakly supervised NER) and the ner phase: train on tiny generated issues, reload, predict."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import pipeline
from kg.extract.phases import ner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Names the catalog knows as projects: the extractor labels them, and so teaches the model the frame.
KNOWN = ["Helm", "Prometheus", "Envoy", "Linkerd", "Fluentd", "Jaeger", "Vitess", "Harbor", "Falco", "Argo"]
FRAMES = [
    "- The {} project shipped a new release this week.",
    "- Maintainers of {} announced a new release this week.",
]


def _write_issues(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        lines = [f"# Cloud news {n + 1}", "", "## Releases", ""]
        for i, name in enumerate(KNOWN):
            lines.append(FRAMES[(i + n) % 2].format(name))
        (folder / f"issue-{n + 1}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _context(path: Path):
    from kg.catalog import load_catalog
    from kg.extract import load_pipeline
    from kg.extract.context import Context
    from kg.ingest import read_issue
    from kg.nlp.hits import hits_of

    catalog = load_catalog()
    issue = read_issue(path)
    hits = sorted(hits_of(load_pipeline(catalog)(issue.text)), key=lambda h: (h.start, -(h.end - h.start)))
    return Context(issue, catalog, hits)


def _before_relations(ctx) -> None:
    for phase in pipeline.PHASES:
        if phase.name == "relations":
            break
        phase.run(ctx)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    from kg.train import train

    root = tmp_path_factory.mktemp("ner")
    _write_issues(root / "corpus")
    out = train([root / "corpus"], root / "model", seed=0, epochs=2, held_out=set(), batch_size=1, log=lambda _: None)
    return out


def test_model_saves_and_reloads(model: Path) -> None:
    assert (model / "config.cfg").is_file() and (model / "ner").is_dir()
    assert (model / "cnkg_train.json").is_file()
    nlp = ner.load_model(model)
    assert nlp is not None and "ner" in nlp.pipe_names
    assert set(nlp.get_pipe("ner").labels) >= {"Project", "Person"}


def test_ner_phase_adds_unknown_project(model: Path, tmp_path: Path) -> None:
    doc = tmp_path / "new.md"
    doc.write_text(
        "# Cloud news 9\n\n## Releases\n\n- The Zorblax project shipped a new release this week.\n", encoding="utf-8"
    )
    ctx = _context(doc)
    _before_relations(ctx)
    start = ctx.text.index("Zorblax")
    assert not ctx.reg.overlaps(start, start + 7), "the rules alone already find the name: the test proves nothing"
    ner.make_run(guard="none", model=model)(ctx)
    found = [e for e in ctx.reg.by_id.values() if e.type == "Project" and e.label == "Zorblax"]
    assert found and found[0].props.get("discovered") is True
    assert [(m.start, m.end) for m in found[0].mentions] == [(start, start + 7)]


def test_ner_phase_is_noop_without_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "new.md"
    doc.write_text("# Cloud news 9\n\n- The Zorblax project shipped a new release this week.\n", encoding="utf-8")
    ctx = _context(doc)
    _before_relations(ctx)
    before = {e.id: len(e.mentions) for e in ctx.reg.by_id.values()}
    monkeypatch.setenv(ner.ENV_MODEL, str(tmp_path / "no-model"))
    ner.run(ctx)
    ner.make_run(model=tmp_path / "also-absent")(ctx)
    assert {e.id: len(e.mentions) for e in ctx.reg.by_id.values()} == before


def test_held_out_issues_are_never_read(tmp_path: Path) -> None:
    from kg.train import blank_model, collect_examples

    _write_issues(tmp_path / "corpus")
    nlp = blank_model()
    _, stats = collect_examples(nlp, [tmp_path / "corpus"], held_out={"issue-2.md"}, log=lambda _: None)
    assert stats["issues"] == 2 and stats["skipped_held_out"] == ["issue-2.md"]


def test_held_out_sources_cover_the_untouched_gold() -> None:
    from kg.train import held_out_sources

    names = held_out_sources([REPO / "corpus" / "gold" / "untouched"])
    assert "2026-week-07.md" in names and "2018-07-02-update.md" in names
    if not (SHARED / "eval" / "gold").is_dir():
        pytest.skip("../shared/eval/gold is absent")
    assert "2022-09-18-update.md" in held_out_sources()


def test_training_is_reproducible(model: Path, tmp_path: Path) -> None:
    from kg.train import train

    _write_issues(tmp_path / "corpus")
    again = train([tmp_path / "corpus"], tmp_path / "m", seed=0, epochs=2, held_out=set(), batch_size=1,
                  log=lambda _: None)  # fmt: skip
    assert (again / "ner" / "model").read_bytes() == (model / "ner" / "model").read_bytes()
