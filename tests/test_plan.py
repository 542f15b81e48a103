"""build.plan(): what a build does to the store, decided from plain data (no store, no files)."""

from __future__ import annotations

from pathlib import Path

from kg.build import Plan, Source, plan
from kg.store import SourceRecord, is_static, static_key

ROOT = Path("/corpus")


def record(path: str, content_hash: str) -> SourceRecord:
    return SourceRecord(path, f"https://w3id.org/cnkg/id/graph/{Path(path).stem}", content_hash)


def test_new_changed_and_unchanged_sources() -> None:
    records = {"/corpus/a.md": record("/corpus/a.md", "h1"), "/corpus/b.md": record("/corpus/b.md", "h2")}
    files = [Source("/corpus/a.md", "h1"), Source("/corpus/b.md", "h2-new"), Source("/corpus/c.md", "h3", "lwkd")]
    result = plan(files, records, [ROOT])
    assert result.unchanged == 1
    assert result.todo == [Source("/corpus/b.md", "h2-new"), Source("/corpus/c.md", "h3", "lwkd")]
    assert result.gone == []


def test_a_stored_source_whose_file_is_gone_goes_only_under_the_given_roots() -> None:
    records = {
        "/corpus/gone.md": record("/corpus/gone.md", "h1"),
        "/elsewhere/gone.md": record("/elsewhere/gone.md", "h2"),
        static_key("https://w3id.org/cnkg/id/graph/catalog"): record("static", "h3"),
    }
    result = plan([], records, [ROOT])
    assert [r.path for r in result.gone] == ["/corpus/gone.md"]
    assert result == Plan([], 0, result.gone)


def test_an_unreadable_file_is_neither_extracted_nor_gone() -> None:
    records = {"/corpus/a.md": record("/corpus/a.md", "h1")}
    result = plan([Source("/corpus/a.md", None)], records, [ROOT])
    assert result == Plan([], 0, [])


def test_static_keys() -> None:
    key = static_key("https://w3id.org/cnkg/id/graph/catalog")
    assert is_static(key) and not is_static("/corpus/static.md")
