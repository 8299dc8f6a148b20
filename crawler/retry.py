"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once, which hammers a
government site that is already answering 503."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Request

# A retry waits base × 2^(attempt-1) seconds, capped so a cycle never stalls on one request.
MAX_BACKOFF_SECONDS = 60.0


def backoff_delay(base: float, attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    return min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS) if base > 0 else 0.0


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose retries wait with exponential backoff before they are sent."""

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            base = self.crawler.settings.getfloat("NEWSDESK_RETRY_BACKOFF", 0.0)
            retry.meta["retry_backoff"] = backoff_delay(base, int(retry.meta["retry_times"]))
        return retry

    async def process_request(self, request: Request) -> None:
        """Hold a retried request back for its backoff delay (without blocking the reactor)."""
        delay = request.meta.pop("retry_backoff", 0.0)
        if delay:
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
