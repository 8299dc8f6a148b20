"""Classify a failed request into the error kinds recorded on sources (pure)."""

from __future__ import annotations

from typing import Any

# Kinds recorded in source_runs.error_kind / sources.last_error_kind. The first group comes from
# the network, the second from what the crawler made of a response.
NETWORK_KINDS = (
    "dns", "connect", "timeout", "truncated", "too_large", "robots_denied",
    "too_many_redirects", "bad_response",
    "http_403", "http_404", "http_412_521_challenge", "http_4xx", "http_5xx",
)  # fmt: skip
CONTENT_KINDS = (
    "bad_encoding", "parse_error", "empty_list", "detail_extract_failed", "no_new_items",
)  # fmt: skip
# An exception in newsdesk's own callback: a bug to report, recorded like any other failure.
INTERNAL_KIND = "internal_error"
# A JS cookie challenge (Jiasule/Anquanbao/...): 412 or 521 with a script that sets a cookie.
CHALLENGE_STATUSES = (412, 521)


def kind_for_status(status: int) -> str:
    """The error kind of an HTTP status that is not a success."""
    if status in CHALLENGE_STATUSES:
        return "http_412_521_challenge"
    if status == 403:
        return "http_403"
    if status == 404:
        return "http_404"
    if 500 <= status < 600:
        return "http_5xx"
    return "http_4xx"


# Exception class names (Scrapy 2.19's own download errors, then Twisted's older ones) → kinds.
_EXCEPTION_KINDS = {
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "UserTimeoutError": "timeout",
    "ResponseDataLossError": "truncated",
    "DownloadConnectionRefusedError": "connect",
    "ConnectionRefusedError": "connect",
}


def kind_for_exception(exc: Any) -> str:
    """The error kind of a download exception (Scrapy or Twisted), by its class and message."""
    name = type(exc).__name__
    text = str(exc)
    if name in _EXCEPTION_KINDS:
        return _EXCEPTION_KINDS[name]
    if name == "IgnoreRequest" and "robots" in text.lower():
        return "robots_denied"
    # The site answers, with a redirect to itself (or a chain longer than Scrapy follows): its
    # fault, not our network's, so it must not be forgiven as an outage the way `connect` is.
    if name == "IgnoreRequest" and "redirection" in text.lower():
        return "too_many_redirects"
    if _answered_then_broke(exc):
        return "bad_response"
    if name == "DownloadCancelledError" or "max size" in text or "maxsize" in text.lower():
        return "too_large"
    if "DataLoss" in text or "_DataLoss" in repr(exc):
        return "truncated"
    return "connect"


def _answered_then_broke(exc: Any) -> bool:
    """True when the server sent bytes that were not a readable HTTP answer (a header larger than
    the client's line limit, a garbled status line): Twisted says ResponseFailed, whereas a
    connection that closed before any byte says ResponseNeverReceived (a real `connect` failure)."""
    names = {type(e).__name__ for e in (exc, getattr(exc, "__cause__", None)) if e is not None}
    return "ResponseFailed" in names and "ResponseNeverReceived" not in names
