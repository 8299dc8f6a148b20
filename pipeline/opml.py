"""OPML 2.0 to and from feed sources: pure conversions behind `newsdesk sources export/import`.

Feed readers exchange subscription lists as OPML: one `<outline type="rss" xmlUrl=...>` per feed,
optionally nested in category outlines. Export writes every `feed` source (RSSHub routes resolved
against the configured instance); import turns a reader's list into new `[[source]]` tables.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipeline.models import AUTHORITIES, Source

# Category outlines carry the authority level, in Chinese for editors' feed readers.
AUTHORITY_LABELS = {
    "national": "中央部委",
    "provincial": "河南省",
    "municipal": "许昌市",
    "association": "行业协会",
    "media": "行业媒体",
}
# Host labels that say nothing about the publisher (www.ccin.com.cn → ccin).
_GENERIC_LABELS = {"www", "rss", "feed", "feeds", "news", "com", "cn", "net", "org", "gov", "edu"}
_GENERIC_LABELS |= {"info", "io", "app", "ac", "co"}
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed outline: its title, feed URL, site URL and the category it was filed under."""

    title: str
    xml_url: str
    html_url: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """New source tables as TOML text, what they hold, and the feeds left out with the reason."""

    toml: str
    added: tuple[tuple[str, str, str], ...] = ()  # (id, name, url or RSSHub route)
    skipped: tuple[tuple[str, str, str], ...] = field(default=())  # (title, url, reason)


def feeds_of(sources: Iterable[Source]) -> list[OpmlFeed]:
    """One OpmlFeed per URL of every feed source (load_config has resolved RSSHub routes)."""
    feeds = []
    for source in sources:
        if source.kind != "feed":
            continue
        for url in source.urls:
            title = source.name if len(source.urls) == 1 else f"{source.name} ({_host(url)})"
            parts = urlsplit(url)
            # An RSSHub URL's host is the instance, not the publisher's site.
            via_rsshub = bool(source.rsshub) and url.endswith(source.rsshub)
            site = "" if via_rsshub else f"{parts.scheme}://{parts.netloc}/"
            category = AUTHORITY_LABELS.get(source.authority, source.authority)
            feeds.append(OpmlFeed(title, url, site, category))
    return feeds


def export_opml(feeds: Sequence[OpmlFeed], title: str, created: str = "") -> str:
    """OPML 2.0 text with the feeds filed under their categories (in first-seen order)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    if created:
        ET.SubElement(head, "dateCreated").text = created
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.category:
            if feed.category not in folders:
                folders[feed.category] = ET.SubElement(
                    body, "outline", text=feed.category, title=feed.category
                )
            parent = folders[feed.category]
        attrs = {"type": "rss", "text": feed.title, "title": feed.title, "xmlUrl": feed.xml_url}
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def parse_opml(data: str | bytes) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, at any depth; ValueError when the text is not OPML."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not valid XML ({exc})") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ValueError("not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []

    def walk(node: ET.Element, category: str) -> None:
        for outline in node.findall("outline"):
            name = (outline.get("title") or outline.get("text") or "").strip()
            url = (outline.get("xmlUrl") or "").strip()
            if url:
                html = (outline.get("htmlUrl") or "").strip()
                feeds.append(OpmlFeed(name or _host(url), url, html, category))
            walk(outline, category if url else name or category)

    walk(body, "")
    return feeds


def import_feeds(
    feeds: Sequence[OpmlFeed], existing: Sequence[Source], instance: str, origin: str = ""
) -> ImportResult:
    """New feed sources for the feeds not configured yet; never reuses an existing id."""
    taken = {s.id for s in existing}
    known = {url.rstrip("/") for s in existing for url in s.urls}
    prefix = instance.rstrip("/") + "/"
    tables: list[str] = []
    added: list[tuple[str, str, str]] = []
    skipped: list[tuple[str, str, str]] = []
    for feed in feeds:
        url = feed.xml_url
        if not re.match(r"^https?://[^\s/]+", url):
            skipped.append((feed.title, url, "not an http(s) URL"))
            continue
        if url.rstrip("/") in known:
            skipped.append((feed.title, url, "already configured"))
            continue
        known.add(url.rstrip("/"))
        route = "/" + url[len(prefix) :] if url.startswith(prefix) else ""
        source_id = unique_id(slug_for(feed, route), taken)
        taken.add(source_id)
        name = feed.title or _host(url)
        tables.append(_table(source_id, name, url, route, _authority(feed.category), origin))
        added.append((source_id, name, route or url))
    return ImportResult("\n".join(tables), tuple(added), tuple(skipped))


def slug_for(feed: OpmlFeed, route: str = "") -> str:
    """An id stem: the ASCII words of the title, else the RSSHub route, else the host's name."""
    words = _SLUG_CHARS.sub("-", feed.title.lower()).strip("-")
    if len(words.replace("-", "")) >= 3:
        return words[:40].strip("-")
    if route:
        return "rsshub-" + _SLUG_CHARS.sub("-", route.lower()).strip("-")[:40].strip("-")
    labels = [p for p in _host(feed.xml_url).split(".") if p and p not in _GENERIC_LABELS]
    return _SLUG_CHARS.sub("-", "-".join(labels).lower()).strip("-") or "feed"


def unique_id(stem: str, taken: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`, … whichever is not taken yet."""
    stem = stem if re.match(r"^[a-z0-9]", stem) else f"feed-{stem}".rstrip("-")
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _authority(category: str) -> str:
    for key, label in AUTHORITY_LABELS.items():
        if category in (key, label):
            return key
    return "media" if category not in AUTHORITIES else category


def _table(source_id: str, name: str, url: str, route: str, authority: str, origin: str) -> str:
    # json.dumps writes a valid TOML basic string (quotes, backslashes, control characters).
    lines = ["[[source]]", f"id = {_q(source_id)}", f"name = {_q(name)}", 'kind = "feed"']
    lines.append(f"rsshub = {_q(route)}" if route else f"urls = [{_q(url)}]")
    lines.append(f"authority = {_q(authority)}")
    note = f"Imported from {origin}. " if origin else "Imported from OPML. "
    lines.append(f"notes = {_q(note + 'Review authority, sector_hint and schedule.')}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
