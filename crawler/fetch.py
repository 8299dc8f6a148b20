"""`python -m crawler.fetch URL OUT`: fetch one page through Scrapy (robots, proxies, host map)
and write its body and headers, for `newsdesk extract URL`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess

from crawler.hostmap import ENV_VAR, parse_host_map
from crawler.settings import scrapy_settings
from ops.config_files import load_config


class OnePageSpider(scrapy.Spider):
    """Downloads one URL and saves what came back."""

    name = "fetch"

    def __init__(self, url: str, out: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url, self.out = url, Path(out)

    async def start(self):  # type: ignore[no-untyped-def]
        """The one request."""
        yield scrapy.Request(self.url, callback=self.save, errback=self.failed, dont_filter=True)

    def save(self, response: scrapy.http.Response) -> None:
        """Write body and metadata next to each other."""
        self.out.write_bytes(response.body)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        meta = {"url": response.url, "status": response.status, "content_type": content_type}
        self.out.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")

    def failed(self, failure: Any) -> None:
        """Record why the fetch failed."""
        meta = {"url": self.url, "error": f"{type(failure.value).__name__}: {failure.value}"}
        self.out.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Fetch URL into OUT (body) and OUT with a .json suffix (status, final URL, error)."""
    parser = argparse.ArgumentParser(prog="python -m crawler.fetch")
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--config", default="config")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    settings = scrapy_settings(config.settings.crawl, parse_host_map(os.environ.get(ENV_VAR, "")))
    settings.update({"ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True})
    process = CrawlerProcess(settings)
    process.crawl(OnePageSpider, url=args.url, out=args.out)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
