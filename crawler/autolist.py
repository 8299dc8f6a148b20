"""Find the article list on a list page without selectors (pure: HTML and URL in, items out).

How, from general principles rather than one site's markup:

1. Every link is a candidate unless it goes nowhere (javascript:, #, mailto:) or fails the
   source's `link_pattern`.
2. A link's *record* is its nearest block ancestor (li, tr, dd, div, ...) that repeats among its
   siblings; records of sibling containers with the same tag and class form one *block* (a list
   split into several `<ul>`s stays one list).
3. Each block is scored: records whose main link carries headline-length text, links sharing one
   URL shape (`/tztg/N/tN_N.html`, `/N/N-N/N.html`, `art_H.html`), dates next to the links, links
   on the page's own site and under its column. Navigation, footers, breadcrumbs and
   "热点/排行/推荐" side lists are marked down by their class names and headings; their short
   texts and missing dates mark them down anyway.
4. The best block wins if plausible (one URL shape or dates; three headline records, or two
   dated). Its records give the items; autolist_paging finds the next page, autolist_propose
   explicit selectors; the explanation says which block was chosen, why, and what was passed over.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.autolist_paging import Paging, find_paging
from crawler.autolist_propose import DATE_RE, node_css, propose
from crawler.parse import ListEntry
from pipeline.models import ListSelectors

# Tags that can be one record of a list; inline tags (a, span, font) only when nothing else
# repeats (a bare run of links in one div).
RECORD_TAGS = frozenset(
    [
        "li",
        "tr",
        "dd",
        "dt",
        "div",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "article",
        "section",
        "table",
        "ul",
        "dl",
        "td",
    ]
)
MAX_RECORD_DEPTH = 6
# A headline: at least this many characters (nav entries are 2-6: 首页, 机构设置, 政务公开).
HEADLINE_CHARS = 8
MIN_ITEMS = 3
# Class/id words of page furniture, and of side lists that are not the column's own list.
FURNITURE_RE = re.compile(
    r"(?:^|[-_\s])(?:nav|navs|navbar|menu|menus|foot|footer|head|header|crumb|breadcrumb|"
    r"position|location|weizhi|dqwz|copyright|friend|friendlink|yqlj|links|share|tool|tools|"
    r"login|search|banner|logo)(?:$|[-_\s\d])",
    re.I,
)
SIDE_RE = re.compile(
    r"(?:^|[-_\s])(?:side|sidebar|aside|hot|hots|rank|ranking|paihang|phb|remen|tuijian|"
    r"recommend|popular|related|xgxw|xgwz|rmwz|rdxw|djph)(?:$|[-_\s\d])",
    re.I,
)
SIDE_HEADING_RE = re.compile(
    r"热点|热门|排行|点击|推荐|热读|最热|热榜|精彩|专题|友情链接|相关|猜你"
)
PAGING_WORDS = re.compile(
    r"^(?:下一页|下页|后页|下一頁|next|›|»|>|>>|上一页|上页|前页|首页|尾页|末页|最后一页|prev|previous|"
    r"更多|more|查看更多|更多>>|\d+|\[\d+\])$",
    re.I,
)
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# Ids: hex runs and uuids (art_fc74….html), and letter-digit runs such as 163's 1E4A8TCC00251Q4S.
_HEX = re.compile(r"(?=[0-9a-z]*[a-z])(?=[0-9a-z]*\d)[0-9a-z]{10,}|[0-9a-f]{8}-[0-9a-f-]{27}", re.I)


@dataclass(frozen=True, slots=True)
class Detection:
    """What automatic detection found on one list page."""

    items: tuple[ListEntry, ...]
    paging: Paging
    selectors: ListSelectors | None
    explanation: tuple[str, ...]
    block: str = ""
    score: float = 0.0
    candidates: tuple[str, ...] = field(default=())

    @property
    def plausible(self) -> bool:
        """True when a list was found (else `items` is empty)."""
        return bool(self.items)


@dataclass
class _Link:
    node: etree._Element
    url: str
    title: str
    has_title_attr: bool


@dataclass
class _Block:
    container_key: str
    records: list[etree._Element] = field(default_factory=list)
    score: float = 0.0
    items: list[ListEntry] = field(default_factory=list)
    mains: list[tuple[etree._Element, _Link]] = field(default_factory=list)
    facts: str = ""
    why_not: str = ""
    dated: int = 0
    shape_share: float = 0.0


def squeeze(text: str) -> str:
    """Text with all whitespace removed."""
    return _SPACE.sub("", text or "")


def url_shape(url: str) -> str:
    """The URL with numbers as N, long hex/uuid runs as H and folder names as W: one shape per
    list of articles, even when a list mixes columns (/xwzx/002003/… and /zwgk/002001/…)."""
    parts = urlsplit(url)
    folders, _, name = _HEX.sub("H", parts.path).rpartition("/")
    folders = "/".join("W" if seg.isalpha() else seg for seg in folders.split("/"))
    path = _DIGITS.sub("N", f"{folders}/{name}")
    query = "?" + _DIGITS.sub("N", re.sub(r"=[^&]*", "=", parts.query)) if parts.query else ""
    return parts.netloc.lower() + path + query


def _site(host: str) -> str:
    """The registrable part of a host, good enough for Chinese domains (x.gov.cn, x.com.cn)."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in {"gov", "com", "org", "edu", "net", "ac"} else 2
    return ".".join(labels[-keep:])


def _title(a: etree._Element) -> tuple[str, bool]:
    text = squeeze(a.text_content())
    attr = squeeze(a.get("title") or "")
    if attr and (not text or text.endswith(("…", "...", "..")) or len(attr) > len(text) + 2):
        return (a.get("title") or "").strip(), True
    return _SPACE.sub(" ", a.text_content()).strip(), bool(attr)


def _links(root: etree._Element, base: str, link_pattern: str) -> list[_Link]:
    links = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if not url.startswith(("http://", "https://")):
            continue
        if link_pattern and not re.search(link_pattern, url):
            continue
        title, has_attr = _title(a)
        links.append(_Link(a, url, title, has_attr))
    return links


def _record_of(a: etree._Element, linked: set[etree._Element]) -> etree._Element | None:
    """The nearest ancestor-or-self that repeats among its linked siblings: two of one tag and
    class, or three of one tag (li.odd/li.even). A picture box beside a text box (div.pic,
    div.txt) is one record's inside, not two records. A bare run of links (a, br, a, br in one
    cell) is its own list when it repeats far more than anything above it."""
    node: etree._Element | None = a
    fallback, fallback_count = None, 0
    for _ in range(MAX_RECORD_DEPTH):
        if node is None:
            break
        parent = node.getparent()
        if parent is None or node.tag in ("body", "html"):
            break
        same = [c for c in parent if c.tag == node.tag and c in linked]
        twins = [c for c in same if c.get("class") == node.get("class")]
        if len(twins) >= 2 or len(same) >= 3:
            if node.tag in RECORD_TAGS:
                if fallback is not None and fallback_count >= 3 and fallback_count > 2 * len(same):
                    return fallback
                return node
            if fallback is None:
                fallback, fallback_count = node, len(same)
        node = parent
    return fallback


def _classes(node: etree._Element) -> str:
    return f"{node.get('id') or ''} {node.get('class') or ''}".strip()


def _heading_before(container: etree._Element) -> str:
    """The short text just before a block (its heading: 通知公告, 热点排行...)."""
    node: etree._Element | None = container
    for _ in range(3):
        if node is None:
            break
        prev = node.getprevious()
        while prev is not None and not isinstance(prev.tag, str):
            prev = prev.getprevious()
        if prev is not None:
            text = squeeze(prev.text_content())
            if text and len(text) <= 16:
                return text
            return ""
        node = node.getparent()
    return ""


def _date_near(record: etree._Element) -> str:
    text = _SPACE.sub(" ", record.text_content() + " " + (record.tail or "")[:40])
    match = DATE_RE.search(text)
    if match is None:
        following = record.getnext()
        if following is not None and isinstance(following.tag, str) and not following.iter("a"):
            match = DATE_RE.search(following.text_content())
    return match.group(0).strip() if match else ""


class _Page:
    """One parsed page and the link facts every block shares."""

    def __init__(self, html: str, url: str, link_pattern: str) -> None:
        parser = lxml_html.HTMLParser(remove_comments=True, huge_tree=True)
        self.root = lxml_html.document_fromstring(html or "<html/>", parser=parser)
        self.datastore = _unpack_datastores(self.root)
        for bad in self.root.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        found = self.root.find(".//base[@href]")
        self.base = urljoin(url, found.get("href")) if found is not None else url
        self.url = url
        self.host = _site(urlsplit(url).hostname or "")
        path = urlsplit(url).path
        self.column = path.rsplit("/", 1)[0] + "/" if path.count("/") > 1 else ""
        self.links = _links(self.root, self.base, link_pattern)
        self.by_node = {link.node: link for link in self.links}


_RECORD_CDATA = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def _unpack_datastores(root: etree._Element) -> bool:
    """Hanweb (大汉 JCMS) pages carry their list as <record><![CDATA[<li>…]]></record> inside a
    `<script type="text/xml">` datastore that JavaScript renders: put those records in the page."""
    found = False
    for script in root.xpath('//script[contains(@type, "xml")]'):
        records = _RECORD_CDATA.findall(script.text or "")
        if not records:
            continue
        first = records[0].lstrip()[:3].lower()
        wrapper = "table" if first in ("<tr", "<tb") else "ul" if first == "<li" else "div"
        fragment = lxml_html.fragment_fromstring(
            f'<{wrapper} class="datastore">{"".join(records)}</{wrapper}>'
        )
        parent = script.getparent()
        if parent is not None:
            parent.replace(script, fragment)
            found = True
    return found


def _blocks(page: _Page) -> list[_Block]:
    linked: set[etree._Element] = set()
    for link in page.links:
        linked.update(link.node.iterancestors())
        linked.add(link.node)
    blocks: dict[str, _Block] = {}
    tree = page.root.getroottree()
    for link in page.links:
        record = _record_of(link.node, linked)
        if record is None:
            continue
        container = record.getparent()
        assert container is not None
        parent = container.getparent()
        # Sibling containers of one tag and class are one list (a list split into several uls).
        where = tree.getpath(parent) if parent is not None else ""
        key = f"{where}/{node_css(container)}>{record.tag}"
        block = blocks.setdefault(key, _Block(key))
        if record not in block.records:
            block.records.append(record)
    order = {node: i for i, node in enumerate(page.root.iter())}
    return _fold(list(blocks.values()), order)


def _fold(blocks: list[_Block], order: dict[etree._Element, int]) -> list[_Block]:
    """A block whose container is itself one more record of another block joins it: a column
    of two links beside columns of one link is still one of the columns."""
    records = {id(r): b for b in blocks for r in b.records}
    kept = []
    for block in blocks:
        container = block.records[0].getparent()
        parent = container.getparent() if container is not None else None
        host = next(
            (b for b in blocks if b is not block and len(b.records) >= 2 >= len(block.records) - 1
             and b.records[0].getparent() is parent and b.records[0].tag == container.tag),
            None,
        ) if container is not None and id(container) not in records else None  # fmt: skip
        if host is not None and container is not None:
            host.records.append(container)
            records[id(container)] = host
            continue
        kept.append(block)
    for block in kept:
        block.records.sort(key=lambda node: order.get(node, 0))
    return kept


def _main_link(record: etree._Element, page: _Page) -> _Link | None:
    best = None
    for a in record.iter("a"):
        link = page.by_node.get(a)
        if link is None or PAGING_WORDS.match(squeeze(link.title)):
            continue
        if best is None or len(squeeze(link.title)) > len(squeeze(best.title)):
            best = link
    return best


def _score(block: _Block, page: _Page) -> None:
    mains = [(r, m) for r in block.records if (m := _main_link(r, page)) is not None]
    headlines = [(r, m) for r, m in mains if len(squeeze(m.title)) >= HEADLINE_CHARS]
    if not headlines:
        block.why_not = f"{len(block.records)} links with short texts"
        return
    shapes = Counter(url_shape(m.url) for _, m in headlines)
    shape, shape_count = shapes.most_common(1)[0]
    shape_share = shape_count / len(headlines)
    dated = sum(1 for r, _ in headlines if _date_near(r))
    date_share = dated / len(headlines)
    own = sum(1 for _, m in headlines if _site(urlsplit(m.url).hostname or "") == page.host)
    in_column = sum(
        1 for _, m in headlines if page.column and urlsplit(m.url).path.startswith(page.column)
    )
    mean_len = sum(len(squeeze(m.title)) for _, m in headlines) / len(headlines)
    score = float(len(headlines)) * len(headlines) / max(len(mains), 1)
    score *= (0.4 + 0.6 * shape_share) * (1 + date_share) * (0.5 + 0.5 * own / len(headlines))
    score *= 1 + 0.5 * in_column / len(headlines)
    score *= min(1.0, mean_len / 14)
    container = block.records[0].getparent()
    assert container is not None
    marks = [_classes(n) for n in [container, *list(container.iterancestors())[:4]]]
    notes = []
    if any(FURNITURE_RE.search(m) for m in marks):
        score *= 0.1
        notes.append("inside navigation/header/footer markup")
    heading = _heading_before(container)
    if any(SIDE_RE.search(m) for m in marks) or SIDE_HEADING_RE.search(heading):
        score *= 0.25
        notes.append(f"a side list ({heading or 'class names'})")
    block.score = score
    block.mains = [(r, m) for r, m in headlines if url_shape(m.url) == shape or shape_share < 0.5]
    block.dated = dated
    block.shape_share = shape_share
    block.facts = (
        f"{len(headlines)} headline links in {len(block.records)} records, {dated} dated, "
        f"{shape_count} shaped like {shape}, mean title {mean_len:.0f} chars"
        + (f", heading '{heading}'" if heading else "")
        + (f"; marked down: {', '.join(notes)}" if notes else "")
    )
    block.items = _items(block, headlines, shape, shape_share, page)


def _items(
    block: _Block, headlines: list[tuple[etree._Element, _Link]], shape: str, share: float,
    page: _Page,
) -> list[ListEntry]:  # fmt: skip
    items: list[ListEntry] = []
    seen: set[str] = set()
    for record, main in headlines:
        if share >= 0.5 and url_shape(main.url) != shape:
            continue
        date = _date_near(record)
        for a in record.iter("a"):
            link = page.by_node.get(a)
            if link is None or link.url in seen:
                continue
            # A record holding a run of links (a, date, br, a, date...) dates each by its own
            # text, not all by the record's first date.
            own = DATE_RE.search(a.tail or "") if record is not a else None
            # The record's main link, plus sub-headlines of the same shape (gov.cn's subtitle
            # links): each is its own article. Attachments and category links have other shapes.
            if link is main or (
                url_shape(link.url) == shape and len(squeeze(link.title)) >= HEADLINE_CHARS
            ):
                seen.add(link.url)
                when = own.group(0).strip() if own else date
                items.append(
                    ListEntry(url=link.url, title=link.title, date=when, found_by="detection")
                )
    return items


def detect_list(html: str, url: str, link_pattern: str = "") -> Detection:
    """The article list of a list page, its pager, proposed selectors and the reasons."""
    page = _Page(html, url, link_pattern)
    blocks = _blocks(page)
    for block in blocks:
        _score(block, page)
    ranked = sorted(blocks, key=lambda b: b.score, reverse=True)
    paging = find_paging(html, url, page.root, page.base)
    lines = []
    best = ranked[0] if ranked and ranked[0].score > 0 else None
    # A list of articles shares one URL shape or carries dates; a block of mixed links without
    # dates is a link farm (a site map, a footer of departments, a tag cloud).
    plausible = best is not None and (best.shape_share >= 0.5 or best.dated * 2 >= len(best.mains))
    plausible = (
        plausible
        and best is not None
        and (len(best.items) >= MIN_ITEMS or (len(best.items) == 2 and best.dated == 2))
    )
    selectors, where = (None, "")
    if best is not None and plausible:
        mains = [(r, m.node, m.has_title_attr) for r, m in best.mains]
        selectors, where = propose(best.records, mains, page.root, page.datastore)
        lines.append(f"chosen block {where}: {best.facts}; score {best.score:.1f}")
    elif best is not None:
        lines.append(
            f"no plausible list: the best block has {len(best.items)} items ({best.facts})"
        )
    else:
        lines.append(f"no repeated block of links on the page ({len(page.links)} links in all)")
    for other in ranked[1:4] if plausible else ranked[:3]:
        if other is best:
            continue
        label = other.container_key.rsplit("/", 1)[-1]
        reason = other.facts or other.why_not
        lines.append(f"passed over {label}: {reason}; score {other.score:.1f}")
    lines.append(f"next page: {paging.how}" + (f" → {paging.next_url}" if paging.next_url else ""))
    items = tuple(best.items) if best is not None and plausible else ()
    return Detection(
        items=items, paging=paging, selectors=selectors, explanation=tuple(lines), block=where,
        score=best.score if best else 0.0,
        candidates=tuple(b.container_key for b in ranked[:5]),
    )  # fmt: skip
