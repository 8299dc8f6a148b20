"""Article extraction from a detail page: source selectors, then gov meta tags, then the known
CMS body containers, and only then a general extractor (trafilatura is 30-100x slower, PERF.md).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
import nh3
from lxml import etree
from parsel import Selector

from crawler.extract_fields import date_text_of, source_of, title_of
from crawler.parse import select_all
from crawler.wechat import parse_wechat
from pipeline.models import DetailSelectors

# Body containers of the CMSs that Chinese government and media sites run (TRS WCM, UCAP,
# Hanweb, Epoint, ...), most specific first. A generic one (#content, article) comes last because
# on many sites it wraps sidebars too.
BODY_CONTAINERS: tuple[str, ...] = (
    ".TRS_UEDITOR", ".TRS_Editor", "#UCAP-CONTENT", "#zoom", ".pages_content", "#detailContent",
    ".ccontent", "#con_con", ".rm_txt_con", "#detail", ".articl_u2", ".conBox", ".newstxt",
    "#article_body", ".zsy_comain", ".art-con", ".neiright_JPZ_GK_CP", ".news_detail_box",
    ".fourBox", ".article_content", ".NewsText", "#js_content", ".details-main", ".zwgkdetail",
    ".article-content", ".article-body", ".news-content", ".wzcon", ".info_content", "#mainContent",
    ".ewb-article-info", ".article_con", "#fontzoom", ".art_content", ".news_content",
    "#news_content", "#article_content", ".detail-content", ".content-text",
)  # fmt: skip
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd)$", re.I)
# Table cells are separated by a space, so "发文机关 | 工业和信息化部 | 发文字号" stays apart.
_CELL_TAGS = {"td", "th"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "select", "input")
# The sanitised HTML copy keeps structure editors can paste, nothing executable.
_SAFE_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "table", "thead", "tbody", "tr", "td", "th", "ul",
    "ol", "li", "h2", "h3", "h4", "img", "a", "span", "div", "sub", "sup",
}  # fmt: skip
MIN_BODY_CHARS = 40
_HTML_PARSER = etree.HTMLParser(remove_comments=True)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a detail page yielded; `date_text` is raw (normalize.parse_cn_date reads it)."""

    title: str
    date_text: str
    text: str
    html: str
    source_name: str
    attachments: tuple[str, ...]
    method: str


def element_text(element: etree._Element) -> str:
    """Visible text of an element with a newline at every block boundary."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS:
            if el.tail:
                parts.append(el.tail)
            return
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in _CELL_TAGS:
            parts.append(" ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# Sentence punctuation marks prose; navigation and link lists have almost none.
_PROSE_PUNCT = re.compile(r"[。！？；，、：“”]")


def _prose_score(element: etree._Element) -> float:
    text = element_text(element)
    if not text:
        return 0.0
    link_chars = sum(len("".join(a.itertext())) for a in element.iter("a"))
    link_share = min(link_chars / len(text), 1.0)
    return len(_PROSE_PUNCT.findall(text)) * (1.0 - link_share) ** 2


def densest_block(root: etree._Element) -> etree._Element | None:
    """The tightest block holding most of the page's prose (for pages of unknown CMSs)."""
    best, best_score = None, 0.0
    for element in root.iter("div", "td", "article", "section", "main"):
        score = _prose_score(element)
        if score >= best_score:  # document order: on a tie the deeper element wins
            best, best_score = element, score
    if best is None or best_score < 5:
        return None
    while True:
        children = [c for c in best if isinstance(c.tag, str)]
        inner = max(children, key=_prose_score, default=None)
        if inner is None or _prose_score(inner) < 0.85 * best_score:
            return best
        best = inner


def _drop(element: object) -> None:
    """Remove an element but keep the text that follows it."""
    if not isinstance(element, etree._Element) or (parent := element.getparent()) is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _first_element(root: etree._Element, selector: str) -> etree._Element | None:
    sel = Selector(root=root, type="html")
    found = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    for node in found:
        if isinstance(node.root, etree._Element):
            return node.root
    return None


def _body(root: etree._Element, spec: DetailSelectors) -> tuple[etree._Element | None, str, str]:
    """The body element, its text, and which rule found it."""
    selectors = ((spec.body, "selector"),) if spec.body else ()
    selectors += tuple((c, f"container:{c}") for c in BODY_CONTAINERS)
    for selector, method in selectors:
        element = _first_element(root, selector)
        if element is not None and len(text := element_text(element)) >= MIN_BODY_CHARS:
            return element, text, method
    element = densest_block(root)
    return (element, element_text(element), "density") if element is not None else (None, "", "")


def _attachment_anchors(root: etree._Element, body: etree._Element | None) -> list[etree._Element]:
    """Links in the body's parent, else those after the body in its grandparent (NDRC puts the
    附件 block beside the body), else the whole page when there is no body."""
    if body is None:
        return list(root.iter("a"))
    parent = body.getparent()
    if parent is None:
        return list(body.iter("a"))
    anchors = list(parent.iter("a"))
    grand = parent.getparent()
    if grand is not None and not any(_is_attachment(a) for a in anchors):
        seen_body = False
        for element in grand.iter():
            seen_body = seen_body or element is body
            if seen_body and element.tag == "a":
                anchors.append(element)
    return anchors


def _is_attachment(a: etree._Element) -> bool:
    href = (a.get("href") or a.get("oldsrc") or "").strip()
    return bool(href) and bool(ATTACHMENT_EXT.search(href.split("?")[0]))


def _attachments(root: etree._Element, body: etree._Element | None, url: str) -> tuple[str, ...]:
    links: list[str] = []
    for a in _attachment_anchors(root, body):
        href = (a.get("href") or a.get("oldsrc") or "").strip()
        if href and ATTACHMENT_EXT.search(href.split("?")[0]):
            link = urljoin(url, href)
            if link not in links:
                links.append(link)
    return tuple(links)


def _fallback_text(html: str, url: str) -> str:
    import trafilatura  # imported lazily: it is the slow path and costs start-up time

    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True) or ""


def extract_article(html: str, url: str, spec: DetailSelectors | None = None) -> Extracted:
    """Extract title, raw date, body text and sanitised HTML, source name and attachments."""
    # WeChat article pages have their own shape: crawler/wechat.py reads them.
    if (wechat := parse_wechat(html, url)) is not None and wechat.text:
        return Extracted(
            title=wechat.title, date_text=wechat.epoch, text=wechat.text, html=wechat.html,
            source_name=wechat.publisher, attachments=(), method="wechat",
        )  # fmt: skip
    spec = spec or DetailSelectors()
    # lxml.etree's parser, not lxml.html's: its plain elements iterate several times faster.
    root = etree.fromstring(html or "<html></html>", _HTML_PARSER)
    if root is None:
        root = etree.fromstring("<html></html>", _HTML_PARSER)
    page = Selector(root=root, type="html")
    for selector in spec.remove:
        for node in select_all(Selector(root=root, type="html"), selector):
            _drop(node.root)
    body, text, method = _body(root, spec)
    if body is not None:
        body_html = nh3.clean(lxml.html.tostring(body, encoding="unicode"), tags=_SAFE_TAGS)
        header = functools.cache(lambda: _text_before(root, body))
    else:
        text, body_html, method = _fallback_text(html, url), "", "trafilatura"
        header = functools.cache(lambda: element_text(root)[:2000])
    title = title_of(page, root, spec.title, body)
    return Extracted(
        title=title,
        date_text=date_text_of(page, html, spec.date, header),
        text=_without_headline(text, title),
        html=body_html,
        source_name=source_of(page, spec.source, header, text),
        attachments=_attachments(root, body, url),
        method=method if text else "",
    )


def _without_headline(text: str, title: str) -> str:
    """The body without a first line that repeats the headline (many templates put the <h1>
    inside the content box)."""
    first, _, rest = text.partition("\n")
    squeezed = re.sub(r"\s+", "", first)
    if rest and len(squeezed) >= 6 and squeezed == re.sub(r"\s+", "", title):
        return rest
    return text


def _text_before(root: etree._Element, body: etree._Element, limit: int = 800) -> str:
    """Up to ~`limit` characters of visible text right before the body: where dates and 来源 sit.

    Walks back from the body through preceding siblings, then its ancestors' preceding siblings,
    so only the nearby part of the page is rendered to text.
    """
    pieces: list[str] = []
    size = 0
    node: etree._Element | None = body
    while node is not None and node is not root and size < limit:
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or sibling.tag in ("head", "script", "style"):
                continue
            text = element_text(sibling)
            pieces.append(text)
            size += len(text)
            if size >= limit:
                break
        node = node.getparent()
    return "\n".join(reversed(pieces))[-limit:]


def extract_fragment(html: str, url: str, title: str, date_text: str, source: str) -> Extracted:
    """An article whose body arrived as an HTML fragment (a feed's content, an API's text)."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    return Extracted(
        title=title,
        date_text=date_text,
        text=element_text(root),
        html=nh3.clean(html, tags=_SAFE_TAGS),
        source_name=source,
        attachments=_attachments(root, None, url),
        method="fragment",
    )
