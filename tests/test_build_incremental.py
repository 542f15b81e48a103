"""An incremental build equals a fresh build of the same files: shared facts are backed per issue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.store import GraphStore

from .conftest import LWKD

# Small LWKD issues that share entities (Kubernetes, SIGs, KEPs) but not all their names: only the second
# calls KEP 34 "KEP 34", which the third mentions too.
ISSUES = ["2018-12-23-update.md", "2019-01-06-update.md", "2019-01-13-update.md", "2019-01-20-update.md"]


def _build(corpus: Path, out: Path) -> None:
    # In this process (no time budget, so no worker process): the NLP pipeline is loaded once for all builds.
    summary = build([corpus], out, write_html=False, file_timeout=None)
    assert summary.ok, summary.errors


def _state(out: Path) -> tuple[str, bytes]:
    with GraphStore.open(out, read_only=True) as graph:
        return graph.canonical_nquads(), (out / "graph.trig").read_bytes()


def _fresh(files: dict[str, str], tmp: Path) -> tuple[str, bytes]:
    corpus = tmp / "fresh-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = tmp / "fresh-out"
    shutil.rmtree(out, ignore_errors=True)
    _build(corpus, out)
    return _state(out)


@pytest.fixture
def lwkd_issues(lwkd_dir: Path) -> dict[str, str]:
    if not all((lwkd_dir / name).is_file() for name in ISSUES):
        pytest.skip("the LWKD issues of January 2019 are absent")
    return {name: (lwkd_dir / name).read_text(encoding="utf-8") for name in ISSUES}


def test_deleting_the_only_issue_behind_an_alias_removes_it(tmp_path: Path, lwkd_issues: dict[str, str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    three = dict(list(lwkd_issues.items())[:3])
    for name, text in three.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    _build(corpus, out)
    (corpus / "2019-01-06-update.md").unlink()
    del three["2019-01-06-update.md"]
    _build(corpus, out)
    nquads, trig = _state(out)
    fresh_nquads, fresh_trig = _fresh(three, tmp_path)
    assert nquads == fresh_nquads
    assert trig == fresh_trig


_STEP = st.tuples(st.sampled_from(["add", "edit", "delete"]), st.integers(0, len(ISSUES) - 1), st.integers(0, 3))


@pytest.mark.skipif(not LWKD.is_dir(), reason="../shared/corpus/lwkd is absent")
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_STEP, min_size=2, max_size=3))
def test_incremental_equals_fresh_over_random_changes(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    issues = {name: (LWKD / name).read_text(encoding="utf-8") for name in ISSUES}
    tmp = tmp_path_factory.mktemp("incremental")
    corpus = tmp / "corpus"
    corpus.mkdir()
    out = tmp / "out"
    present: dict[str, str] = {}
    for action, index, variant in steps:
        name = ISSUES[index]
        if action == "add" or (action == "edit" and name not in present):
            present[name] = issues[name]
        elif action == "edit":
            # Drop a paragraph (names with it) or add one naming a project and a KEP under an alias.
            paragraphs = present[name].split("\n\n")
            if variant % 2 and len(paragraphs) > 3:
                del paragraphs[1 + variant % (len(paragraphs) - 2)]
            else:
                kep = 30 + variant
                link = f"[KEP {kep}](https://github.com/kubernetes/enhancements/pull/{kep})"
                paragraphs.append(f"The {link} moved on; see etcd v3.{variant}.0.")
            present[name] = "\n\n".join(paragraphs)
        else:
            present.pop(name, None)
        for stale in set(p.name for p in corpus.iterdir()) - set(present):
            (corpus / stale).unlink()
        for file_name, text in present.items():
            path = corpus / file_name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        _build(corpus, out)
    assert _state(out) == _fresh(present, tmp)
