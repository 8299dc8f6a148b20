"""WeChat official-account (公众号) article pages, as a bridge feed (wewe-rss, RSSHub) links them.

mp.weixin.qq.com pages share one shape, unlike the CMS pages the general chain is tuned for: the
body is `#js_content` (its images lazy, the address in `data-src`), the account name `#js_name`
(or `var nickname` in a script), the headline `og:title` / `#activity-name` / `var msg_title`, the
publication time only an epoch in a script (`var ct`, `create_time`), a "原创" mark
(`#copyright_logo`, `copyright_stat = "11"`), and a 阅读原文 link (`var msg_source_url`). Accounts
wrap every post in the same boilerplate (关注 prompts, QR codes, 编辑/审核 lines); left in, it
pads the body and weakens reprint detection against the government original, so it is removed.

`parse_wechat(html, url)` returns None for any other page, so the general chain in
crawler/extract.py (which calls it first) stays in charge of everything else. This module imports
nothing of that chain: it owns its few text rules so the two can change independently.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

_PARSER = etree.HTMLParser(remove_comments=True)
# The kept HTML: structure an editor can paste (WeChat lays paragraphs out in <section>s).
_SAFE_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "table", "thead", "tbody", "tr", "td", "th", "ul",
    "ol", "li", "h2", "h3", "h4", "img", "a", "span", "div", "sub", "sup", "section", "blockquote",
}  # fmt: skip
_JS_STRING = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
# `var name = '…'` / `name: "…"` in the page's scripts (msg_title, nickname, msg_source_url).
_SCRIPT_VAR = r"""\b{name}\s*[=:]\s*(?:htmlDecode\()?\s*""" + _JS_STRING
_EPOCH_VARS = (
    re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{10})\b"""),
    re.compile(r"""\bcreate_time\s*[=:]\s*["']?(\d{10})\b"""),
    re.compile(r"""\bpublish_time\s*[=:]\s*["']?(\d{10})\b"""),
)
# copyright_stat 11 marks an original post (1 and 2: reposted or unmarked).
_ORIGINAL_STAT = re.compile(r"""\bcopyright_stat\s*=\s*["']?11\b""")
# Whole lines of account boilerplate (failure class: padding that is not the article). Each is
# anchored to the whole line so a sentence that merely mentions 关注 or 编辑 stays.
_BOILERPLATE = re.compile(
    r"^(?:"
    r"[-—–\s]*END[-—–\s]*|"
    r"(?:点击|戳)?(?:上方|下方|顶部)?[“\"]?蓝字[”\"]?.{0,12}关注.{0,12}|"
    r"(?:长按|扫描?|识别).{0,12}二维码.{0,20}|"
    r".{0,12}(?:点亮|点个|点击)[“\"]?在看[”\"]?.{0,20}|"
    r"(?:分享|点赞|转发|收藏).{0,4}(?:在看|点赞|转发|分享).{0,12}|"
    r"(?:编辑|责编|责任编辑|审核|审校|校对|监制|终审|初审|二审|三审|排版|美编)\s*[|｜:：丨/].{0,30}|"
    r"(?:图片|图|视频)\s*(?:来源|来自)\s*[|｜:：丨].{0,30}|"
    r"(?:往期推荐|往期回顾|推荐阅读|精彩推荐|相关阅读)[:：]?.{0,10}"
    r")$"
)
_JS_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
# A repost names its publisher on a line of its own ("来源：许昌市工业和信息化局"): that publisher,
# not the account, is the item's source (as on every other page newsdesk reads).
_SOURCE_LINE = re.compile(
    r"(?:^|\n)\s*(?:来源|信息来源|文章来源|稿件来源|转自|转载自)\s*[:：|｜丨]\s*([^\s|｜丨]{2,30})"
)
_BLOCKS = {"p", "div", "section", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote"}
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


@dataclass(frozen=True, slots=True)
class WechatArticle:
    """What a WeChat article page says about itself."""

    title: str
    account: str
    publisher: str  # the 来源 line's publisher of a repost, else the account
    epoch: str  # publication time, epoch seconds as text ('' when the page has none)
    text: str
    html: str
    original: bool
    source_url: str  # the 阅读原文 link ('' when none)
    images: tuple[str, ...]


def is_wechat_page(url: str, root: etree._Element) -> bool:
    """mp.weixin.qq.com, or a page with WeChat's body and account holders (a bridge's copy)."""
    host = (urlsplit(url).hostname or "").lower()
    body = root.find(".//*[@id='js_content']")
    if host == "mp.weixin.qq.com":
        return body is not None
    return body is not None and root.find(".//*[@id='js_name']") is not None


def parse_wechat(html: str, url: str) -> WechatArticle | None:
    """The article of a WeChat page, or None for any other page."""
    if "js_content" not in html:  # most pages: no second parse
        return None
    root = etree.fromstring(html or "<html></html>", _PARSER)
    if root is None or not is_wechat_page(url, root):
        return None
    body = root.find(".//*[@id='js_content']")
    assert body is not None  # is_wechat_page checked it
    _clean_body(body)
    images = _unlazy_images(body)
    lines = [ln for ln in _text(body).split("\n") if not _BOILERPLATE.match(ln.strip())]
    text = "\n".join(lines)
    source_url = _script_string(html, "msg_source_url")
    title = _title(root, html)
    account = _text_of(root, "js_name") or _script_string(html, "nickname")
    original = root.find(".//*[@id='copyright_logo']") is not None or bool(
        _ORIGINAL_STAT.search(html)
    )
    body_html = nh3.clean(lxml.html.tostring(body, encoding="unicode"), tags=_SAFE_TAGS)
    header = f"<p>公众号：{html_lib.escape(account)}{' · 原创' if original else ''}</p>"
    footer = ""
    if source_url.startswith(("http://", "https://")):
        footer = f'<p><a href="{html_lib.escape(source_url)}">阅读原文</a></p>'
    named = _SOURCE_LINE.findall(text)
    return WechatArticle(
        title=title,
        account=account,
        publisher=named[-1] if named else account,
        epoch=next((m.group(1) for p in _EPOCH_VARS if (m := p.search(html))), ""),
        text=text,
        html=header + body_html + footer,
        original=original,
        source_url=source_url,
        images=images,
    )


def _title(root: etree._Element, html: str) -> str:
    for node in root.iter("meta"):
        if node.get("property") == "og:title" and (content := (node.get("content") or "").strip()):
            return " ".join(content.split())
    return _text_of(root, "activity-name") or " ".join(_script_string(html, "msg_title").split())


def _text_of(root: etree._Element, element_id: str) -> str:
    node = root.find(f".//*[@id='{element_id}']")
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def _script_string(html: str, name: str) -> str:
    """The value of a JS string variable in the page's scripts, unescaped ('' when absent)."""
    match = re.search(_SCRIPT_VAR.format(name=re.escape(name)), html)
    if match is None:
        return ""
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return html_lib.unescape(_JS_ESCAPE.sub(_unescape_js, raw)).strip()


def _unescape_js(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "xu" and len(code) > 1:
        return chr(int(code[1:], 16))
    return {"n": "\n", "t": "\t", "r": ""}.get(code, code)


def _clean_body(body: etree._Element) -> None:
    """Drop scripts, styles, what WeChat hides (display:none, its own style tags) and blocks that
    are wholly account boilerplate (from the kept HTML too, not only the text)."""
    for node in list(body.iter()):
        if not isinstance(node.tag, str) or node is body:
            continue
        style = (node.get("style") or "").replace(" ", "").lower()
        hidden = "display:none" in style
        boilerplate = node.tag in ("p", "section") and bool(
            _BOILERPLATE.match(" ".join("".join(node.itertext()).split()))
        )
        if node.tag in ("script", "style", "mp-style-type") or hidden or boilerplate:
            parent = node.getparent()
            if parent is not None:
                tail = node.tail or ""
                previous = node.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
                parent.remove(node)


def _text(element: etree._Element) -> str:
    """Visible text with a newline at every block boundary, spaces squeezed, empty lines gone."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BLOCKS:
            parts.append("\n")
        if event == "start" and node.text and tag:
            parts.append(node.text)
        if event == "end" and node is not element and node.tail:
            parts.append(node.tail)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _unlazy_images(body: etree._Element) -> tuple[str, ...]:
    """Give lazy images their real address (`data-src` → `src`); return the addresses."""
    found = []
    for img in body.iter("img"):
        lazy = (img.get("data-src") or "").strip()
        if lazy:
            img.set("src", lazy)
        if src := (img.get("src") or "").strip():
            found.append(src)
    return tuple(found)
