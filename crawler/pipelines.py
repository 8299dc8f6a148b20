"""Thin Scrapy adapter: store each RawItem through pipeline.store (or collect it in a dry run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline import store
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StorePipeline:
    """Insert new items (INSERT OR IGNORE by URL key) and count new vs. already stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Scrapy's constructor hook."""
        return cls(crawler)

    def process_item(self, item: RawItem) -> RawItem:
        """Save one item; the spider's tally learns whether it was new."""
        spider = self.crawler.spider
        ctx = spider.ctx  # type: ignore[union-attr]
        if ctx.db is None:
            ctx.collected.append(item)
            spider.tally.new += 1  # type: ignore[union-attr]
            return item
        canonical = canonical_url(item.url)
        new = store.save_raw_items(ctx.db, [(url_key(canonical), canonical, item)])
        spider.tally.new += new  # type: ignore[union-attr]
        spider.tally.duplicate += 1 - new  # type: ignore[union-attr]
        return item
