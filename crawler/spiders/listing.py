"""List-page sources: item selectors, pagination, then detail pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy

from crawler.parse import decode_body, next_page_url, parse_listing, parse_problem
from crawler.spiders.base import SourceSpider

if TYPE_CHECKING:
    from scrapy.http import Response


class ListingSpider(SourceSpider):
    """One listing source."""

    name = "listing"

    def list_request(self, url: str, page: int) -> scrapy.Request | None:
        """A list page request that reads at most `max_response_mb` and keeps what arrived
        (Scrapy would drop the whole page), instead of failing `too_large`."""
        cap = int(self.settings.getint("DOWNLOAD_MAXSIZE"))
        meta = {"page": page, "paging": page > 0, "download_maxsize": 0, "read_cap": cap}
        return self.entry_request(url, self.parse_list, meta=meta)

    def entry_requests(self) -> Iterable[scrapy.Request]:
        """The first page of every list URL."""
        for url in self.source.urls:
            if request := self.list_request(url, 0):
                yield request

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Items of one list page, then the next page while it still brings new items."""
        if not self.entry_response(response):
            return
        assert self.source.listing is not None  # config guarantees it for kind = "listing"
        if "download_stopped" in response.flags:
            self.tally.errors["truncated"] += 1
            self.logger.warning(
                "source=%s %s is larger than the cap: parsed its first %d bytes",
                self.source.id, response.url, len(response.body),
            )  # fmt: skip
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
            if page == 0:
                self._empty_first_page(response, decoded.text)
            return
        before = self.tally.duplicate
        yield from self.follow(entries)
        all_known = self.tally.duplicate - before == len(entries)
        pagination = self.source.pagination
        if pagination is None or all_known or self.detail_budget <= 0:
            return
        next_url = next_page_url(decoded.text, response.url, pagination, page)
        if next_url and next_url != response.url:
            yield from filter(None, [self.list_request(next_url, page + 1)])

    def _empty_first_page(self, response: Response, html: str) -> None:
        """Page 1 gave nothing: it was cut at the size cap (too_large), the parser gave up
        (parse_error) or the selector no longer matches, i.e. the site was redesigned
        (empty_list)."""
        assert self.source.listing is not None
        if "download_stopped" in response.flags:
            # Its list may lie beyond what the cap let through.
            message = f"{response.url}: no list in its first {len(response.body)} bytes (the cap)"
            self.entry_broken(response, "too_large", message)
            return
        if problem := parse_problem(html):
            self.entry_broken(response, "parse_error", f"{response.url}: {problem}")
            return
        self.entry_broken(
            response, "empty_list",
            f"{response.url}: list selector '{self.source.listing.item}' matched nothing",
        )  # fmt: skip
