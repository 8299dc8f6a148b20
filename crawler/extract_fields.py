"""Title, date and source heuristics for Chinese government and news article pages.

Each function tries the source's own selector first, then the standard meta tags of Chinese
government sites, then what the page shows around the article body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree
from parsel import Selector

from crawler.parse import select_text

# Title holders of common CMSs, most specific first.
TITLE_SELECTORS: tuple[str, ...] = (
    "meta[name=ArticleTitle]::attr(content)", "meta[property='og:title']::attr(content)",
    ".share-title", ".articl_u1 h1", ".titP h1", "p.yTit", ".fourTop h2", ".TextTitle",
    ".news_detail_title", ".article_title h1", ".newscontent h1", "#article_header h3",
    "#activity-name", ".art_title", ".article h1", "h1.title",
)  # fmt: skip
# Separators between headline, column and site name in a page's <title>.
# A bare dash is not one: headlines say 1—10月 and 2026—2028年.
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--+|\s[-—–]+\s)\s*")
# Elements that may hold a headline when no known selector matched.
_HEADING_XPATH = (
    "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@class,'tit') or "
    "contains(@id,'title')][not(self::html or self::head or self::title or self::body)]"
)
DATE_META: tuple[str, ...] = (
    "PubDate", "pubdate", "firstpublishedtime", "publishdate", "PublishDate", "publish_date",
    "article:published_time", "og:release_date", "created", "Date",
)  # fmt: skip
DATE_SELECTORS: tuple[str, ...] = (
    "#pubDate", "#con_time", ".pub-time", ".pubtime", "#publish_time", ".news_detail_date",
    ".articl_u1 h2", ".source.fl", ".sj.fl", ".t_s", ".fourTop", ".col-1-1", ".art_info",
    ".detail-title-des", ".info", ".time", ".date", ".shar",
)  # fmt: skip
_HAS_DATE = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}|(?<!\d)20\d{6}(?!\d)")
_HAS_TIME = re.compile(r"\d{1,2}[:：]\d{2}")
# WeChat and some SPA shells carry the publication time only as an epoch in a script.
_SCRIPT_EPOCH = re.compile(r"""\b(?:var\s+ct|"?publish_time"?|ct)\s*[=:]\s*["']?(\d{10})["']?""")
# A label value ends at a space, a bar, a bracket, or where the next "标签：" begins.
_VALUE = (
    r"([^\s|│｜【\[]+?)(?=\s|$|[|│｜【\[]|(?:类型|作者|时间|日期|发布|点击|浏览|编辑|责编|审核"
    r"|阅读|访问|分享|字号|字体)[:：]?)"
)
# Labelled publishers, by preference: 来源：X, then the issuing body of a document (table cells).
_SOURCE_LABELS = (
    re.compile(r"(?:信息来源|文章来源|稿件来源|新闻来源|来源|来自)\s*[:：]\s*" + _VALUE),
    re.compile(r"(?:发文机关|发布机构|发布单位)\s*[:：]?\s*\n?\s*" + _VALUE),
)
# In body text only an explicit "来源：" line counts ("来自…企业的代表" is prose).
_BODY_SOURCE = re.compile(r"(?:^|\n)\s*(?:来源|信息来源|文章来源)\s*[:：]\s*" + _VALUE)
# An organisation named right after a date with no label (中汽协: "2026-11-10　中国汽车工业协会").
_ORG_AFTER_DATE = re.compile(
    r"(?:\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{1,2}-\d{1,2}|日)\s+"
    r"([\u4e00-\u9fff（）]{2,24}?(?:协会|学会|联合会|局|厅|部|委员会|委|院|中心|报社?|网|社|台|"
    r"政府|办公室|办公厅|集团|公司))(?![\u4e00-\u9fff])"
)
# A newspaper-style byline at the start of the body: 【大河财立方 记者 李明远】, （新华社记者…）.
_BYLINE = re.compile(r"^[【\[（(]\s*([\u4e00-\u9fff]{2,10}?)\s*(?:记者|讯|消息|报道)")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _candidates(page: Selector, root: etree._Element, spec_title: str) -> list[str]:
    found = [select_text(page, spec_title)] if spec_title else []
    found += [select_text(page, s) for s in TITLE_SELECTORS]
    for node in root.xpath(_HEADING_XPATH):
        found.append(" ".join("".join(node.itertext()).split()))
    return [c for c in (re.sub(r"\s+", " ", c).strip() for c in found) if 4 <= len(c) <= 120]


def title_of(
    page: Selector, root: etree._Element, spec_title: str, body: etree._Element | None
) -> str:
    """The headline: the source's selector, the gov meta tag, a known CMS title holder, a heading
    the page <title> confirms, the last heading before the body, and only then the <title>."""
    for selector in (spec_title, *TITLE_SELECTORS[:1], *TITLE_SELECTORS[2:]):
        if selector and len(chosen := " ".join(select_text(page, selector).split())) >= 5:
            return chosen
    page_title = select_text(page, "title")
    parts = [p for p in _TITLE_SPLIT.split(page_title) if len(p) >= 4]
    if len(parts) > 1:
        # "标题_栏目_站名" or "站名--标题": the headline is the longest part the page shows again
        # as the whole text of one element (a heading, or a table cell on old templates).
        shown = {
            _squeeze("".join(el.itertext()))
            for el in root.iter()
            if isinstance(el.tag, str) and el.tag not in ("title", "head", "html", "body")
        }
        for part in sorted(parts, key=len, reverse=True):
            squeezed = _squeeze(part)
            # Whole text of an element, or the start of one that adds a subtitle (SASAC's h1
            # holds a <p> under the headline).
            if squeezed in shown or any(
                s.startswith(squeezed) and len(s) < 3 * len(squeezed) for s in shown
            ):
                return part.strip()
    headline_parts = parts[:-1] if len(parts) > 1 else parts
    if body is not None and (before := _heading_before(root, body)):
        return before
    if og := " ".join(select_text(page, TITLE_SELECTORS[1]).split()):
        return og
    return max(headline_parts, key=len) if headline_parts else page_title.strip()


def _heading_before(root: etree._Element, body: etree._Element) -> str:
    """The last headline-like element that precedes the body in document order."""
    order = {el: i for i, el in enumerate(root.iter())}
    limit = order.get(body, 0)
    best = ""
    for node in root.xpath(_HEADING_XPATH):
        text = " ".join("".join(node.itertext()).split())
        if order.get(node, limit) < limit and 6 <= len(text) <= 80 and node.find(".//a") is None:
            best = text
    return best


_YMD = re.compile(
    r"((?:19|20)\d\d)\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})|(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)"
)


def _ymd(text: str) -> tuple[int, ...]:
    """Year, month and day of the first date in `text`, as numbers (empty if none)."""
    match = _YMD.search(text)
    return tuple(int(g) for g in match.groups() if g) if match else ()


def meta_tags(page: Selector) -> dict[str, str]:
    """Every <meta name|property=... content=...> of the page, first occurrence wins."""
    tags: dict[str, str] = {}
    for node in page.xpath("//meta[@content and (@name or @property)]"):
        key = node.attrib.get("name") or node.attrib.get("property") or ""
        tags.setdefault(key, node.attrib.get("content", "").strip())
    return tags


def _date_candidates(
    page: Selector, html: str, spec_date: str, header: Callable[[], str]
) -> Iterator[str]:
    """Texts that may hold the publication date, most trusted first (lazily: the first often do)."""
    if spec_date and (text := select_text(page, spec_date)):
        yield text
    tags = meta_tags(page)
    for name in DATE_META:
        if tags.get(name):
            yield tags[name]
    if page.css(".year") and page.css(".day"):
        # Xinhua splits its date over spans: <span class="year">2026</span><span class="day">10/26
        year, day = select_text(page, ".year"), select_text(page, ".day").replace(" ", "")
        yield f"{year}-{day.replace('/', '-')} {select_text(page, '.time')}"
    for selector in DATE_SELECTORS:
        text = select_text(page, selector)
        if text and _HAS_DATE.search(text):
            yield text
    if match := _SCRIPT_EPOCH.search(html):
        yield match.group(1)
    if _HAS_DATE.search(text := header()):
        yield text


def date_text_of(page: Selector, html: str, spec_date: str, header: Callable[[], str]) -> str:
    """Raw text holding the publication date (pipeline.dates parses it); the most precise one."""
    candidates = _date_candidates(page, html, spec_date, header)
    first = next(candidates, "")
    if first and not _HAS_TIME.search(first):
        # A date-only value in one place and the same day with a time in another: keep the time.
        for other in candidates:
            if _HAS_TIME.search(other) and _ymd(other) == _ymd(first) != ():
                return other
    return first


def source_of(page: Selector, spec_source: str, header: Callable[[], str], body_text: str) -> str:
    """The publisher: the source's selector, a visible 来源 label, meta ContentSource, a 来源 line
    in the body (WeChat), an organisation named after the date, or a newspaper byline."""
    if spec_source and (found := select_text(page, spec_source)):
        return re.sub(r"^.*?(?:来源|来自)\s*[:：]\s*", "", found).strip()
    for label in _SOURCE_LABELS:
        if match := label.search(header()):
            return match.group(1).strip()
    if meta := select_text(page, "meta[name=ContentSource]::attr(content)").strip():
        return meta
    if match := _BODY_SOURCE.search(body_text):
        return match.group(1).strip()
    if match := _ORG_AFTER_DATE.search(header()):
        return match.group(1)
    if match := _BYLINE.match(body_text.strip()):
        return match.group(1)
    return select_text(page, "#js_name").strip()
