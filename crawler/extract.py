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

from crawler.density import (
    INVISIBLE_TAGS,
    Counts,
    Measured,
    better_than_container,
    densest_block,
    measure,
    prune,
    remove_keep_tail,
)
from crawler.extract_fields import (
    DateSources,
    date_text_of,
    machine_dates,
    meta_tags,
    script_text,
    source_of,
    title_of,
)
from crawler.parse import select_all, select_text
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
_DROP_TAGS = INVISIBLE_TAGS
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
    # The machine-readable date (meta, JSON-LD, script) when the page has one: recorded beside
    # date_text because migrated sites stamp old articles with the migration date.
    meta_date_text: str = ""
    # Configured [source.detail] fields whose selector found nothing here (the chain took over).
    missed: tuple[str, ...] = ()


def element_text(element: etree._Element) -> str:
    """Visible text of an element with a newline at every block boundary."""
    return "\n".join(line for line, _ in element_lines(element))


_LINK_IN, _LINK_OUT = "\x01", "\x02"


def element_lines(element: etree._Element) -> list[tuple[str, bool]]:
    """Visible lines of an element, each with whether it is all link text (attachment links
    count as text: a 附件 line belongs to the document)."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS:
            if el.tail:
                parts.append(el.tail)
            return
        link = tag == "a" and not _is_attachment(el)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in _CELL_TAGS:
            parts.append(" ")
        if link:
            parts.append(_LINK_IN)
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if link:
            parts.append(_LINK_OUT)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    lines: list[tuple[str, bool]] = []
    depth = 0
    for raw in "".join(parts).split("\n"):
        linked = unlinked = 0
        for piece in re.split("([\x01\x02])", raw):
            if piece == _LINK_IN:
                depth += 1
            elif piece == _LINK_OUT:
                depth = max(depth - 1, 0)
            elif depth:
                linked += len(piece.strip())
            else:
                unlinked += len(piece.strip())
        line = _SPACES.sub(" ", raw.replace(_LINK_IN, "").replace(_LINK_OUT, "")).strip()
        if line:
            lines.append((line, linked > 0 and unlinked <= 2))
    return lines


def _without_trailing_links(lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Failure class "related headlines left inside the body container" when they are bare links
    between <br>s (no block to prune): drop the run of all-link lines that ends the body, when it
    is two lines or more, or one line that is no sentence."""
    end = len(lines)
    while end and lines[end - 1][1]:
        end -= 1
    run = lines[end:]
    if len(run) >= 2 or (run and run[0][0][-1] not in "。！？"):
        return lines[:end]
    return lines


def _drop(element: object) -> None:
    """Remove an element but keep the text that follows it."""
    if isinstance(element, etree._Element) and (parent := element.getparent()) is not None:
        remove_keep_tail(element, parent)


def _first_element(root: etree._Element, selector: str) -> etree._Element | None:
    sel = Selector(root=root, type="html")
    found = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    for node in found:
        if isinstance(node.root, etree._Element):
            return node.root
    return None


def _body(
    root: etree._Element, spec: DetailSelectors
) -> tuple[etree._Element | None, str, Measured]:
    """The body element (link lists and comment blocks pruned) and which rule found it."""
    measured = measure(root)
    table = measured.table
    element, method = None, ""
    found = _first_element(root, spec.body) if spec.body else None
    if found is not None and table.get(found, Counts()).chars >= MIN_BODY_CHARS:
        element, method = found, "selector"
    if element is None:
        for selector in BODY_CONTAINERS:
            # Every known container is a bare .class or #id: looked up, not selected.
            found = measured.names.get(selector)
            if found is not None and table.get(found, Counts()).chars >= MIN_BODY_CHARS:
                element, method = found, f"container:{selector}"
                block = densest_block(root, measured)
                if block is not None and better_than_container(found, block, table):
                    element, method = block, f"density:over:{selector}"
                break
    if element is None and (block := densest_block(root, measured)) is not None:
        element, method = block, "density"
    if element is not None:
        keep = {el for a in element.iter("a") if _is_attachment(a) for el in a.iterancestors()}
        prune(element, measured, keep)
    return element, method, measured


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
    html = _without_stray_closers(html or "")
    # lxml.etree's parser, not lxml.html's: its plain elements iterate several times faster.
    root = etree.fromstring(html or "<html></html>", _HTML_PARSER)
    if root is None:
        root = etree.fromstring("<html></html>", _HTML_PARSER)
    page = Selector(root=root, type="html")
    for selector in spec.remove:
        for node in select_all(Selector(root=root, type="html"), selector):
            _drop(node.root)
    body, method, measured = _body(root, spec)
    body_lines = _without_trailing_links(element_lines(body)) if body is not None else []
    text = "\n".join(line for line, _ in body_lines)
    if body is not None:
        body_html = nh3.clean(lxml.html.tostring(body, encoding="unicode"), tags=_SAFE_TAGS)
        header = functools.cache(lambda: _text_before(measured, body))
    else:
        text, body_html, method = _fallback_text(html, url), "", "trafilatura"
        header = functools.cache(lambda: element_text(root)[:2000])
    metas = meta_tags(page)
    title = title_of(page, spec.title, body, measured, metas)
    machine = functools.cache(lambda: list(machine_dates(root, metas, script_text(root))))
    dates = DateSources(page=page, title=title, header=header, measured=measured, machine=machine)
    return Extracted(
        title=title,
        date_text=date_text_of(spec.date, dates),
        text=_without_headline(text, title),
        html=body_html,
        source_name=source_of(page, spec.source, header, text),
        attachments=_attachments(root, body, url),
        method=method if text else "",
        meta_date_text=next(iter(machine()), ""),
        missed=_missed(page, spec, method),
    )


# Failure class "broken markup": libxml2 stops at the first </html> (and drops what follows a
# </body>), so a stray one mid-page (templates that include a whole page, ad snippets) leaves
# the body empty. Browsers ignore them; so do we, when real content follows.
_CLOSERS = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_CONTENT_TAG = re.compile(r"<(?:div|p|table|article|section|span|font|td|h\d)\b", re.IGNORECASE)


def _without_stray_closers(html: str) -> str:
    first = _CLOSERS.search(html)
    if first is None or not _CONTENT_TAG.search(html, first.end()):
        return html
    return _CLOSERS.sub("", html)


def _missed(page: Selector, spec: DetailSelectors, method: str) -> tuple[str, ...]:
    """The configured detail selectors that matched nothing on this page."""
    missed = [f for f in ("title", "date", "source") if (s := getattr(spec, f))
              and not select_text(page, s).strip()]  # fmt: skip
    if spec.body and method != "selector":
        missed.append("body")
    return tuple(missed)


def _without_headline(text: str, title: str) -> str:
    """The body without a first line that repeats the headline (many templates put the <h1>
    inside the content box)."""
    first, _, rest = text.partition("\n")
    squeezed = re.sub(r"\s+", "", first)
    if rest and len(squeezed) >= 6 and squeezed == re.sub(r"\s+", "", title):
        return rest
    return text


def _text_before(measured: Measured, body: etree._Element, limit: int = 800) -> str:
    """Up to `limit` characters of the visible text right before the body: where dates and 来源
    sit (the page's lines before the body's first line, from the counting walk)."""
    first = measured.first_line.get(body, 0)
    pieces: list[str] = []
    size = 0
    for line, _ in reversed(measured.lines[:first]):
        pieces.append(line)
        size += len(line) + 1
        if size >= limit:
            break
    return "\n".join(reversed(pieces))[-limit:]


def html_text(html: str) -> str:
    """Text of an HTML fragment (a feed summary, an API field), made as article bodies are; plain
    text passes through unchanged apart from whitespace."""
    if "<" not in html and "&" not in html:
        return "\n".join(line.strip() for line in html.splitlines() if line.strip())
    return element_text(lxml.html.fragment_fromstring(html, create_parent="div"))


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
