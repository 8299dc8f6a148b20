"""Pure list, feed and JSON parsing rules (issue 13 bugs), on bytes and text, no server."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from crawler.failures import kind_for_exception
from crawler.parse import (
    invalid_utf8,
    load_json,
    next_page_url,
    page_count,
    parse_feed,
    parse_listing,
    parse_problem,
)
from pipeline.models import ApiSpec, ListSelectors, Pagination

BASE = "http://x.example/tztg/"


def test_an_item_with_two_links_gives_one_link() -> None:
    html = """<ul><li><a href="./202611/t20261118_1.html">科技部关于开展项目申报的通知</a>
    <a href="./202611/P020261118.pdf">附件下载</a><span>2026-11-18</span></li></ul>"""
    entries = parse_listing(html, BASE, ListSelectors(item="li"))
    assert [e.url for e in entries] == ["http://x.example/tztg/202611/t20261118_1.html"]


def test_the_link_pattern_picks_the_matching_link_of_an_item() -> None:
    html = """<ul><li><a href="/col/notice/">[通知]</a><a href="/art/2026/11/18/art_1.html">标题</a>
    </li></ul>"""
    spec = ListSelectors(item="li")
    entries = parse_listing(html, BASE, spec, link_pattern=r"art_\d+\.html$")
    assert [e.url for e in entries] == ["http://x.example/art/2026/11/18/art_1.html"]


def test_paging_stops_at_the_page_count_a_trs_pager_states() -> None:
    html = '<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div>'
    spec = Pagination(pattern="index_{n}.html", start=1, max_pages=10)
    assert page_count(html) == 3
    assert next_page_url(html, BASE, spec, 0) == BASE + "index_1.html"
    last = html.replace("(3, 0,", "(3, 2,")
    assert next_page_url(last, BASE + "index_2.html", spec, 2) is None


def test_trs_pagers_with_variables_and_the_newer_call_are_read() -> None:
    with_vars = 'var currentPage = 0;\nvar countPage = 7//共多少页\ncreatePageHTML(countPage, currentPage, "index", "shtml");'
    assert page_count(f"<script>{with_vars}</script>") == 7
    newer = "<script>createPageHTML('page_div',23, 1,'index','html',229);</script>"
    assert page_count(newer) == 23


def test_a_broken_feed_without_entries_is_fatal() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a &amp b'
    result = parse_feed(body, "http://x.example/rss.xml")
    assert result.entries == () and result.fatal and result.bozo


def test_a_valid_feed_without_entries_is_not_fatal() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert not parse_feed(body, "http://x.example/rss.xml").fatal


def test_json_with_an_invalid_byte_keeps_its_records() -> None:
    body = '{"rows": [{"t": "甲BAD"}, {"t": "乙"}]}'.encode().replace(b"BAD", b"\xff")
    assert [r["t"] for r in load_json(body)["rows"]] == ["甲\ufffd", "乙"]
    assert "offset" in (invalid_utf8(body) or "")
    assert invalid_utf8(b"{}") is None


def test_a_page_nested_too_deep_names_the_parser_limit() -> None:
    deep = "<html><body>" + "<div>" * 2100 + "<ul><li>x</li></ul>" + "</div>" * 2100
    assert "depth" in (parse_problem(deep) or "")
    assert parse_problem("<html><body><div><p>unclosed</div>") is None


def test_offset_paging_values() -> None:
    spec = ApiSpec(page_param="pn", page_mode="offset", page_size=10)
    assert [spec.page_value(p) for p in (1, 2, 3)] == [0, 10, 20]
    assert ApiSpec(page_param="p").page_value(3) == 3


def test_a_redirect_loop_is_not_a_connect_failure() -> None:
    assert kind_for_exception(IgnoreRequest("max redirections reached")) == "too_many_redirects"
