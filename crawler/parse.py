"""Pure parsing over bytes and text: decoding, feeds, list pages and JSON APIs.

Spider callbacks only call these; tests call them directly on captured bytes.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree
from parsel import Selector, SelectorList
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from crawler.autolist_paging import trs_pager
from pipeline.dates import PublishedAt, parse_cn_date
from pipeline.models import ApiSpec, ListSelectors, Pagination

# A page is "mojibake" when this share of its characters are U+FFFD: real pages have none, a
# GBK page read as UTF-8 has thousands. A few stray bytes (a broken footer) stay tolerated.
MOJIBAKE_RATIO = 0.01
# Labels that mean a GBK-family page: decode all of them as GB18030, the superset (SOURCES.md).
_GBK_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the encoding used and whether it looks like mojibake."""

    text: str
    encoding: str
    bad: bool


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One item found on a list page, in a feed or in an API record."""

    url: str
    title: str = ""
    date: str = ""
    summary: str = ""
    text: str = ""
    html: str = ""
    source: str = ""
    # "detection" when automatic list detection found it (no selectors, or broken ones).
    found_by: str = ""


@dataclass(frozen=True, slots=True)
class FeedResult:
    """Entries of a feed plus the bozo reason when the feed was malformed."""

    entries: tuple[ListEntry, ...]
    bozo: str | None
    fatal: bool


def _gbk_fixed(label: str) -> str:
    return "gb18030" if label.lower().replace("_", "-") in _GBK_FAMILY else label


def decode_body(body: bytes, content_type: str = "", override: str = "") -> Decoded:
    """Decode HTML bytes: per-source override, else BOM, strict UTF-8, header, meta charset, then
    detection, and GB18030 for undeclared bytes that are not UTF-8."""
    if override:
        encoding = _gbk_fixed(codecs.lookup(override).name)
        return _decoded(body.decode(encoding, errors="replace"), encoding)
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return _decoded(body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding)
    # Failure class "declares gb2312/gbk but is UTF-8" (common after CMS migrations): GB18030
    # decodes any UTF-8 into readable-looking garbage, so the declaration cannot be trusted.
    # Chinese GBK text essentially never forms valid multi-byte UTF-8, so bytes that decode
    # strictly as UTF-8 and are not plain ASCII are UTF-8 whatever the page or server says.
    if not body.isascii():
        try:
            return _decoded(body.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    encoding, text = html_to_unicode(content_type or None, body)
    if content_type and _looks_bad(text):
        # Servers often send a default "charset=utf-8" for GBK pages: the page's own meta
        # charset (or detection) then wins, as in browsers' practice.
        encoding, text = html_to_unicode(None, body)
    encoding = _gbk_fixed(resolve_encoding(encoding) or encoding)
    if _looks_bad(text) and not _declared(content_type, body):
        # Failure class "GBK bytes with no charset anywhere" (2000s portals): browsers in China
        # read them as GBK. A page that declares UTF-8 but holds GBK stays mojibake: that is a
        # wrong declaration for ops to override per source, and the crawl reports it.
        alt = body.decode("gb18030", errors="replace")
        if alt.count("\ufffd") < text.count("\ufffd"):
            encoding, text = "gb18030", alt
    return _decoded(text, encoding)


def _declared(content_type: str, body: bytes) -> bool:
    """True when the server header or the page itself names a charset."""
    return bool(http_content_type_encoding(content_type) or html_body_declared_encoding(body))


def _decoded(text: str, encoding: str) -> Decoded:
    return Decoded(text, encoding, _looks_bad(text))


def _looks_bad(text: str) -> bool:
    return bool(text) and text.count("\ufffd") / len(text) > MOJIBAKE_RATIO


# Dates that Chinese CMSs write into article URLs: TRS ./202611/t20261120_123.html, Hanweb and
# Henan /2026/11-18/3100240.html, Epoint /037003/20261112/<uuid>.html, dated folders /2026-11/20/.
_URL_DATES = (
    re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/(20\d{2})/(\d{2})-(\d{2})/"),
    re.compile(r"/(20\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/(20\d{2})-(\d{2})/(\d{2})/"),
)


def parse_problem(html: str) -> str | None:
    """Why the HTML parser gave up part of a page (nesting deeper than libxml2's limit drops
    everything below it), or None. Asked only when a page yielded nothing, to tell "the parser
    could not read it" (parse_error) from "the site was redesigned" (empty_list)."""
    parser = etree.HTMLParser(huge_tree=True)
    etree.fromstring(html.encode("utf-8", errors="replace") or b"<html/>", parser=parser)
    for error in parser.error_log:
        if error.level_name == "FATAL" or "Excessive depth" in error.message:
            return f"the HTML parser stopped at line {error.line}: {error.message.strip()}"
    return None


def date_from_url(url: str, now: datetime) -> PublishedAt | None:
    """A date-only publication date read from the URL, the last resort when a page shows none."""
    for pattern in _URL_DATES:
        if match := pattern.search(url):
            return parse_cn_date("-".join(match.groups()), now)
    return None


def select_text(sel: Selector, spec: str) -> str:
    """Text a selector yields: `::text`/`::attr()`/XPath strings joined, else the element's text."""
    if not spec:
        return ""
    found = select_all(sel, spec)
    if not found:
        return ""
    first = found[0]
    if isinstance(first.root, str):
        return " ".join(s.strip() for s in found.getall() if s.strip())
    return " ".join(t.strip() for t in first.xpath("string(.)").getall()).strip()


def select_all(sel: Selector, spec: str) -> SelectorList[Selector]:
    """Every node a CSS or `xpath:` spec matches."""
    if spec.startswith("xpath:"):
        return sel.xpath(spec[len("xpath:") :])
    return sel.css(spec)


def parse_listing(
    html: str, url: str, spec: ListSelectors, link_pattern: str = ""
) -> list[ListEntry]:
    """Items of a list page; links made absolute, filtered by `link_pattern`, de-duplicated."""
    page = Selector(text=html)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for node in select_all(page, spec.item):
        link = _item_link(node, spec.link, url, link_pattern)
        if not link or link in seen:
            continue
        seen.add(link)
        title = select_text(node, spec.title) if spec.title else select_text(node, "a::attr(title)")
        title = title or select_text(node, "a")
        entries.append(ListEntry(url=link, title=title, date=select_text(node, spec.date)))
    return entries


def _item_link(node: Selector, spec: str, base: str, link_pattern: str) -> str:
    """The item's one link: the first href the spec yields that is a page (and matches the
    pattern), absolute; '' when none."""
    for value in select_all(node, spec):
        href = (
            value.get() if isinstance(value.root, str) else value.xpath("string(.)").get()
        ) or ""
        href = href.strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        link = str(urljoin(base, href))
        if not link_pattern or re.search(link_pattern, link):
            return link
    return ""


def page_count(html: str) -> int | None:
    """The number of list pages a page states (TRS createPageHTML), or None: asking for one
    more page would only earn a 404."""
    trs = trs_pager(html)
    return trs[0] if trs else None


def next_page_url(html: str, url: str, spec: Pagination, page_index: int) -> str | None:
    """The URL of list page `page_index + 1` (0-based index of the current page), or None."""
    if page_index + 1 >= spec.max_pages:
        return None
    total = page_count(html)
    if total is not None and page_index + 1 >= total:
        return None  # the last page: asking for one more would only earn a 404
    if spec.next:
        href = select_text(Selector(text=html), spec.next)
        return urljoin(url, href.strip()) if href.strip() else None
    return urljoin(url, spec.pattern.replace("{n}", str(spec.start + page_index)))


# feedparser's bozo warnings about headers and charsets, not about the XML itself.
_SOFT_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> FeedResult:
    """Entries of an RSS/Atom feed; never raises on bad input (feedparser's bozo design)."""
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-location": url, **(headers or {})}
    )
    entries = []
    for entry in parsed.get("entries", []):
        link = entry.get("link") or entry.get("id") or ""
        if not isinstance(link, str) or not link.startswith(("http://", "https://", "/")):
            continue
        content = entry.get("content") or []
        html = content[0].get("value", "") if content else ""
        entries.append(
            ListEntry(
                url=urljoin(url, link),
                title=str(entry.get("title", "")),
                date=str(entry.get("published") or entry.get("updated") or ""),
                summary=str(entry.get("summary", "")),
                html=str(html),
                source=str((entry.get("source") or {}).get("title", "") or entry.get("author", "")),
            )
        )
    bozo = None
    if parsed.get("bozo"):
        bozo = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
    # No entries and no recognised feed version: the bytes were not a feed at all (often an
    # HTML error page served with 200). No entries from a malformed feed (bozo) is a parse error
    # too: its items may be in the part the parser gave up on. Only a well-formed feed with no
    # entries is really an empty list.
    broken = parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _SOFT_BOZO)
    fatal = not entries and (not parsed.get("version") or bool(broken))
    if fatal and not bozo:
        bozo = "no RSS or Atom root element"
    return FeedResult(tuple(entries), bozo, fatal)


def dotted(data: Any, path: str) -> Any:
    """Follow a dotted path (`data.records`, `list.0.title`) through dicts and lists."""
    for part in path.split(".") if path else []:
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def load_json(body: bytes) -> Any:
    """JSON from bytes; invalid UTF-8 bytes become U+FFFD so that one bad byte in one record
    does not lose the whole page (see `invalid_utf8` for recording it)."""
    return json.loads(body.decode("utf-8-sig", errors="replace"))


def invalid_utf8(body: bytes) -> str | None:
    """Where the body stops being valid UTF-8, or None when it is clean."""
    try:
        body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 byte {body[exc.start : exc.start + 1]!r} at offset {exc.start}"
    return None


def parse_api_html(
    body: bytes, url: str, spec: ApiSpec, listing: ListSelectors, link_pattern: str = ""
) -> list[ListEntry]:
    """Items of an HTML fragment carried inside a JSON response (MIIT's JS-loaded lists)."""
    html = dotted(load_json(body), spec.html)
    if not isinstance(html, str):
        raise ValueError(f"path '{spec.html}' does not lead to an HTML string")
    return parse_listing(html, url, listing, link_pattern)


def parse_api(body: bytes, url: str, spec: ApiSpec) -> list[ListEntry]:
    """Records of a JSON list API as entries; ValueError when the body is not the expected JSON."""
    records = dotted(load_json(body), spec.records)
    if not isinstance(records, list):
        raise ValueError(f"path '{spec.records}' does not lead to a list of records")
    entries = []
    for record in records:
        if not isinstance(record, dict):
            continue
        link = str(dotted(record, spec.url) or "")
        if spec.detail_url:
            link = spec.detail_url.format_map(_Missing(record))
        if not link:
            continue
        entries.append(
            ListEntry(
                url=urljoin(url, link),
                title=str(dotted(record, spec.title) or ""),
                date=str(dotted(record, spec.date) or "") if spec.date else "",
                summary=str(dotted(record, spec.summary) or "") if spec.summary else "",
                html=str(dotted(record, spec.text) or "") if spec.text else "",
                source=str(dotted(record, spec.source) or "") if spec.source else "",
            )
        )
    return entries


class _Missing(dict[str, Any]):
    """format_map helper: unknown template keys become empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""
