"""One crawl: every selected source as a spider in one Scrapy process (the reactor runs once)."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

import store.db
import store.runs
from crawler.context import CrawlContext
from crawler.hostmap import ENV_VAR, parse_host_map
from crawler.settings import scrapy_settings
from crawler.spiders import SPIDERS
from pipeline.config import Config
from pipeline.models import Source

# The machine's name on every run this process records (crash recovery checks only its own).
HOST = socket.gethostname()


def select_sources(config: Config, ids: list[str]) -> list[Source]:
    """The sources to crawl: the named ones (even if disabled), else every enabled one."""
    if ids:
        return [config.source(i) for i in ids]
    return [s for s in config.sources if s.enabled]


def run_crawl(
    config: Config,
    db_path: str | None,
    source_ids: list[str],
    run_id: int | None = None,
    polite: bool = True,
    report: Path | None = None,
    max_items: int = 0,
) -> int:
    """Crawl the selected sources once; return the run id (0 in a dry run when db_path is None)."""
    host_map = parse_host_map(os.environ.get(ENV_VAR, ""))
    sources = select_sources(config, source_ids)
    if max_items:
        sources = [dataclasses.replace(s, max_items=max_items) for s in sources]
    if not polite:
        sources = [dataclasses.replace(s, delay=None) for s in sources]
    db = store.db.open_db(db_path) if db_path else None
    own_run = db is not None and run_id is None
    if db is not None and run_id is None:
        ids = [s.id for s in sources]
        run_id = store.runs.start_run(db, "crawl", store.db.utc_now(), os.getpid(), HOST)
        store.runs.mark_run_owner(db, run_id, os.getpid(), ids, HOST)
    snapshots = Path(db_path).parent / "snapshots" if db_path else Path("data/snapshots")
    ctx = CrawlContext(
        db=db, run_id=run_id or 0, now=datetime.now(UTC), snapshot_dir=snapshots,
        attachment_dir=Path(db_path).parent / "attachments" if db_path else None,
        attachment_max_bytes=config.settings.crawl.attachment_max_bytes,
    )  # fmt: skip
    process = CrawlerProcess(scrapy_settings(config.settings.crawl, host_map, polite))
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(SPIDERS[source.kind])
        crawlers.append(crawler)
        process.crawl(crawler, source=source, ctx=ctx)
    process.start()
    if report is not None:
        report.write_text(json.dumps(_report(crawlers, ctx), ensure_ascii=False), encoding="utf-8")
    if db is not None and own_run and run_id is not None:
        failed = any(c.spider and c.spider.tally.outcome()[0] for c in crawlers)
        store.runs.finish_run(db, run_id, "failed" if failed else "ok", store.db.utc_now())
    return run_id or 0


def _report(crawlers: list[Any], ctx: CrawlContext) -> dict[str, Any]:
    """What a dry run found: items and each source's counters."""
    tallies = {}
    for crawler in crawlers:
        spider = crawler.spider
        if spider is None:
            continue
        kind, message = spider.tally.outcome()
        tallies[spider.source.id] = {
            "requests": spider.tally.requests, "pages": spider.tally.pages,
            "items_seen": spider.tally.items_seen, "new": spider.tally.new,
            "failed": spider.tally.failed, "errors": dict(spider.tally.errors),
            "error_kind": kind, "error": message,
            "notes": spider.tally.notes, "flag": spider.tally.flag,
        }  # fmt: skip
    return {"items": [asdict(i) for i in ctx.collected], "sources": tallies}
