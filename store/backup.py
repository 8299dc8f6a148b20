"""Integrity checks, optimize, and online backup and restore of the database file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from pipeline.errors import StoreError
from store.db import Database, migrate, transaction
from store.schema import MIGRATIONS


def integrity_problems(db: Database) -> list[str]:
    """PRAGMA integrity_check's findings (empty when the file is sound)."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def optimize(db: Database, vacuum_ratio: float = 0.2) -> dict[str, Any]:
    """Nightly upkeep: planner statistics, FTS merge, WAL checkpoint, VACUUM if much is free."""
    db.execute("PRAGMA optimize")
    with transaction(db):
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    vacuumed = bool(pages) and free / pages > vacuum_ratio
    if vacuumed:
        db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"pages": pages, "free_pages": free, "vacuumed": vacuumed}


def backup_to(db: Database, dest: Path) -> Path:
    """An online, consistent copy of the database (SQLite backup API), checked, then renamed."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        # One step (pages=-1): in WAL a long read does not block writers, and a stepwise copy
        # would restart on every write of the crawl.
        db.conn.backup(target)
        check = target.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        target.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise StoreError(f"{dest}: the backup failed its check ({check})")
    os.replace(partial, dest)
    return dest


def check_backup_file(path: Path) -> int:
    """A backup's schema version after an integrity check; StoreError when it is unusable."""
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a newsdesk database ({exc})") from exc
    if result != ["ok"]:
        raise StoreError(f"{path}: fails the integrity check: {'; '.join(result[:5])}")
    if "items" not in tables or version < 1:
        raise StoreError(f"{path}: not a newsdesk database (no items table)")
    if version > len(MIGRATIONS):
        raise StoreError(f"{path}: schema version {version} is newer than this newsdesk")
    return version


def restore_from(db: Database, source: Path) -> None:
    """Replace the database's content with a checked backup, through the open connection."""
    check_backup_file(source)
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        try:
            src.backup(db.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{source}: cannot restore it ({exc})") from exc
    migrate(db)


def db_file(db: Database) -> str:
    """The file path of an open database (for its lock file)."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return str(row[2])
    return ""
