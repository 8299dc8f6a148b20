"""RSS/Atom sources: feedparser reads the bytes Scrapy fetched (never a URL)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy

from crawler.parse import parse_feed
from crawler.spiders.base import SourceSpider

if TYPE_CHECKING:
    from scrapy.http import Response


class FeedSpider(SourceSpider):
    """One feed source: entries with full content become items, the rest are followed."""

    name = "feed"

    def entry_requests(self) -> Iterable[scrapy.Request]:
        """One request per feed URL."""
        for url in self.source.urls:
            if request := self.entry_request(url, self.parse_feed):
                yield request

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Parse a feed; a malformed one is recorded as parse_error but its entries still count."""
        if not self.entry_response(response):
            return
        headers = {k.decode().lower(): v[0].decode("latin-1") for k, v in response.headers.items()}
        try:
            result = parse_feed(response.body, response.url, headers)
        except Exception as exc:  # feedparser promises not to raise; if it does, it is bad input
            self.entry_broken(response, "parse_error", f"{response.url}: {exc!r}")
            return
        if result.fatal:
            self.entry_broken(
                response, "parse_error", f"{response.url}: not a feed ({result.bozo})"
            )
            return
        if result.bozo:
            self.tally.errors["feed_bozo"] += 1
            self.logger.info(
                "source=%s bozo feed %s: %s", self.source.id, response.url, result.bozo
            )
        if not result.entries:
            self.entry_broken(response, "empty_list", f"{response.url}: the feed has no entries")
            return
        yield from self.follow(list(result.entries), fetch=self.source.fulltext)
