"""Turning untrusted crawled text into safe markup: sanitizing, highlighting, links, dates."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import nh3
from jinja2 import UndefinedError
from markupsafe import Markup, escape

# Crawled pages come from sites we do not control: keep text structure, drop everything active.
# Images are dropped too, because loading them would reach out to third-party hosts.
ALLOWED_TAGS = {
    "p", "br", "div", "span", "strong", "b", "em", "i", "u", "sub", "sup", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "td",
    "th", "a", "pre", "code", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
_SAFE_SCHEMES = ("http://", "https://")
# The classifier matches keywords with quotation marks removed (一缕“假”发 holds 假发), so a
# highlighted term may have them between its characters.
_QUOTES = "[\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\uff02\uff07\"']*"


def _terms_pattern(terms: list[str]) -> re.Pattern[str]:
    """One regex for `terms` (in order), each allowing quotation marks between its characters."""
    return re.compile("|".join(_QUOTES.join(map(re.escape, t)) for t in terms), re.IGNORECASE)


def sanitize_html(html: str) -> Markup:
    """Crawled HTML reduced to inert structure (no scripts, handlers, styles or foreign URLs)."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # nh3 output is inert by construction


def safe_url(url: str | None) -> str | None:
    """The URL when it is plain http(s), else None (no javascript:, data:, file:)."""
    url = (url or "").strip()
    return url if url.lower().startswith(_SAFE_SCHEMES) and not re.search(r"\s", url) else None


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """`text` escaped, with every occurrence of `terms` wrapped in <mark> (longest term wins)."""
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    if not wanted or not text:
        return escape(text)
    pattern = _terms_pattern(wanted)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # every piece above is escaped


def highlight_once(texts: Iterable[str], terms: Iterable[str]) -> list[Markup]:
    """Each text escaped, with every term marked only where it first occurs across all texts.

    One mark per keyword is enough to see why an item is here; marking every repeat (title,
    summary and a list of hits) made rows noisy and long.
    """
    remaining = {t for t in terms if t}
    out: list[Markup] = []
    for text in texts:
        wanted = sorted(remaining, key=len, reverse=True)
        if not wanted or not text:
            out.append(escape(text))
            continue
        pattern = _terms_pattern(wanted)
        pieces: list[str] = []
        last = 0
        for match in pattern.finditer(text):
            bare = re.sub(_QUOTES, "", match.group(0)).lower()
            found = next((t for t in wanted if t.lower() == bare), "")
            pieces.append(str(escape(text[last : match.start()])))
            if found in remaining:
                remaining.discard(found)
                pieces.append(f"<mark>{escape(match.group(0))}</mark>")
            else:
                pieces.append(str(escape(match.group(0))))
            last = match.end()
        pieces.append(str(escape(text[last:])))
        out.append(Markup("".join(pieces)))  # every piece above is escaped
    return out


def number(value: Any, digits: int = 1) -> str:
    """A score for people: 45.466 → 45.5, 3.0 → 3 ('' for no value)."""
    try:
        rounded = round(float(value), digits)
    except (TypeError, ValueError, ArithmeticError, UndefinedError):
        return ""
    return f"{rounded:g}" if abs(rounded) < 1e6 else f"{rounded:.0f}"


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of a stored text, one per paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def explanation_of(item: dict[str, Any]) -> dict[str, Any]:
    """An item's stored classification explanation as a dict ({} when absent or broken)."""
    try:
        value = json.loads(item.get("explanation") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def matched_terms(item: dict[str, Any]) -> list[str]:
    """The keywords that put the item into its current sector (for highlighting)."""
    explanation = explanation_of(item)
    sector = item.get("sector") or explanation.get("sector")
    hits = [h for h in explanation.get("hits") or [] if isinstance(h, dict) and h.get("term")]
    own = {h["term"] for h in hits if h.get("sector") == sector}
    # An off_topic item has no hits of its own: show what nearly classified it.
    return sorted(own or {h["term"] for h in hits})


def cn_date(value: str | None) -> str:
    """'2022-06-25…' as 2022年6月25日 ('' when there is no date)."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year}年{month}月{day}日"


def short_date(value: str | None) -> str:
    """'2026-11-15T09:12:00+08:00' as 2026-11-15."""
    return (value or "")[:10]


def local_time(value: str | None) -> str:
    """A stored UTC timestamp as Beijing time, YYYY-MM-DD HH:MM (unparsable text as is)."""
    from datetime import datetime, timedelta, timezone

    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
