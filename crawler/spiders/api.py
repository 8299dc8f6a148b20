"""JSON-API sources: many ministry sites load their lists from such an endpoint."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import scrapy

from crawler.parse import invalid_utf8, parse_api, parse_api_html
from crawler.spiders.base import SourceSpider

if TYPE_CHECKING:
    from scrapy.http import Response


class ApiSpider(SourceSpider):
    """One JSON list API source; records with text become items, the rest are followed."""

    name = "json"

    def _request(self, url: str, page: int) -> scrapy.Request | None:
        api = self.source.api
        assert api is not None  # config guarantees it for kind = "json"
        params = {k: _paged(v, page, api.page_size) for k, v in api.params}
        if api.page_param:
            params[api.page_param] = str(api.page_value(page))
        meta = {"page": page, "url": url, "paging": page > 1}
        if api.method == "POST":
            body = _paged(api.body, page, api.page_size) if api.body else urlencode(params)
            ctype = "application/json" if body.lstrip().startswith("{") else (
                "application/x-www-form-urlencoded")  # fmt: skip
            return self.entry_request(
                url, self.parse_api, method="POST", body=body, meta=meta,
                headers={"Content-Type": ctype, **dict(self.source.headers)},
            )  # fmt: skip
        target = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}" if params else url
        return self.entry_request(target, self.parse_api, meta=meta)

    def entry_requests(self) -> Iterable[scrapy.Request]:
        """The first page of every API URL."""
        for url in self.source.urls:
            if request := self._request(url, 1):
                yield request

    def parse_api(self, response: Response) -> Iterator[Any]:
        """Records of one API page, then the next page while it still brings new items."""
        if not self.entry_response(response):
            return
        api = self.source.api
        assert api is not None
        try:
            if api.html and self.source.listing is not None:
                entries = parse_api_html(
                    response.body, response.url, api, self.source.listing, self.source.link_pattern
                )
            else:
                entries = parse_api(response.body, response.url, api)
        except (ValueError, UnicodeDecodeError) as exc:
            self.entry_broken(response, "parse_error", f"{response.url}: {exc}")
            return
        if problem := invalid_utf8(response.body):
            # The valid records are kept; the damage is counted in the run record and logged.
            self.tally.errors["bad_encoding_bytes"] += 1
            self.logger.warning("source=%s %s: %s", self.source.id, response.url, problem)
        page = int(response.meta["page"])
        if not entries:
            if page == 1:
                self.entry_broken(response, "empty_list", f"{response.url}: no records")
            return
        before = self.tally.duplicate
        yield from self.follow(entries, fetch=not api.text)
        all_known = self.tally.duplicate - before == len(entries)
        more = api.page_param and page < api.max_pages and not all_known and self.detail_budget > 0
        if more and (request := self._request(response.meta["url"], page + 1)):
            yield request


def _paged(template: str, page: int, page_size: int) -> str:
    """`{page}` → the 1-based page number, `{offset}` → the index of its first record."""
    return template.replace("{page}", str(page)).replace("{offset}", str((page - 1) * page_size))
