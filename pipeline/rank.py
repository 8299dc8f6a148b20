"""Order items inside a sector for editors (pure): relevance, authority, reprints, place, age."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from pipeline.dates import PublishedAt

# National policy outranks provincial, then the city's own bureaus, then associations and media.
AUTHORITY_POINTS: dict[str, float] = {
    "national": 4.0,
    "provincial": 3.0,
    "municipal": 2.5,
    "association": 1.5,
    "media": 1.0,
}
# The newsletter serves Xuchang: its name or a county's in the title is the strongest local signal.
XUCHANG_PLACES: tuple[str, ...] = (
    "许昌", "魏都区", "建安区", "长葛", "禹州", "鄢陵", "襄城", "东城区", "许昌经开区",
)  # fmt: skip
HENAN_PLACES: tuple[str, ...] = ("河南", "豫", "郑州", "中原")
# An item loses half its recency bonus every week.
RECENCY_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class RankInput:
    """What ranking reads of an item."""

    score: float
    authority: str
    reprints: int
    title: str
    text: str
    published_at: str


def locality_points(title: str, text: str) -> float:
    """Points for mentions of Xuchang (and its counties) and of Henan."""
    head = text[:1500]
    if any(p in title for p in XUCHANG_PLACES):
        return 3.0
    if any(p in head for p in XUCHANG_PLACES):
        return 1.5
    if any(p in title for p in HENAN_PLACES):
        return 1.5
    return 0.5 if any(p in head for p in HENAN_PLACES) else 0.0


def recency_points(published_at: str, now: datetime) -> float:
    """Up to 3 points, halving each week of age; unknown dates get none."""
    if not published_at:
        return 0.0
    try:
        moment = PublishedAt.from_iso(published_at).as_datetime()
    except ValueError:
        return 0.0
    age_days = max((now - moment).total_seconds() / 86400, 0.0)
    return float(3.0 * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS))


def reprint_points(reprints: int) -> float:
    """Widely reprinted news matters more, with diminishing returns."""
    return round(1.5 * math.log2(1 + max(reprints, 0)), 4)


def rank_item(item: RankInput, now: datetime) -> float:
    """A sortable rank: higher first in the editors' queue."""
    relevance = 10.0 * min(item.score / 20.0, 1.0)
    return round(
        relevance
        + AUTHORITY_POINTS.get(item.authority, 1.0)
        + reprint_points(item.reprints)
        + locality_points(item.title, item.text)
        + recency_points(item.published_at, now),
        4,
    )
