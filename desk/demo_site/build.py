#!/usr/bin/env python3
"""Render articles.toml into the static offline demo sites under www/.

    python desk/demo_site/build.py

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
    "it": "新一代信息技术",
    "materials": "新材料",
    "biomed": "生物医药",
    "smart_equipment": "智能装备",
    "nev": "新能源汽车",
    "green": "节能环保",
    "equipment": "装备制造",
    "food": "食品",
    "hair": "发制品",
    "building": "建材",
    "chemical": "化工",
    "textile": "轻纺",
    "off_topic": "综合",
}
FIRST_DAY, LAST_DAY = date(2026, 10, 1), date(2026, 11, 23)
# A reprint appears `delay` after the original, or the next morning if that would be late.
REPRINT_DELAY = {
    XINWEN: (timedelta(hours=2, minutes=46), time(8, 31)),
    XCNEWS: (timedelta(hours=5, minutes=12), time(7, 45)),
}
EDITORS = ["李昊", "王洁", "张晓燕", "刘畅", "陈默", "赵一鸣", "孙悦", "周婷"]
KJJ_PER_PAGE, KJT_PER_PAGE, XC_PER_PAGE = 5, 5, 6

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

    key = property(lambda self: f"{self.art['id']}@{self.host}")
    url = property(lambda self: f"http://{self.host}{self.path}")
    source = property(lambda self: self.art["source_name"])

    def stamp(self, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return self.when.strftime(fmt if self.timed else "%Y-%m-%d")


# ------------------------------------------------------------------ loading and checks


def fail(msg: str) -> None:
    sys.exit(f"articles.toml: {msg}")


def load_articles(path: Path) -> list[dict]:
    arts = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
    required = {"id", "sector", "title", "published_at", "source_name", "site", "paragraphs"}
    ids = [a.get("id") for a in arts]
    if len(set(ids)) != len(ids):
        fail("duplicate ids")
    for a in arts:
        aid, body = a.get("id"), sum(len(p) for p in a.get("paragraphs", []))
        if required - a.keys():
            fail(f"{aid}: missing {sorted(required - a.keys())}")
        if a["sector"] not in SECTORS or a["site"] not in HOSTS:
            fail(f"{aid}: unknown sector or site")
        if not FIRST_DAY <= parse_when(a["published_at"])[0].date() <= LAST_DAY:
            fail(f"{aid}: published_at out of range")
        if not (
            350 <= body <= 1200 and 3 <= len(a["paragraphs"]) <= 8 and 15 <= len(a["title"]) <= 40
        ):
            fail(
                f"{aid}: title of {len(a['title'])}, body of {body} chars in {len(a['paragraphs'])} paragraphs"
            )
        if a.get("reprinted_on") and (
            a["site"] not in GOV_HOSTS or set(a["reprinted_on"]) - set(REPRINT_HOSTS)
        ):
            fail(f"{aid}: reprints go from a government site to {REPRINT_HOSTS}")
        if a.get("attachments") and a["site"] != KJJ:
            fail(f"{aid}: attachments are only rendered on {KJJ}")
        if a["site"] == KJT:  # raises UnicodeEncodeError on a character GBK lacks
            (a["title"] + "".join(a["paragraphs"]) + a["source_name"]).encode("gbk")
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


def build_posts(arts: list[dict]) -> dict[str, list[Post]]:
    """Per host, its posts newest first, with sequence numbers and URL paths assigned."""
    by_host: dict[str, list[Post]] = {h: [] for h in HOSTS}
    for a in arts:
        when, timed = parse_when(a["published_at"])
        orig = Post(a, a["site"], a["title"], when, timed, list(a["paragraphs"]))
        by_host[a["site"]].append(orig)
        for host in a.get("reprinted_on", []):
            title = a.get("reprint_titles", {}).get(host, a["title"])
            by_host[host].append(
                Post(
                    a,
                    host,
                    title,
                    reprint_time(orig, host),
                    True,
                    reprint_body(orig.paragraphs, host),
                    orig,
                )
            )
    for posts in by_host.values():
        posts.sort(key=lambda p: (p.when, p.art["id"]))
        for i, p in enumerate(posts, 1):
            p.seq = i
            p.path = post_path(p)
        posts.reverse()
    return by_host


# ------------------------------------------------------------------ writing helpers


def put(host: str, path: str, text: str | bytes, encoding: str = "utf-8") -> None:
    target = WWW / host / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))


def paras(ps: list[str], style: str = "") -> str:
    return "\n".join(f"<p{style}>{e(p)}</p>" for p in ps)


def metas(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f'<meta name="{k}" content="{e(v)}">' for k, v in pairs)


def page_name(n: int) -> str:
    """TRS-style list page names: index.html, index_1.html, index_2.html ..."""
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
    ups = "../" * (len(a) - i)
    return (ups or "./") + "/".join(b[i:])


def aware(dt: datetime, raw: bool = False) -> Any:
    """China Standard Time: a datetime for RFC 822 formatting, else an RFC 3339 string."""
    return dt.replace(tzinfo=CST) if raw else dt.replace(tzinfo=CST).isoformat()


def editor(p: Post) -> str:
    return EDITORS[digits(p.key, len(EDITORS))]


def page_shell(
    title: str,
    head: str,
    body: str,
    charset: str = '<meta charset="utf-8">',
    doctype: str = "<!DOCTYPE html>",
) -> str:
    return (
        f"{doctype}\n<html>\n<head>\n{charset}\n<title>{e(title)}</title>\n{head}\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


ROBOTS = "User-agent: *\nDisallow: /admin/\nAllow: /\n"
XHTML = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
CSS = (
    'body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}'
    "a{color:#333;text-decoration:none}a:hover{color:#c00}ul{margin:0;padding:0;list-style:none}"
    ".w,.container,.main,.layout{width:1200px;margin:0 auto}.fl{float:left}.fr{float:right}"
    '.clear,.cf:after{clear:both;content:"";display:block}h1{font-size:24px;text-align:center}'
    ".footer,footer{background:#f2f2f2;text-align:center;font-size:12px;padding:16px 0}"
)

# Header and footer of the simpler sites: (header, footer) around each page's body.
CHROME = {
    KJT: (
        '<div class="top"><div class="w"><div class="logo">河南省科学技术厅</div><div class="search"><form action="javascript:;"><input type="text" name="q" value="请输入关键字"><input type="submit" value="搜索"></form></div></div></div>\n'
        '<div class="nav"><ul class="w"><li><a href="/">首页</a></li><li><a href="/tzgg/index.html">通知公告</a></li><li><a href="javascript:;">科技动态</a></li><li><a href="javascript:;">政务公开</a></li><li><a href="javascript:;">科技服务</a></li></ul></div>',
        '<div class="footer"><p>主办单位：河南省科学技术厅　　地址：郑州市花园路27号　　邮编：450008</p><p>网站标识码：4100000031　　豫ICP备05009034号　　豫公网安备 41010502002235号</p></div>',
    ),
    GXT: (
        '<div class="header"><div class="w"><div class="logo">河南省工业和信息化厅</div>\n'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/gzdt/index.html">工作动态</a></li><li><a href="javascript:;">政策文件</a></li><li><a href="javascript:;">政务服务</a></li><li><a href="javascript:;">互动交流</a></li></ul></div></div>',
        '<div class="footer"><p>主办：河南省工业和信息化厅　　地址：郑州市金水区纬二路14号</p><p>网站标识码：4100000012　　豫ICP备10200891号-1　　豫公网安备 41010502003341号</p></div>',
    ),
    XINWEN: (
        '<div class="header"><div class="w"><a class="logo" href="/">河南新闻网</a>\n'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/">要闻</a></li><li><a href="/">产业经济</a></li><li><a href="/rss/industry.xml">RSS订阅</a></li></ul></div></div>',
        '<div class="footer"><p>河南新闻网版权所有，未经书面授权禁止使用</p><p>互联网新闻信息服务许可证 41120170001　　豫ICP备09012345号</p></div>',
    ),
    HYXH: (
        '<div class="header"><div class="w"><div class="logo">河南省工业行业协会联合会</div>\n'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/index.html">行业资讯</a></li><li><a href="/atom.xml">订阅</a></li><li><a href="javascript:;">会员服务</a></li></ul></div></div>',
        '<div class="footer"><p>河南省工业行业协会联合会　　地址：郑州市郑东新区商务外环路</p><p>豫ICP备16023456号-1</p></div>',
    ),
    XCNEWS: (
        '<header class="site-header"><div class="w"><a class="logo" href="/">许昌融媒</a>\n'
        '<nav><a href="/">首页</a> <a href="/">本地</a> <a href="/">产业</a> <a href="/">民生</a></nav></div></header>',
        "<footer><p>许昌市融媒体中心 主办　　许昌融媒版权所有</p><p>豫ICP备14012345号-2　　互联网新闻信息服务许可证 41120190003</p></footer>",
    ),
}


def chrome(host: str, body: str) -> str:
    header, footer = CHROME[host]
    return f"{header}\n{body}\n{footer}"


# ------------------------------------------------------------------ kjj.xuchang.example (TRS)

TRS_PAGE_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var html = "<span>共" + _nPageCount + "页</span> ";
  for (var i = 0; i < _nPageCount; i++) {
    var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += i == _nCurrIndex ? "<span>" + (i + 1) + "</span> " : "<a href=\\"" + name + "\\">" + (i + 1) + "</a> ";
  }
  document.write(html);
}
"""


def kjj_chrome(body: str, here: str) -> str:
    home = rel(here, "/index.html").replace("index.html", "") or "./"
    nav = "".join(
        f'<li><a href="{h}">{t}</a></li>'
        for h, t in [
            (home, "首页"),
            (rel(here, "/xwdt/index.html"), "新闻动态"),
            ("javascript:;", "通知公告"),
            ("javascript:;", "政策法规"),
            ("javascript:;", "政务公开"),
            ("javascript:;", "互动交流"),
        ]
    )
    return f"""<div class="header">
<div class="top-bar w"><span class="fl">许昌市人民政府门户网站群</span><span class="fr"><a href="javascript:;">无障碍浏览</a> | <a href="javascript:;">长者模式</a></span></div>
<div class="banner w"><div class="logo">许昌市科学技术局</div></div>
<div class="nav-wrap"><ul class="nav w">{nav}</ul></div>
</div>
{body}
<div class="footer">
<p>主办单位：许昌市科学技术局　　承办：许昌市科学技术情报研究所　　地址：许昌市魏都区龙兴路市民之家</p>
<p>网站标识码：4110000023　　<a href="javascript:;">豫ICP备12014568号-1</a>　　豫公网安备 41100202000186号</p>
<p>联系电话：0374-2961234　　建议使用1920×1080分辨率浏览本网站</p>
</div>"""


def kjj_sidebar(posts: list[Post], here: str) -> str:
    items = "".join(
        f'<li><a href="{rel(here, p.path)}" title="{e(p.title)}" target="_blank">'
        f"{e(p.title[:16])}…</a></li>"
        for p in posts[:6]
    )
    return (
        f'<div class="sidebar"><div class="side-title">热点信息</div><ul class="hot">{items}</ul>'
        '<div class="side-title">办事服务</div><ul class="svc"><li><a href="javascript:;">科技项目申报</a></li>'
        '<li><a href="javascript:;">高新技术企业认定</a></li><li><a href="javascript:;">科技型中小企业评价</a></li></ul></div>'
    )


def render_kjj(posts: list[Post]) -> None:
    put(KJJ, "/css/style.css", CSS + ".list li{border-bottom:1px dashed #ddd}.date{float:right}")
    put(KJJ, "/js/trs_page.js", TRS_PAGE_JS)
    head = '<link rel="stylesheet" href="/css/style.css" type="text/css">'
    pages = [posts[i : i + KJJ_PER_PAGE] for i in range(0, len(posts), KJJ_PER_PAGE)]
    for n, chunk in enumerate(pages):
        here = f"/xwdt/{page_name(n)}"
        items = "\n".join(
            f'<li><a href="{rel(here, p.path)}" title="{e(p.title)}" target="_blank">{e(shorten(p.title, 24))}</a>'
            f'<span class="date">{p.when:%Y-%m-%d}</span></li>'
            for p in chunk
        )
        prev = (
            f'<a class="prev" href="{"index.html" if n == 1 else f"index_{n - 1}.html"}">上一页</a>\n'
            if n
            else ""
        )
        nxt = (
            f'<a class="next" href="index_{n + 1}.html">下一页</a>\n' if n + 1 < len(pages) else ""
        )
        body = f"""<div class="container">
<div class="location">当前位置：<a href="../">首页</a> &gt; <a href="./">新闻动态</a></div>
<div class="main-left fl">{kjj_sidebar(posts, here)}</div>
<div class="main-right fr"><div class="column-title"><span>新闻动态</span></div>
<ul class="list">
{items}
</ul>
<div class="page">
<script type="text/javascript">createPageHTML({len(pages)}, {n}, "index", "html");</script>
{prev}{nxt}</div>
</div><div class="clear"></div>
</div>"""
        put(
            KJJ,
            here,
            page_shell(
                "新闻动态_许昌市科学技术局",
                head
                + '\n<meta name="SiteName" content="许昌市科学技术局">\n<meta name="ColumnName" content="新闻动态">'
                '\n<script type="text/javascript" src="/js/trs_page.js"></script>',
                kjj_chrome(body, here),
                doctype=XHTML,
            ),
        )
    for p in posts:
        a = p.art
        attach = ""
        if a.get("attachments"):
            links = "<br>".join(
                f'<a href="./{e(x["file"])}">{e(x["name"])}</a>' for x in a["attachments"]
            )
            attach = f'\n<div class="attachment">附件：{links}</div>'
            for x in a["attachments"]:
                put(
                    KJJ,
                    p.path.rsplit("/", 1)[0] + "/" + x["file"],
                    f"%PDF-1.4\n% placeholder attachment {x['file']}\n%%EOF\n",
                )
        meta = metas(
            [
                ("SiteName", "许昌市科学技术局"),
                ("ColumnName", "新闻动态"),
                ("ArticleTitle", p.title),
                ("PubDate", p.stamp()),
                ("ContentSource", p.source),
                ("keywords", f"{SECTORS[a['sector']]},科技创新,许昌"),
                ("description", summary(p)),
            ]
        )
        body = f"""<div class="container">
<div class="location">当前位置：<a href="../../">首页</a> &gt; <a href="../">新闻动态</a> &gt; 正文</div>
<div class="main-left fl">{kjj_sidebar([q for q in posts if q is not p], p.path)}</div>
<div class="main-right fr"><div class="article">
<h1 class="title">{e(p.title)}</h1>
<div class="info">发布时间：{p.stamp()} 来源：{e(p.source)} 【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】 <a href="javascript:window.print()">打印本页</a></div>
<div class="TRS_Editor">
{paras(p.paragraphs, ' style="text-indent:2em"')}
</div>{attach}
</div>
<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>
</div><div class="clear"></div>
</div>"""
        put(
            KJJ,
            p.path,
            page_shell(
                f"{p.title}_许昌市科学技术局",
                head + "\n" + meta,
                kjj_chrome(body, p.path),
                doctype=XHTML,
            ),
        )
    latest = "\n".join(
        f'<li><a href="{p.path[1:]}" title="{e(p.title)}">{e(shorten(p.title, 28))}</a>'
        f'<span class="date">{p.when:%m-%d}</span></li>'
        for p in posts[:8]
    )
    body = f"""<div class="container">
<div class="focus"><div class="column-title"><span>新闻动态</span><a class="more" href="xwdt/index.html">更多&gt;&gt;</a></div>
<ul class="list">
{latest}
</ul></div>
<div class="links">相关链接：<a href="http://kjt.henan.example/">河南省科学技术厅</a> <a href="http://gxt.henan.example/">河南省工业和信息化厅</a></div>
</div>"""
    put(
        KJJ,
        "/index.html",
        page_shell("许昌市科学技术局", head, kjj_chrome(body, "/index.html"), doctype=XHTML),
    )


# ------------------------------------------------------------------ kjt.henan.example (GBK)

KJT_CHARSET = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'


def render_kjt(posts: list[Post]) -> None:
    put(KJT, "/css/style.css", CSS)
    head = '<link href="/css/style.css" rel="stylesheet" type="text/css">'
    pages = [posts[i : i + KJT_PER_PAGE] for i in range(0, len(posts), KJT_PER_PAGE)]

    def write(path: str, title: str, body: str) -> None:  # GBK bytes on disk
        put(KJT, path, page_shell(title, head, chrome(KJT, body), KJT_CHARSET, XHTML), "gbk")

    numbers = " ".join(
        f'<a href="index{"_%d" % i if i else ""}.html">{i + 1}</a>' for i in range(len(pages))
    )
    for n, chunk in enumerate(pages):
        items = "\n".join(
            f'<li><a href="{p.path}" target="_blank">{e(p.title)}</a><span>{p.when:%Y-%m-%d}</span></li>'
            for p in chunk
        )
        write(
            f"/tzgg/index{'_%d' % n if n else ''}.html",
            "通知公告-河南省科学技术厅",
            f"""<div class="w">
<div class="weizhi">您现在的位置：<a href="/">首页</a> &gt; 通知公告</div>
<div class="list_u1"><ul>
{items}
</ul></div>
<div class="page">共{len(posts)}条记录 页次{n + 1}/{len(pages)} {numbers}</div>
</div>""",
        )
    for p in posts:
        write(
            p.path,
            f"{p.title}-河南省科学技术厅",
            f"""<div class="w">
<div class="weizhi">您现在的位置：<a href="/">首页</a> &gt; <a href="/tzgg/index.html">通知公告</a> &gt; 正文</div>
<div class="articl">
<div class="articl_u1"><h1>{e(p.title)}</h1><h2><span>发布时间：{p.when:%Y-%m-%d}</span><span>来源：{e(p.source)}</span></h2></div>
<div class="articl_u2">
{paras(p.paragraphs)}
</div>
<div class="articl_u3"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div>
</div></div>""",
        )
    latest = "\n".join(
        f'<li><a href="{p.path}" target="_blank">{e(p.title)}</a><span>{p.when:%m-%d}</span></li>'
        for p in posts[:6]
    )
    write(
        "/index.html",
        "河南省科学技术厅",
        f"""<div class="w">
<div class="index_tzgg"><div class="tit"><span>通知公告</span><a href="/tzgg/index.html">更多</a></div>
<div class="list_u1"><ul>
{latest}
</ul></div></div>
</div>""",
    )


# ------------------------------------------------------------------ gxt.henan.example (UCAP)


def render_gxt(posts: list[Post]) -> None:
    put(GXT, "/css/style.css", CSS + ".zfxxgk_zdgkc li b{float:right;font-weight:normal}")
    head = '<link rel="stylesheet" href="/css/style.css">'
    items = "\n".join(
        f'<li><a href="{p.path}" target="_blank" title="{e(p.title)}">{e(p.title)}</a><b>{p.when:%Y-%m-%d}</b></li>'
        for p in posts
    )
    put(
        GXT,
        "/xxgk/gzdt/index.html",
        page_shell(
            "工作动态_河南省工业和信息化厅",
            head,
            chrome(
                GXT,
                f"""<div class="w">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/gzdt/index.html">工作动态</a></div>
<div class="zfxxgk_zdgkc"><ul>
{items}
</ul></div>
<div class="fy">共{len(posts)}条 1/1页</div>
</div>""",
            ),
        ),
    )
    for p in posts:
        meta = metas(
            [
                ("SiteName", "河南省工业和信息化厅"),
                ("ColumnName", "工作动态"),
                ("ArticleTitle", p.title),
                ("PubDate", p.stamp()),
                ("ContentSource", p.source),
            ]
        )
        put(
            GXT,
            p.path,
            page_shell(
                f"{p.title}_河南省工业和信息化厅",
                head + "\n" + meta,
                chrome(
                    GXT,
                    f"""<div class="w">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/gzdt/index.html">工作动态</a></div>
<div class="detail">
<div class="titP"><h1>{e(p.title)}</h1></div>
<div class="source fl"><span>发布时间：{p.stamp()}</span><span>来源：{e(p.source)}</span></div>
<div class="fontsize fr">【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div><div class="clear"></div>
<div id="UCAP-CONTENT">
{paras(p.paragraphs)}
</div>
<div class="bottom-tools"><a href="javascript:window.print();">打印</a> <a href="javascript:window.close();">关闭</a></div>
</div></div>""",
                ),
            ),
        )
    latest = "\n".join(
        f'<li><a href="{p.path}" target="_blank">{e(p.title)}</a><b>{p.when:%m-%d}</b></li>'
        for p in posts[:6]
    )
    put(
        GXT,
        "/index.html",
        page_shell(
            "河南省工业和信息化厅",
            head,
            chrome(
                GXT,
                f"""<div class="w">
<div class="index-news"><div class="tit"><span>工作动态</span><a href="/xxgk/gzdt/index.html">更多</a></div>
<div class="zfxxgk_zdgkc"><ul>
{latest}
</ul></div></div>
</div>""",
            ),
        ),
    )


# ------------------------------------------------------------------ www.xinwen.example (RSS)


def render_xinwen(posts: list[Post]) -> None:
    put(
        XINWEN,
        "/css/rm.css",
        CSS + ".rm_txt_con p{text-indent:2em}.edit{text-align:right;color:#999}",
    )
    head = '<link rel="stylesheet" href="/css/rm.css">'
    for i, p in enumerate(posts):
        src = (
            f'<a href="{p.original.url}" target="_blank">{e(p.source)}</a>'
            if p.original
            else f'<a href="/" target="_blank">{e(p.source)}</a>'
        )
        related = "\n".join(
            f'<li><a href="{q.path}" target="_blank">{e(q.title)}</a></li>'
            for q in (posts[(i + k) % len(posts)] for k in (1, 2, 3))
        )
        body = f"""<div class="main"><div class="layout rm_txt cf"><div class="col col-1 fl">
<div class="channel cf"><a href="/">河南新闻网</a>&gt;&gt;<a href="/">{"社会" if p.art["sector"] == "off_topic" else "产业经济"}</a></div>
<h3 class="pre"></h3><h1>{e(p.title)}</h1><h4 class="sub"></h4>
<div class="col-1-1 fl">{p.when:%Y年%m月%d日%H:%M} | 来源：{src}</div><div class="col-1-2 fr">小字号</div>
<div class="rm_txt_con cf">
{paras(p.paragraphs, ' style="text-indent: 2em;"')}
<div class="edit cf">(责任编辑：{editor(p)}、{EDITORS[(p.seq + 3) % len(EDITORS)]})</div>
</div>
<div class="rm_txt_share">分享让更多人看到 <a href="javascript:;">微信</a> <a href="javascript:;">微博</a> <a href="javascript:;">QQ空间</a> <a href="javascript:;">复制链接</a></div>
<div class="rm_relevant"><h2>相关新闻</h2><ul>
{related}
</ul></div>
</div>
<div class="col col-2 fr"><h2>热门排行</h2><p>网友评论仅供其表达个人看法，并不表明本网同意其观点或证实其描述。</p></div></div></div>"""
        meta = f'<meta name="keywords" content="{SECTORS[p.art["sector"]]}">\n<meta name="description" content="{e(summary(p))}">'
        put(
            XINWEN,
            p.path,
            page_shell(f"{p.title}--河南新闻网", head + "\n" + meta, chrome(XINWEN, body)),
        )
    items = [
        f"""    <item>
      <title>{e(p.title, False)}</title>
      <link>{p.url}</link>
      <description>{e(summary(p), False)}</description>
      <category>{SECTORS[p.art["sector"]]}</category>
      <pubDate>{format_datetime(aware(p.when, True))}</pubDate>
      <guid isPermaLink="true">{p.url}</guid>
    </item>"""
        for p in posts
    ]
    nl = "\n"
    put(
        XINWEN,
        "/rss/industry.xml",
        f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>河南新闻网 - 产业经济</title>
    <link>http://{XINWEN}/</link>
    <description>河南新闻网产业经济频道最新稿件</description>
    <language>zh-cn</language>
    <lastBuildDate>{format_datetime(aware(posts[0].when, True))}</lastBuildDate>
    <ttl>60</ttl>
{nl.join(items)}
  </channel>
</rss>
""",
    )
    latest = "\n".join(
        f'<li><a href="{p.path}" target="_blank">{e(p.title)}</a><span>{p.when:%m-%d %H:%M}</span></li>'
        for p in posts
    )
    put(
        XINWEN,
        "/index.html",
        page_shell(
            "河南新闻网",
            head
            + '\n<link rel="alternate" type="application/rss+xml" title="产业经济" href="/rss/industry.xml">',
            chrome(
                XINWEN,
                f'<div class="main"><h2>产业经济 <a href="/rss/industry.xml">RSS</a></h2><ul class="news-list">\n{latest}\n</ul></div>',
            ),
        ),
    )


# ------------------------------------------------------------------ www.hyxh.example (Atom)


def render_hyxh(posts: list[Post]) -> None:
    put(HYXH, "/css/style.css", CSS)
    head = '<link rel="stylesheet" href="/css/style.css">'
    entries = []
    for p in posts:
        put(
            HYXH,
            p.path,
            page_shell(
                f"{p.title}-河南省工业行业协会联合会",
                head,
                chrome(
                    HYXH,
                    f"""<div class="w">
<div class="crumb"><a href="/">首页</a> &gt; <a href="/news/index.html">行业资讯</a></div><div class="news-title"><h1>{e(p.title)}</h1></div>
<div class="news-info"><span>发布时间：{p.stamp()}</span>　<span>来源：{e(p.source)}</span>　<span>浏览次数：{120 + digits(p.key, 900)}</span></div>
<div class="news-content">
{paras(p.paragraphs)}
</div>
</div>""",
                ),
            ),
        )
        updated = p.when + (timedelta(hours=1, minutes=30) if p.seq % 3 == 0 else timedelta())
        entries.append(f"""  <entry>
    <id>tag:{HYXH},{p.when:%Y-%m-%d}:{p.path[:-5]}</id>
    <title>{e(p.title, False)}</title>
    <link rel="alternate" type="text/html" href="{p.url}"/>
    <published>{aware(p.when)}</published>
    <updated>{aware(updated)}</updated>
    <author><name>{e(p.source, False)}</name></author>
    <category term="{p.art["sector"]}" label="{SECTORS[p.art["sector"]]}"/>
    <summary>{e(summary(p), False)}</summary>
    <content type="html">{e(paras(p.paragraphs), False)}</content>
  </entry>""")
    nl = "\n"
    put(
        HYXH,
        "/atom.xml",
        f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>http://{HYXH}/</id>
  <title>河南省工业行业协会联合会 - 行业资讯</title>
  <subtitle>会员协会动态与行业运行信息</subtitle>
  <link rel="self" type="application/atom+xml" href="http://{HYXH}/atom.xml"/>
  <link rel="alternate" type="text/html" href="http://{HYXH}/news/index.html"/>
  <updated>{aware(max(p.when for p in posts) + timedelta(hours=1, minutes=30))}</updated>
  <author><name>河南省工业行业协会联合会</name></author>
{nl.join(entries)}
</feed>
""",
    )
    items = "\n".join(
        f'<li><a href="{p.path}">{e(p.title)}</a><span>{p.when:%Y-%m-%d}</span></li>' for p in posts
    )
    put(
        HYXH,
        "/news/index.html",
        page_shell(
            "行业资讯-河南省工业行业协会联合会",
            head,
            chrome(
                HYXH,
                f'<div class="w"><h2>行业资讯</h2><ul class="news-list">\n{items}\n</ul></div>',
            ),
        ),
    )
    put(
        HYXH,
        "/index.html",
        page_shell(
            "河南省工业行业协会联合会",
            head + '\n<link rel="alternate" type="application/atom+xml" href="/atom.xml">',
            chrome(
                HYXH,
                '<div class="w"><h2>行业资讯 <a href="/news/index.html">更多</a></h2><ul class="news-list">\n'
                + "\n".join(items.split("\n")[:5])
                + "\n</ul></div>",
            ),
        ),
    )


# ------------------------------------------------------------------ api.xcnews.example (JSON API)

XC_APP_JS = """fetch("/api/news/list?page=1").then(function (r) { return r.json(); }).then(function (res) {
  document.getElementById("news-list").innerHTML = res.data.records.map(function (n) {
    return '<li><a href="' + n.url + '">' + n.title + '</a><span>' + n.publishTime.slice(0, 10) + '</span></li>';
  }).join("");
});
"""


def render_xcnews(posts: list[Post]) -> None:
    put(XCNEWS, "/static/css/app.css", CSS)
    put(XCNEWS, "/static/js/app.js", XC_APP_JS)
    head = '<meta name="viewport" content="width=device-width, initial-scale=1">\n<link rel="stylesheet" href="/static/css/app.css">'
    for p in posts:
        body = paras(p.paragraphs)
        if p.original:
            note = "声明：本网转载稿件是出于传递更多信息之目的，并不意味着赞同其观点或证实其内容的真实性。如涉及版权问题，请与本网联系。"
            if p.seq % 2:
                body += f'\n<p class="editor">（责任编辑：{editor(p)}）</p>'
        else:
            note = "本文为许昌融媒原创稿件，未经授权不得转载。"
        recent = "\n".join(
            f'<li><a href="{q.path}">{e(q.title)}</a></li>' for q in posts[:5] if q is not p
        )
        put(
            XCNEWS,
            p.path,
            page_shell(
                f"{p.title}_许昌融媒",
                head,
                chrome(
                    XCNEWS,
                    f"""<main class="container">
<article class="article">
<div class="article-header"><h1 class="article-title">{e(p.title)}</h1>
<div class="article-meta"><span class="pub-time">{p.stamp()}</span> <span class="source">来源：{e(p.source)}</span> <span class="author">编辑：{editor(p)}</span></div></div>
<div class="article-body">
{body}
</div>
<div class="article-statement">{note}</div><div class="article-share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">朋友圈</a> <a href="javascript:;">微博</a></div>
</article><aside class="sidebar"><h3>最新资讯</h3><ul>
{recent}
</ul></aside>
</main>""",
                ),
            ),
        )
    pages = [posts[i : i + XC_PER_PAGE] for i in range(0, len(posts), XC_PER_PAGE)] + [[]]
    for n, chunk in enumerate(pages, 1):
        records = [
            {
                "id": p.path.rsplit("/", 1)[1][:-5],
                "title": p.title,
                "publishTime": p.when.strftime("%Y-%m-%d %H:%M:%S"),
                "summary": summary(p),
                "url": p.path,
                "source": p.source,
                "channelName": "民生" if p.art["sector"] == "off_topic" else "产业",
            }
            for p in chunk
        ]
        doc = {
            "code": 200,
            "msg": "操作成功",
            "data": {
                "total": len(posts),
                "size": XC_PER_PAGE,
                "current": n,
                "pages": len(pages) - 1,
                "records": records,
            },
        }
        put(
            XCNEWS,
            f"/api/news/list__page={n}.json",
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
        )
    put(
        XCNEWS,
        "/index.html",
        page_shell(
            "许昌融媒_许昌市融媒体中心",
            head,
            chrome(
                XCNEWS,
                '<main class="container"><h2>产业资讯</h2><noscript>请开启浏览器JavaScript功能后浏览本站。</noscript><ul id="news-list"></ul></main>\n'
                '<script src="/static/js/app.js"></script>',
            ),
        ),
    )


# ------------------------------------------------------------------ main


def main() -> None:
    arts = load_articles(HERE / "articles.toml")
    posts = build_posts(arts)
    if WWW.exists():
        shutil.rmtree(WWW)
    for host in HOSTS:
        put(host, "/robots.txt", ROBOTS)
    for host, render in zip(
        HOSTS,
        (render_kjj, render_kjt, render_gxt, render_xinwen, render_hyxh, render_xcnews),
        strict=True,
    ):
        render(posts[host])
    print(f"{len(arts)} articles, {sum(map(len, posts.values()))} posts -> {WWW}")


if __name__ == "__main__":
    main()
