"""Article extraction from a detail page: source selectors, then gov meta tags, then the known
CMS body containers, and only then a general extractor (trafilatura is 30-100x slower, PERF.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
import nh3
from lxml import etree
from parsel import Selector

from crawler.parse import select_text
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
    ".ewb-article-info", ".article_con", ".text", ".content", "#content", "article",
)  # fmt: skip
# Title holders of the same CMSs; the page <title> is the last resort because it carries the
# column and site name ("标题_通知公告_河南省科学技术厅").
TITLE_SELECTORS: tuple[str, ...] = (
    "meta[name=ArticleTitle]::attr(content)", "meta[property='og:title']::attr(content)",
    ".share-title", ".articl_u1 h1", ".titP h1", "p.yTit", ".fourTop h2", ".TextTitle",
    ".article_title h1", ".newscontent h1", "#article_header h3", ".article h1", ".title h1",
    "h1.title", "#activity-name", "h1",
)  # fmt: skip
DATE_META: tuple[str, ...] = (
    "PubDate", "pubdate", "firstpublishedtime", "publishdate", "PublishDate", "publish_date",
    "article:published_time", "og:release_date", "created",
)  # fmt: skip
DATE_SELECTORS: tuple[str, ...] = (
    "#pubDate", "#con_time", ".pub-time", ".pubtime", "#publish_time", ".news_detail_date",
    ".articl_u1 h2", ".source.fl", ".sj.fl", ".t_s", ".fourTop em", ".col-1-1", ".info",
    ".time", ".date", ".detail-title-des",
)  # fmt: skip
_DATE_TEXT = re.compile(
    r"(?:发布时间|发布日期|时间|日期)?[:：\s]*"
    r"(20\d\d\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
_SOURCE_TEXT = re.compile(r"(?:来源|来自|信息来源|文章来源)\s*[:：]\s*([^\s|│<>【】]{2,30})")
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd)$", re.I)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "select", "input")
# The sanitised HTML copy keeps structure editors can paste, nothing executable.
_SAFE_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "table", "thead", "tbody", "tr", "td", "th", "ul",
    "ol", "li", "h2", "h3", "h4", "img", "a", "span", "div", "sub", "sup",
}  # fmt: skip
MIN_BODY_CHARS = 40


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
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    lines = (re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _first_element(root: etree._Element, selector: str) -> etree._Element | None:
    sel = Selector(root=root, type="html")
    found = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    for node in found:
        if isinstance(node.root, etree._Element):
            return node.root
    return None


def _body(root: etree._Element, spec: DetailSelectors) -> tuple[etree._Element | None, str]:
    if spec.body:
        element = _first_element(root, spec.body)
        if element is not None and len(element_text(element)) >= MIN_BODY_CHARS:
            return element, "selector"
    for container in BODY_CONTAINERS:
        element = _first_element(root, container)
        if element is not None and len(element_text(element)) >= MIN_BODY_CHARS:
            return element, f"container:{container}"
    return None, ""


def _title(page: Selector, spec: DetailSelectors) -> str:
    page_title = select_text(page, "title")
    candidates = [select_text(page, spec.title)] if spec.title else []
    candidates += [select_text(page, s) for s in TITLE_SELECTORS]
    candidates = [re.sub(r"\s+", " ", c).strip() for c in candidates if c and len(c.strip()) >= 4]
    if spec.title and candidates and candidates[0]:
        return candidates[0]
    for candidate in candidates:
        if candidate in page_title or not page_title:
            return candidate
    if candidates:
        return candidates[0]
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", page_title)[0].strip()


def _date_text(page: Selector, spec: DetailSelectors, header_text: str) -> str:
    if spec.date and (found := select_text(page, spec.date)):
        return found
    for name in DATE_META:
        value = page.css(
            f"meta[name='{name}']::attr(content), meta[property='{name}']::attr(content)"
        )
        if value and value.get("").strip():
            return value.get("").strip()
    for selector in DATE_SELECTORS:
        found = select_text(page, selector)
        if found and (match := _DATE_TEXT.search(found)):
            return match.group(1)
    match = _DATE_TEXT.search(header_text)
    return match.group(1) if match else ""


def _source_name(page: Selector, spec: DetailSelectors, header_text: str) -> str:
    if spec.source and (found := select_text(page, spec.source)):
        return re.sub(r"^.*?(?:来源|来自)\s*[:：]\s*", "", found).strip()
    meta = page.css("meta[name=ContentSource]::attr(content)").get("").strip()
    if meta:
        return meta
    match = _SOURCE_TEXT.search(header_text)
    return match.group(1).strip() if match else ""


def _attachments(root: etree._Element, body: etree._Element | None, url: str) -> tuple[str, ...]:
    scope = body.getparent() if body is not None and body.getparent() is not None else root
    links: list[str] = []
    for a in scope.iter("a"):
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
    spec = spec or DetailSelectors()
    root = lxml.html.document_fromstring(html or "<html></html>")
    page = Selector(root=root, type="html")
    title = _title(page, spec)
    body, method = _body(root, spec)
    if body is not None:
        text = element_text(body)
        body_html = nh3.clean(lxml.html.tostring(body, encoding="unicode"), tags=_SAFE_TAGS)
        header_text = _text_before(root, body)
    else:
        text, body_html, method = _fallback_text(html, url), "", "trafilatura"
        header_text = element_text(root)[:2000]
    return Extracted(
        title=title,
        date_text=_date_text(page, spec, header_text),
        text=text,
        html=body_html,
        source_name=_source_name(page, spec, header_text),
        attachments=_attachments(root, body, url),
        method=method if text else "",
    )


def _text_before(root: etree._Element, body: etree._Element) -> str:
    """The last ~600 characters of visible text before the body: where dates and 来源 sit."""
    marker = "\u2063BODY\u2063"  # an invisible separator no page contains
    saved_text, saved_children = body.text, list(body)
    body.text = marker
    for child in saved_children:
        body.remove(child)
    try:
        full = element_text(root)
    finally:
        body.text = saved_text
        for child in saved_children:
            body.append(child)
    return full.split(marker)[0][-600:]


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
