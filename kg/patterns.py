"""Loading the data that drives extraction and the shared text rules: ontology/patterns/*.yaml."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from kg.resources import data_file

PATTERNS_DIR = data_file("patterns")


@cache
def load_patterns(name: str) -> dict[str, Any]:
    """The mapping in ``ontology/patterns/<name>.yaml``."""
    with open(PATTERNS_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{PATTERNS_DIR / name}.yaml: expected a mapping")
    return data
