"""Gold annotations (../shared/eval/FORMAT.md): reading and checking gold files and saved extractions.

:mod:`kg.evaluate` scores extractions against them; :mod:`kg.train` learns from them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.errors import InputError
from kg.model import ENTITY_TYPES, PREDICATES
from kg.text import norm

ISSUE = "ISSUE"  # the gold token for the issue itself


def name_keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in map(norm, names) if k)


@dataclass
class GoldEntity:
    type: str
    names: list[str]  # as written; names[0] is the entity's main name
    optional: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return name_keys(self.names)


@dataclass(frozen=True)
class GoldRef:
    """One alternative on one side of a gold triple."""

    text: str  # as written in the gold file
    names: tuple[str, ...]  # names of the gold entities it denotes (or (text,) when none); () for ISSUE
    is_issue: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return name_keys(self.names)


@dataclass
class GoldTriple:
    subjects: list[GoldRef]  # alternatives: any one is accepted
    predicate: str
    objects: list[GoldRef]
    optional: bool = False

    def __str__(self) -> str:
        return (
            f"{' || '.join(r.text for r in self.subjects)} {self.predicate} {' || '.join(r.text for r in self.objects)}"
        )


@dataclass
class Gold:
    issue: str
    source: str
    entities: list[GoldEntity]
    triples: list[GoldTriple]
    path: Path


_GOLD_KEYS = {"issue", "source", "entities", "relations"}


def _string(value: object, where: str) -> str:
    # YAML turns 1.10 into the float 1.1 and yes into True: refuse rather than guess.
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string, got {type(value).__name__} {value!r} (quote it)")
    if not value.strip():
        raise ValueError(f"{where}: empty name")
    return value.strip()


def _optional(item: dict, where: str) -> bool:
    value = item.get("optional", False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: optional must be true or false, got {value!r}")
    return value


def _unwrap(item: object, key: str, where: str) -> tuple[object, bool]:
    """A gold item written bare or as ``{key: ..., optional: true}``: (the item, whether it is optional)."""
    if not isinstance(item, dict):
        return item, False
    unknown = set(item) - {key, "optional"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (expected {key}, optional)")
    if key not in item:
        raise ValueError(f"{where}: missing '{key}'")
    return item[key], _optional(item, where)


def _parse_entity(type_: str, item: object, where: str) -> GoldEntity:
    item, optional = _unwrap(item, "name", where)
    text = _string(item, where)
    names = [n.strip() for n in text.split("|")]
    if any(not n for n in names):
        raise ValueError(f"{where}: empty name in {text!r} ('||' is for relation alternatives, names use ' | ')")
    return GoldEntity(type_, names, optional)


def _parse_side(value: object, where: str, entities: Sequence[GoldEntity]) -> list[GoldRef]:
    text = _string(value, where)
    refs: list[GoldRef] = []
    for alt in (a.strip() for a in text.split("||")):
        if not alt:
            raise ValueError(f"{where}: empty alternative in {text!r}")
        if "|" in alt:
            raise ValueError(f"{where}: {alt!r} contains '|'; alternatives are separated by ' || '")
        if alt == ISSUE:
            refs.append(GoldRef(alt, (), is_issue=True))
            continue
        key = norm(alt)
        denoted = [e for e in entities if key and key in e.keys]
        names = tuple(n for e in denoted for n in e.names) if denoted else (alt,)
        refs.append(GoldRef(alt, names))
    return refs


def _parse_triple(item: object, where: str, entities: Sequence[GoldEntity]) -> GoldTriple:
    item, optional = _unwrap(item, "triple", where)
    if not isinstance(item, list) or len(item) != 3:
        raise ValueError(f"{where}: a triple is [subject, predicate, object], got {item!r}")
    predicate = _string(item[1], f"{where} predicate")
    if predicate not in PREDICATES:
        raise ValueError(f"{where}: unknown predicate {predicate!r}")
    return GoldTriple(
        _parse_side(item[0], f"{where} subject", entities),
        predicate,
        _parse_side(item[2], f"{where} object", entities),
        optional,
    )


def _parse_gold(data: object, path: Path) -> Gold:
    if not isinstance(data, dict):
        raise ValueError("expected a mapping with issue, source, entities, relations")
    unknown = set(data) - _GOLD_KEYS
    if unknown:
        raise ValueError(f"unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}")
    if "issue" not in data:
        raise ValueError("missing 'issue'")
    issue = _string(data["issue"], "issue")
    source = _string(data["source"], "source") if data.get("source") is not None else ""

    raw_entities = data.get("entities") or {}
    if not isinstance(raw_entities, dict):
        raise ValueError("entities: expected a mapping from type to a list of names")
    entities: list[GoldEntity] = []
    for type_, items in raw_entities.items():
        if type_ not in ENTITY_TYPES:
            raise ValueError(f"entities: unknown entity type {type_!r}")
        if items is None:
            continue
        if not isinstance(items, list):
            raise ValueError(f"entities.{type_}: expected a list")
        # Two entities of one type sharing a name would make matching ambiguous: refuse.
        seen: dict[str, tuple[int, str]] = {}  # norm -> (item index, name)
        for i, item in enumerate(items):
            entity = _parse_entity(type_, item, f"entities.{type_}[{i}]")
            for name in entity.names:
                key = norm(name)
                if not key:
                    raise ValueError(f"entities.{type_}[{i}]: name {name!r} is empty once normalised")
                if key in seen and seen[key][0] != i:
                    raise ValueError(
                        f"entities.{type_}[{i}]: name {name!r} also names entry {seen[key][0]} ({seen[key][1]!r})"
                    )
                seen[key] = (i, name)
            entities.append(entity)

    raw_relations = data.get("relations") or []
    if not isinstance(raw_relations, list):
        raise ValueError("relations: expected a list of triples")
    triples = [_parse_triple(item, f"relations[{i}]", entities) for i, item in enumerate(raw_relations)]
    return Gold(issue, source, entities, triples, path)


def load_gold(path: Path | str) -> Gold:
    """Read one gold file; InputError (one line) when it cannot be read or breaks the format."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read gold file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"invalid YAML{where}: {problem}") from exc
    try:
        return _parse_gold(data, path)
    except ValueError as exc:
        raise InputError(path, str(exc)) from exc


def source_path(gold: Gold, corpus: Path | str | None = None) -> Path:
    """The issue file a gold file annotates: ``corpus/source`` when a corpus is given, else
    beside the gold file or in its parent (corpus/gold/x.yaml annotates corpus/x.txt)."""
    if not gold.source:
        raise InputError(gold.path, "no 'source' given")
    dirs = [Path(corpus)] if corpus is not None else [gold.path.parent, gold.path.parent.parent]
    for d in dirs:
        if (d / gold.source).is_file():
            return d / gold.source
    raise InputError(gold.path, f"source {gold.source!r} not found in {', '.join(map(str, dirs))}")


def load_extraction(path: Path | str) -> dict:
    """Read a saved ``kg extract --format json`` object; InputError when it breaks the format."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"cannot read extraction JSON: {exc}") from exc
    try:
        check_extraction(data)
    except ValueError as exc:
        raise InputError(path, str(exc)) from exc
    return data


def check_extraction(extraction: object) -> None:
    """The shape FORMAT.md gives an extraction; ValueError naming the first place that breaks it."""
    if not isinstance(extraction, dict):
        raise ValueError("extraction: expected a JSON object")
    issue = extraction.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("id"), str):
        raise ValueError("issue: expected an object with a string 'id'")
    for i, e in enumerate(_objects(extraction, "entities", ("id", "type", "label"))):
        aliases = e.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"entities[{i}]: aliases must be a list of strings")
    _objects(extraction, "relations", ("subject", "predicate", "object"))


def _objects(extraction: dict, name: str, keys: Sequence[str]) -> list[dict]:
    """``extraction[name]``, checked to be a list of objects with string ``keys``."""
    items = extraction.get(name, [])
    if not isinstance(items, list):
        raise ValueError(f"{name}: expected a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{name}[{i}]: expected an object")
        for key in keys:
            if not isinstance(item.get(key), str):
                raise ValueError(f"{name}[{i}]: missing or non-string {key!r}")
    return items
