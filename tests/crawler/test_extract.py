"""The extractor on 41 pages in the shapes of real Chinese government and news sites."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article, extract_fragment
from tests.crawler.extract_eval import FIELDS, accuracy, score_page

# Per-field floors over tests/fixtures/pages (share of pages exactly right). Raising a floor is a
# deliberate edit; lowering one needs a reason in the commit message.
FLOORS = {"title": 1.0, "published_at": 1.0, "body": 1.0, "source_name": 1.0, "attachments": 1.0}


def test_per_field_accuracy_stays_above_the_floors() -> None:
    per_field, _ = accuracy()
    print({field: round(value, 3) for field, value in per_field.items()})
    assert {f: per_field[f] >= FLOORS[f] for f in FIELDS} == dict.fromkeys(FIELDS, True)


@pytest.mark.parametrize(
    "file", ["govcn_policy_1.html", "henan_kjt_tzgg.html", "xuchang_kjj_table.html"]
)
def test_key_government_pages_are_fully_right(file: str) -> None:
    from tests.crawler.extract_eval import expected_pages

    (page,) = [p for p in expected_pages() if p["file"] == file]
    score = score_page(page)
    assert score.right == dict.fromkeys(FIELDS, True), score.got


def test_a_page_without_known_containers_falls_back_to_the_densest_prose_block() -> None:
    html = """<html><head><meta charset="utf-8"><title>许昌瑞贝卡发制品出口增长_新闻_某网</title></head>
    <body><div class="nav"><a href="/">首页</a><a href="/a">新闻</a><a href="/b">政务</a></div>
    <div class="main"><h2>许昌瑞贝卡发制品出口增长</h2><div class="x9">
    <p>今年以来，许昌发制品企业积极开拓海外市场，出口订单持续增长。</p>
    <p>据统计，前十个月全市发制品出口额同比增长百分之十二，其中跨境电商渠道增长最快。</p>
    <p>业内人士表示，产品创新和品牌建设是出口增长的关键，企业将继续加大研发投入。</p></div></div>
    <div class="footer">版权所有：某网 豫ICP备12345678号</div></body></html>"""
    article = extract_article(html, "http://x.example/a.html")
    assert article.title == "许昌瑞贝卡发制品出口增长"
    assert article.text.startswith("今年以来") and article.text.endswith("加大研发投入。")
    assert article.method == "density"


def test_scripts_and_event_handlers_never_reach_the_stored_html() -> None:
    html = '<p onclick="x()">正文<script>alert(1)</script><img src="a.png" onerror="alert(2)"></p>'
    article = extract_fragment(html, "http://x.example/", "标题", "2026-11-20", "")
    assert "script" not in article.html and "onerror" not in article.html
    assert "onclick" not in article.html and "alert" not in article.html


def test_configured_nodes_are_removed_before_extraction() -> None:
    from pipeline.models import DetailSelectors

    html = """<html><head><meta charset="utf-8"><title>许昌召开会议</title></head><body>
    <div class="zsy_comain"><div id="qr_container">扫一扫在手机打开当前页</div>
    <p>11月16日，许昌市召开电力装备产业链推进会议，部署下一阶段重点工作，推动产业集群发展。</p>
    <p>会议要求强化链主企业带动作用。</p></div></body></html>"""
    spec = DetailSelectors(remove=("#qr_container",))
    article = extract_article(html, "http://www.sasac.gov.cn/n1/c1/content.html", spec)
    assert article.text.startswith("11月16日，许昌市召开电力装备产业链推进会议")
    assert "扫一扫" not in article.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://kjj.xuchang.gov.cn/xwdt/202611/t20261120_3058108.html", "2026-11-20"),
        ("https://kjt.henan.gov.cn/2024/12-18/3100240.html", "2024-12-18"),
        ("http://www.xuchang.gov.cn/xcsrmzfsjfb/037003/20261112/ab12.html", "2026-11-12"),
        ("http://www.news.cn/tech/2026-11/20/c_1130000.htm", "2026-11-20"),
        ("http://www.cs.com.cn/news/1001.html", None),
        ("http://x.example/2031/01-01/1.html", None),  # in the future: not a publication date
    ],
)
def test_dates_written_into_article_urls_are_the_last_resort(
    url: str, expected: str | None
) -> None:
    from datetime import UTC, datetime

    from crawler.parse import date_from_url

    found = date_from_url(url, datetime(2026, 11, 24, tzinfo=UTC))
    assert (found.to_iso() if found else None) == expected


def test_a_headline_repeated_as_the_first_body_line_is_dropped() -> None:
    html = """<html><head><title>许昌发制品出口增长_新闻</title></head><body>
    <div class="TRS_Editor"><p>许昌发制品出口增长</p>
    <p>今年以来，许昌发制品出口保持增长，前十个月出口额同比增长百分之十二，跨境电商渠道增长最快。</p>
    </div></body></html>"""
    article = extract_article(html, "http://x.example/a.html")
    assert article.title == "许昌发制品出口增长"
    assert article.text.startswith("今年以来")
