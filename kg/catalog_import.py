"""Catalog importers: the CNCF landscape and the Kubernetes enhancement proposals as catalog files.

``import_landscape`` and ``import_keps`` write ``ontology/catalog/imported/*.yaml``, which
:func:`kg.catalog.load_catalog` reads beside the hand-written team files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kg.catalog import (
    CATALOG_DIR,
    IMPORTED_DIR,
    KEY_PATTERN,
    MATURITIES,
    SOURCES,
    Catalog,
    CatalogEntry,
    load_catalog,
    read_yaml,
    repo_key,
    surface_key,
)
from kg.errors import InputError
from kg.ids import slug

_PLAIN_WORD = re.compile(r"^[A-Z]?[a-z]+$")


def _dump(doc: dict[str, Any], out: Path, header: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    # Written whole, then renamed into place: a cut-off import never leaves half a catalog that loads.
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(header + text, encoding="utf-8")
    os.replace(tmp, out)


def _split_parenthesis(name: str) -> tuple[str, str | None]:
    """``"The Update Framework (TUF)"`` -> ``("The Update Framework", "TUF")``."""
    match = re.match(r"^(.+?)\s*\(([^()]+)\)$", name)
    return (match.group(1).strip(), match.group(2).strip()) if match else (name, None)


def _landscape_items(doc: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for category in (doc or {}).get("landscape") or []:
        for subcategory in category.get("subcategories") or []:
            for item in subcategory.get("items") or []:
                if isinstance(item, dict):
                    yield str(category.get("name")), str(subcategory.get("name")), item


def import_landscape(landscape_yml: Path, out: Path | None = None, team: Catalog | None = None) -> int:
    """Turn the CNCF landscape into ``imported/landscape.yaml``; return the number of entries written.

    Only open-source items with a repository become entries.  An item that is
    already in the team catalog (same repository, or same name) is not
    repeated: its missing fields go into the file's ``enrich`` list instead.
    """
    landscape_yml = Path(landscape_yml)
    out = Path(out) if out is not None else IMPORTED_DIR / "landscape.yaml"
    team = team if team is not None else load_catalog([CATALOG_DIR])
    canonical: dict[str, CatalogEntry] = {}  # by canonical name: the strongest evidence of identity
    any_name: dict[str, CatalogEntry] = {}
    for entry in team.entries:
        canonical.setdefault(surface_key(entry.name), entry)
    for name, entry in team.names():
        if not entry.needs_context(name):
            any_name.setdefault(surface_key(name), entry)
    taken_keys = {e.key for e in team.entries}
    doc = read_yaml(landscape_yml, landscape_yml.read_bytes())
    new: dict[str, dict[str, Any]] = {}
    new_names: set[str] = set()
    seen_repos: set[str] = set()
    enrich: dict[tuple[str, str], dict[str, Any]] = {}
    for category, subcategory, item in _landscape_items(doc):
        name, repo = str(item.get("name") or "").strip(), item.get("repo_url")
        if not name or not repo or item.get("open_source") is False:
            continue
        rk = repo_key(str(repo))
        if rk is None or rk in seen_repos:
            continue  # the same project filed under several subcategories: the first wins
        seen_repos.add(rk)
        fields_ = {
            "homepage": item.get("homepage_url"),
            "repo": str(repo),
            "category": category,
            "subcategory": subcategory,
            "maturity": item.get("project") if item.get("project") in MATURITIES else None,
            "description": " ".join(str(item["description"]).split()) if item.get("description") else None,
        }
        name, short = _split_parenthesis(name)  # "Container Network Interface (CNI)"
        names = [surface_key(n) for n in (name, short) if n]
        match = (
            next((canonical[n] for n in names if n in canonical), None)
            or team.by_repo(str(repo))
            or next((any_name[n] for n in names if n in any_name), None)
        )
        if match is not None:
            if match.type not in ("Project", "Technology"):
                continue  # a company or a feature of the same name: not this item
            missing = {f: v for f, v in fields_.items() if v and getattr(match, f) is None}
            if team.by_repo(str(repo)) not in (None, match):
                missing.pop("repo", None)  # the repository belongs to another team entry
            if match.type != "Project":  # a Technology has no CNCF category or maturity
                missing = {f: v for f, v in missing.items() if f in ("homepage", "repo", "description")}
            if missing:
                enrich.setdefault((match.type, match.key), {"key": match.key, "type": match.type}).update(
                    {f: v for f, v in missing.items() if f not in enrich.get((match.type, match.key), {})}
                )
            continue
        if any(n in new_names for n in names):
            continue
        key = slug(name)
        if key in taken_keys or key in new or not KEY_PATTERN.match(key):
            key = slug(rk.split("/", 1)[1].replace("/", "-"))
        if key in taken_keys or key in new:
            continue
        entry: dict[str, Any] = {"key": key, "name": name}
        if short and surface_key(short) not in any_name:
            entry["aliases"] = [short]
        if _PLAIN_WORD.match(name) or (short and _PLAIN_WORD.match(short)):
            entry["case_sensitive"] = True  # a single ordinary-looking word: "Harbor" but not "harbor"
        entry.update({f: v for f, v in fields_.items() if v})
        new[key] = entry
        new_names.update(names)
    entries = [new[k] for k in sorted(new)]
    enrich_list = [{k: v for k, v in e.items() if v is not None} for _, e in sorted(enrich.items())]
    header = f"# Written by `kg catalog import-landscape {landscape_yml.name}`; do not edit. See ../README.md.\n"
    _dump({"type": "Project", "source": "landscape", "entries": entries, "enrich": enrich_list}, out, header)
    return len(entries)


_MILESTONE = re.compile(r"^v?(\d+\.\d+)$")


def _milestone(value: Any) -> str | None:
    """``"v1.16"`` -> ``"1.16"``; placeholders (``0.0``, TBD, x.y, "") -> None."""
    match = _MILESTONE.match(str(value).strip()) if value is not None else None
    if match is None or match.group(1) == "0.0":
        return None
    return match.group(1)


def _kep_number(doc: dict[str, Any], path: Path) -> int | None:
    value = doc.get("kep-number")
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    match = re.match(r"^(\d+)-", path.parent.name)  # keps/sig-x/<n>-<slug>/kep.yaml
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def import_keps(keps_dir: Path, out: Path | None = None) -> int:
    """Turn a tree of ``kep.yaml`` files into ``imported/keps.yaml``; return the number of KEPs written.

    Where two files claim one number, an implemented KEP wins over others,
    then the first path in sorted order.
    """
    keps_dir = Path(keps_dir)
    out = Path(out) if out is not None else IMPORTED_DIR / "keps.yaml"
    found: dict[int, tuple[bool, dict[str, Any]]] = {}
    for path in sorted(keps_dir.rglob("kep.yaml")):
        doc = read_yaml(path, path.read_bytes())
        if not isinstance(doc, dict):
            raise InputError(path, "kep.yaml is not a mapping")
        number = _kep_number(doc, path)
        title = " ".join(str(doc.get("title") or "").split())
        if number is None or not title:
            continue  # the template, or a file without identity
        raw_milestones = doc.get("milestone") if isinstance(doc.get("milestone"), dict) else {}
        milestones = {stage: m for stage in ("alpha", "beta", "stable") if (m := _milestone(raw_milestones.get(stage)))}
        entry: dict[str, Any] = {"key": str(number), "name": f"KEP-{number}", "number": number, "title": title}
        entry["sig"] = str(doc["owning-sig"]) if doc.get("owning-sig") else None
        entry["status"] = str(doc["status"]) if doc.get("status") else None
        entry["stage"] = str(doc["stage"]) if doc.get("stage") else None
        entry["latest_milestone"] = _milestone(doc.get("latest-milestone"))
        entry["milestones"] = milestones or None
        authors = [str(a).strip().lstrip("@") for a in doc.get("authors") or [] if str(a).strip()]
        entry["authors"] = authors or None
        gates = [g for g in doc.get("feature-gates") or [] if isinstance(g, dict) and g.get("name")]
        entry["feature_gates"] = [str(g["name"]).strip() for g in gates] or None
        components = {str(c).strip() for g in gates for c in g.get("components") or [] if str(c).strip()}
        entry["components"] = sorted(components) or None
        entry = {k: v for k, v in entry.items() if v is not None}
        implemented = doc.get("status") == "implemented"
        if number not in found or (implemented and not found[number][0]):
            found[number] = (implemented, entry)
    entries = [found[n][1] for n in sorted(found)]
    header = f"# Written by `kg catalog import-keps {keps_dir.name}`; do not edit. See ../README.md.\n"
    _dump({"type": "KEP", "source": "keps", "entries": entries}, out, header)
    return len(entries)


if __name__ == "__main__":  # python -m kg.catalog: entry counts per type and source
    _catalog = load_catalog()
    for _type, _count in _catalog.counts().items():
        print(f"{_type}\t{_count}")
    for _source in SOURCES:
        print(f"source {_source}\t{sum(e.source == _source for e in _catalog.entries)}")
    print(f"total\t{len(_catalog.entries)}")
