"""An issue's public URL (``Issue.url``, written as ``schema:url``): read from the document, not guessed.

In order: the front matter's ``url``/``permalink`` (a relative one resolved against the series'
``site``), a link the reader recognises as the issue's own page, and last the series' ``url_template``
over the issue's post date (``ontology/series.yaml``), for series whose files carry no URL (LWKD).
"""

from __future__ import annotations

import datetime as _dt
import re
from urllib.parse import urljoin

from kg.ingest.common import find_date
from kg.resources import series_metadata

_ABSOLUTE = re.compile(r"(?i)^https?://\S+$")


def from_front_matter(data: dict, series: str) -> str | None:
    """The front matter's ``url`` or ``permalink``: absolute as written, relative joined to the series' site."""
    for key in ("url", "permalink"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if _ABSOLUTE.match(value):
            return value
        site = series_metadata().get(series, {}).get("site")
        if site and value.startswith("/"):
            return urljoin(site, value)
    return None


def from_template(series: str, date: str | None) -> str | None:
    """The series' ``url_template`` filled with ``date`` (ISO), or None without a template or a date."""
    template = series_metadata().get(series, {}).get("url_template")
    iso = find_date(date) if date else None
    if not template or not iso:
        return None
    day = _dt.date.fromisoformat(iso)
    return template.format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}", yyyymmdd=day.strftime("%Y%m%d")
    )
