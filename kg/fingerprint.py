"""What a source's stored content hash is made of: its bytes (with its companions') and the extractor's
fingerprint.  Computed by the build for every file and, on a Dask worker, again from what the worker read
with the worker's own code (kg.cluster), so both sides must share this one definition."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg import __version__
from kg.patterns import PATTERNS_DIR
from kg.resources import data_file


def file_hash(raw: bytes, fingerprint: str) -> str:
    """Content hash of a source as the store records it: the bytes and what extracted them."""
    return hashlib.sha256(fingerprint.encode() + b"\0" + raw).hexdigest()


PIPELINE_CODE = (
    "ingest", "nlp", "extract", "rdf.py", "ids.py", "model.py", "text.py", "vocab.py", "patterns.py",
    "resources.py", "issue_job.py",
)  # fmt: skip


def extractor_fingerprint(catalog: Any) -> str:
    """Changes whenever re-extraction could give another result: the per-issue code, catalog, patterns.
    ``catalog``: a loaded catalog, or its files' digest (``kg.catalog.files_fingerprint()``, no parsing)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for part in PIPELINE_CODE:
        for path in sorted((package / part).rglob("*.py")) if (package / part).is_dir() else [package / part]:
            digest.update(path.name.encode() + path.read_bytes())
    catalog_digest = catalog if isinstance(catalog, str) else getattr(catalog, "fingerprint", "")
    digest.update(str(catalog_digest).encode())
    data = sorted(PATTERNS_DIR.rglob("*")) if PATTERNS_DIR.is_dir() else []
    for path in [*data, data_file("series.yaml")]:  # series.yaml: the issues' URL templates
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def source_bytes(paths: Sequence[Path]) -> bytes:
    """The bytes one issue is read from: its file, then each companion's, each preceded by its name."""
    return b"".join((p.name.encode() + b"\0" if i else b"") + p.read_bytes() for i, p in enumerate(paths))
