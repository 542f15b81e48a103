"""Where cnkg's data files are: the one place that knows.

The data (ontology, shapes, canned queries, extraction patterns, the hand-written catalog) lives in the
repository's top-level ``ontology/`` folder.  Run from a checkout (or an editable install) it is read there;
a wheel carries a copy as the package data ``kg/ontology/`` (``setup.py`` copies it in at build time).

The imported catalog (``kg catalog import-landscape`` / ``import-keps``) is generated, so it needs a writable
place: ``$CNKG_CATALOG_DIR`` when set; else ``ontology/catalog/imported/`` in a checkout; else the user's data
folder, ``$XDG_DATA_HOME/cnkg/catalog`` (by default ``~/.local/share/cnkg/catalog``).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

ENV_CATALOG_DIR = "CNKG_CATALOG_DIR"
_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT_DATA = _PACKAGE.parent / "ontology"


def from_checkout() -> bool:
    """True when running from a source checkout (the package sits next to the top-level ontology/)."""
    return (_CHECKOUT_DATA / "cnkg.ttl").is_file() and (_PACKAGE.parent / "pyproject.toml").is_file()


def data_dir() -> Path:
    """The ontology/ folder: the checkout's, else the copy shipped in the wheel."""
    if from_checkout():
        return _CHECKOUT_DATA
    shipped = Path(str(resources.files("kg") / "ontology"))
    if not (shipped / "cnkg.ttl").is_file():
        # Neither a checkout nor a wheel built by setup.py: say what is missing rather than fail later.
        raise FileNotFoundError(f"cnkg's data files are missing: neither {_CHECKOUT_DATA} nor {shipped} exists")
    return shipped


def data_file(*parts: str) -> Path:
    """A file or folder under ontology/, e.g. ``data_file("queries")``."""
    return data_dir().joinpath(*parts)


def imported_catalog_dir() -> Path:
    """Where `kg catalog import-*` write and where the catalog loader looks for imported entries."""
    configured = os.environ.get(ENV_CATALOG_DIR)
    if configured:
        return Path(configured).expanduser()
    if from_checkout():
        return _CHECKOUT_DATA / "catalog" / "imported"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "cnkg" / "catalog"


@cache
def series_metadata() -> dict[str, dict[str, str]]:
    """ontology/series.yaml: series slug -> its facts (title, homepage, license; site, url_template)."""
    import yaml

    data = yaml.safe_load(data_file("series.yaml").read_text(encoding="utf-8")) or {}
    return {str(slug): {str(k): str(v) for k, v in (facts or {}).items()} for slug, facts in data.items()}
