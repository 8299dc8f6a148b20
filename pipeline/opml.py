"""OPML 2.0 to and from feed sources: pure conversions behind `newsdesk sources export/import`.

Feed readers exchange subscription lists as OPML: one `<outline type="rss" xmlUrl=...>` per feed,
optionally nested in category outlines. Export writes every `feed` source (RSSHub routes resolved
against the configured instance, disabled ones marked `newsdeskEnabled="false"`); import turns a
reader's list into new `[[source]]` tables written `enabled = false` until ops review them.
Each outline that cannot become a source (address with a space, title with a control character) is
skipped with a reason; only a file that is not OPML at all is refused.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
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
# An http(s) address without whitespace (what config's `urls` accepts).
_URL = re.compile(r"^https?://[^\s/]+[^\s]*$")
# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Control characters in a title (C0 but whitespace, DEL, C1, and U+FFFD for what XML forbade):
# a sign of a broken export, never part of a name.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# Encodings whose Chinese files are better read by their superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030"}
# The attribute export writes on disabled feeds (OPML lets outlines carry any attribute).
DISABLED_ATTR = "newsdeskEnabled"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed outline: its title, feed URL, site URL and the category it was filed under."""

    title: str
    xml_url: str
    html_url: str = ""
    category: str = ""
    enabled: bool = True


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
            feeds.append(OpmlFeed(title, url, site, category, source.enabled))
    return feeds


def export_opml(feeds: Sequence[OpmlFeed], title: str, created: str = "") -> str:
    """OPML 2.0 text with the feeds filed under their categories (in first-seen order)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_text(title)
    if created:
        ET.SubElement(head, "dateCreated").text = created
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.category:
            if feed.category not in folders:
                label = xml_text(feed.category)
                folders[feed.category] = ET.SubElement(body, "outline", text=label, title=label)
            parent = folders[feed.category]
        name = xml_text(feed.title)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": xml_text(feed.xml_url)}
        if feed.html_url:
            attrs["htmlUrl"] = xml_text(feed.html_url)
        if not feed.enabled:
            # Readers keep unknown attributes; newsdesk's import reads it back.
            attrs[DISABLED_ATTR] = "false"
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def parse_opml(data: str | bytes) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, at any depth; ValueError when the text is not OPML."""
    text = decode_xml(data) if isinstance(data, bytes) else data
    # Strip the declaration (its encoding is honoured above) and characters XML forbids:
    # a title carrying one is then skipped by import_feeds instead of refusing the whole file.
    text = _XML_INVALID.sub("\ufffd", re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"not valid XML ({exc})") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ValueError("not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []
    # An explicit stack of child iterators, not recursion: readers' exports can nest thousands
    # of folders deep. Feeds come out in document order, as a recursive walk would give them.
    stack: list[tuple[Iterator[ET.Element], str]] = [(iter(body.findall("outline")), "")]
    while stack:
        children, category = stack[-1]
        outline = next(children, None)
        if outline is None:
            stack.pop()
            continue
        name = outline.get("title") or outline.get("text") or ""
        name = re.sub(r"[\t\n\r ]+", " ", name).strip(" ")  # str.strip() would eat NEL
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            html = (outline.get("htmlUrl") or "").strip()
            enabled = outline.get(DISABLED_ATTR, "true").strip().lower() != "false"
            feeds.append(OpmlFeed(name or _host(url), url, html, category, enabled))
        stack.append((iter(outline.findall("outline")), category if url else name or category))
    return feeds


def decode_xml(data: bytes) -> str:
    """XML bytes as text, in the encoding the declaration names (UTF-8 when it names none)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = _DECLARED.match(data.lstrip())
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        codec = codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError as exc:
        raise ValueError(f"the XML declaration names an unknown encoding '{name}'") from exc
    return data.decode(codec, errors="replace")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (they make the whole file invalid)."""
    return _XML_INVALID.sub("", text)


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
        problem = _problem(feed)
        if problem:
            skipped.append((feed.title, url, problem))
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


def _problem(feed: OpmlFeed) -> str:
    """Why this outline cannot become a source, or ""."""
    url = feed.xml_url
    if not re.match(r"^https?://[^\s/]+", url):
        return "not an http(s) URL"
    if re.search(r"\s", url):
        return "the address contains a space or other whitespace"
    if not _URL.match(url) or _CONTROL.search(url):
        return "the address contains a control character"
    bad = _CONTROL.search(feed.title)
    if bad:
        return f"the title contains a control character (U+{ord(bad.group()):04X})"
    return ""


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
    # Written disabled: an imported feed is crawled only after ops reviewed and enabled it.
    lines = ["[[source]]", f"id = {toml_string(source_id)}", f"name = {toml_string(name)}"]
    lines.append('kind = "feed"')
    lines.append(f"rsshub = {toml_string(route)}" if route else f"urls = [{toml_string(url)}]")
    lines.append(f"authority = {toml_string(authority)}")
    lines.append("enabled = false")
    note = f"Imported from {origin}. " if origin else "Imported from OPML. "
    note += (
        "Review authority (guessed from the reader's folder), sector_hint and schedule, "
        "then set enabled = true and run `newsdesk sources check`."
    )
    lines.append(f"notes = {toml_string(note)}")
    return "\n".join(lines) + "\n"


# TOML basic-string escapes (toml.io v1.0.0 "String"). JSON's differ: json.dumps leaves DEL raw,
# which TOML forbids, so a title with one used to make the whole import fail.
_TOML_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_TOML_SHORT |= {"\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for char in text:
        if char in _TOML_SHORT:
            out.append(_TOML_SHORT[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
