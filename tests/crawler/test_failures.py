"""Every failure class lands in its place, and none stops the other sources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.crawler.conftest import Crawl, run_crawl

LIST = """
[source.list]
item = "ul.news li"
date = "span::text"
"""


def listing(sid: str, url: str) -> str:
    return f'[[source]]\nid = "{sid}"\nname = "{sid}"\nkind = "listing"\nurls = ["{url}"]\n{LIST}'


def feed(sid: str, url: str) -> str:
    return f'[[source]]\nid = "{sid}"\nname = "{sid}"\nkind = "feed"\nurls = ["{url}"]\n'


SOURCES = "\n".join(
    [
        listing("good", "http://good.example/list/"),
        listing("gbk", "http://gbk.example/list/"),
        feed("rss", "http://feeds.example/rss.xml"),
        listing("dns", "http://nowhere.invalid/list/"),
        listing("forbidden", "http://faults.example/status/403"),
        listing("missing", "http://faults.example/status/404"),
        listing("challenge", "http://faults.example/challenge/list"),
        listing("server-error", "http://faults.example/status/503"),
        listing("slow", "http://faults.example/slow/4/list"),
        listing("truncated", "http://faults.example/truncated/list"),
        listing("huge", "http://faults.example/huge/list"),
        listing("dropped", "http://faults.example/drop/list"),
        listing("robots", "http://robots.example/private/list.html"),
        listing("mojibake", "http://mojibake.example/list/"),
        listing("redesigned", "http://redesign.example/list/"),
        listing("noextract", "http://noextract.example/list/"),
        feed("broken-feed", "http://feeds.example/broken.xml"),
        feed("empty-feed", "http://feeds.example/empty.xml"),
    ]
)
EXPECTED = {
    "good": None,
    "gbk": None,
    "rss": None,
    "dns": "dns",
    "forbidden": "http_403",
    "missing": "http_404",
    "challenge": "http_412_521_challenge",
    "server-error": "http_5xx",
    "slow": "timeout",
    "truncated": "truncated",
    "huge": "too_large",
    "dropped": "connect",
    "robots": "robots_denied",
    "mojibake": "bad_encoding",
    "redesigned": "empty_list",
    "noextract": "detail_extract_failed",
    "broken-feed": "parse_error",
    "empty-feed": "empty_list",
}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """One crawl of all sources at once, as a real cycle runs them."""
    return run_crawl(tmp_path_factory.mktemp("failures"), SOURCES)


@pytest.mark.parametrize(("source_id", "kind"), sorted(EXPECTED.items()))
def test_each_source_lands_in_its_error_class(
    first: Crawl, source_id: str, kind: str | None
) -> None:
    assert first.returncode == 0, first.stderr[-3000:]
    row = first.source_run(source_id, 1)
    assert row["error_kind"] == kind, row


def test_healthy_sources_store_their_items_despite_the_failures(first: Crawl) -> None:
    counts = {
        r["source_id"]: r["n"]
        for r in first.rows("SELECT source_id, count(*) AS n FROM items GROUP BY source_id")
    }
    assert counts == {"good": 3, "gbk": 1, "rss": 3}


def test_the_gbk_site_is_decoded(first: Crawl) -> None:
    (row,) = first.rows("SELECT title, text, published_at FROM items WHERE source_id = 'gbk'")
    assert row["title"] == "河南省科技厅部署超硬材料专项"
    assert "黄河旋风" in row["text"] and "\ufffd" not in row["text"]
    assert row["published_at"] == "2026-11-12T10:00:00+08:00"


def test_failures_are_recorded_on_the_source_health(first: Crawl) -> None:
    states = {r["id"]: r for r in first.rows("SELECT * FROM sources")}
    assert states["server-error"]["consecutive_failures"] == 1
    assert states["server-error"]["last_error_kind"] == "http_5xx"
    assert states["good"]["consecutive_failures"] == 0


def test_robots_disallowed_urls_are_never_requested(first: Crawl) -> None:
    requested = first.log.paths()
    assert "/private/p1.html" not in requested
    assert "/private/list.html" not in requested
    good = first.source_run("good", 1)
    assert '"robots_denied": 1' in good["errors"]


def test_server_errors_are_retried_before_giving_up(first: Crawl) -> None:
    assert first.log.paths("faults.example").count("/status/503") == 2  # retries = 1


def test_failed_list_pages_are_kept_as_snapshots(first: Crawl) -> None:
    snapshots = first.db.parent / "snapshots"
    assert list((snapshots / "redesigned").glob("*.html"))
    assert list((snapshots / "server-error").glob("*.html"))


def test_a_second_run_requests_no_detail_page_and_gets_304s(
    crawl: Callable[..., Crawl], tmp_path: Path
) -> None:
    sources = "\n".join(
        [listing("good", "http://good.example/list/"), feed("rss", "http://feeds.example/rss.xml")]
    )
    first_run = crawl(sources)
    assert len(first_run.rows("SELECT * FROM items")) == 6
    second = crawl(sources, db=first_run.db)
    statuses = sorted((host, path, status) for _, host, path, status in second.log.entries)
    assert statuses == [
        ("feeds.example", "/robots.txt", 200),
        ("feeds.example", "/rss.xml", 304),
        ("good.example", "/list/", 304),
        ("good.example", "/robots.txt", 200),
    ]
    assert len(second.rows("SELECT * FROM items")) == 6
