"""The canned-query page of `kg serve` in headless Chromium: forms that submit and show rows, nothing fetched
from elsewhere.  Also exercises the in-process API (kg.endpoint.start_endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.endpoint import EndpointHandle, Limits, start_endpoint

from .conftest import CHROMIUM
from .test_serve import small_graph

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndpointHandle]:
    build_dir = small_graph(tmp_path_factory.mktemp("endpoint-browser") / "build")
    with start_endpoint(build_dir, None, limits=Limits(timeout_s=5, max_queries=2)) as running:
        yield running
    assert not any(Path(f"/proc/{pid}").exists() for pid in running.backend_pids)


def test_in_process_endpoint_answers(endpoint: EndpointHandle) -> None:
    response = httpx.get(endpoint.url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=10)
    assert response.status_code == 200 and len(endpoint.backend_pids) == 2


def test_a_canned_query_form_submits_and_shows_rows(endpoint: EndpointHandle, browser: Any) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(endpoint.base_url + "/queries")
        assert page.locator("section.query").count() >= 8
        form = page.locator("#issues form")
        form.locator('input[name="limit"]').fill("3")
        with page.expect_navigation():
            form.locator("button").click()
        assert page.url.startswith(endpoint.base_url + "/queries/issues?") and "limit=3" in page.url
        assert page.locator("h1").inner_text() == "Issues in the graph"
        assert page.locator("table").count() == 1
        assert "LIMIT 3" in (page.locator("details pre").text_content() or "")
    finally:
        page.close()
    assert requested and all(url.startswith(endpoint.base_url) for url in requested), requested
