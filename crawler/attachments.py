"""Download an item's attachments within the crawl: robots, delays and the size cap apply.

A spider mixin: after a detail page becomes an item, each attachment link of a type newsdesk
keeps becomes a request (after the item's own request, at lower priority). The body is stored
once by content hash under `data/attachments/`, its text read (crawler.attachment_text) and
everything recorded in the `attachments` table. An attachment never fails the source: a 404, a
timeout, a file over the cap or an unreadable one is a status and a reason on its row.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from lxml import etree

import store.attachments
import store.db
from crawler.attachment_text import find_converter, read_attachment
from crawler.failures import kind_for_exception
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

# The types kept (the list); pptx, rar and 7z links are still listed on the item.
KEPT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip")
# Notices with more links than this are lists of forms; the first ones matter.
MAX_PER_ITEM = 10
_HTML_PARSER = etree.HTMLParser(recover=True, encoding="utf-8")


def attachment_type(url: str) -> str:
    """The attachment's type from its path's extension ('' when not a kept type)."""
    path = unquote(urlsplit(url).path).lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return ext if ext in KEPT_TYPES else ""


def link_names(html: str, base_url: str) -> dict[str, str]:
    """Absolute link URL → its link text (附件1：申报指南), for naming attachments."""
    if not html:
        return {}
    root = etree.fromstring(html.encode("utf-8", errors="replace"), _HTML_PARSER)
    names: dict[str, str] = {}
    if root is None:
        return names
    for a in root.iter("a"):
        href = (a.get("href") or a.get("oldsrc") or "").strip()
        text = re.sub(r"\s+", " ", "".join(a.itertext())).strip() or (a.get("title") or "")
        if href and text:
            names.setdefault(urljoin(base_url, href), text[:200])
    return names


def file_name(url: str) -> str:
    """The last path segment, decoded (一览表.xlsx)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url


def keep_file(folder: Path, data: bytes, kind: str) -> str:
    """Store `data` once under folder/<sha[:2]>/<sha>.<kind>; return its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / f"{digest}.{kind}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a reader never sees half a file
    return digest


class AttachmentMixin:
    """Spider side: attachment requests for an item and their callbacks."""

    # Provided by SourceSpider.
    ctx: Any
    source: Any
    logger: Any
    tally: Any
    _gated: Any

    def attachment_requests(self, item: RawItem, page_html: str) -> Iterator[scrapy.Request]:
        """A request per new attachment of `item` (nothing in a dry run)."""
        if self.ctx.db is None or not item.attachments or not self.ctx.attachment_dir:
            return
        key = url_key(canonical_url(item.url))
        names = link_names(page_html, item.url)
        wanted = [u for u in item.attachments if attachment_type(u)]
        for number, url in enumerate(wanted):
            kind = attachment_type(url)
            name = names.get(url) or file_name(url)
            row = {"item_key": key, "url": url, "name": name, "type": kind}
            if number >= MAX_PER_ITEM:
                self._record(row, "skipped", f"每条最多下载 {MAX_PER_ITEM} 个附件")
                continue
            known = store.attachments.known_download(self.ctx.db, url)
            if known is not None:  # the same file linked from another item: reuse it
                self._record({**row, **known}, known["status"], known["reason"])
                continue
            yield from self._gated(
                scrapy.Request(
                    url, callback=self.attachment_loaded, errback=self.attachment_failed,
                    headers=dict(self.source.headers), cookies=dict(self.source.cookies),
                    priority=-1, cb_kwargs={"row": row}, meta={
                        "download_maxsize": self.ctx.attachment_max_bytes,
                        "download_warnsize": self.ctx.attachment_max_bytes,
                        "attachment_row": row,
                    },
                )
            )  # fmt: skip

    def attachment_loaded(self, response: Response, row: dict[str, Any]) -> None:
        """Keep the file, read its text, record the row."""
        self.tally.requests += 1
        if response.status != 200:
            self._record(row, "failed", f"下载失败：HTTP {response.status}")
            return
        data = response.body
        sha = keep_file(self.ctx.attachment_dir, data, row["type"])
        reading = read_attachment(data, row["type"], find_converter())
        status = "read" if reading.ok else "kept"
        full = {**row, "size": len(data), "sha256": sha, "text": reading.text}
        self._record(full, status, reading.reason)

    def attachment_failed(self, failure: Failure) -> None:
        """A download error: recorded on the attachment, not on the source's health."""
        self.tally.requests += 1
        row = failure.request.meta["attachment_row"]
        response = getattr(failure.value, "response", None)
        error = failure.value
        if response is not None:
            reason = f"下载失败：HTTP {response.status}"
        elif "max size" in str(error) or "maxsize" in str(error).replace(" ", ""):
            cap = self.ctx.attachment_max_bytes // (1024 * 1024)
            reason = f"文件超过 {cap} MB 上限，未下载（{error}）"
        else:
            reason = f"下载失败：{kind_for_exception(error)}（{type(error).__name__}）"
        self._record(row, "failed", reason)

    def _record(self, row: dict[str, Any], status: str, reason: str) -> None:
        store.attachments.save_attachment(
            self.ctx.db, {**row, "status": status, "reason": reason,
                          "fetched_at": store.db.utc_now()},
        )  # fmt: skip
        if status not in ("read",):
            self.logger.info(
                "source=%s run=%s attachment %s %s: %s",
                self.source.id, self.ctx.run_id, status, row["url"], reason,
            )  # fmt: skip
