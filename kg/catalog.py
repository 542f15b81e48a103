"""The entity catalog: hand-written YAML under ontology/catalog/ and the imported files beside it.

``load_catalog`` reads every ``*.yaml`` of the catalog folder and of its
``imported/`` subfolder (written by :mod:`kg.catalog_import`),
checks it, and gives a ``Catalog`` that the extractor matches names against.
The schema is described in ontology/catalog/README.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.model import ENTITY_TYPES

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = REPO_ROOT / "ontology" / "catalog"
IMPORTED_DIR = CATALOG_DIR / "imported"

SOURCES = ("team", "landscape", "keps")
MATURITIES = ("sandbox", "incubating", "graduated", "archived")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.+_-]*$")


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loader that keeps dates as strings (some kep.yaml files hold impossible dates)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True)
class CatalogEntry:
    type: str
    key: str
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    # Words or entry keys; when set, the names in ``contextual`` (default: all
    # aliases) match only inside an item or section that also mentions one of them.
    context: tuple[str, ...] = ()
    contextual: tuple[str, ...] = ()
    homepage: str | None = None
    repo: str | None = None
    category: str | None = None
    subcategory: str | None = None
    maturity: str | None = None
    part_of: str | None = None
    feature_of: str | None = None  # Feature entries: key of the project
    developed_by: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    integrates: tuple[str, ...] = ()
    description: str | None = None
    # A regex every version of the project matches (Kubernetes: 1.x): a bare version that does not is not its.
    versions: str | None = None
    # A practice or idea ("service mesh", "DevOps"), not a named technology: matched (so its words are not
    # taken for something else) but not extracted as an entity.
    concept: bool = False
    source: str = "team"
    # KEP entries.
    number: int | None = None
    title: str | None = None
    sig: str | None = None
    status: str | None = None
    stage: str | None = None
    latest_milestone: str | None = None
    milestones: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    authors: tuple[str, ...] = ()
    feature_gates: tuple[str, ...] = ()  # KEP entries: the gates of the feature it introduces
    components: tuple[str, ...] = ()  # KEP entries: the components those gates live in (kube-apiserver, kubelet)
    file: str = field(default="", compare=False)  # where the entry was read (for messages)

    def surface_names(self) -> tuple[str, ...]:
        """Name, Chinese name and aliases, without duplicates, in that order."""
        seen: dict[str, None] = {self.name: None}
        if self.name_zh:
            seen[self.name_zh] = None
        for alias in self.aliases:
            seen[alias] = None
        return tuple(seen)

    def needs_context(self, name: str) -> bool:
        """Whether ``name`` (one of the surface names) matches only where ``context`` holds."""
        if not self.context:
            return False
        if self.contextual:
            return name in self.contextual
        return name in self.aliases and name not in (self.name, self.name_zh)


# Fields a YAML entry may set (everything but the bookkeeping ones).
_ENTRY_FIELDS = {f.name for f in fields(CatalogEntry)} - {"file", "source"}
_TUPLE_FIELDS = {
    "aliases",
    "context",
    "contextual",
    "developed_by",
    "uses",
    "integrates",
    "authors",
    "feature_gates",
    "components",
}
_STR_FIELDS = {
    "name",
    "name_zh",
    "homepage",
    "repo",
    "category",
    "subcategory",
    "maturity",
    "part_of",
    "feature_of",
    "description",
    "title",
    "sig",
    "status",
    "stage",
    "latest_milestone",
    "versions",
}
# Fields an importer may add to a team entry that lacks them.
ENRICHABLE = ("homepage", "repo", "category", "subcategory", "maturity", "description")


def surface_key(name: str, case_sensitive: bool = False) -> str:
    """The form under which two surface names are considered the same name."""
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    return text if case_sensitive else text.casefold()


def repo_key(url: str) -> str | None:
    """``host/org/repo`` of a repository URL, lower-cased; None when it names no repository.

    Tolerates schemes, ``www.``, ``.git``, trailing slashes and deeper paths
    (``/releases``, ``/tree/main``), query strings and fragments.
    """
    text = url.strip().lower()
    text = re.sub(r"^[a-z+]+://", "", text)
    text = re.sub(r"^git@([^:]+):", r"\1/", text)
    text = text.split("?", 1)[0].split("#", 1)[0]
    parts = [p for p in text.split("/") if p]
    if len(parts) < 3:
        return None
    host = parts[0].removeprefix("www.")
    # Owner and repository names are [A-Za-z0-9._-]: stop at anything else ("kube-fzf(fuzzy", "helm。").
    owner, repo = (re.match(r"[a-z0-9._-]*", p).group(0) for p in parts[1:3])
    repo = repo.removesuffix(".git")
    return f"{host}/{owner}/{repo}" if owner and repo else None


@dataclass
class Catalog:
    entries: list[CatalogEntry]
    fingerprint: str = ""
    # Non-fatal problems: imported names shadowed by team entries, stale enrichments.
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_key = {(e.type, e.key): e for e in self.entries}
        self._by_repo: dict[str, CatalogEntry] = {}
        self._keps: dict[int, CatalogEntry] = {}
        for entry in self.entries:
            if entry.repo and (rk := repo_key(entry.repo)) and rk not in self._by_repo:
                self._by_repo[rk] = entry
            if entry.type == "KEP" and entry.number is not None:
                self._keps.setdefault(entry.number, entry)
        self._names = _index_names(self.entries, self.warnings)

    def get(self, type: str, key: str) -> CatalogEntry | None:
        return self._by_key.get((type, key))

    def find_key(self, key: str) -> CatalogEntry | None:
        """The entry with this key, whatever its type (team references name keys without a type)."""
        for entry_type in ENTITY_TYPES:
            if (entry := self._by_key.get((entry_type, key))) is not None:
                return entry
        return None

    def names(self) -> Iterator[tuple[str, CatalogEntry]]:
        """Every surface name (name, name_zh, aliases) with its entry.

        Imported names shadowed by a team entry's name are left out.
        """
        yield from self._names

    def by_repo(self, url: str) -> CatalogEntry | None:
        key = repo_key(url)
        return self._by_repo.get(key) if key else None

    def find_kep(self, number: int) -> CatalogEntry | None:
        return self._keps.get(number)

    def context_names(self, entry: CatalogEntry) -> tuple[str, ...]:
        """The words that satisfy an entry's ``context``: plain words as written, keys expanded to their names."""
        out: dict[str, None] = {}
        for word in entry.context:
            target = self.find_key(word)
            for name in target.surface_names() if target else (word,):
                out[name] = None
        return tuple(out)

    def counts(self) -> dict[str, int]:
        """Number of entries per type, in ENTITY_TYPES order."""
        result = {t: 0 for t in ENTITY_TYPES}
        for entry in self.entries:
            result[entry.type] += 1
        return {t: n for t, n in result.items() if n}


def _index_names(entries: list[CatalogEntry], warnings: list[str]) -> list[tuple[str, CatalogEntry]]:
    """Surface names of all entries; imported names that collide with earlier ones are dropped.

    Collisions between team entries are rejected earlier, by ``_check_collisions``.
    """
    taken: dict[str, CatalogEntry] = {}
    out: list[tuple[str, CatalogEntry]] = []
    # Team entries first so they win every collision with an imported one.
    for entry in sorted(entries, key=lambda e: e.source != "team"):
        for name in entry.surface_names():
            key = surface_key(name)
            owner = taken.get(key)
            if owner is not None and owner is not entry and entry.source != "team":
                warnings.append(f"{entry.file}: {entry.type} {entry.key!r}: {name!r} already denotes {owner.key!r}")
                continue
            if not entry.needs_context(name):
                taken.setdefault(key, entry)
            out.append((name, entry))
    return out


def _check_collisions(entries: list[CatalogEntry]) -> None:
    """Reject a surface name shared by two team entries.

    Two case-sensitive names collide only when written alike (``YARN`` and
    ``Yarn`` may coexist); a context-restricted name may share its surface
    with an unrestricted one elsewhere (``raft`` inside an etcd item is
    etcd's raft, elsewhere the algorithm), and with another restricted one
    whose context differs.
    """
    seen: dict[tuple[str, tuple[str, ...]], list[tuple[str, CatalogEntry]]] = {}
    for entry in entries:
        if entry.source != "team":
            continue
        for name in entry.surface_names():
            context = tuple(sorted(entry.context)) if entry.needs_context(name) else ()
            bucket = seen.setdefault((surface_key(name), context), [])
            for other_name, other in bucket:
                if other is entry:
                    continue
                if (
                    entry.case_sensitive
                    and other.case_sensitive
                    and surface_key(name, True) != surface_key(other_name, True)
                ):
                    continue
                raise InputError(
                    entry.file,
                    f"{entry.type} {entry.key!r}: name {name!r} already denotes {other.type} {other.key!r} "
                    f"({other.file})",
                )
            bucket.append((name, entry))


def _as_tuple(value: Any, path: Path, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    raise InputError(path, f"{where}: {name} must be a string or a list of strings")


def _entry_from_mapping(raw: Any, default_type: str | None, source: str, path: Path, index: int) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise InputError(path, f"entry #{index + 1} is not a mapping")
    key = raw.get("key")
    where = f"entry {key!r}" if key is not None else f"entry #{index + 1}"
    if key is None:
        raise InputError(path, f"{where}: missing 'key'")
    key = str(key)
    if not KEY_PATTERN.match(key):
        raise InputError(path, f"{where}: key must be a lower-case ASCII slug")
    unknown = sorted(set(raw) - _ENTRY_FIELDS)
    if unknown:
        raise InputError(path, f"{where}: unknown field {unknown[0]!r}")
    entry_type = raw.get("type", default_type)
    if entry_type not in ENTITY_TYPES:
        raise InputError(path, f"{where}: type {entry_type!r} is not one of {', '.join(ENTITY_TYPES)}")
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise InputError(path, f"{where}: missing 'name'")
    values: dict[str, Any] = {"type": entry_type, "key": key, "source": source, "file": str(path)}
    for name, value in raw.items():
        if name in ("type", "key"):
            continue
        if name in _TUPLE_FIELDS:
            values[name] = _as_tuple(value, path, where, name)
        elif name in _STR_FIELDS:
            if value is not None and not isinstance(value, (str, int, float)):
                raise InputError(path, f"{where}: {name} must be a string")
            values[name] = None if value is None else str(value)
        elif name in ("case_sensitive", "concept"):
            if not isinstance(value, bool):
                raise InputError(path, f"{where}: {name} must be true or false")
            values[name] = value
        elif name == "number":
            if value is not None and not isinstance(value, int):
                raise InputError(path, f"{where}: number must be an integer")
            values[name] = value
        elif name == "milestones":
            if not isinstance(value, dict):
                raise InputError(path, f"{where}: milestones must be a mapping")
            values[name] = {str(k): str(v) for k, v in value.items()}
    if values.get("maturity") not in (None, *MATURITIES):
        raise InputError(path, f"{where}: maturity {values['maturity']!r} is not one of {', '.join(MATURITIES)}")
    for name in ("aliases", "context", "contextual"):
        if any(not v.strip() for v in values.get(name, ())):
            raise InputError(path, f"{where}: empty string in {name}")
    entry = CatalogEntry(**values)
    stray = [n for n in entry.contextual if n not in entry.surface_names()]
    if stray:
        raise InputError(path, f"{where}: contextual name {stray[0]!r} is not one of its names")
    if entry.contextual and not entry.context:
        raise InputError(path, f"{where}: contextual names need a context")
    return entry


def read_yaml(path: Path, data: bytes) -> Any:
    try:
        return yaml.load(data, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"{where}invalid YAML ({problem})") from None


def _load_file(path: Path, data: bytes) -> tuple[list[CatalogEntry], list[dict[str, Any]]]:
    """Entries and enrichments of one catalog file."""
    doc = read_yaml(path, data)
    if doc is None:
        return [], []
    if not isinstance(doc, dict):
        raise InputError(path, "a catalog file is a mapping with 'entries'")
    unknown = sorted(set(doc) - {"type", "source", "entries", "enrich"})
    if unknown:
        raise InputError(path, f"unknown top-level field {unknown[0]!r}")
    source = doc.get("source", "team")
    if source not in SOURCES:
        raise InputError(path, f"source {source!r} is not one of {', '.join(SOURCES)}")
    raw_entries = doc.get("entries") or []
    if not isinstance(raw_entries, list):
        raise InputError(path, "'entries' must be a list")
    entries = [_entry_from_mapping(raw, doc.get("type"), source, path, i) for i, raw in enumerate(raw_entries)]
    enrich = doc.get("enrich") or []
    if not isinstance(enrich, list) or not all(isinstance(e, dict) and "key" in e for e in enrich):
        raise InputError(path, "'enrich' must be a list of mappings with a 'key'")
    for item in enrich:
        extra = sorted(set(item) - {"key", "type", *ENRICHABLE})
        if extra:
            raise InputError(path, f"enrich {item['key']!r}: field {extra[0]!r} cannot be enriched")
        item.setdefault("type", doc.get("type", "Project"))
    return entries, enrich


def _check_references(entries: list[CatalogEntry], by_key: dict[tuple[str, str], CatalogEntry]) -> None:
    """Every key a team entry points at must exist, with a type that fits the relation."""
    allowed = {
        "part_of": ("Project",),
        "feature_of": ("Project",),
        "developed_by": ("Organization",),
        "uses": ("Project", "Technology"),
        "integrates": ("Project",),
    }
    for entry in entries:
        if entry.source != "team":
            continue
        for relation, types in allowed.items():
            value = getattr(entry, relation)
            for target in (value,) if isinstance(value, str) else value or ():
                if not any((t, target) in by_key for t in types):
                    raise InputError(
                        entry.file, f"{entry.type} {entry.key!r}: {relation} {target!r} is no {' or '.join(types)} key"
                    )


def default_dirs() -> list[Path]:
    dirs = [CATALOG_DIR]
    if IMPORTED_DIR.is_dir():
        dirs.append(IMPORTED_DIR)
    return dirs


def load_catalog(dirs: Sequence[Path] | None = None) -> Catalog:
    """Load and check every ``*.yaml`` in ``dirs`` (default: the repo's catalog and its ``imported/``).

    Raises InputError for bad YAML, unknown fields, a duplicate key within a
    type among team entries, a dangling reference, or a name shared by two
    team entries.  Imported entries lose to team entries (same key or name).
    """
    paths = [p for d in (default_dirs() if dirs is None else dirs) for p in sorted(Path(d).glob("*.yaml"))]
    digest = hashlib.sha256()
    team: dict[tuple[str, str], CatalogEntry] = {}
    imported: dict[tuple[str, str], CatalogEntry] = {}
    enrichments: list[tuple[Path, dict[str, Any]]] = []
    warnings: list[str] = []
    for path in paths:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        entries, enrich = _load_file(path, data)
        enrichments.extend((path, item) for item in enrich)
        for entry in entries:
            ident = (entry.type, entry.key)
            if entry.source == "team":
                if ident in team:
                    raise InputError(path, f"duplicate {entry.type} key {entry.key!r} (also in {team[ident].file})")
                team[ident] = entry
            elif ident not in imported:
                imported[ident] = entry
    for ident, entry in imported.items():
        if ident in team:
            warnings.append(f"{entry.file}: {entry.type} {entry.key!r} is also a team entry; the team entry wins")
    merged = dict(team)
    team_repos = {repo_key(e.repo) for e in team.values() if e.repo}
    for path, item in enrichments:
        ident = (item["type"], str(item["key"]))
        target = merged.get(ident)
        if target is None:
            warnings.append(f"{path}: enrich {item['key']!r}: no such {item['type']} entry")
            continue
        missing = {f: str(item[f]) for f in ENRICHABLE if item.get(f) is not None and getattr(target, f) is None}
        if "repo" in missing and repo_key(missing["repo"]) in team_repos:
            del missing["repo"]  # another team entry owns that repository: by_repo must keep finding it
        if missing:
            merged[ident] = replace(target, **missing)
    merged.update({i: e for i, e in imported.items() if i not in team})
    entries = list(merged.values())
    _check_references(entries, merged)
    _check_collisions(entries)
    return Catalog(entries=entries, fingerprint=digest.hexdigest(), warnings=warnings)
