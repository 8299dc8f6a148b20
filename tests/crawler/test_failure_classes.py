"""One test per failure class that real pages showed (issue 12), on small pages written here.

Each page is built to carry the class in a shape seen on many sites, not copied from one site.
"""

from __future__ import annotations

from crawler.parse import decode_body

ARTICLE = (
    "许昌市召开全市科技创新大会，部署明年重点工作。会议强调，要加快建设创新平台，推动产业升级。"
)


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


# --- decoding ------------------------------------------------------------------------------------


def test_a_page_declaring_gb2312_whose_bytes_are_utf8_is_read_as_utf8() -> None:
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', ARTICLE)
    decoded = decode_body(html.encode("utf-8"), "text/html; charset=gbk")
    assert decoded.encoding == "utf-8" and ARTICLE in decoded.text and not decoded.bad


def test_gbk_bytes_without_any_declared_charset_are_read_as_gbk() -> None:
    decoded = decode_body(page("<title>新闻</title>", ARTICLE).encode("gbk"), "text/html")
    assert decoded.encoding == "gb18030" and ARTICLE in decoded.text and not decoded.bad


def test_gbk_bytes_declared_utf8_are_still_reported_as_mojibake() -> None:
    html = page('<meta charset="utf-8">', ARTICLE)
    assert decode_body(html.encode("gbk"), "text/html").bad


def test_a_declared_gbk_page_stays_gbk_and_a_bom_wins_over_meta() -> None:
    gbk = page('<meta charset="gb2312">', ARTICLE).encode("gbk")
    assert decode_body(gbk, "").text.count("许昌市") == 1
    utf16 = "\ufeff" + page('<meta charset="gb2312">', ARTICLE)
    decoded = decode_body(utf16.encode("utf-16-le"), "")
    assert decoded.encoding == "utf-16-le" and ARTICLE in decoded.text
