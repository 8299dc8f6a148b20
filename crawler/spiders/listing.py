"""List-page sources: item selectors (or automatic detection), pagination, then detail pages.

A source without `[source.list]` is read by automatic detection (crawler/autolist.py). A source
whose selectors find nothing on a page that answered 200 falls back to detection too: its items
are still collected, and the run is flagged so ops get one "selectors broke" alert with the
selectors detection proposes (self-healing after a redesign).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy

from crawler.autolist import Detection, detect_list
from crawler.parse import ListEntry, decode_body, next_page_url, parse_listing, parse_problem
from crawler.spiders.base import SourceSpider
from store.runs import usual_list_size

if TYPE_CHECKING:
    from scrapy.http import Response


# Selectors that find fewer than this share of the usual items per list page let detection check
# the page (a partial redesign: the new items no longer carry the old class).
FEWER_THAN_USUAL = 1 / 3
# List pages a source without [source.pagination] follows through the pager detection found.
DETECTED_MAX_PAGES = 3


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
        page = int(response.meta.get("page", 0))
        entries, detection = self._entries(decoded.text, response.url, page)
        if not entries:
            if page == 0:
                self._empty_first_page(response, decoded.text, detection)
            return
        before = self.tally.duplicate
        yield from self.follow(entries)
        all_known = self.tally.duplicate - before == len(entries)
        if all_known or self.detail_budget <= 0:
            return
        next_url = self._next_url(decoded.text, response.url, page, detection)
        if next_url and next_url != response.url:
            yield from filter(None, [self.list_request(next_url, page + 1)])

    def _entries(self, html: str, url: str, page: int) -> tuple[list[ListEntry], Detection | None]:
        """The page's items from the selectors, else from automatic detection."""
        listing, pattern = self.source.listing, self.source.link_pattern
        if listing is not None and (entries := parse_listing(html, url, listing, pattern)):
            if page == 0 and self.ctx.dry_run:
                self._explain(url, f"list selectors found {len(entries)} items", html)
            if page == 0 and (healed := self._fewer_than_usual(html, url, entries)):
                return healed
            return entries, None
        detection = detect_list(html, url, pattern)
        if page == 0:
            self.tally.notes.append(
                f"{url}: no list selectors matched, automatic detection:"
                if listing is not None
                else f"{url}: automatic detection:"
            )
            self.tally.notes.extend(f"  {line}" for line in detection.explanation)
            if detection.selectors is not None:
                self.tally.notes.append(f"  proposed [source.list]: {detection.selectors}")
        if not detection.plausible:
            return [], detection
        self.tally.errors["found_by_detection"] += len(detection.items)
        if listing is not None and page == 0:
            self._flag_selectors(url, detection)
        self.logger.info(
            "source=%s %s: automatic detection: %s", self.source.id, url, detection.explanation[0]
        )
        return list(detection.items), detection

    def _fewer_than_usual(
        self, html: str, url: str, entries: list[ListEntry]
    ) -> tuple[list[ListEntry], Detection] | None:
        """Selectors that now catch only a few of the usual items (part of the list was
        redesigned): detection's list when it finds far more, flagged like a broken selector."""
        usual = None if self.ctx.db is None else usual_list_size(self.ctx.db, self.source.id)
        if usual is None or len(entries) >= usual * FEWER_THAN_USUAL:
            return None
        detection = detect_list(html, url, self.source.link_pattern)
        if not detection.plausible or len(detection.items) < 2 * len(entries):
            return None
        self._flag_selectors(url, detection, f"matched only {len(entries)} items (usually "
                                              f"{usual:.0f})")  # fmt: skip
        self.tally.errors["found_by_detection"] += len(detection.items)
        found = {e.url for e in detection.items}
        return [*detection.items, *(e for e in entries if e.url not in found)], detection

    def _explain(self, url: str, found: str, html: str) -> None:
        """Dry runs only: what detection would choose, beside what the selectors found."""
        detection = detect_list(html, url, self.source.link_pattern)
        self.tally.notes.append(f"{url}: {found}; automatic detection would find "
                                f"{len(detection.items)}:")  # fmt: skip
        self.tally.notes.extend(f"  {line}" for line in detection.explanation)

    def _flag_selectors(
        self, url: str, detection: Detection, what: str = "matched nothing"
    ) -> None:
        """Selectors that found nothing where detection found a list: one alert for ops."""
        assert self.source.listing is not None
        proposed = "none (the list is only readable by detection)"
        if detection.selectors is not None:
            sel = detection.selectors
            proposed = f"item = '{sel.item}', link = '{sel.link}'" + (
                f", date = '{sel.date}'" if sel.date else ""
            )
        self.tally.flag = (
            f"selectors of {self.source.id} broke on {self.started_at[:10]}: list.item "
            f"'{self.source.listing.item}' {what} on {url}; automatic detection found "
            f"{len(detection.items)} items; proposed selectors: {proposed}"
        )

    def _next_url(self, html: str, url: str, page: int, detection: Detection | None) -> str | None:
        """The configured pager, else (detection mode) the pager detection found."""
        if self.source.pagination is not None:
            return next_page_url(html, url, self.source.pagination, page)
        if detection is None or page + 1 >= DETECTED_MAX_PAGES:
            return None
        paging = detection.paging
        if paging.pages is not None and page + 1 >= paging.pages:
            return None
        return paging.next_url or None

    def _empty_first_page(self, response: Response, html: str, detection: Detection | None) -> None:
        """Page 1 gave nothing: it was cut at the size cap (too_large), the parser gave up
        (parse_error) or the selector no longer matches, i.e. the site was redesigned
        (empty_list)."""
        if "download_stopped" in response.flags:
            # Its list may lie beyond what the cap let through.
            message = f"{response.url}: no list in its first {len(response.body)} bytes (the cap)"
            self.entry_broken(response, "too_large", message)
            return
        if problem := parse_problem(html):
            self.entry_broken(response, "parse_error", f"{response.url}: {problem}")
            return
        found = detection.explanation[0] if detection else "no detection ran"
        if self.source.listing is not None:
            message = f"list selector '{self.source.listing.item}' matched nothing and {found}"
        else:
            message = f"automatic detection: {found}"
        self.entry_broken(response, "empty_list", f"{response.url}: {message}")
