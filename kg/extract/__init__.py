"""Extraction: ``extract(issue, catalog) -> Extraction`` (entities with mentions, relations with evidence)."""

from __future__ import annotations

from typing import Any

from kg.extract.context import warm_catalog_tables
from kg.extract.pipeline import extract
from kg.nlp import load_pipeline as _load_nlp

__all__ = ["extract", "load_pipeline"]


def load_pipeline(catalog: Any) -> Any:
    """The NLP pipeline for ``catalog``, with the extractor's per-catalog lookup tables built once too
    (their one-off cost belongs to loading, like the pipeline's, not to the first issue extracted)."""
    nlp = _load_nlp(catalog)
    warm_catalog_tables(catalog)
    return nlp
