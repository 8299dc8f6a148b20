"""Behaviour of the pure normalize stage: text, attribution, URLs, dates and summaries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from pipeline.normalize import (
    PublishedAt,
    canonical_url,
    extract_attribution,
    make_summary,
    normalize_text,
    parse_cn_date,
    url_key,
)

CN = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=CN)


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年6月25日", "2022-06-25"),
        ("2022年06月25日 10:00", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25 10:00", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25 10:00:00", "2022-06-25T10:00:00+08:00"),
        ("2022/6/25", "2022-06-25"),
        ("2022.06.25", "2022-06-25"),
        ("[2022.06.25]", "2022-06-25"),
        ("发布时间：2022-06-25", "2022-06-25"),
        ("发布日期：2022年6月25日", "2022-06-25"),
        ("时间：2022-06-25 09:30", "2022-06-25T09:30:00+08:00"),
        ("2022-06-25-10:30:00", "2022-06-25T10:30:00+08:00"),
        ("20220625", "2022-06-25"),
        ("20220625103000", "2022-06-25T10:30:00+08:00"),
        ("1656124200", "2022-06-25T10:30:00+08:00"),
        ("1656124200000", "2022-06-25T10:30:00+08:00"),
        ("Sat, 25 Jun 2022 02:00:00 GMT", "2022-06-25T10:00:00+08:00"),
        ("Sat, 25 Jun 2022 10:00:00 +0800", "2022-06-25T10:00:00+08:00"),
        ("Fri, 24 Jun 2022 22:00:00 -0400", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25T02:00:00Z", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25T10:00:00.123+08:00", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25T04:00:00+02:00", "2022-06-25T10:00:00+08:00"),
        ("2026年11月20日08:31", "2026-11-20T08:31:00+08:00"),
        ("2022年6月25日 下午3:30", "2022-06-25T15:30:00+08:00"),
        ("2022年6月25日10时30分", "2022-06-25T10:30:00+08:00"),
        ("２０２２年６月２５日", "2022-06-25"),
        ("二〇二二年六月二十五日", "2022-06-25"),
        ("来源：许昌日报  发布时间：2022-06-25 10:00  浏览次数：5", "2022-06-25T10:00:00+08:00"),
        ("有效期至2030-12-31，本通知自2022-06-25起施行", "2022-06-25"),
        ("2022-06-25 10:00-2022-06-26", "2022-06-25T10:00:00+08:00"),
        ("2022-06-25 25:61", "2022-06-25"),
        ("6月25日", "2026-06-25"),
        ("12-25", "2025-12-25"),
    ],
)
def test_parse_cn_date_reads_every_format(text: str, expected: str) -> None:
    assert parse_cn_date(text, NOW) == PublishedAt.from_iso(expected)
    assert parse_cn_date(text, NOW).to_iso() == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "无日期",
        "2027-01-01",
        "2026-11-22 10:00",
        "1999-12-31",
        "946684799",
        "2022-13-45",
        "2022年6月",
    ],
)
def test_parse_cn_date_rejects_missing_future_and_pre_2000_dates(text: str) -> None:
    assert parse_cn_date(text, NOW) is None


def test_parse_cn_date_allows_one_day_of_clock_skew() -> None:
    assert parse_cn_date("2026-11-21", NOW) == PublishedAt(date(2026, 11, 21))
    assert parse_cn_date("2026-11-21 11:59", NOW) == PublishedAt(date(2026, 11, 21), time(11, 59))
    assert parse_cn_date("2026-11-21 12:01", NOW) is None


def test_parse_cn_date_treats_naive_now_as_beijing_time() -> None:
    assert parse_cn_date("2026-11-21", datetime(2026, 11, 20, 12, 0)) == PublishedAt(
        date(2026, 11, 21)
    )


def test_published_at_keeps_date_only_values_date_only() -> None:
    value = parse_cn_date("2022年6月25日", NOW)
    assert value == PublishedAt(date(2022, 6, 25), None)
    assert value is not None and value.date_only
    assert value.to_iso() == "2022-06-25"
    assert value.as_datetime() == datetime(2022, 6, 25, tzinfo=CN)


@pytest.mark.parametrize("iso", ["2022-06-25", "2022-06-25T10:00:00+08:00"])
def test_published_at_iso_round_trips(iso: str) -> None:
    assert PublishedAt.from_iso(iso).to_iso() == iso


def test_published_at_from_iso_converts_offsets_and_reads_naive_as_utc8() -> None:
    assert PublishedAt.from_iso("2022-06-25T02:00:00+00:00") == PublishedAt(
        date(2022, 6, 25), time(10, 0)
    )
    assert PublishedAt.from_iso("2022-06-25T10:00:00") == PublishedAt(
        date(2022, 6, 25), time(10, 0)
    )


def test_published_at_sort_key_orders_chronologically_with_date_only_first_in_its_day() -> None:
    values = [
        PublishedAt(date(2022, 6, 26)),
        PublishedAt(date(2022, 6, 25), time(9, 0)),
        PublishedAt(date(2022, 6, 25)),
        PublishedAt(date(2022, 6, 24), time(23, 0)),
    ]
    assert sorted(values, key=lambda v: v.sort_key) == [values[3], values[2], values[1], values[0]]


# --- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTP://WWW.Xuchang.GOV.cn:80/Art/2022/art_1.html",
            "https://www.xuchang.gov.cn/Art/2022/art_1.html",
        ),
        ("https://www.xuchang.gov.cn:443/a.html", "https://www.xuchang.gov.cn/a.html"),
        ("http://x.gov.cn:8080/a.html", "https://x.gov.cn:8080/a.html"),
        ("https://x.gov.cn/a/./b/../c.html", "https://x.gov.cn/a/c.html"),
        ("https://x.gov.cn//news//t1.html", "https://x.gov.cn/news/t1.html"),
        ("https://x.gov.cn/a.html#content", "https://x.gov.cn/a.html"),
        ("https://x.gov.cn/#/detail?id=3", "https://x.gov.cn/#/detail?id=3"),
        ("https://x.gov.cn/news/index.html", "https://x.gov.cn/news/"),
        ("https://x.gov.cn/index.shtml", "https://x.gov.cn/"),
        ("https://x.gov.cn", "https://x.gov.cn/"),
        ("https://x.gov.cn/a.html?", "https://x.gov.cn/a.html"),
        (
            "https://x.gov.cn/a.jsp?utm_source=wx&utm_medium=s&id=5&from=timeline&isappinstalled=0",
            "https://x.gov.cn/a.jsp?id=5",
        ),
        (
            "https://x.gov.cn/a.jsp?spm=1.2&share_token=x&wxshare_count=2&scene=1&clicktime=1",
            "https://x.gov.cn/a.jsp",
        ),
        (
            "https://x.gov.cn/a.jsp?infoid=9&artid=3&_t=1656124200",
            "https://x.gov.cn/a.jsp?artid=3&infoid=9",
        ),
        ("https://x.gov.cn/a.jsp?t=news&id=1", "https://x.gov.cn/a.jsp?id=1&t=news"),
        ("https://x.gov.cn/a.jsp?_=1656124200000&id=1", "https://x.gov.cn/a.jsp?id=1"),
        ("https://x.gov.cn/a.html;jsessionid=ABC123?id=1", "https://x.gov.cn/a.html?id=1"),
        ("https://x.gov.cn/a%7eb%2fc%3a", "https://x.gov.cn/a~b%2Fc%3A"),
        (
            "https://x.gov.cn/新闻/a.html?q=许昌",
            "https://x.gov.cn/%E6%96%B0%E9%97%BB/a.html?q=%E8%AE%B8%E6%98%8C",
        ),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA&mid=22&idx=1&sn=abc&chksm=xyz&scene=21#wechat_redirect",
            "https://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=22&sn=abc",
        ),
        ("  https://x.gov.cn/A.HTML  ", "https://x.gov.cn/A.HTML"),
        ("/relative/a.html", "/relative/a.html"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_url_key_is_a_stable_hex_digest_shared_by_http_and_https() -> None:
    key = url_key("http://www.xuchang.gov.cn/a.html?id=1&utm_source=x")
    assert key == url_key("https://WWW.xuchang.gov.cn/a.html?id=1#top")
    assert len(key) == 32 and int(key, 16) >= 0
    assert key != url_key("https://www.xuchang.gov.cn/a.html?id=2")


# --- text -------------------------------------------------------------------------------------

RAW_PAGE = """【字体：大 中 小】 【打印本页】 【关闭窗口】
发布时间：2022-06-25 10:00  来源：许昌市人民政府  浏览次数：128
原标题：许昌市出台支持发制品产业发展十条措施
　　本报讯（记者 张三 通讯员 李四）近日,许昌市出台《若干措施》(以下简称《措施》)，ＡＢＣ公司投资１２３亿元。&nbsp;&nbsp;

　　《措施》提出，到2025年，全市发制品产业营业收入突破500亿元!
\u3000\u3000时间：2022年6月25日上午9时，地点：市会议中心，面积1200㎡，室温25℃……
作者：王五
责任编辑：赵六  审核：钱七
（记者 孙九 通讯员 周十）
分享到：微信 微博 QQ空间
扫一扫在手机打开当前页
上一篇：许昌市召开工业经济运行分析会
下一篇：关于开展2022年度企业技术中心认定工作的通知
函数f(x)的第(2)项资金来源：财政拨款。（责任编辑：孙八）
【打印】【关闭】"""


def test_normalize_text_removes_chrome_and_keeps_the_body() -> None:
    assert normalize_text(RAW_PAGE) == (
        "本报讯（记者 张三 通讯员 李四）近日，许昌市出台《若干措施》（以下简称《措施》），"
        "ABC公司投资123亿元。\n"
        "《措施》提出，到2025年，全市发制品产业营业收入突破500亿元！\n"
        "时间：2022年6月25日上午9时，地点：市会议中心，面积1200㎡，室温25℃……\n"
        "函数f(x)的第（2）项资金来源：财政拨款。"
    )


@pytest.mark.parametrize(
    "line",
    [
        "来源：许昌日报",
        "来源:新华网",
        "文章来源：河南省工业和信息化厅",
        "责任编辑：张三",
        "编辑：李四 审核：王五 校对：赵六",
        "作者：王五",
        "【字体：大 中 小】",
        "字号：T|T",
        "打印本页",
        "关闭窗口",
        "【打印】【关闭】",
        "分享到：",
        "扫一扫在手机打开当前页",
        "上一篇：许昌市召开工业经济运行分析会",
        "下一篇：无",
        "原标题：许昌发制品出口增长",
        "发布日期：2022-06-25 浏览次数：",
        "（完）",
        "[责任编辑：张三]",
        "声明：本文转载自新华网，版权归原作者所有。",
        "编者按：本文经授权转载，文中观点仅供读者参考。",
        "图为企业生产车间一角。（许昌日报记者 张伟 摄）",
        "人民网 2022年3月1日 字号：T|T",
        "许昌市人民政府 2022-06-25 10:00",
        "《人民日报》（2026年11月20日 10 版）",
        "大字号 小字号",
        "点击“在看”让更多人看到",
        "长按识别二维码关注我们",
    ],
)
def test_normalize_text_drops_whole_boilerplate_lines(line: str) -> None:
    assert normalize_text(f"正文第一段。\n{line}\n正文第二段。") == "正文第一段。\n正文第二段。"


@pytest.mark.parametrize(
    "line",
    [
        "记者从市工信局获悉，来源：财政资金的项目共12个。",
        "作者：张三认为，产业链协同是关键。",
        "时间：2022年6月25日上午9时，地点：市会议中心",
        "分享到朋友圈的内容要真实。",
        "编辑部收到读者来信十余封。",
    ],
)
def test_normalize_text_never_cuts_inside_a_paragraph(line: str) -> None:
    assert normalize_text(line) == line


# Boilerplate lines measured on real pages (issue 12), one or more per failure class.
@pytest.mark.parametrize(
    "line",
    [
        "当前位置：首页 > 新闻中心 > 工作动态",
        "您现在的位置: 首页 > 政务公开",
        "首页 > 要闻 > 正文",
        "首页 | 政务公开 | 政务服务 | 互动交流",
        "版权所有：许昌市人民政府办公室 豫ICP备05000000号",
        "Copyright © 2026 某某网 All Rights Reserved",
        "【本网作品的中文相关权益归本公司所有。未经授权，不得转载、摘编等。】",
        "39健康网（www.39.net）原创内容，未经授权不得转载，违者必究。",
        "免责声明：本内容来自平台创作者，不代表本网的观点和立场。",
        "振兴东北网版权与免责声明：",
        "特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。",
        "（原标题：许昌发制品出口增长）",
        "[责任编辑:肖春芳]",
        "（松花江网编辑 孙桂芳）",
        "编辑|张维纳",
        "编辑|张三 语音|李四 剪辑|王五 制图|赵六",
        "投稿|news@example.cn 合作|abc123(微信)",
        "点击蓝字关注我们",
        "扫码关注",
        "往期推荐",
        "阅读原文",
        "回复【报告】获取全文",
        "如你觉得文章不错，请识别图中二维码关注，并推荐给你的朋友。",
        "欢迎分享到朋友圈~",
        "【下载地址】",
        "【点击投票】",
        "发送给朋友",
        "进入【新浪财经股吧】讨论",
        "返回搜狐，查看更多",
        "点击阅读更多精彩财经新闻",
        "Tag:甲骨文收购Sun",
        "推荐阅读：绥德交警：8月1日起，专项整治电动车、二轮车、三轮车违法行为",
        "pdf下载 word下载",
    ],
)
def test_normalize_text_drops_real_page_boilerplate(line: str) -> None:
    assert normalize_text(f"正文第一段。\n{line}\n正文第二段。") == "正文第一段。\n正文第二段。"


@pytest.mark.parametrize(
    "line",
    [
        "市民可通过扫码关注“许昌发布”了解政策。今年已有十万人关注。",
        "首页设计获奖后，团队又完成了三个项目。",
        "未经审批的项目一律不得开工，这是会议的明确要求。",
        "编辑出版工作由市委宣传部负责，全年出版图书十二种。",
        "版权保护工作取得新进展，全市查处侵权案件十二起。",
    ],
)
def test_real_page_boilerplate_rules_keep_sentences_that_mention_their_words(line: str) -> None:
    assert normalize_text(line) == line


def test_a_teaser_heading_drops_the_headlines_under_it() -> None:
    raw = "正文。\n精彩视频推荐\n全民微信时代 用语音发60秒是种怎样的体验\n正在加载"
    assert normalize_text(raw) == "正文。"


def test_normalize_text_drops_link_titles_under_a_related_heading() -> None:
    raw = "正文。\n相关阅读：\n许昌发制品出口增长\n长葛超硬材料集群入选\n正文二很长的一句话。"
    assert normalize_text(raw) == "正文。\n正文二很长的一句话。"


def test_normalize_text_keeps_the_signing_date_of_an_official_document() -> None:
    assert normalize_text("特此通知。\n国务院办公厅\n2026年11月12日") == (
        "特此通知。\n国务院办公厅\n2026年11月12日"
    )
    assert normalize_text("正文。\n2026年11月12日\n正文二。") == "正文。\n正文二。"


def test_normalize_text_folds_widths_but_keeps_chinese_punctuation() -> None:
    assert normalize_text("ＧＤＰ增长５．２％，“好于预期”（初步核算）：①第一；②第二……") == (
        "GDP增长5.2%，“好于预期”（初步核算）：①第一；②第二……"
    )
    assert normalize_text("产值增长12%,同比提高3个百分点;总量(全市)第一!") == (
        "产值增长12%，同比提高3个百分点；总量（全市）第一！"
    )
    assert (
        normalize_text("投资1,234万元,10:30开工,增长3,同比")
        == "投资1,234万元，10:30开工，增长3，同比"
    )


def test_normalize_text_restores_stops_and_quotes_converted_to_half_width() -> None:
    raw = '园区通过复核."煤—焦—化"产业链.增长3.5%.\n见www.xuchang.gov.cn. He said "OK".'
    assert (
        normalize_text(raw)
        == '园区通过复核。“煤—焦—化”产业链。增长3.5%。\n见www.xuchang.gov.cn. He said "OK".'
    )


def test_normalize_text_collapses_whitespace_and_blank_lines() -> None:
    raw = "\u3000\u3000第一段  有\t空格\xa0。\r\n\r\n\n  第二段&nbsp;内容\u200b。  \n\u3000\n"
    assert normalize_text(raw) == "第一段 有 空格。\n第二段 内容。"


def test_normalize_text_is_idempotent() -> None:
    once = normalize_text(RAW_PAGE)
    assert normalize_text(once) == once


# --- attribution ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：2022-06-25 来源：许昌市人民政府 浏览次数：12\n正文。", "许昌市人民政府"),
        ("正文。\n来源:《河南日报》", "河南日报"),
        ("本文来源：人民网-人民日报", "人民网-人民日报"),
        ("原文来源：工业和信息化部网站", "工业和信息化部网站"),
        ("本文转载自新华网，版权归原作者所有。", "新华网"),
        ("正文。（来源：许昌日报）", "许昌日报"),
        ("资金来源：财政拨款。", None),
        ("来源：2022-06-25", None),
        ("没有来源行的正文。", None),
    ],
)
def test_extract_attribution(text: str, expected: str | None) -> None:
    assert extract_attribution(text) == expected


# --- summary ----------------------------------------------------------------------------------


def test_make_summary_keeps_whole_lead_sentences_within_the_limit() -> None:
    text = "第一句话讲了事情的经过。第二句话说明了意义！第三句话很长" + "很长" * 80 + "。"
    assert make_summary(text, limit=40) == "第一句话讲了事情的经过。第二句话说明了意义！"


def test_make_summary_skips_datelines_and_headings() -> None:
    text = "一、总体要求\n新华社北京11月20日电（记者 张三）国家电网公司20日表示，电网投资增长。"
    assert make_summary(text) == "国家电网公司20日表示，电网投资增长。"
    text = "本报讯（记者 李四 通讯员 王五）6月25日，许昌市召开发制品产业大会。"
    assert make_summary(text) == "6月25日，许昌市召开发制品产业大会。"


def test_make_summary_cuts_a_long_sentence_at_a_clause_with_an_ellipsis() -> None:
    text = "许昌市围绕发制品产业链，" + "推动" * 30 + "，强化创新驱动" + "发展" * 40 + "。"
    assert make_summary(text, limit=80) == "许昌市围绕发制品产业链，" + "推动" * 30 + "…"


def test_make_summary_does_not_cut_inside_a_latin_word_or_number() -> None:
    text = "企业" * 37 + "研发投入123456789元用于建设新一代信息技术平台项目。"
    assert make_summary(text, limit=80) == "企业" * 37 + "研发投入…"


def test_make_summary_of_short_or_empty_text() -> None:
    assert make_summary("短讯一则") == "短讯一则"
    assert make_summary("") == ""
