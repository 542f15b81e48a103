"""What pipeline components record on a Doc (kept free of spaCy imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HITS = "cnkg_hits"


@dataclass
class Hit:
    start: int  # character offsets into doc.text, on token boundaries
    end: int
    kind: str  # catalog | version | kep | cve | repo | camel | flag | event
    text: str
    entry: Any = None  # CatalogEntry for catalog hits
    data: dict[str, Any] = field(default_factory=dict)


def hits_of(doc: Any) -> list[Hit]:
    return doc.user_data.setdefault(HITS, [])
