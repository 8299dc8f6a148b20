"""Issue assembly (numbering, order, 目录) and the three exports, over plain rows."""

from __future__ import annotations

import io
from datetime import date

import docx

from desk.export import to_html, to_markdown
from desk.export_docx import to_docx
from desk.issue import (
    AssembledIssue,
    IssueNumbers,
    assemble,
    move_item,
    parse_order,
    suggest_numbers,
)
from pipeline.models import Masthead

MASTHEAD = Masthead(
    title="竞争情报快递", publisher="许昌市科学技术情报所", editor_note="", first_number=12,
    first_total=204, sections=("发展态势", "政策动向", "产业动态"), special_title="633发展新态势",
)  # fmt: skip
ISSUE = {"id": 1, "year": 2022, "number": 12, "total_number": 204, "special_title": "633发展新态势",
         "subtitle": "新一代信息技术产业专刊", "issue_date": "2022-06-25", "status": "draft",
         "editor_note": "第一段编者的话。\n第二段。"}  # fmt: skip


def row(key: str, section: str, position: int, title: str, **extra: str) -> dict[str, object]:
    return {"key": key, "section": section, "position": position, "item_title": title,
            "item_summary": "摘要。", "text": "第一段正文。\n第二段正文。", "source_name": "河南日报",
            "attribution": None, "published_at": "2022-06-20T09:00:00+08:00", "url": "https://x.example/1",
            "title_override": None, "summary_override": None, "body": "text", **extra}  # fmt: skip


ROWS = [
    row("k3", "产业动态", 0, "产业动态第一篇"),
    row("k2", "政策动向", 0, "政策<script>alert(1)</script>", body="summary"),
    row("k1", "发展态势", 1, "发展态势第二篇"),
    row("k0", "发展态势", 0, "健全科学数据治理机制 建设数据驱动型科技强国"),
]


def built() -> AssembledIssue:
    return assemble(ISSUE, ROWS, MASTHEAD)


def test_numbers_restart_each_year_and_the_total_never_does() -> None:
    assert suggest_numbers(None, date(2026, 3, 1), MASTHEAD) == IssueNumbers(2026, 12, 204)
    last = {"year": 2026, "number": 12, "total_number": 204}
    assert suggest_numbers(last, date(2026, 7, 1), MASTHEAD) == IssueNumbers(2026, 13, 205)
    assert suggest_numbers(last, date(2027, 1, 8), MASTHEAD) == IssueNumbers(2027, 1, 205)


def test_sections_follow_the_settings_order_and_articles_their_position() -> None:
    issue = built()
    assert [s.name for s in issue.sections] == ["发展态势", "政策动向", "产业动态"]
    assert [a.key for a in issue.articles] == ["k0", "k1", "k2", "k3"]
    assert issue.articles[2].paragraphs == ("摘要。",)
    assert issue.numbers_line == "第12期 总第204期"
    assert issue.date == "2022年6月25日"
    assert issue.articles[0].page == 2 and issue.articles[0].source == "河南日报"


def test_moving_items_up_down_and_across_sections() -> None:
    placement = [("发展态势", "a"), ("发展态势", "b"), ("政策动向", "c")]
    assert move_item(placement, "b", -1) == [
        ("发展态势", "b"),
        ("发展态势", "a"),
        ("政策动向", "c"),
    ]
    assert move_item(placement, "b", 1) == placement  # the last of its section stays put
    assert move_item(placement, "a", section="政策动向") == [
        ("发展态势", "b"), ("政策动向", "c"), ("政策动向", "a")
    ]  # fmt: skip
    # Into a section, an item takes its 6+3+3 place there (a: 新材料 goes before c: 食品).
    ranks = {"a": 1, "b": 0, "c": 7, "d": 11}
    assert move_item([*placement, ("政策动向", "d")], "a", section="政策动向", sector_rank=ranks) == [
        ("发展态势", "b"), ("政策动向", "a"), ("政策动向", "c"), ("政策动向", "d")
    ]  # fmt: skip
    assert parse_order("发展态势\ta\n\n政策动向\tc\n") == [("发展态势", "a"), ("政策动向", "c")]


def test_the_docx_has_the_masthead_the_contents_and_the_sections_in_order() -> None:
    document = docx.Document(io.BytesIO(to_docx(built())))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:5] == ["竞争情报快递", "第12期 总第204期", "633发展新态势", "新一代信息技术产业专刊",
                         "许昌市科学技术情报所\t2022年6月25日"]  # fmt: skip
    assert texts[5:8] == ["● 编者的话", "第一段编者的话。", "第二段。"]
    toc = [t for t in texts if "\t" in t and t != texts[4]]
    assert [t.split("\t")[0] for t in toc] == [a.title for a in built().articles]
    assert all(t.split("\t")[1].isdigit() for t in toc)
    markers = [t for t in texts if t.startswith("● ")]
    assert markers == ["● 编者的话", "● 目录", "● 发展态势", "● 政策动向", "● 产业动态"]
    assert "来源：河南日报　2022年6月20日" in texts
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["健全科学数据治理机制 建设数据驱动型科技强国"] == "NL Article Title"
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "宋体"
    )
    assert "PAGEREF _Toc_a1 \\h" in document.element.xml


def test_html_and_markdown_keep_crawled_markup_inert() -> None:
    html = to_html(built())
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert html.index("● 发展态势") < html.index("● 政策动向") < html.index("● 产业动态")
    markdown = to_markdown(built())
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert (
        "**第12期 总第204期**" in markdown
        and "- [健全科学数据治理机制 建设数据驱动型科技强国](#a1)" in markdown
    )


def test_the_docx_lists_an_items_attachments_under_it() -> None:
    names = '["1. 2026年度申报指南.pdf", "3. 拟立项企业名单.xlsx"]'
    rows = [row("k0", "发展态势", 0, "科技计划项目申报通知", attachment_names=names),
            row("k1", "发展态势", 1, "无附件的条目", attachment_names="[]")]  # fmt: skip
    document = docx.Document(io.BytesIO(to_docx(assemble(ISSUE, rows, MASTHEAD))))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    listed = texts.index("附件：1. 2026年度申报指南.pdf；3. 拟立项企业名单.xlsx")
    assert texts[listed - 1] == "第二段正文。" and texts[listed - 3].startswith("来源：")
    assert sum(t.startswith("附件：") for t in texts) == 1
