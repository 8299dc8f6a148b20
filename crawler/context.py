"""What every spider of one crawl process shares: the store handle, the run and the clock."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import store.db
from pipeline.models import RawItem


@dataclass
class CrawlContext:
    """Shared state of one crawl process; `db` is None in a dry run (nothing is written)."""

    db: store.db.Database | None
    run_id: int
    now: datetime
    snapshot_dir: Path
    collected: list[RawItem] = field(default_factory=list)
    # Where attachments are kept by content hash (None: attachments are not downloaded).
    attachment_dir: Path | None = None
    attachment_max_bytes: int = 20 * 1024 * 1024

    @property
    def dry_run(self) -> bool:
        """True when nothing may be written to the database."""
        return self.db is None


@dataclass
class Tally:
    """One source's counters for this run (becomes its source_runs row)."""

    requests: int = 0
    pages: int = 0
    items_seen: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    entry_error: tuple[str, str] | None = None
    last_detail_error: tuple[str, str] | None = None
    empty_entries: int = 0
    entries_done: int = 0
    # Healthy but flagged: what ops should look at (selectors that broke, healed by detection).
    flag: str | None = None
    # How the list was read (selectors or detection, and why), for `sources test`.
    notes: list[str] = field(default_factory=list)
    # Detail pages extracted with configured [source.detail] selectors, and per field how many
    # of them the selector missed (the extractor chain took over there).
    detail_checked: int = 0
    detail_missed: Counter[str] = field(default_factory=Counter)

    def fail(self, kind: str, message: str, entry: bool = False) -> None:
        """Count one failure; an entry (list/feed/API) failure decides the source's error."""
        self.failed += 1
        self.errors[kind] += 1
        if entry and self.entry_error is None:
            self.entry_error = (kind, message)
        elif not entry:
            self.last_detail_error = (kind, message)

    def outcome(self) -> tuple[str | None, str | None]:
        """The source's error kind and message for this run (None when it worked)."""
        if self.entry_error:
            return self.entry_error
        if self.last_detail_error and self.new == 0 and self.duplicate == 0:
            return self.last_detail_error
        return None, None
