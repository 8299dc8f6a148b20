"""List-page sources: item selectors, pagination, then detail pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy

from crawler.parse import decode_body, next_page_url, parse_listing
from crawler.spiders.base import SourceSpider

if TYPE_CHECKING:
    from scrapy.http import Response


class ListingSpider(SourceSpider):
    """One listing source."""

    name = "listing"

    def entry_requests(self) -> Iterable[scrapy.Request]:
        """The first page of every list URL."""
        for url in self.source.urls:
            if request := self.entry_request(url, self.parse_list, meta={"page": 0}):
                yield request

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Items of one list page, then the next page while it still brings new items."""
        if not self.entry_response(response):
            return
        assert self.source.listing is not None  # config guarantees it for kind = "listing"
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        decoded = decode_body(response.body, content_type, self.source.encoding)
        if decoded.bad:
            self.entry_broken(
                response,
                "bad_encoding",
                f"{response.url} decodes to mojibake as {decoded.encoding}",
            )
            return
        entries = parse_listing(
            decoded.text, response.url, self.source.listing, self.source.link_pattern
        )
        page = int(response.meta.get("page", 0))
        if not entries:
            # Page 1 empty means the selector no longer matches: the site was redesigned.
            if page == 0:
                self.entry_broken(
                    response, "empty_list",
                    f"{response.url}: list selector '{self.source.listing.item}' matched nothing",
                )  # fmt: skip
            return
        before = self.tally.duplicate
        yield from self.follow(entries)
        all_known = self.tally.duplicate - before == len(entries)
        pagination = self.source.pagination
        if pagination is None or all_known or self.detail_budget <= 0:
            return
        next_url = next_page_url(decoded.text, response.url, pagination, page)
        if next_url and next_url != response.url:
            yield from filter(
                None, [self.entry_request(next_url, self.parse_list, meta={"page": page + 1})]
            )
