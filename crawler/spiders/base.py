"""What every source spider shares: robots.txt first, conditional GETs, failure classification,
the incremental detail-page filter, and the source_runs record at close."""

from __future__ import annotations

import abc
import hashlib
import re
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import StopDownload

import store.db
import store.items
import store.runs
from crawler.attachments import AttachmentMixin
from crawler.context import CrawlContext, Tally
from crawler.extract import MIN_BODY_CHARS, extract_article, extract_fragment, html_text
from crawler.failures import kind_for_exception, kind_for_status
from crawler.parse import ListEntry, date_from_url, decode_body
from pipeline.dates import parse_cn_date
from pipeline.models import DEFAULT_MAX_ITEMS, RawItem, Source, SourceRunRecord
from pipeline.normalize import canonical_url, normalize_text, url_key

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

# A configured detail selector that hits on less than this share of a run's pages (and at least
# MIN_DETAIL_PAGES were extracted) flags the source: the field hit rate dropped. Half is normal
# for some (gov.cn: div.TRS_UEDITOR on new pages, td#UCAP-CONTENT on older ones).
DETAIL_HIT_FLOOR = 0.5
MIN_DETAIL_PAGES = 2
# A dry run stops after this many detail pages unless the source sets max_items.
DRY_RUN_ITEMS = 10


class SourceSpider(AttachmentMixin, scrapy.Spider, abc.ABC):
    """Base class: subclasses implement `entry_requests` and their entry callbacks."""

    def __init__(self, source: Source, ctx: CrawlContext, **kwargs: Any) -> None:
        super().__init__(name=source.id, **kwargs)
        self.source = source
        self.ctx = ctx
        self.tally = Tally()
        self.started = time.monotonic()
        self.started_at = store.db.utc_now()
        self.robots: dict[str, Protego | None] = {}
        self.waiting: dict[str, list[scrapy.Request]] = {}
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.detail_budget = source.max_items or (
            DRY_RUN_ITEMS if ctx.dry_run else DEFAULT_MAX_ITEMS
        )
        if source.delay is not None:
            self.download_delay = source.delay

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        """Also listen for exceptions raised in our own callbacks."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider.bytes_arrived, signal=signals.bytes_received)
        return spider  # type: ignore[no-any-return]

    def bytes_arrived(self, data: bytes, request: scrapy.Request, spider: Any) -> None:
        """Stop a capped request at the cap and keep what arrived (a list page whose list sits
        in its first megabytes, with inline base64 images after it, is still readable)."""
        cap = request.meta.get("read_cap")
        if spider is not self or not cap:
            return
        request.meta["read_bytes"] = request.meta.get("read_bytes", 0) + len(data)
        if request.meta["read_bytes"] > cap:
            raise StopDownload(fail=False)

    def callback_failed(self, failure: Failure, response: Response, spider: Any) -> None:
        """A bug in our parsing code: record it on the source instead of hiding it in a log."""
        message = f"{type(failure.value).__name__}: {failure.value} ({response.url})"
        self.tally.fail("internal_error", message, entry=bool(response.meta.get("entry")))

    # --- start: robots.txt before anything else -------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Fetch each host's robots.txt first (when obeyed), then the entry requests."""
        roots = sorted({_root(u) for u in self.source.urls})
        if not self.source.obey_robots:
            for request in self._begin():
                yield request
            return
        for root in roots:
            yield self._robots_request(root, initial=True)

    def _robots_request(self, root: str, initial: bool) -> scrapy.Request:
        return scrapy.Request(
            f"{root}/robots.txt", callback=self._robots_loaded, errback=self._robots_failed,
            dont_filter=True, priority=100, meta={"root": root, "initial": initial,
            "handle_httpstatus_all": True, "dont_retry": True},
        )  # fmt: skip

    def _robots_loaded(self, response: Response) -> Iterator[scrapy.Request]:
        root = response.meta["root"]
        self.tally.requests += 1
        ok = response.status == 200 and b"<html" not in response.body[:512].lower()
        # 4xx/5xx or an HTML error page: no usable rules, so allow all (the entry requests will
        # surface a real outage with its own error kind).
        self.robots[root] = Protego.parse(response.text) if ok else None
        yield from self._after_robots(root, bool(response.meta.get("initial")))

    def _robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self.tally.requests += 1
        root = failure.request.meta["root"]
        self.robots[root] = None
        yield from self._after_robots(root, bool(failure.request.meta.get("initial")))

    def _after_robots(self, root: str, initial: bool) -> Iterator[scrapy.Request]:
        for request in self.waiting.pop(root, []):
            yield from self._gated(request)
        if initial and set(self.robots) >= {_root(u) for u in self.source.urls}:
            yield from self._begin()

    def _begin(self) -> Iterator[scrapy.Request]:
        """The entry requests, after the priming page when the source needs its cookies."""
        if not self.source.prime:
            yield from self.entry_requests()
            return
        prime = scrapy.Request(
            self.source.prime, callback=self._primed, errback=self.request_failed,
            headers=dict(self.source.headers), cookies=dict(self.source.cookies),
            meta={"entry": True}, dont_filter=True,
        )  # fmt: skip
        yield from self._gated(prime)

    def _primed(self, response: Response) -> Iterator[scrapy.Request]:
        # Scrapy's cookie jar now holds what the priming page set; entry requests send it.
        self.tally.requests += 1
        yield from self.entry_requests()

    def _gated(self, request: scrapy.Request) -> Iterator[scrapy.Request]:
        """The request once its host's robots.txt is known and allows it (links can lead to a
        host the source never named, e.g. after a redirect)."""
        root = _root(request.url)
        if not self.source.obey_robots or root in self.robots:
            if self.allowed(request.url):
                yield request
            else:
                self.tally.fail("robots_denied", f"{request.url} is disallowed by robots.txt")
            return
        self.waiting.setdefault(root, []).append(request)
        if len(self.waiting[root]) == 1:
            yield self._robots_request(root, initial=False)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url` (a host without usable rules allows all)."""
        if not self.source.obey_robots:
            return True
        rules = self.robots.get(_root(url))
        agent = str(self.settings.get("USER_AGENT", "*"))
        return rules is None or rules.can_fetch(url, agent)

    # --- entry requests (lists, feeds, APIs) -----------------------------------------------

    @abc.abstractmethod
    def entry_requests(self) -> Iterable[scrapy.Request]:
        """The first requests of this source (list pages, feeds or API calls)."""

    def entry_request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request | None:
        """A list/feed/API request with conditional-GET headers, or None if robots forbid it."""
        if not self.allowed(url):
            self.tally.fail("robots_denied", f"{url} is disallowed by robots.txt", entry=True)
            return None
        headers = {**dict(self.source.headers), **kwargs.pop("headers", {})}
        if self.ctx.db is not None and kwargs.get("method", "GET") == "GET":
            etag, modified = store.runs.http_cache(self.ctx.db, url)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        meta = {"handle_httpstatus_list": [304], "entry": True, **kwargs.pop("meta", {})}
        return scrapy.Request(
            url, callback=callback, errback=self.request_failed, headers=headers,
            cookies=dict(self.source.cookies), meta=meta, dont_filter=True, **kwargs,
        )  # fmt: skip

    def entry_response(self, response: Response) -> bool:
        """Count an entry response; False when it is a 304 (nothing new) and should be skipped."""
        self.tally.requests += 1
        self.tally.pages += 1
        self.tally.entries_done += 1
        if response.status == 304:
            self.tally.errors["not_modified"] += 1
            return False
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.validators[response.url] = (
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )
        return True

    def entry_broken(self, response: Response, kind: str, message: str) -> None:
        """Record an entry page that answered but could not be used, and keep its HTML."""
        self.tally.fail(kind, message, entry=True)
        self.validators.pop(response.url, None)
        self.save_snapshot(response)

    def save_snapshot(self, response: Response) -> None:
        """Keep what the site sent under data/snapshots/ so ops can see it."""
        if self.ctx.dry_run:
            return
        digest = hashlib.sha1(response.url.encode()).hexdigest()[:10]
        path = self.ctx.snapshot_dir / self.source.id / f"run{self.ctx.run_id}-{digest}.html"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(response.body)
        except OSError as exc:  # a full disk must not stop the crawl
            self.logger.warning("cannot save snapshot %s: %s", path, exc)

    def request_failed(self, failure: Failure) -> None:
        """Errback of every request: classify and count the failure."""
        request = failure.request
        self.tally.requests += 1
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind = kind_for_status(response.status)
            message = f"HTTP {response.status} for {request.url}"
        else:
            kind = kind_for_exception(failure.value)
            message = f"{type(failure.value).__name__}: {failure.value} ({request.url})"
        entry = bool(request.meta.get("entry"))
        if kind == "http_404" and request.meta.get("paging"):
            # A further list page that does not exist: the list simply ended. Not a failure, so
            # it feeds no backoff or quarantine.
            self.logger.info("source=%s list ends before %s", self.source.id, request.url)
            return
        self.tally.fail(kind, message, entry=entry)
        if entry and response is not None:
            self.save_snapshot(response)
        self.logger.warning(
            "source=%s run=%s %s: %s", self.source.id, self.ctx.run_id, kind, message
        )

    # --- details -------------------------------------------------------------------------

    def follow(self, entries: list[ListEntry], fetch: bool = True) -> Iterator[Any]:
        """Items straight from entries that carry full text, else detail requests for new URLs."""
        self.tally.items_seen += len(entries)
        keys = {e.url: url_key(canonical_url(e.url)) for e in entries}
        known = set() if self.ctx.db is None else store.items.known_keys(self.ctx.db, keys.values())
        for index, entry in enumerate(entries):
            if keys[entry.url] in known:
                self.tally.duplicate += 1
                continue
            if self.detail_budget <= 0:
                # The run record says the cap cut the run, and by how many new links.
                cut = sum(1 for e in entries[index:] if keys[e.url] not in known)
                self.tally.errors["max_items_cut"] += cut
                self.logger.info("source=%s max_items reached: %d links left", self.source.id, cut)
                return
            self.detail_budget -= 1
            body = entry.html or entry.text or _long_summary(entry.summary)
            if not fetch and body:
                if (item := self.item_from(entry.url, entry, body, fragment=True)) is not None:
                    yield item
                    yield from self.attachment_requests(item, body)
            else:
                yield from self._gated(
                    scrapy.Request(
                        entry.url, callback=self.parse_detail, errback=self.request_failed,
                        headers=dict(self.source.headers), cookies=dict(self.source.cookies),
                        cb_kwargs={"entry": entry},
                    )
                )  # fmt: skip

    def parse_detail(self, response: Response, entry: ListEntry) -> Iterator[Any]:
        """Decode and extract one article page."""
        self.tally.requests += 1
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        decoded = decode_body(response.body, content_type, self.source.encoding)
        if decoded.bad:
            self.tally.fail(
                "bad_encoding", f"{response.url} decodes to mojibake as {decoded.encoding}"
            )
            return
        try:
            item = self.item_from(response.url, entry, decoded.text)
        except Exception as exc:  # a page that breaks the extractor is bad input, not a crash
            self.logger.exception("source=%s extractor failed on %s", self.source.id, response.url)
            self.tally.fail("detail_extract_failed", f"{response.url}: {type(exc).__name__}: {exc}")
            return
        if item is not None:
            yield item
            yield from self.attachment_requests(item, decoded.text)

    def item_from(
        self, url: str, entry: ListEntry, html: str, fragment: bool = False
    ) -> RawItem | None:
        """Build a RawItem from a detail page (or a feed/API entry that carries the text)."""
        if fragment:
            article = extract_fragment(html, url, entry.title, entry.date, entry.source)
        else:
            article = extract_article(html, url, self.source.detail)
            self._count_selector_hits(article.missed)
        title = _better_title(article.title, entry.title, self.source.name)
        # Failure class "feed summaries shown as raw HTML": a summary is HTML in RSS and in many
        # APIs; it becomes text the way article bodies do before anyone sees it.
        summary = html_text(entry.summary) if entry.summary else ""
        text = summary if len(article.text) < MIN_BODY_CHARS and summary else article.text
        # The length counts what survives normalize: a page of furniture only (字体 大中小,
        # 扫一扫, 发布时间…) passes a raw length check yet stores an empty article.
        if not title or len(normalize_text(text)) < MIN_BODY_CHARS:
            self.tally.fail("detail_extract_failed", f"{url}: no title or body found")
            return None
        published = (
            parse_cn_date(article.date_text, self.ctx.now)
            or parse_cn_date(entry.date, self.ctx.now)
            or date_from_url(url, self.ctx.now)
        )
        return RawItem(
            url=url,
            source_id=self.source.id,
            title=title,
            text=text,
            html=article.html,
            fetched_at=store.db.utc_now(),
            published_at=published.to_iso() if published else "",
            source_name=article.source_name or entry.source or self.source.name,
            attachments=article.attachments,
            list_title=entry.title,
            summary=summary,
            found_by=entry.found_by,
        )

    def _count_selector_hits(self, missed: tuple[str, ...]) -> None:
        detail = self.source.detail
        if detail.title or detail.date or detail.body or detail.source:
            self.tally.detail_checked += 1
            self.tally.detail_missed.update(missed)

    def detail_flag(self) -> str | None:
        """Detail selectors that matched on too few pages of this run: they probably broke in
        a redesign (the extractor chain kept the items coming, ops should fix the selector)."""
        t = self.tally
        if t.detail_checked < MIN_DETAIL_PAGES:
            return None
        broken = []
        for name, missed in sorted(t.detail_missed.items()):
            rate = 1 - missed / t.detail_checked
            if rate < DETAIL_HIT_FLOOR:
                t.errors[f"detail_{name}_selector_missed"] = missed
                selector = getattr(self.source.detail, name)
                broken.append(f"{name} '{selector}' matched {t.detail_checked - missed} of "
                              f"{t.detail_checked} pages ({rate:.0%})")  # fmt: skip
        if not broken:
            return None
        return (
            f"detail selectors of {self.source.id} broke on {self.started_at[:10]}: "
            f"{'; '.join(broken)}; the automatic extractor took over"
        )

    # --- close -------------------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        """Record this source's run and health; keep validators only when the run was clean."""
        t = self.tally
        if t.entries_done and not t.entry_error and t.new == 0:
            t.errors["no_new_items"] = 1
        if detail := self.detail_flag():
            t.flag = f"{t.flag}; {detail}" if t.flag else detail
        kind, message = t.outcome()
        if reason not in ("finished", "closespider_itemcount") and kind is None:
            kind, message = "crashed", f"spider closed: {reason}"
        elif kind is None and not t.entries_done:
            # Nothing failed and nothing came back: a silent gap must not look like health.
            kind, message = "internal_error", "no list, feed or API response was processed"
        if self.ctx.db is None:
            return
        record = SourceRunRecord(
            run_id=self.ctx.run_id, source_id=self.source.id, started_at=self.started_at,
            finished_at=store.db.utc_now(), requests=t.requests, pages=t.pages,
            items_seen=t.items_seen, new=t.new, duplicate=t.duplicate, failed=t.failed,
            error_kind=kind, error=message, errors=dict(t.errors), flag=t.flag,
            duration=round(time.monotonic() - self.started, 3),
        )  # fmt: skip
        store.runs.record_source_run(self.ctx.db, record)
        if kind is None:
            for url, (etag, modified) in self.validators.items():
                store.runs.save_http_cache(self.ctx.db, url, self.source.id, etag, modified)


# A feed summary this long is the article (RSSHub puts the full text in <description>): using it
# spares a request to the very site RSSHub shields us from.
FEED_SUMMARY_BODY = 200
_TAGS = re.compile(r"<[^>]+>")


def _long_summary(summary: str) -> str:
    """The summary when it is long enough to be the body, else ''."""
    return summary if len(_TAGS.sub("", summary).strip()) >= FEED_SUMMARY_BODY else ""


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _better_title(extracted: str, listed: str, source_name: str) -> str:
    """The page's headline unless it looks like a site or column name that the list page's
    title contradicts (a template whose only <h1> is the logo)."""
    page, link = _squeeze(extracted), _squeeze(listed).rstrip("…").removesuffix("...")
    if not link:
        return extracted
    if not page:
        return listed
    agrees = link in page or page in link or page.startswith(link[:8])
    looks_generic = (
        len(page) <= 12 or page in _squeeze(source_name) or _squeeze(source_name) in page
    )
    truncated = listed.rstrip().endswith(("…", "..."))
    return listed if not agrees and looks_generic and not truncated else extracted


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
