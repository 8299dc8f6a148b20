"""One generic spider per source kind, driven entirely by config."""

from __future__ import annotations

from crawler.spiders.api import ApiSpider
from crawler.spiders.base import SourceSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.listing import ListingSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "listing": ListingSpider,
    "json": ApiSpider,
}
