"""Failures that real pages and hostile servers showed (issue 13), each named as what it is."""

from __future__ import annotations

import json

import pytest

from tests.crawler.conftest import Crawl, run_crawl

LIST = '[source.list]\nitem = "ul.news li"\ndate = "span::text"\n'


def listing(sid: str, url: str, extra: str = "") -> str:
    head = f'[[source]]\nid = "{sid}"\nname = "{sid}"\nkind = "listing"\nurls = ["{url}"]\n'
    return head + extra + LIST


SOURCES = "\n".join(
    [
        listing(
            "paged", "http://pages.example/list/",
            '[source.pagination]\npattern = "index_{n}.html"\nstart = 1\nmax_pages = 5\n',
        ),
        listing("furniture", "http://furniture.example/list/"),
        listing("deep", "http://deep.example/list/"),
        listing("hugelist", "http://faults.example/hugelist/list"),
        listing("capped", "http://capped.example/list/", "max_items = 1\n"),
        listing("detail-redesigned", "http://detail.example/list/")
        + '[source.detail]\nbody = "div.article-v1-body"\ndate = "meta[name=PubDate]::attr(content)"\n',
        """
[[source]]
id = "offset"
name = "offset"
kind = "json"
urls = ["http://api.example/api/offset"]
[source.api]
params = { size = "2" }
records = "data.list"
date = "time"
page_param = "pn"
page_mode = "offset"
page_size = 2
max_pages = 3

[[source]]
id = "badbyte"
name = "badbyte"
kind = "json"
urls = ["http://api.example/api/badbyte"]
[source.api]
records = "rows"
title = "name"
url = "link"
text = "content"

[[source]]
id = "halfbroken"
name = "halfbroken"
kind = "feed"
urls = ["http://feeds.example/halfbroken.xml"]
""",
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """One crawl of every source above."""
    result = run_crawl(tmp_path_factory.mktemp("list-failures"), SOURCES)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def items(crawl: Crawl, source_id: str) -> list[dict[str, object]]:
    return crawl.rows("SELECT * FROM items WHERE source_id = ?", (source_id,))


def test_paging_stops_at_the_last_page_without_a_failure(crawl: Crawl) -> None:
    run = crawl.source_run("paged", 1)
    assert run["error_kind"] is None, run
    assert json.loads(run["errors"]).get("http_404") is None
    assert len(items(crawl, "paged")) == 4
    # The one page past the end was asked once and then paging stopped.
    assert crawl.log.paths("pages.example").count("/list/index_2.html") == 1
    assert "/list/index_3.html" not in crawl.log.paths("pages.example")
    state = crawl.rows("SELECT * FROM sources WHERE id = 'paged'")[0]
    assert state["consecutive_failures"] == 0


def test_a_furniture_only_page_is_not_stored(crawl: Crawl) -> None:
    run = crawl.source_run("furniture", 1)
    assert run["error_kind"] == "detail_extract_failed", run
    assert items(crawl, "furniture") == []


def test_a_page_too_deep_for_the_parser_is_a_parse_error(crawl: Crawl) -> None:
    run = crawl.source_run("deep", 1)
    assert run["error_kind"] == "parse_error", run
    assert "depth" in run["error"]


def test_an_oversized_list_page_is_read_up_to_the_cap(crawl: Crawl) -> None:
    run = crawl.source_run("hugelist", 1)
    assert run["error_kind"] is None, run
    assert json.loads(run["errors"])["truncated"] == 1
    assert len(items(crawl, "hugelist")) == 3


def test_the_run_record_says_when_max_items_cut(crawl: Crawl) -> None:
    run = crawl.source_run("capped", 1)
    assert run["new"] == 1
    assert json.loads(run["errors"])["max_items_cut"] == 2


def test_a_json_api_pages_by_offset(crawl: Crawl) -> None:
    run = crawl.source_run("offset", 1)
    assert run["error_kind"] is None, run
    assert len(items(crawl, "offset")) == 4
    paths = crawl.log.paths("api.example")
    assert "/api/offset?size=2&pn=0" in paths and "/api/offset?size=2&pn=2" in paths
    # pn=4 does not exist: the end of the list, not a failure.
    assert "/api/offset?size=2&pn=4" in paths


def test_an_invalid_utf8_byte_keeps_the_valid_records(crawl: Crawl) -> None:
    run = crawl.source_run("badbyte", 1)
    assert run["error_kind"] is None, run
    assert json.loads(run["errors"])["bad_encoding_bytes"] == 1
    titles = sorted(str(i["title"]) for i in items(crawl, "badbyte"))
    assert titles == ["许昌市召开化工园区安全整治推进会", "长葛市超硬材料产业园\ufffd新增企业"]


def test_a_broken_feed_without_entries_is_a_parse_error(crawl: Crawl) -> None:
    run = crawl.source_run("halfbroken", 1)
    assert run["error_kind"] == "parse_error", run


def test_detail_selectors_that_stop_matching_flag_the_source(crawl: Crawl) -> None:
    run = crawl.source_run("detail-redesigned", 1)
    assert run["error_kind"] is None, run
    assert len(items(crawl, "detail-redesigned")) == 3  # the extractor chain took over
    assert run["flag"] == (
        f"detail selectors of detail-redesigned broke on {run['started_at'][:10]}: body "
        "'div.article-v1-body' matched 0 of 3 pages (0%); the automatic extractor took over"
    )
    assert json.loads(run["errors"])["detail_body_selector_missed"] == 3
