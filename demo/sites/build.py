#!/usr/bin/env python3
"""Render articles.toml into the static offline demo sites under www/.

    python demo/sites/build.py

www/ is deleted and regenerated; the output is deterministic (no build time, no randomness),
so re-running it on an unchanged articles.toml gives byte-identical files. See README.md.
"""

# ruff: noqa: E501  (HTML templates are kept on their natural, long lines)
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WWW = HERE / "www"
CST = timezone(timedelta(hours=8))

KJJ, KJT, GXT = "kjj.xuchang.example", "kjt.henan.example", "gxt.henan.example"
XINWEN, HYXH, XCNEWS = "www.xinwen.example", "www.hyxh.example", "api.xcnews.example"
HOSTS = (KJJ, KJT, GXT, XINWEN, HYXH, XCNEWS)
GOV_HOSTS, REPRINT_HOSTS = (KJJ, KJT, GXT), (XINWEN, XCNEWS)
SECTORS = {
    "it": "新一代信息技术", "materials": "新材料", "biomed": "生物医药", "smart_equipment": "智能装备",
    "nev": "新能源汽车", "green": "节能环保", "equipment": "装备制造", "food": "食品", "hair": "发制品",
    "building": "建材", "chemical": "化工", "textile": "轻纺", "off_topic": "综合",
}  # fmt: skip
FIRST_DAY, LAST_DAY = date(2026, 10, 1), date(2026, 11, 23)
# A reprint appears `delay` after the original, or the next morning if that would be late.
REPRINT_DELAY = {
    XINWEN: (timedelta(hours=2, minutes=46), time(8, 31)),
    XCNEWS: (timedelta(hours=5, minutes=12), time(7, 45)),
}
EDITORS = ["李昊", "王洁", "张晓燕", "刘畅", "陈默", "赵一鸣", "孙悦", "周婷"]
KJJ_PER_PAGE, KJT_PER_PAGE, XC_PER_PAGE = 5, 5, 6
REQUIRED = {"id", "sector", "title", "published_at", "source_name", "site", "paragraphs"}

e = html.escape


@dataclass
class Post:
    """One article as it appears on one host (an original or a reprint)."""

    art: dict[str, Any]
    host: str
    title: str
    when: datetime
    timed: bool  # False when published_at is date-only
    paragraphs: list[str]
    original: Post | None = None
    path: str = ""
    seq: int = 0

    key = property(lambda self: f"{self.art['id']}@{self.host}")  # unique per host, seeds ids
    url = property(lambda self: f"http://{self.host}{self.path}")

    def stamp(self) -> str:
        return self.when.strftime("%Y-%m-%d %H:%M" if self.timed else "%Y-%m-%d")


# ------------------------------------------------------------------ loading and checks


def fail(msg: str) -> None:
    sys.exit(f"articles.toml: {msg}")


def load_articles(path: Path) -> list[dict[str, Any]]:
    arts: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
    ids = [a.get("id") for a in arts]
    if len(set(ids)) != len(ids):
        fail("duplicate ids")
    for a in arts:
        aid, paragraphs = a.get("id"), a.get("paragraphs", [])
        body = sum(map(len, paragraphs))
        if REQUIRED - a.keys():
            fail(f"{aid}: missing {sorted(REQUIRED - a.keys())}")
        if a["sector"] not in SECTORS or a["site"] not in HOSTS:
            fail(f"{aid}: unknown sector or site")
        if not FIRST_DAY <= parse_when(a["published_at"])[0].date() <= LAST_DAY:
            fail(f"{aid}: published_at out of range")
        if not (350 <= body <= 1200 and 3 <= len(paragraphs) <= 8 and 15 <= len(a["title"]) <= 40):
            fail(f"{aid}: title {len(a['title'])}, body {body} in {len(paragraphs)} paragraphs")
        reprints = set(a.get("reprinted_on", []))
        if reprints and (a["site"] not in GOV_HOSTS or reprints - set(REPRINT_HOSTS)):
            fail(f"{aid}: reprints go from a government site to {REPRINT_HOSTS}")
        if a.get("attachments") and a["site"] != KJJ:
            fail(f"{aid}: attachments are only rendered on {KJJ}")
        if a["site"] == KJT:  # raises UnicodeEncodeError on a character GBK lacks
            (a["title"] + "".join(paragraphs) + a["source_name"]).encode("gbk")
    return arts


def parse_when(text: str) -> tuple[datetime, bool]:
    timed = len(text) > 10
    return datetime.strptime(text, "%Y-%m-%d %H:%M" if timed else "%Y-%m-%d"), timed


def reprint_time(orig: Post, host: str) -> datetime:
    delay, morning = REPRINT_DELAY[host]
    if orig.timed:
        t = orig.when + delay
        if t.date() == orig.when.date() and t.hour < 21:
            return t
    return datetime.combine(orig.when.date() + timedelta(days=1), morning)


def reprint_body(paragraphs: list[str], host: str) -> list[str]:
    """The small edits a reprinting editor makes: width-converted punctuation on the portal,
    the last sentence dropped on the Xuchang media site."""
    if host == XINWEN:
        return [p.replace("（", "(").replace("）", ")").replace("%", "％") for p in paragraphs]
    *head, last = paragraphs
    sentences = re.findall(r"[^。]*。|[^。]+$", last)
    return [*head, "".join(sentences[:-1])] if len(sentences) > 1 else head


def digits(key: str, mod: int) -> int:
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % mod


def post_path(p: Post) -> str:
    w, n = p.when, p.seq
    if p.host == KJJ:
        return f"/xwdt/{w:%Y%m}/t{w:%Y%m%d}_{3056000 + n * 173 + digits(p.key, 80)}.html"
    if p.host == KJT:
        return f"/{w:%Y}/{w:%m-%d}/{3099800 + n * 57 + digits(p.key, 25)}.html"
    if p.host == GXT:
        return f"/xxgk/gzdt/art/{w:%Y}/art_{hashlib.md5(p.key.encode()).hexdigest()}.html"
    if p.host == XINWEN:
        channel = 351639 if p.art["sector"] == "off_topic" else 351638
        return f"/n1/{w:%Y}/{w:%m%d}/c{channel}-{40610000 + n * 203 + digits(p.key, 90)}.html"
    if p.host == HYXH:
        return f"/news/{w:%Y}/{w:%m%d}/{100 + n * 3 + digits(p.key, 3)}.html"
    return f"/news/{1000 + n}.html"


def build_posts(arts: list[dict[str, Any]]) -> dict[str, list[Post]]:
    """Per host, its posts newest first, with sequence numbers and URL paths assigned."""
    by_host: dict[str, list[Post]] = {h: [] for h in HOSTS}
    for a in arts:
        when, timed = parse_when(a["published_at"])
        orig = Post(a, a["site"], a["title"], when, timed, list(a["paragraphs"]))
        by_host[a["site"]].append(orig)
        for host in a.get("reprinted_on", []):
            title = a.get("reprint_titles", {}).get(host, a["title"])
            body = reprint_body(orig.paragraphs, host)
            by_host[host].append(Post(a, host, title, reprint_time(orig, host), True, body, orig))
    for posts in by_host.values():
        posts.sort(key=lambda p: (p.when, p.art["id"]))
        for i, p in enumerate(posts, 1):
            p.seq = i
            p.path = post_path(p)
        posts.reverse()
    return by_host


# ------------------------------------------------------------------ writing helpers


def put(host: str, path: str, text: str, encoding: str = "utf-8") -> None:
    target = WWW / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding))


def paras(ps: list[str], style: str = "") -> str:
    return "\n".join(f"<p{style}>{e(p)}</p>" for p in ps)


def page_name(n: int) -> str:  # TRS style: index.html, index_1.html, index_2.html ...
    return f"index_{n}.html" if n else "index.html"


def shorten(t: str, limit: int) -> str:
    return t if len(t) <= limit else t[:limit] + "…"


def summary(p: Post, limit: int = 80) -> str:
    first = p.paragraphs[0]
    return shorten(first[: first.find("。") + 1 or len(first)], limit)


def rel(from_path: str, to_path: str) -> str:
    """Relative href between two paths on the same host (TRS style)."""
    a, b = from_path.split("/")[1:-1], to_path.split("/")[1:]
    i = 0
    while i < len(a) and i < len(b) - 1 and a[i] == b[i]:
        i += 1
    return ("../" * (len(a) - i) or "./") + "/".join(b[i:])


def editor(p: Post, shift: int = 0) -> str:
    return EDITORS[(digits(p.key, len(EDITORS)) + shift) % len(EDITORS)]


def fields(p: Post, here: str = "/") -> dict[str, Any]:
    """Everything a template may ask about one post, already escaped for HTML/XML."""
    return {
        "title": e(p.title), "short": e(shorten(p.title, 24)), "side": e(p.title[:16]) + "…",
        "stamp": p.stamp(), "date": f"{p.when:%Y-%m-%d}", "md": f"{p.when:%m-%d}",
        "source": e(p.art["source_name"]), "path": p.path, "url": p.url, "href": rel(here, p.path),
        "summary": e(summary(p)), "sector": p.art["sector"], "label": SECTORS[p.art["sector"]],
        "editor": editor(p), "body": paras(p.paragraphs), "iso": p.when.replace(tzinfo=CST).isoformat(),
        "rfc822": format_datetime(p.when.replace(tzinfo=CST)),
    }  # fmt: skip


def lis(posts: list[Post], tpl: str, here: str = "/") -> str:
    return "\n".join(tpl.format(**fields(p, here)) for p in posts)


def chunks(posts: list[Post], size: int) -> list[list[Post]]:
    return [posts[i : i + size] for i in range(0, len(posts), size)]


ROBOTS = "User-agent: *\nDisallow: /admin/\nAllow: /\n"
CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}a{color:#333;text-decoration:none}ul{margin:0;padding:0;list-style:none}
.w,.container,.main{width:1200px;margin:0 auto}.fl{float:left}.fr{float:right}.clear{clear:both}h1{font-size:24px;text-align:center}
.footer,footer{background:#f2f2f2;text-align:center;font-size:12px}li span,li b{float:right;font-weight:normal;color:#999}
"""
# Every HTML page is SHELL around a body; CHROME gives each site its doctype, <head> lines,
# header and footer.
SHELL = "{doctype}\n<html>\n<head>\n{charset}\n<title>{title}</title>\n{links}\n{head}\n</head>\n<body>\n{header}\n{body}\n{footer}\n</body>\n</html>\n"
HTML5, UTF8 = "<!DOCTYPE html>", '<meta charset="utf-8">'
XHTML = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
GB2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
STYLE = '<link rel="stylesheet" href="/css/style.css" type="text/css">'

KJJ_HEADER = """<div class="header">
<div class="top-bar w"><span class="fl">许昌市人民政府门户网站群</span><span class="fr"><a href="javascript:;">无障碍浏览</a> | <a href="javascript:;">长者模式</a></span></div>
<div class="banner w"><div class="logo">许昌市科学技术局</div></div>
<div class="nav-wrap"><ul class="nav w"><li><a href="{home}">首页</a></li><li><a href="{column}">新闻动态</a></li><li><a href="javascript:;">通知公告</a></li><li><a href="javascript:;">政策法规</a></li><li><a href="javascript:;">政务公开</a></li><li><a href="javascript:;">互动交流</a></li></ul></div></div>
<div class="container">"""
KJJ_FOOTER = """<div class="clear"></div></div>
<div class="footer"><p>主办单位：许昌市科学技术局　　承办：许昌市科学技术情报研究所　　地址：许昌市魏都区龙兴路市民之家</p>
<p>网站标识码：4110000023　　<a href="javascript:;">豫ICP备12014568号-1</a>　　豫公网安备 41100202000186号</p>
<p>联系电话：0374-2961234　　建议使用1920×1080分辨率浏览本网站</p></div>"""
KJT_HEADER = """<div class="top"><div class="w"><div class="logo">河南省科学技术厅</div><div class="search"><form action="javascript:;"><input type="text" name="q" value="请输入关键字"><input type="submit" value="搜索"></form></div></div></div>
<div class="nav"><ul class="w"><li><a href="/">首页</a></li><li><a href="/tzgg/index.html">通知公告</a></li><li><a href="javascript:;">科技动态</a></li><li><a href="javascript:;">政务公开</a></li><li><a href="javascript:;">科技服务</a></li></ul></div>
<div class="w">"""
KJT_FOOTER = """</div>
<div class="footer"><p>主办单位：河南省科学技术厅　　地址：郑州市花园路27号　　邮编：450008</p><p>网站标识码：4100000031　　豫ICP备05009034号　　豫公网安备 41010502002235号</p></div>"""
GXT_HEADER = """<div class="header"><div class="w"><div class="logo">河南省工业和信息化厅</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/gzdt/index.html">工作动态</a></li><li><a href="javascript:;">政策文件</a></li><li><a href="javascript:;">政务服务</a></li><li><a href="javascript:;">互动交流</a></li></ul></div></div>
<div class="w">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/gzdt/index.html">工作动态</a></div>"""
GXT_FOOTER = """</div>
<div class="footer"><p>主办：河南省工业和信息化厅　　地址：郑州市金水区纬二路14号</p><p>网站标识码：4100000012　　豫ICP备10200891号-1　　豫公网安备 41010502003341号</p></div>"""
XINWEN_HEADER = """<div class="header"><div class="w"><a class="logo" href="/">河南新闻网</a>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/">要闻</a></li><li><a href="/">产业经济</a></li><li><a href="/rss/industry.xml">RSS订阅</a></li></ul></div></div>
<div class="main">"""
XINWEN_FOOTER = """</div>
<div class="footer"><p>河南新闻网版权所有，未经书面授权禁止使用</p><p>互联网新闻信息服务许可证 41120170001　　豫ICP备09012345号</p></div>"""
HYXH_HEADER = """<div class="header"><div class="w"><div class="logo">河南省工业行业协会联合会</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/index.html">行业资讯</a></li><li><a href="/atom.xml">订阅</a></li><li><a href="javascript:;">会员服务</a></li></ul></div></div>
<div class="w">"""
HYXH_FOOTER = """</div>
<div class="footer"><p>河南省工业行业协会联合会　　地址：郑州市郑东新区商务外环路</p><p>豫ICP备16023456号-1</p></div>"""
XC_HEADER = """<header class="site-header"><div class="w"><a class="logo" href="/">许昌融媒</a>
<nav><a href="/">首页</a> <a href="/">本地</a> <a href="/">产业</a> <a href="/">民生</a></nav></div></header>
<main class="container">"""
XC_FOOTER = """</main>
<footer><p>许昌市融媒体中心 主办　　许昌融媒版权所有</p><p>豫ICP备14012345号-2　　互联网新闻信息服务许可证 41120190003</p></footer>"""

CHROME = {  # host: (doctype, charset, links, header, footer)
    KJJ: (XHTML, UTF8, STYLE + '\n<meta name="SiteName" content="许昌市科学技术局">', KJJ_HEADER, KJJ_FOOTER),
    KJT: (XHTML, GB2312, STYLE, KJT_HEADER, KJT_FOOTER),
    GXT: (HTML5, UTF8, STYLE + '\n<meta name="SiteName" content="河南省工业和信息化厅">', GXT_HEADER, GXT_FOOTER),
    XINWEN: (HTML5, UTF8, STYLE + '\n<link rel="alternate" type="application/rss+xml" href="/rss/industry.xml">', XINWEN_HEADER, XINWEN_FOOTER),
    HYXH: (HTML5, UTF8, STYLE + '\n<link rel="alternate" type="application/atom+xml" href="/atom.xml">', HYXH_HEADER, HYXH_FOOTER),
    XCNEWS: (HTML5, UTF8, '<meta name="viewport" content="width=device-width, initial-scale=1">\n' + STYLE, XC_HEADER, XC_FOOTER),
}  # fmt: skip


def page(host: str, path: str, title: str, body: str, head: str = "", **kw: str) -> None:
    doctype, charset, links, header, footer = CHROME[host]
    header = header.format(**kw)
    text = SHELL.format(**locals())
    put(host, path, text, "gbk" if host == KJT else "utf-8")  # kjt's bytes on disk are GBK


# ------------------------------------------------------------------ kjj.xuchang.example (TRS CMS)

KJJ_SIDEBAR = """<div class="main-left fl"><div class="sidebar"><div class="side-title">热点信息</div><ul class="hot">{items}</ul>
<div class="side-title">办事服务</div><ul class="svc"><li><a href="javascript:;">科技项目申报</a></li><li><a href="javascript:;">高新技术企业认定</a></li><li><a href="javascript:;">科技型中小企业评价</a></li></ul></div></div>"""
KJJ_SIDE_ITEM = '<li><a href="{href}" title="{title}" target="_blank">{side}</a></li>'
KJJ_LIST = """<div class="location">当前位置：<a href="../">首页</a> &gt; <a href="./">新闻动态</a></div>
{sidebar}
<div class="main-right fr"><div class="column-title"><span>新闻动态</span></div>
<ul class="list">
{items}
</ul>
<div class="page"><script type="text/javascript">createPageHTML({pages}, {n}, "index", "html");</script>
{prev}{next}</div></div>"""
KJJ_LIST_ITEM = '<li><a href="{href}" title="{title}" target="_blank">{short}</a><span class="date">{date}</span></li>'
KJJ_DETAIL = """<div class="location">当前位置：<a href="../../">首页</a> &gt; <a href="../">新闻动态</a> &gt; 正文</div>
{sidebar}
<div class="main-right fr"><div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布时间：{stamp} 来源：{source} 【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】 <a href="javascript:window.print()">打印本页</a></div>
<div class="TRS_Editor">
{body}
</div>{attachments}</div>
<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div></div>"""
KJJ_META = """<meta name="ColumnName" content="新闻动态">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{stamp}">
<meta name="ContentSource" content="{source}">
<meta name="keywords" content="{label},科技创新,许昌">
<meta name="description" content="{summary}">"""
KJJ_HOME = """<div class="focus"><div class="column-title"><span>新闻动态</span><a class="more" href="xwdt/index.html">更多&gt;&gt;</a></div>
<ul class="list">
{items}
</ul></div>
<div class="links">相关链接：<a href="http://kjt.henan.example/">河南省科学技术厅</a> <a href="http://gxt.henan.example/">河南省工业和信息化厅</a></div>"""
TRS_PAGE_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; } var html = "<span>共" + _nPageCount + "页</span> ";
  for (var i = 0; i < _nPageCount; i++) { var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += i == _nCurrIndex ? "<span>" + (i + 1) + "</span> " : "<a href=\\"" + name + "\\">" + (i + 1) + "</a> "; }
  document.write(html); }
"""


def kjj_page(path: str, title: str, body: str, head: str = "") -> None:
    home, column = rel(path, "/index.html")[:-10] or "./", rel(path, "/xwdt/index.html")
    page(KJJ, path, title, body, head, home=home, column=column)


def kjj_sidebar(posts: list[Post], here: str) -> str:
    return KJJ_SIDEBAR.format(items="".join(lis(posts[:6], KJJ_SIDE_ITEM, here).split("\n")))


def render_kjj(posts: list[Post]) -> None:
    put(KJJ, "/js/trs_page.js", TRS_PAGE_JS)
    pages = chunks(posts, KJJ_PER_PAGE)
    script = '<meta name="ColumnName" content="新闻动态">\n<script type="text/javascript" src="/js/trs_page.js"></script>'
    for n, chunk in enumerate(pages):
        here = f"/xwdt/{page_name(n)}"
        prev = f'<a class="prev" href="{page_name(n - 1)}">上一页</a>\n' if n else ""
        last = n + 1 == len(pages)
        nxt = "" if last else f'<a class="next" href="{page_name(n + 1)}">下一页</a>\n'
        items, sidebar = lis(chunk, KJJ_LIST_ITEM, here), kjj_sidebar(posts, here)
        count = len(pages)
        body = KJJ_LIST.format(sidebar=sidebar, items=items, pages=count, n=n, prev=prev, next=nxt)
        kjj_page(here, "新闻动态_许昌市科学技术局", body, script)
    for p in posts:
        f = fields(p)
        files = p.art.get("attachments", [])
        links = "".join(f'<a href="./{e(x["file"])}">{e(x["name"])}</a>' for x in files)
        attachments = f'\n<div class="attachment">附件：{links}</div>' if links else ""
        for x in files:  # small placeholder PDFs beside the page
            put(KJJ, f"{p.path.rsplit('/', 1)[0]}/{x['file']}", f"%PDF-1.4\n% {x['file']}\n%%EOF\n")
        f["body"] = paras(p.paragraphs, ' style="text-indent:2em"')
        sidebar = kjj_sidebar([q for q in posts if q is not p], p.path)
        body = KJJ_DETAIL.format(**f, sidebar=sidebar, attachments=attachments)
        kjj_page(p.path, f"{f['title']}_许昌市科学技术局", body, KJJ_META.format(**f))
    items = lis(posts[:8], KJJ_LIST_ITEM.replace("{date}", "{md}"), "/index.html")
    kjj_page("/index.html", "许昌市科学技术局", KJJ_HOME.format(items=items))


# ------------------------------------------------------------------ kjt.henan.example (GBK)

KJT_ITEM = '<li><a href="{path}" target="_blank">{title}</a><span>{date}</span></li>'
KJT_LIST = """<div class="weizhi">您现在的位置：<a href="/">首页</a> &gt; 通知公告</div>
<div class="list_u1"><ul>
{items}
</ul></div>
<div class="page">{pager}</div>"""
KJT_DETAIL = """<div class="weizhi">您现在的位置：<a href="/">首页</a> &gt; <a href="/tzgg/index.html">通知公告</a> &gt; 正文</div>
<div class="articl"><div class="articl_u1"><h1>{title}</h1><h2><span>发布时间：{date}</span><span>来源：{source}</span></h2></div>
<div class="articl_u2">
{body}
</div>
<div class="articl_u3"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div></div>"""


def render_kjt(posts: list[Post]) -> None:
    pages = chunks(posts, KJT_PER_PAGE)
    numbers = " ".join(f'<a href="{page_name(i)}">{i + 1}</a>' for i in range(len(pages)))
    for n, chunk in enumerate(pages):
        pager = f"共{len(posts)}条记录 页次{n + 1}/{len(pages)} {numbers}"
        body = KJT_LIST.format(items=lis(chunk, KJT_ITEM), pager=pager)
        page(KJT, f"/tzgg/{page_name(n)}", "通知公告-河南省科学技术厅", body)
    for p in posts:
        f = fields(p)
        page(KJT, p.path, f"{f['title']}-河南省科学技术厅", KJT_DETAIL.format(**f))
    more = '<a href="/tzgg/index.html">更多</a>'
    body = KJT_LIST.format(items=lis(posts[:6], KJT_ITEM), pager=more)
    page(KJT, "/index.html", "河南省科学技术厅", body)


# ------------------------------------------------------------------ gxt.henan.example (UCAP)

GXT_ITEM = '<li><a href="{path}" target="_blank" title="{title}">{title}</a><b>{date}</b></li>'
GXT_LIST = """<div class="zfxxgk_zdgkc"><ul>
{items}
</ul></div>
<div class="fy">{pager}</div>"""
GXT_META = """<meta name="ColumnName" content="工作动态">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{stamp}">
<meta name="ContentSource" content="{source}">"""
GXT_DETAIL = """<div class="detail"><div class="titP"><h1>{title}</h1></div>
<div class="source fl"><span>发布时间：{stamp}</span><span>来源：{source}</span></div>
<div class="fontsize fr">【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div><div class="clear"></div>
<div id="UCAP-CONTENT">
{body}
</div>
<div class="bottom-tools"><a href="javascript:window.print();">打印</a> <a href="javascript:window.close();">关闭</a></div></div>"""


def render_gxt(posts: list[Post]) -> None:
    body = GXT_LIST.format(items=lis(posts, GXT_ITEM), pager=f"共{len(posts)}条 1/1页")
    page(GXT, "/xxgk/gzdt/index.html", "工作动态_河南省工业和信息化厅", body)
    for p in posts:
        f = fields(p)
        title, meta = f"{f['title']}_河南省工业和信息化厅", GXT_META.format(**f)
        page(GXT, p.path, title, GXT_DETAIL.format(**f), meta)
    more = '<a href="/xxgk/gzdt/index.html">更多</a>'
    body = GXT_LIST.format(items=lis(posts[:6], GXT_ITEM), pager=more)
    page(GXT, "/index.html", "河南省工业和信息化厅", body)


# ------------------------------------------------------------------ www.xinwen.example (RSS)

XINWEN_DETAIL = """<div class="layout rm_txt cf"><div class="col col-1 fl">
<div class="channel cf"><a href="/">河南新闻网</a>&gt;&gt;<a href="/">{channel}</a></div>
<h3 class="pre"></h3><h1>{title}</h1><h4 class="sub"></h4>
<div class="col-1-1 fl">{cn_time} | 来源：<a href="{source_url}" target="_blank">{source}</a></div><div class="col-1-2 fr">小字号</div>
<div class="rm_txt_con cf">
{body}
<div class="edit cf">(责任编辑：{editor}、{editor2})</div>
</div>
<div class="rm_txt_share">分享让更多人看到 <a href="javascript:;">微信</a> <a href="javascript:;">微博</a> <a href="javascript:;">QQ空间</a> <a href="javascript:;">复制链接</a></div>
<div class="rm_relevant"><h2>相关新闻</h2><ul>
{related}
</ul></div></div>
<div class="col col-2 fr"><h2>热门排行</h2><p>网友评论仅供其表达个人看法，并不表明本网同意其观点或证实其描述。</p></div></div>"""
XINWEN_META = '<meta name="keywords" content="{label}">\n<meta name="description" content="{summary}">'  # fmt: skip
XINWEN_ITEM = '<li><a href="{path}" target="_blank">{title}</a><span>{stamp}</span></li>'
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>河南新闻网 - 产业经济</title><link>http://www.xinwen.example/</link><description>河南新闻网产业经济频道最新稿件</description>
<language>zh-cn</language><lastBuildDate>{built}</lastBuildDate><ttl>60</ttl>
{items}
</channel>
</rss>
"""
RSS_ITEM = """<item><title>{title}</title><link>{url}</link><description>{summary}</description><category>{label}</category>
  <pubDate>{rfc822}</pubDate><guid isPermaLink="true">{url}</guid></item>"""


def render_xinwen(posts: list[Post]) -> None:
    items = []
    for i, p in enumerate(posts):
        f = fields(p)
        f["body"] = paras(p.paragraphs, ' style="text-indent: 2em;"')
        f["source_url"] = p.original.url if p.original else "/"
        f["channel"] = "社会" if p.art["sector"] == "off_topic" else "产业经济"
        f["cn_time"], f["editor2"] = f"{p.when:%Y年%m月%d日%H:%M}", editor(p, 3)
        related = [posts[(i + k) % len(posts)] for k in (1, 2, 3)]
        f["related"] = lis(related, '<li><a href="{path}" target="_blank">{title}</a></li>')
        title, meta = f"{f['title']}--河南新闻网", XINWEN_META.format(**f)
        page(XINWEN, p.path, title, XINWEN_DETAIL.format(**f), meta)
        items.append(RSS_ITEM.format(**f))
    built = fields(posts[0])["rfc822"]
    put(XINWEN, "/rss/industry.xml", RSS.format(built=built, items="\n".join(items)))
    body = f'<h2>产业经济 <a href="/rss/industry.xml">RSS</a></h2>\n<ul class="news-list">\n{lis(posts, XINWEN_ITEM)}\n</ul>'
    page(XINWEN, "/index.html", "河南新闻网", body)


# ------------------------------------------------------------------ www.hyxh.example (Atom)

HYXH_DETAIL = """<div class="crumb"><a href="/">首页</a> &gt; <a href="/news/index.html">行业资讯</a></div>
<div class="news-title"><h1>{title}</h1></div>
<div class="news-info"><span>发布时间：{stamp}</span>　<span>来源：{source}</span>　<span>浏览次数：{views}</span></div>
<div class="news-content">
{body}
</div>"""
HYXH_LIST = '<h2>行业资讯</h2>\n<ul class="news-list">\n{items}\n</ul>'
HYXH_ITEM = '<li><a href="{path}">{title}</a><span>{date}</span></li>'
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
<id>http://www.hyxh.example/</id><title>河南省工业行业协会联合会 - 行业资讯</title><subtitle>会员协会动态与行业运行信息</subtitle>
<link rel="self" type="application/atom+xml" href="http://www.hyxh.example/atom.xml"/>
<link rel="alternate" type="text/html" href="http://www.hyxh.example/news/index.html"/>
<updated>{updated}</updated><author><name>河南省工业行业协会联合会</name></author>
{entries}
</feed>
"""
ATOM_ENTRY = """<entry><id>tag:www.hyxh.example,{date}:{tag}</id><title>{title}</title><link rel="alternate" type="text/html" href="{url}"/>
  <published>{iso}</published><updated>{updated}</updated><author><name>{source}</name></author>
  <category term="{sector}" label="{label}"/><summary>{summary}</summary>
  <content type="html">{content}</content></entry>"""


def render_hyxh(posts: list[Post]) -> None:
    entries = []
    for p in posts:
        f = fields(p)
        body = HYXH_DETAIL.format(**f, views=120 + digits(p.key, 900))
        page(HYXH, p.path, f"{f['title']}-河南省工业行业协会联合会", body)
        edited = p.when + timedelta(hours=1, minutes=30) * (p.seq % 3 == 0)  # some were revised
        f["updated"] = edited.replace(tzinfo=CST).isoformat()
        entries.append(ATOM_ENTRY.format(**f, tag=p.path[:-5], content=e(f["body"])))
    updated = (posts[0].when + timedelta(hours=1, minutes=30)).replace(tzinfo=CST).isoformat()
    put(HYXH, "/atom.xml", ATOM.format(updated=updated, entries="\n".join(entries)))
    body = HYXH_LIST.format(items=lis(posts, HYXH_ITEM))
    page(HYXH, "/news/index.html", "行业资讯-河南省工业行业协会联合会", body)
    more = '\n<li><a href="/news/index.html">更多</a></li>'
    body = HYXH_LIST.format(items=lis(posts[:5], HYXH_ITEM) + more)
    page(HYXH, "/index.html", "河南省工业行业协会联合会", body)


# ------------------------------------------------------------------ api.xcnews.example (JSON API)

XC_DETAIL = """<article class="article">
<div class="article-header"><h1 class="article-title">{title}</h1>
<div class="article-meta"><span class="pub-time">{stamp}</span> <span class="source">来源：{source}</span> <span class="author">编辑：{editor}</span></div></div>
<div class="article-body">
{body}
</div>
<div class="article-statement">{note}</div>
<div class="article-share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">朋友圈</a> <a href="javascript:;">微博</a></div></article>
<aside class="sidebar"><h3>最新资讯</h3><ul>
{recent}
</ul></aside>"""
XC_HOME = """<h2>产业资讯</h2><noscript>请开启浏览器JavaScript功能后浏览本站。</noscript><ul id="news-list"></ul>
<script src="/static/js/app.js"></script>"""
XC_REPRINT_NOTE = "声明：本网转载稿件是出于传递更多信息之目的，并不意味着赞同其观点或证实其内容的真实性。如涉及版权问题，请与本网联系。"
XC_OWN_NOTE = "本文为许昌融媒原创稿件，未经授权不得转载。"
XC_APP_JS = """fetch("/api/news/list?page=1").then(function (r) { return r.json(); }).then(function (res) {
  document.getElementById("news-list").innerHTML = res.data.records.map(function (n) { return '<li><a href="' + n.url + '">' + n.title + '</a><span>' + n.publishTime.slice(0, 10) + '</span></li>'; }).join(""); });
"""


def xc_record(p: Post) -> dict[str, str]:
    channel = "民生" if p.art["sector"] == "off_topic" else "产业"
    return {
        "id": str(1000 + p.seq), "title": p.title, "publishTime": f"{p.when:%Y-%m-%d %H:%M:%S}",
        "summary": summary(p), "url": p.path, "source": p.art["source_name"], "channelName": channel,
    }  # fmt: skip


def render_xcnews(posts: list[Post]) -> None:
    put(XCNEWS, "/static/js/app.js", XC_APP_JS)
    for p in posts:
        f = fields(p)
        f["note"] = XC_REPRINT_NOTE if p.original else XC_OWN_NOTE
        if p.original and p.seq % 2:  # some reprints keep the editor's sign-off inside the body
            f["body"] += f'\n<p class="editor">（责任编辑：{f["editor"]}）</p>'
        recent = [q for q in posts[:5] if q is not p]
        f["recent"] = lis(recent, '<li><a href="{path}">{title}</a></li>')
        page(XCNEWS, p.path, f"{f['title']}_许昌融媒", XC_DETAIL.format(**f))
    pages = chunks(posts, XC_PER_PAGE)
    for n, chunk in enumerate([*pages, []], 1):  # one page past the end answers an empty list
        meta = {"total": len(posts), "size": XC_PER_PAGE, "current": n, "pages": len(pages)}
        records = list(map(xc_record, chunk))
        doc = {"code": 200, "msg": "操作成功", "data": {**meta, "records": records}}
        put(XCNEWS, f"/api/news/list__page={n}.json", json.dumps(doc, ensure_ascii=False, indent=1))
    page(XCNEWS, "/index.html", "许昌融媒_许昌市融媒体中心", XC_HOME)


# ------------------------------------------------------------------ main

RENDERERS = {
    KJJ: render_kjj, KJT: render_kjt, GXT: render_gxt,
    XINWEN: render_xinwen, HYXH: render_hyxh, XCNEWS: render_xcnews,
}  # fmt: skip


def main() -> None:
    arts = load_articles(HERE / "articles.toml")
    posts = build_posts(arts)
    if WWW.exists():
        shutil.rmtree(WWW)
    for host, render in RENDERERS.items():
        put(host, "/robots.txt", ROBOTS)
        put(host, "/css/style.css", CSS)
        render(posts[host])
    print(f"{len(arts)} articles, {sum(map(len, posts.values()))} posts -> {WWW}")


if __name__ == "__main__":
    main()
