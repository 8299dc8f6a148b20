"""Thin Scrapy adapter: store RawItems through store.items (or collect them in a dry run)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import store.items
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Items are written in small batches: one transaction per item cost a third of the crawl's
# throughput (bench/crawl.py). A batch is written at this size, after this many seconds, and at
# close; a killed crawl loses at most one batch, which the next run fetches again (nothing was
# stored, so nothing is "known").
BATCH_ITEMS = 50
BATCH_SECONDS = 5.0


class StorePipeline:
    """Insert new items (INSERT OR IGNORE by URL key) and count new vs. already stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pending: list[tuple[str, str, RawItem]] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Scrapy's constructor hook."""
        return cls(crawler)

    def process_item(self, item: RawItem) -> RawItem:
        """Queue one item for the next batch (a dry run only collects it)."""
        spider = self.crawler.spider
        ctx = spider.ctx  # type: ignore[union-attr]
        if ctx.db is None:
            ctx.collected.append(item)
            spider.tally.new += 1  # type: ignore[union-attr]
            return item
        canonical = canonical_url(item.url)
        self.pending.append((url_key(canonical), canonical, item))
        if len(self.pending) >= BATCH_ITEMS or time.monotonic() - self.last_flush > BATCH_SECONDS:
            self.flush()
        return item

    def close_spider(self) -> None:
        """Write what is left before the spider records its run."""
        self.flush()

    def flush(self) -> None:
        """Write the pending batch in one transaction; the tally learns what was new."""
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        spider = self.crawler.spider
        new = store.items.save_raw_items(spider.ctx.db, self.pending)  # type: ignore[union-attr]
        spider.tally.new += new  # type: ignore[union-attr]
        spider.tally.duplicate += len(self.pending) - new  # type: ignore[union-attr]
        self.pending = []
