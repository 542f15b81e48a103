"""Each issue's public URL (schema:url) is read from the issue file, or its series' template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.ingest import discover, read_issue
from kg.vocab import SCHEMA, XSD

from .conftest import SHARED

LWCN = SHARED / "corpus" / "lwcn"


def _lwkd(tmp_path: Path, name: str, front: str) -> Path:
    path = tmp_path / name
    path.write_text(f"---\nlayout: post\n{front}---\n\n## Developer News\n\nNews.\n", encoding="utf-8")
    return path


def test_lwkd_url_is_the_post_date_not_the_week_ending(tmp_path: Path) -> None:
    # Jekyll's permalink follows the post date (front matter `date:`), two days after the week ending.
    path = _lwkd(
        tmp_path,
        "2020-10-11-update.md",
        "title: Week Ending October 11, 2020\ndate: 2020-10-13 22:00:00 -0000\nslug: 2020-10-11-update\n",
    )
    issue = read_issue(path)
    assert issue.date == "2020-10-11"
    assert issue.url == "https://lwkd.info/2020/20201013"
    # Without a front-matter date, Jekyll's post date is the file name's.
    bare = _lwkd(tmp_path, "2018-01-14-update.md", "title: Week Ending January 14, 2018\nslug: 2018-01-14-update\n")
    assert read_issue(bare).url == "https://lwkd.info/2018/20180114"


@pytest.mark.shared
def test_lwkd_urls_match_how_the_issues_link_each_other(lwkd_dir: Path) -> None:
    issues = [read_issue(p) for p in discover([lwkd_dir])]
    urls = {i.url for i in issues}
    assert all(u and u.startswith("https://lwkd.info/") for u in urls)
    assert len(urls) == len(issues)  # one page per issue
    cross = {m.group(0) for i in issues for m in re.finditer(r"https://lwkd\.info/\d{4}/\d{8}", i.text)}
    assert cross and cross <= urls  # every issue another one links to is a page we name


def test_lwcn_url_read_from_the_links_to_its_own_page(tmp_path: Path) -> None:
    main = tmp_path / "2026-week-03.md"
    main.write_text(
        '---\ntitle: "Week 3, Jan 12-18, 2026"\ndate: "2026-01-12"\n---\n\n## 🚀 Notable Releases\n\n'
        "- **[Argo CD v3.1.0](https://github.com/argoproj/argo-cd/releases/tag/v3.1.0)** - fixes\n\n"
        "📚 **[View all articles from this week →](https://lwcn.dev/newsletter/2026-week-03/articles/)**\n",
        encoding="utf-8",
    )
    articles = tmp_path / "2026-week-03-articles.md"
    articles.write_text(
        '---\ntitle: "Week 3 articles"\nurl: "/newsletter/2026-week-03/articles/"\n---\n\n'
        "# 📚 All Articles from Week 3\n\n[← Back to Newsletter](https://lwcn.dev/newsletter/2026-week-03/)\n",
        encoding="utf-8",
    )
    assert read_issue(main, companions=True).url == "https://lwcn.dev/newsletter/2026-week-03/"
    assert read_issue(articles).url == "https://lwcn.dev/newsletter/2026-week-03/"  # read alone: the same week


@pytest.mark.shared
def test_every_lwcn_issue_has_its_page() -> None:
    if not LWCN.is_dir():
        pytest.skip("../shared/corpus/lwcn is absent")
    for path in discover([LWCN]):
        issue = read_issue(path, companions=True)
        assert issue.url == f"https://lwcn.dev/newsletter/{issue.number}/", path.name


def test_generic_front_matter_url(tmp_path: Path) -> None:
    folder = tmp_path / "my-letter"
    folder.mkdir()
    given = folder / "one.md"
    given.write_text("---\ntitle: One\nurl: https://example.org/one/\n---\n\n# One\n\nText.\n", encoding="utf-8")
    assert read_issue(given).url == "https://example.org/one/"
    relative = folder / "two.md"
    relative.write_text("---\ntitle: Two\npermalink: /two/\n---\n\n# Two\n\nText.\n", encoding="utf-8")
    assert read_issue(relative).url is None  # no site known for this series: no URL made up
    plain = folder / "three.md"
    plain.write_text("# Three\n\nText.\n", encoding="utf-8")
    assert read_issue(plain).url is None


def test_url_is_written_as_schema_url(tmp_path: Path) -> None:
    from kg.ids import ID
    from kg.model import Extraction
    from kg.rdf import extraction_quads

    path = _lwkd(
        tmp_path,
        "2020-10-11-update.md",
        "title: Week Ending October 11, 2020\ndate: 2020-10-13 22:00:00 -0000\nslug: 2020-10-11-update\n",
    )
    quads = extraction_quads(Extraction(read_issue(path), f"{ID}issue/lwkd/2020-10-11"))
    urls = [q.object for q in quads if q.predicate == SCHEMA.url]
    assert [(u.value, u.datatype) for u in urls] == [("https://lwkd.info/2020/20201013", XSD.anyURI)]
