"""Route chosen hosts to a local server through Scrapy's HTTP proxy support.

`NEWSDESK_HOST_MAP` maps host patterns (`kjt.henan.example`, `*.example`, `*`) to `127.0.0.1:PORT`.
A proxy keeps the request URL, the Host header, cookies and robots.txt exactly as for the real
site, and Scrapy never resolves the host, so the demo and the tests cannot reach the internet.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from twisted.internet.error import DNSLookupError

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

ENV_VAR = "NEWSDESK_HOST_MAP"
# A map target that makes the host fail like an unknown domain (for `*.invalid` in tests).
NXDOMAIN = "nxdomain"


def parse_host_map(text: str) -> dict[str, str]:
    """`a.example=127.0.0.1:8000,*.test=127.0.0.1:9000` → {pattern: address}."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        pattern, _, address = part.partition("=")
        if not address:
            raise ValueError(f"{ENV_VAR}: '{part}' must look like host=127.0.0.1:PORT")
        mapping[pattern.strip().lower()] = address.strip()
    return mapping


class HostMapMiddleware:
    """Downloader middleware: send mapped hosts to the local server as their proxy."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        """Read the map from settings; disabled when empty."""
        mapping = crawler.settings.getdict("NEWSDESK_HOST_MAP")
        if not mapping:
            raise NotConfigured
        return cls(mapping)

    def process_request(self, request: Request) -> None:
        """Set the proxy for a mapped host (before HttpProxyMiddleware reads it)."""
        host = (urlsplit(request.url).hostname or "").lower()
        for pattern, address in self.mapping.items():
            if fnmatch.fnmatch(host, pattern):
                if address == NXDOMAIN:
                    # Answer as a resolver would for a name that does not exist, without asking
                    # one: tests exercise the `dns` failure class with no network at all.
                    raise DNSLookupError(f"{host}: no such domain (host map)")
                request.meta["proxy"] = f"http://{address}"
                return
