"""A feed item whose text comes from its HTML summary is stored as text (issue 12)."""

from __future__ import annotations

from pathlib import Path

from tests.crawler.conftest import run_crawl

SOURCE = """
[[source]]
id = "summaries"
name = "summaries"
kind = "feed"
urls = ["http://summaries.example/feed.xml"]
"""


def test_an_html_feed_summary_becomes_text_like_an_article_body(tmp_path: Path) -> None:
    crawl = run_crawl(tmp_path, SOURCE)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    (row,) = crawl.rows("SELECT text, summary FROM items WHERE source_id = 'summaries'")
    for stored in (row["text"], row["summary"]):
        assert "<" not in stored and "href" not in stored, stored
    assert row["text"] == (
        "11月17日，许昌市召开全市科技创新大会，部署明年重点工作，推动产业升级。\n"
        "会议强调要加快建设创新平台。"
    )
