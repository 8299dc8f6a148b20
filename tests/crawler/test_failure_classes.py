"""One test per failure class that real pages showed (issue 12), on small pages written here.

Each page is built to carry the class in a shape seen on many sites, not copied from one site.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract import Extracted, extract_article
from crawler.parse import decode_body
from pipeline.dates import parse_cn_date

NOW = datetime(2026, 11, 24, tzinfo=UTC)
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


# --- dates from the wrong place, dates only for machines ------------------------------------------

PARAS = "".join(
    f"<p>{s}</p>"
    for s in (
        "11月20日，许昌市召开全市科技创新大会，总结今年工作，部署明年重点任务。",
        "会议强调，要加快建设创新平台，推动产业链和创新链深度融合，培育更多科技型企业。",
        "与会代表表示，将把会议精神落到实处，为建设先进制造业强市贡献力量。",
    )
)
RELATED = (
    '<div class="side"><h3>热点新闻</h3><ul>'
    '<li><a href="/a1.html">许昌召开电力装备推进会</a><span class="date">2026-10-01</span></li>'
    '<li><a href="/a2.html">全市工业经济运行平稳</a><span class="time">2026-09-28</span></li>'
    "</ul></div>"
)


def extract_html(html: str) -> Extracted:
    return extract_article(html, "http://news.example.cn/a/123.html")


def published(article: Extracted) -> str:
    found = parse_cn_date(article.date_text, NOW)
    return found.to_iso()[:10] if found else ""


def test_the_byline_under_the_headline_wins_over_a_sidebar_list_date() -> None:
    html = page(
        "<title>许昌召开全市科技创新大会_要闻_某网</title>",
        f"{RELATED}<div class='main'><h1>许昌召开全市科技创新大会</h1>"
        f"<div class='src'>2026-11-20 10:30 来源：许昌日报</div><div class='x'>{PARAS}</div></div>",
    )
    assert published(extract_html(html)) == "2026-11-20"


def test_a_visible_date_wins_over_a_migrated_meta_date_and_both_are_recorded() -> None:
    html = page(
        '<meta name="PubDate" content="2024-04-15 14:53"><title>许昌召开全市科技创新大会</title>',
        f"<h1>许昌召开全市科技创新大会</h1><p>【来源：许昌日报】 发布日期：2023-07-19 19:21</p>"
        f"<div>{PARAS}</div>",
    )
    article = extract_html(html)
    assert published(article) == "2023-07-19"
    assert article.meta_date_text.startswith("2024-04-15")


def test_a_date_given_only_to_machines_is_read() -> None:
    script = '<script>window.DATA = {"media":"某报","pubtime":"2026-11-18 16:56:39"};</script>'
    html = page(
        f"<title>许昌召开全市科技创新大会</title>{script}",
        f"<h1>许昌召开全市科技创新大会</h1>{PARAS}",
    )
    assert published(extract_html(html)) == "2026-11-18"
    itemprop = '<meta itemprop="datePublished" content="2026-11-17T08:00:00+08:00">'
    html = page(
        f"<title>许昌召开全市科技创新大会</title>{itemprop}",
        f"<h1>许昌召开全市科技创新大会</h1>{PARAS}",
    )
    assert published(extract_html(html)) == "2026-11-17"


def test_the_publication_date_of_an_open_government_table_not_its_signing_date() -> None:
    table = (
        "<table><tr><td>索引号：</td><td>1141/2026-00012</td><td>生成日期：</td><td>2026-11-04</td>"
        "</tr><tr><td>发布日期：</td><td>2026-11-13</td><td>文号：</td><td>许政〔2026〕3号</td></tr>"
        "</table>"
    )
    html = page(
        "<title>许昌市人民政府关于印发某方案的通知</title>",
        f"<h1>许昌市人民政府关于印发某方案的通知</h1>{table}<div>{PARAS}</div>",
    )
    assert published(extract_html(html)) == "2026-11-13"


def test_a_labelled_date_printed_under_the_body_is_used_when_the_header_has_none() -> None:
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"{RELATED}<h1>许昌召开全市科技创新大会</h1><div>{PARAS}</div><span>时间：2026-11-19 17:08</span>",
    )
    assert published(extract_html(html)) == "2026-11-19"


# --- headlines -------------------------------------------------------------------------------------


def test_a_site_banner_h1_loses_to_the_heading_the_page_title_confirms() -> None:
    html = page(
        "<title>许昌召开全市科技创新大会_新闻频道_某网</title>",
        "<div class='top'><h1 class='title'>全新首页 焕新登场</h1></div>"
        "<div class='crumb'>正在浏览：许昌召开全市科技创新大会</div>"
        f"<h1>许昌召开全市科技创新大会</h1><div>{PARAS}</div>",
    )
    assert extract_html(html).title == "许昌召开全市科技创新大会"


def test_a_headline_in_h4_with_a_title_joined_by_bare_dashes() -> None:
    html = page(
        "<title>积极因素不断增多 动能增强-前10个月外贸向好-某网</title>",
        "<h4>热门推荐</h4><h4>积极因素不断增多 动能增强——前10个月外贸向好</h4>"
        f"<div class='meta'>2026-11-09 22:30·新华社</div><div>{PARAS}</div>",
    )
    article = extract_html(html)
    assert article.title == "积极因素不断增多 动能增强——前10个月外贸向好"
    assert published(article) == "2026-11-09"


def test_og_title_wins_when_the_page_title_is_unsplittable_and_headings_are_furniture() -> None:
    html = page(
        '<meta property="og:title" content="日本企業信心保持穩定 但日圓疲弱推高成本">'
        "<title>日本企業信心保持穩定 但日圓疲弱推高成本</title>",
        f"<h3>通知</h3><h3>你可能還想看</h3><div>{PARAS}</div>",
    )
    assert extract_html(html).title == "日本企業信心保持穩定 但日圓疲弱推高成本"


def test_a_menu_item_named_in_the_page_title_is_not_the_headline() -> None:
    html = page(
        "<title>科普中国-辟谣文章</title>",
        "<ul class='nav'><li><a href='/'>首页</a></li><li><a href='/r'>辟谣文章</a></li></ul>"
        f"<div class='rumor-title'>徒手抓子弹真的存在吗？</div><div>{PARAS}</div>",
    )
    assert extract_html(html).title == "徒手抓子弹真的存在吗？"


def test_markup_inside_a_title_meta_tag_is_dropped() -> None:
    html = page(
        '<meta name="ArticleTitle" content="为建设凝聚力量<div>——祝贺会议开幕</div>">',
        f"<div class='TRS_Editor'>{PARAS}</div>",
    )
    assert extract_html(html).title == "为建设凝聚力量——祝贺会议开幕"


# --- bodies: link lists, teasers, too-wide containers, broken markup -------------------------------


def test_a_related_list_and_comments_inside_the_container_are_pruned() -> None:
    related = (
        "<div class='box'><h3>相关新闻</h3><ul>"
        "<li><a href='/1.html'>许昌电力装备产业集群加快发展</a></li>"
        "<li><a href='/2.html'>发制品出口为何持续增长？</a></li>"
        "<li><a href='/3.html'>全市工业经济运行平稳向好！</a></li></ul></div>"
    )
    comments = "<div class='comment-list'><p>网友：写得好。</p><p>网友：支持！</p></div>"
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"<h1>许昌召开全市科技创新大会</h1><div class='article-content'>{PARAS}{related}"
        f"{comments}</div>",
    )
    text = extract_html(html).text
    assert text.endswith("贡献力量。") and "发制品出口" not in text and "网友" not in text


def test_bare_headline_links_after_the_last_paragraph_are_dropped() -> None:
    links = "".join(
        f"<br><br><b><a href='/{i}.html'>{t}</a></b>"
        for i, t in enumerate(["“计件考核”是指标思维下的误区", "刷爆网站的热情需要引导与保护"])
    )
    html = page("<title>某通知</title>", f"<div id='zoom'>{PARAS}{links}</div>")
    assert extract_html(html).text.endswith("贡献力量。")


def test_a_container_much_wider_than_its_prose_yields_to_the_densest_block() -> None:
    nav = "".join(f"<li><a href='/{i}'>栏目{i}</a></li>" for i in range(30))
    teasers = "".join(f"<p>推广内容第{i}条 立即下载 领取福利 点击查看</p>" for i in range(40))
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"<div class='article-content'><ul>{nav}</ul><div class='txt'>{PARAS}</div>{teasers}</div>",
    )
    article = extract_html(html)
    assert article.text.startswith("11月20日") and article.text.endswith("贡献力量。")


def test_a_stray_closing_html_tag_mid_page_does_not_empty_the_body() -> None:
    html = (
        "<html><head><title>许昌召开全市科技创新大会</title></head><body><div class='top'>"
        "<p>导航</p></div></body></html>\n<div class='TRS_Editor'>" + PARAS + "</div></body></html>"
    )
    assert extract_html(html).text.startswith("11月20日")


def test_hidden_textarea_and_template_blocks_are_not_prose() -> None:
    gallery = "<textarea style='display:none'>" + "图集说明，很长的隐藏文字。" * 40 + "</textarea>"
    tmpl = "<template><p>" + "模板里的文字，不显示。" * 40 + "</p></template>"
    html = page(
        "<title>许昌召开全市科技创新大会</title>", f"<div>{gallery}{tmpl}</div><div>{PARAS}</div>"
    )
    text = extract_html(html).text
    assert text.startswith("11月20日") and "图集" not in text and "模板" not in text


def test_an_open_government_metadata_table_inside_the_container_is_not_body() -> None:
    table = (
        "<table class='xxgk'><tr><td>索 引 号：</td><td>11220000/2026-00426</td><td>分 类：</td>"
        "<td>环境监测</td></tr><tr><td>发布机构：</td><td>某某厅</td><td>成文日期：</td>"
        "<td>2026-11-04</td></tr></table>"
    )
    html = page("<title>关于某工程的公示</title>", f"<div id='zoom'>{table}{PARAS}</div>")
    assert extract_html(html).text.startswith("11月20日")


def test_a_lead_paragraph_beside_the_main_text_block_is_kept() -> None:
    lead = "<p class='chapo'>各位好，这里是本周科技要闻。今天先看许昌的创新大会，再看郑州的产业新闻和洛阳的新项目。</p>"
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"<article><h1>许昌召开全市科技创新大会</h1>{lead}<div class='body'>{PARAS}{PARAS}</div>"
        "</article>",
    )
    assert extract_html(html).text.startswith("各位好")


def test_a_recommended_article_inside_the_container_is_never_the_body() -> None:
    other = "".join(
        f"<p>另一篇推荐文章的第{i}段，内容很长，而且有很多句子。还有一句。</p>" for i in range(12)
    )
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"<div class='detail-content'><h1>许昌召开全市科技创新大会</h1><div class='txt'>{PARAS}</div>"
        f"<div class='recommend-wrapper'><h1>另一篇</h1><div class='c'>{other}</div></div></div>",
    )
    text = extract_html(html).text
    assert text.startswith("11月20日") and "推荐文章" not in text


def test_readers_comments_under_the_article_are_cut_by_normalize() -> None:
    from pipeline.normalize import normalize_text

    text = "正文第一段。\n正文最后一段。\n热门评论\n网友甲 认为：\n写得真好，我很赞同。"
    assert normalize_text(text) == "正文第一段。\n正文最后一段。"


def test_a_page_wrapped_in_one_form_still_has_a_body() -> None:
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        "<form id='form1' method='post' action='./a.aspx'><input type='hidden' name='__VIEWSTATE'>"
        f"<h1>许昌召开全市科技创新大会</h1><span>发布时间：2026-11-20</span><div>{PARAS}</div></form>",
    )
    article = extract_html(html)
    assert article.text.startswith("11月20日") and published(article) == "2026-11-20"


def test_every_known_container_is_a_bare_class_or_id_that_needs_no_selector_engine() -> None:
    import re

    from crawler.extract import BODY_CONTAINERS

    assert [c for c in BODY_CONTAINERS if not re.fullmatch(r"[.#][\w-]+", c)] == []


def test_a_linked_site_banner_is_not_the_headline_when_the_title_is_the_site_name() -> None:
    html = page(
        "<title>某某市人民政府门户网站</title>",
        "<h1><a href='/'>某某市人民政府</a></h1><div class='article-title'>许昌召开全市科技创新大会</div>"
        f"<div class='txt'>{PARAS}</div>",
    )
    assert extract_html(html).title == "许昌召开全市科技创新大会"


def test_a_long_comments_box_is_never_taken_for_the_body() -> None:
    posts = "".join(
        f"<p>网友{i}：我觉得这篇报道写得很好，说出了大家的心声，希望继续关注。</p>"
        for i in range(20)
    )
    html = page(
        "<title>许昌召开全市科技创新大会</title>",
        f"<h1>许昌召开全市科技创新大会</h1><div class='x'>{PARAS}</div>"
        f"<div id='comments'><h3>网友评论</h3>{posts}</div>",
    )
    text = extract_html(html).text
    assert text.startswith("11月20日") and "网友" not in text


def test_a_byline_with_commas_under_the_headline_still_gives_the_date() -> None:
    html = page(
        '<meta name="PubDate" content="2024-04-15 14:53"><title>许昌召开全市科技创新大会</title>',
        f"{RELATED}<h1>许昌召开全市科技创新大会</h1>"
        "<p>来源：许昌日报，作者：李明，发布时间：2026-11-21 08:30</p>"
        f"<div>{PARAS}</div>",
    )
    assert published(extract_html(html)) == "2026-11-21"
