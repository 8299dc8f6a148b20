"""Title, date and source heuristics for Chinese government and news article pages.

Each function tries the source's own selector first, then the standard meta tags of Chinese
government sites, then what the page shows around the article body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree
from parsel import Selector

from crawler.density import Measured
from crawler.parse import select_text

# Title holders of common CMSs, most specific first.
# (The gov ArticleTitle and og:title meta tags are read from the page's meta tags before these.)
TITLE_SELECTORS: tuple[str, ...] = (
    ".share-title", ".articl_u1 h1", ".titP h1", "p.yTit", ".fourTop h2", ".TextTitle",
    ".news_detail_title", ".article_title h1", ".newscontent h1", "#article_header h3",
    "#activity-name", ".art_title", ".article h1", "h1.title",
)  # fmt: skip
# Separators between headline, column and site name in a page's <title>.
# A bare dash is not one: headlines say 1—10月 and 2026—2028年.
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--+|\s[-—–]+\s)\s*")
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
# `c(?<![\w$]c)t` is "ct" as a whole name, written so the regex engine can skip to each "c" or
# "p" quickly (a leading \b or lookbehind made it test every position: 2 ms a page).
_SCRIPT_EPOCH = re.compile(r"""(?:c(?<![\w$]c)t|publish_time)"?\s*[=:]\s*["']?(\d{10})(?!\d)""")
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


def title_of(
    page: Selector,
    spec_title: str,
    body: etree._Element | None,
    measured: Measured,
    metas: dict[str, str],
) -> str:
    """The headline: the source's selector, the gov meta tag, a known CMS title holder, a heading
    the page <title> confirms, the last heading before the body, and only then the <title>.
    `measured` holds the page's lines and headline-like elements (density.measure), `metas` its
    meta tags."""
    if spec_title and len(chosen := _plain(select_text(page, spec_title))) >= 5:
        return chosen
    if len(chosen := _plain(metas.get("ArticleTitle", ""))) >= 5:
        return chosen
    page_title = select_text(page, "title")
    if agreed := _agreed_heading(metas, measured.headings, page_title):
        return agreed
    for selector in TITLE_SELECTORS:
        if _present(selector, measured) and len(chosen := _plain(select_text(page, selector))) >= 5:
            return chosen
    parts = [p for p in _TITLE_SPLIT.split(page_title) if len(p) >= 4]
    if len(parts) == 1 and (site := _BARE_DASH_SITE.search(page_title)):
        # "标题-半月谈": a bare dash before a short site name at the end also separates.
        parts = [page_title[: site.start()], site.group(1)]
    if len(parts) > 1:
        # "标题_栏目_站名" or "站名--标题": the headline is the longest part the page shows again
        # as a whole line (a heading, or a table cell on old templates). Link text is a menu or
        # a breadcrumb (科普中国-辟谣文章: 辟谣文章 is a menu item).
        shown = {_squeeze(line) for line, linked in measured.lines if not linked}
        for part in sorted(parts, key=len, reverse=True):
            squeezed = _squeeze(part)
            # Whole text of an element, or the start of one that adds a subtitle (SASAC's h1
            # holds a <p> under the headline).
            if squeezed in shown or any(
                s.startswith(squeezed) and len(s) < 3 * len(squeezed) for s in shown
            ):
                return part.strip()
    headline_parts = parts[:-1] if len(parts) > 1 else parts
    if body is not None and (before := _heading_before(measured, body)):
        return before
    if og := " ".join(metas.get("og:title", "").split()):
        return og
    return max(headline_parts, key=len) if headline_parts else page_title.strip()


# Failure class "a site banner heading or a breadcrumb wins over the headline": a heading counts
# when the page's <title> or og:title states it too (a banner such as 全新首页 is not in them).
_TAGS = re.compile(r"<[^>]+>")
_DASHES = re.compile(r"[-—–－―]+")
_NOT_HEADLINE = re.compile(r"当前位置|您的位置|现在位置|>|›|»")
_BARE_DASH_SITE = re.compile(r"-([^-\s]{2,10})$")


_NAME_TOKENS = re.compile(r"[.#][\w-]+")


def _present(selector: str, measured: Measured) -> bool:
    """False when a CSS selector names a class or id the page does not have: most known-CMS
    selectors do not apply to a given page, and each would scan the whole tree."""
    return all(token in measured.names for token in _NAME_TOKENS.findall(selector))


def _plain(text: str) -> str:
    """Meta values may carry markup (TRS puts <div> subtitles into ArticleTitle)."""
    return " ".join(_TAGS.sub("", text).split())


def _key(text: str) -> str:
    """Comparison form: no whitespace, every dash run one '-' (<title> writes —— as -)."""
    return _DASHES.sub("-", _squeeze(text))


def _agreed_heading(metas: dict[str, str], headings: list[etree._Element], page_title: str) -> str:
    """The longest heading that the page's <title>, og:title or twitter:title also states
    (covering at least 40 % of it); else og:title when <title> begins with it."""
    og = _plain(metas.get("og:title", ""))
    twitter = _plain(metas.get("twitter:title", ""))
    refs = [_key(r) for r in (page_title, og, twitter) if len(_squeeze(r)) >= 4]
    best = ""
    for node in headings:
        # A linked heading is a site banner or a list item, not the page's own headline.
        if node.tag == "a" or node.find(".//a") is not None or _in_link(node):
            continue
        text = " ".join("".join(node.itertext()).split())
        key = _key(text)
        if len(key) < 4 or len(key) <= len(_key(best)) or _NOT_HEADLINE.search(text):
            continue
        if any(key in ref and len(key) >= 0.4 * len(ref) for ref in refs):
            best = text
    if best:
        return best
    # Failure class "an unsplittable <title> and no heading element": og:title confirmed by it.
    for meta in (og, twitter):
        if len(_squeeze(meta)) >= 6 and _key(page_title).startswith(_key(meta)):
            return meta
    return ""


def _in_link(node: etree._Element) -> bool:
    return any(a.tag == "a" for a in node.iterancestors())


def _heading_before(measured: Measured, body: etree._Element) -> str:
    """The last headline-like element whose text begins before the body's."""
    limit = measured.first_line.get(body, 0)
    best = ""
    for node in measured.headings:
        if measured.first_line.get(node, limit) >= limit:
            break
        text = " ".join("".join(node.itertext()).split())
        if 6 <= len(text) <= 80 and node.find(".//a") is None:
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
    for node in page.root.xpath("//meta[@content and (@name or @property)]"):
        key = node.get("name") or node.get("property") or ""
        tags.setdefault(key, (node.get("content") or "").strip())
    return tags


# A date as pages print it, with an optional time: 2026-11-20 10:30, 2026年11月20日, 2022.01.20.
_DATE_SHOWN = re.compile(
    r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}(?!\d)\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
# Labels that introduce the publication date, and labels of other dates a page shows near it
# (信息公开 tables: 成文日期 is when a document was signed, not published).
_PUB_LABEL = re.compile(r"(?:发布|发表|发稿|更新|上传|录入|时间|日期|发布于|Date)\s*[:：]?\s*$")
_OTHER_LABEL = re.compile(
    r"(?:成文|生成|印发|生效|施行|实施|废止|截止|有效期|报名|活动|开始|结束)[^:：]{0,3}[:：]?\s*$"
)
# A line that reads as article prose, where the header area ends.
_PROSE_LINE = re.compile(r"[。！？，；]")
HEADER_LINES = 12


# A byline or metadata bar may hold commas too (来源：人民网，记者 李四): its labels tell it apart.
_META_LABEL = re.compile(r"(?:来源|作者|编辑|责编|发布|时间|日期|记者|点击|浏览|阅读)\s*[:：]")


def _is_prose(line: str) -> bool:
    return len(line) >= 25 and bool(_PROSE_LINE.search(line)) and not _META_LABEL.search(line)


def _date_in(line: str, labelled_only: bool, previous: str = "") -> str:
    """The publication date a line shows (from the date on), skipping 成文日期-like dates; a label
    may sit on the previous line (the cell before, in 信息公开 tables)."""
    for match in _DATE_SHOWN.finditer(line):
        before = line[max(0, match.start() - 8) : match.start()]
        if not before.strip():
            before = previous[-8:]
        if _OTHER_LABEL.search(before):
            continue
        if labelled_only and not _PUB_LABEL.search(before):
            continue
        return line[match.start() : match.end()]
    return ""


def header_date(lines: list[tuple[str, bool]], title: str) -> str:
    """The date in the article's header area: the lines between the headline and the first line
    of prose, or a labelled 发布时间 line just above the headline.

    Failure class "dates from the wrong place": the first .time/.date of a page is often in a
    related-article list, a sidebar or a previous/next link. Link text never counts here.
    """
    want = _squeeze(title)
    if len(want) < 4:
        return ""
    for i, (line, _) in enumerate(lines):
        squeezed = _squeeze(line)
        if not (squeezed == want or (squeezed.startswith(want) and len(squeezed) < len(want) + 40)):
            continue
        rest = squeezed[len(want) :] if squeezed.startswith(want) else ""
        if rest and (found := _date_in(line[line.find(title[-2:]) + 2 :], False)):
            return found
        area: list[tuple[str, str]] = []  # (line, the line before it) up to the first prose
        previous = ""
        for later, linked in lines[i + 1 : i + 1 + HEADER_LINES]:
            if _is_prose(later):
                break
            if not linked:
                area.append((later, previous))
            previous = later
        # A labelled 发布日期 wins over another date in the same area (生成日期 tables).
        for labelled_only in (True, False):
            for later, previous in area:
                if found := _date_in(later, labelled_only, previous):
                    return found
        for j in range(max(0, i - 3), i):
            earlier, linked = lines[j]
            if not linked and (found := _date_in(earlier, True, lines[j - 1][0] if j else "")):
                return found
    return ""


def labelled_date(lines: list[tuple[str, bool]]) -> str:
    """A 发布时间/日期 labelled date anywhere outside links (some templates print it under the
    body), the last visible resort."""
    previous = ""
    for line, linked in lines:
        if not linked and len(line) <= 80 and (found := _date_in(line, True, previous)):
            return found
        previous = line
    return ""


# Failure class "dates only in machine-readable form": itemprop/JSON-LD/script variables.
_SCRIPT_DATE = re.compile(
    r"""(?:datePublished|pubtime|pubTime|publish_time|publishTime|pubDate|pub_date"""
    r"""|publishDate|publish_date|ptime|releaseDate)["']?\s*[:=]\s*["']"""
    r"""((?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?)"""
)


def script_text(root: etree._Element) -> str:
    """The text of the page's scripts, where JSON-LD and script variables carry dates (searching
    them, not the whole page, keeps the regexes off megabytes of markup)."""
    return "\n".join(el.text for el in root.iter("script") if el.text)


def machine_dates(root: etree._Element, tags: dict[str, str], scripts: str) -> Iterator[str]:
    """Dates the page states for machines: meta tags (`tags`), itemprop, JSON-LD and script
    variables (`scripts` is the page's script text), and WeChat's `ct` epoch."""
    for name in DATE_META:
        if tags.get(name):
            yield tags[name]
    for found in root.xpath("//*[@itemprop='datePublished']/@content"):
        yield str(found).strip()
        break
    if match := _SCRIPT_DATE.search(scripts):
        yield match.group(1)
    if match := _SCRIPT_EPOCH.search(scripts):
        yield match.group(1)


@dataclass(frozen=True)
class DateSources:
    """Where a page's date may be read, each computed only when asked (the first often do)."""

    page: Selector
    title: str
    header: Callable[[], str]  # the text right before the body
    measured: Measured  # the page's lines and class/id names (density.measure)
    machine: Callable[[], list[str]]  # machine_dates of the page


def _date_candidates(spec_date: str, src: DateSources) -> Iterator[str]:
    """Texts that may hold the publication date, most trusted first (lazily: the first often do).

    The date the page shows in the article's header comes before the machine-readable ones:
    sites that migrated old articles stamp them with the migration date in their meta tags.
    """
    page = src.page
    if spec_date and (text := select_text(page, spec_date)):
        yield text
    if found := header_date(src.measured.lines, src.title):
        yield found
    yield from src.machine()
    if ".year" in src.measured.names and ".day" in src.measured.names:
        # Xinhua splits its date over spans: <span class="year">2026</span><span class="day">10/26
        year, day = select_text(page, ".year"), select_text(page, ".day").replace(" ", "")
        yield f"{year}-{day.replace('/', '-')} {select_text(page, '.time')}"
    for selector in DATE_SELECTORS:
        if not _present(selector, src.measured):
            continue
        # Only outside lists and links: a .date inside <li> or <a> dates another article.
        for node in page.css(selector):
            if node.xpath("ancestor-or-self::li|ancestor-or-self::a"):
                continue
            text = " ".join(t.strip() for t in node.xpath("string(.)").getall()).strip()
            if text and _HAS_DATE.search(text):
                yield text
            break
    if found := labelled_date(src.measured.lines):
        yield found
    if _HAS_DATE.search(text := src.header()):
        yield text


def date_text_of(spec_date: str, sources: DateSources) -> str:
    """Raw text holding the publication date (pipeline.dates parses it); the most precise one."""
    candidates = _date_candidates(spec_date, sources)
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
