"""The nightly jobs and the ops commands behind them: online backup with rotation, optimize or
vacuum, and pruning of old snapshots and rotated logs.

Shell code (files, clock, store); `expired` is the pure part, tested on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import store.accounts
import store.backup
import store.db
from pipeline.config import Config

log = logging.getLogger("newsdesk.maintenance")
BACKUP_PREFIX = "newsdesk-"
BACKUP_GLOB = f"{BACKUP_PREFIX}*.db"


def backup_dir(config: Config, db_path: str | Path) -> Path:
    """[maintenance] backup_dir, else backups/ beside the database."""
    configured = config.settings.maintenance.backup_dir
    return Path(configured) if configured else Path(db_path).parent / "backups"


def backup_name(now: datetime, prefix: str = BACKUP_PREFIX) -> str:
    """newsdesk-20261124-033000.db: names that sort by time."""
    return f"{prefix}{now.strftime('%Y%m%d-%H%M%S')}.db"


def expired(names: Sequence[str], keep: int) -> list[str]:
    """The backups beyond the newest `keep` (names sort by time)."""
    return sorted(names)[: max(len(names) - keep, 0)]


def backup(db: store.db.Database, config: Config, db_path: str | Path, now: datetime) -> Path:
    """Write a checked online backup and drop the oldest beyond maintenance.backup_keep."""
    folder = backup_dir(config, db_path)
    path = store.backup.backup_to(db, folder / backup_name(now))
    names = [p.name for p in folder.glob(BACKUP_GLOB)]
    for name in expired(names, config.settings.maintenance.backup_keep):
        (folder / name).unlink(missing_ok=True)
        log.info("removed old backup %s", name)
    log.info("backup written: %s (%.1f MB)", path, path.stat().st_size / 1e6)
    return path


def prune_files(folder: Path, pattern: str, older_than: datetime) -> int:
    """Delete files under `folder` matching `pattern` last modified before `older_than`."""
    removed = 0
    if not folder.is_dir():
        return 0
    limit = older_than.timestamp()
    for path in folder.rglob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError as exc:  # a file that vanished or cannot go must not stop the rest
            log.warning("cannot prune %s: %s", path, exc)
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
    return removed


def nightly(config: Config, db_path: str, log_dir: Path | None = None) -> dict[str, Any]:
    """Backup, optimize (vacuum when much space is free), prune snapshots and old rotated logs."""
    now = datetime.now(UTC)
    db = store.db.open_db(db_path)
    result: dict[str, Any] = {"backup": str(backup(db, config, db_path, now.astimezone()))}
    result |= store.backup.optimize(db)
    days = config.settings.maintenance.snapshot_days
    snapshots = Path(db_path).parent / "snapshots"
    result["snapshots_removed"] = prune_files(snapshots, "*", now - timedelta(days=days))
    if log_dir is not None:
        # RotatingFileHandler keeps `logs.keep` files per log; this catches strays of old names.
        result["logs_removed"] = prune_files(log_dir, "*.log.*", now - timedelta(days=days))
    store.accounts.record_event(db, "scheduler", "maintenance", "", None, result)
    log.info("nightly maintenance: %s", result)
    return result
