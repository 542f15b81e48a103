"""Extraction: ``extract(issue, catalog) -> Extraction`` (entities with mentions, relations with evidence)."""

from __future__ import annotations

from kg.extract.core import extract
from kg.nlp import load_pipeline

__all__ = ["extract", "load_pipeline"]
