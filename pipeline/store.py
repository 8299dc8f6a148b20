"""THE module that touches SQLite (via sqlite-utils): connection, migrations, reads and writes.

Every function takes the Database first. Multi-row writes run inside `transaction(db)`, which
takes the write lock up front (BEGIN IMMEDIATE) so that a desk click and a crawl never deadlock
on a lock upgrade; the busy timeout then makes the other writer wait instead of failing.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipeline.errors import NotFoundError, StoreError
from pipeline.models import RawItem, SourceRunRecord
from pipeline.schema import MIGRATIONS

Database = sqlite_utils.Database
BUSY_TIMEOUT_MS = 30_000
# Chunk size for IN (...) lookups: well under SQLite's default 32766 host-parameter limit.
_CHUNK = 500


def utc_now() -> str:
    """The current time as ISO text in UTC (the store's clock, for bookkeeping columns)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path`, migrated, in WAL mode."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the database ({exc})") from exc
    return db


def migrate(db: Database) -> int:
    """Apply pending migrations; return the schema version."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema version {version} is newer than this newsdesk "
            f"({len(MIGRATIONS)}); upgrade newsdesk"
        )
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            for statement in _split_sql(sql):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """A write transaction (BEGIN IMMEDIATE), or a savepoint when one is already open."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


def _rows(
    db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[dict[str, Any]]:
    return [dict(row) for row in db.query(sql, params)]


# --- items: crawler side -------------------------------------------------------------------


def known_keys(db: Database, keys: Iterable[str]) -> set[str]:
    """Which of these item keys are already stored."""
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0] for r in db.execute(f"SELECT key FROM items WHERE key IN ({marks})", chunk)
        )
    return found


def save_raw_items(db: Database, items: Sequence[tuple[str, str, RawItem]]) -> int:
    """Insert (key, canonical_url, item) rows not yet stored; return how many were new."""
    if not items:
        return 0
    new = 0
    with transaction(db):
        for key, canonical, item in items:
            cursor = db.execute(
                """INSERT OR IGNORE INTO items (key, source_id, url, canonical_url, title,
                   list_title, published_at, fetched_at, source_name, text, html, summary,
                   attachments) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    key, item.source_id, item.url, canonical, item.title, item.list_title,
                    item.published_at, item.fetched_at, item.source_name, item.text, item.html,
                    item.summary, json.dumps(list(item.attachments), ensure_ascii=False),
                ),
            )  # fmt: skip
            new += cursor.rowcount
    return new


def status_counts_of(db: Database, keys: Sequence[str]) -> dict[str, int]:
    """How many of these items are in each status."""
    counts: dict[str, int] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT status, count(*) FROM items WHERE key IN ({marks}) GROUP BY status"
        for status, n in db.execute(sql, chunk):
            counts[status] = counts.get(status, 0) + n
    return counts


def http_cache(db: Database, url: str) -> tuple[str | None, str | None]:
    """The stored (ETag, Last-Modified) for a URL, for a conditional GET."""
    row = db.execute("SELECT etag, last_modified FROM http_cache WHERE url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def save_http_cache(
    db: Database, url: str, source_id: str, etag: str | None, last_modified: str | None
) -> None:
    """Remember validators for the next conditional GET of `url`."""
    with transaction(db):
        db.table("http_cache").upsert(
            {"url": url, "source_id": source_id, "etag": etag,
             "last_modified": last_modified, "checked_at": utc_now()},
            pk="url",
        )  # fmt: skip


# --- items: pipeline side ------------------------------------------------------------------


def items_with_status(db: Database, status: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` items with this status, oldest fetched first."""
    return _rows(
        db,
        """SELECT key, source_id, title, text, published_at FROM items
           WHERE status = ? ORDER BY fetched_at, key LIMIT ?""",
        [status, limit],
    )


def item_by_content_hash(db: Database, content_hash: str, exclude: str) -> dict[str, Any] | None:
    """A processed item with exactly this content hash, other than `exclude`."""
    rows = _rows(
        db,
        """SELECT key, cluster_id FROM items WHERE content_hash = ? AND key != ?
           AND status != 'new' ORDER BY fetched_at LIMIT 1""",
        [content_hash, exclude],
    )
    return rows[0] if rows else None


def lsh_candidates(db: Database, bands: Sequence[int], exclude: str) -> list[dict[str, Any]]:
    """Processed items sharing at least one LSH band with `bands`."""
    if not bands:
        return []
    marks = ",".join("?" * len(bands))
    return _rows(
        db,
        f"""SELECT i.key, i.cluster_id, i.signature
            FROM items i WHERE i.key IN (SELECT DISTINCT key FROM lsh_bands WHERE band IN ({marks}))
            AND i.key != ?""",
        [*bands, exclude],
    )


def items_by_keys(db: Database, keys: Sequence[str], columns: str) -> list[dict[str, Any]]:
    """Some columns of the items with these keys, in the order of `keys`."""
    if not keys:
        return []
    if not all(c.strip().isidentifier() for c in columns.split(",")):
        raise ValueError(columns)
    marks = ",".join("?" * len(keys))
    rows = {
        r["key"]: r for r in _rows(db, f"SELECT {columns} FROM items WHERE key IN ({marks})", keys)
    }
    return [rows[k] for k in keys if k in rows]


def cluster_members(db: Database, cluster_id: str) -> list[dict[str, Any]]:
    """Every item in a reprint cluster."""
    return _rows(
        db,
        """SELECT key, source_id, source_name, attribution, published_at, url, title, status
           FROM items WHERE cluster_id = ? ORDER BY published_at, key""",
        [cluster_id],
    )


def save_processed(
    db: Database, key: str, fields: dict[str, Any], bands: Sequence[int] = ()
) -> None:
    """Write a processed item's fields and its LSH bands (call inside `transaction`)."""
    fields = {**fields, "processed_at": utc_now()}
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(f"UPDATE items SET {assignments} WHERE key = :_key", {**fields, "_key": key})
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band, key) VALUES (?, ?)", [(band, key) for band in bands]
    )


def recluster(db: Database, old_cluster: str, new_cluster: str) -> None:
    """Point every member of `old_cluster` at `new_cluster` (a new canonical item was chosen)."""
    db.execute("UPDATE items SET cluster_id = ? WHERE cluster_id = ?", [new_cluster, old_cluster])


def rerank_cluster(db: Database, key: str, reprints: int, points: float) -> None:
    """Record a canonical item's reprint count and add its reprint points to its rank."""
    db.execute(
        "UPDATE items SET reprints = ?, rank = rank_base + ? WHERE key = ?", [reprints, points, key]
    )


def items_for_reprocess(db: Database, since: str) -> Iterator[dict[str, Any]]:
    """Processed items no editor has decided or re-sectored, fetched on or after `since`."""
    cursor = db.execute(
        """SELECT key, title, text, sector, status, source_id, published_at, reprints
           FROM items WHERE status IN ('pending', 'off_topic', 'duplicate')
           AND reviewer IS NULL AND fetched_at >= ?
           AND key NOT IN (SELECT subject FROM events WHERE action = 'resector')
           ORDER BY fetched_at""",
        [since],
    )
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(columns, row, strict=True))


def save_reclassified(db: Database, key: str, fields: dict[str, Any]) -> None:
    """Write a new classification onto an item (inside a transaction)."""
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(f"UPDATE items SET {assignments} WHERE key = :_key", {**fields, "_key": key})


def set_status(db: Database, key: str, status: str) -> None:
    """Change one item's status (inside a transaction)."""
    db.execute("UPDATE items SET status = ? WHERE key = ?", [status, key])


def get_item(db: Database, key: str) -> dict[str, Any]:
    """One item by key; NotFoundError otherwise."""
    rows = _rows(db, "SELECT * FROM items WHERE key = ?", [key])
    if not rows:
        raise NotFoundError(f"no item with key '{key}'")
    return rows[0]


# --- runs and source health ---------------------------------------------------------------


def start_run(db: Database, trigger: str, at: str) -> int:
    """Open a run record; return its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO runs (started_at, trigger, status) VALUES (?, ?, 'running')", [at, trigger]
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: Database,
    run_id: int,
    status: str,
    at: str,
    error: str | None = None,
    log_tail: str | None = None,
) -> None:
    """Close a run record, summing its source runs."""
    with transaction(db):
        db.execute(
            """UPDATE runs SET finished_at = :at, status = :status, error = :error,
               log_tail = :log_tail,
               sources = (SELECT count(*) FROM source_runs WHERE run_id = :id),
               requests = (SELECT coalesce(sum(requests), 0) FROM source_runs WHERE run_id = :id),
               new = (SELECT coalesce(sum(new), 0) FROM source_runs WHERE run_id = :id),
               duplicate = (SELECT coalesce(sum(duplicate), 0) FROM source_runs WHERE run_id = :id),
               failed = (SELECT coalesce(sum(failed), 0) FROM source_runs WHERE run_id = :id)
               WHERE id = :id""",
            {"at": at, "status": status, "error": error, "log_tail": log_tail, "id": run_id},
        )


def record_source_run(db: Database, record: SourceRunRecord) -> None:
    """Store one source's outcome in a run and update that source's health state."""
    row = asdict(record)
    row["errors"] = json.dumps(record.errors, ensure_ascii=False, sort_keys=True)
    with transaction(db):
        db.table("source_runs").upsert(row, pk=("run_id", "source_id"))
        state = _rows(db, "SELECT * FROM sources WHERE id = ?", [record.source_id])
        prev = state[0] if state else {"consecutive_failures": 0, "failing_since": None}
        ok = record.error_kind is None
        update: dict[str, Any] = {"id": record.source_id, "last_run_at": record.finished_at}
        if ok or record.flag:
            update["flag"] = record.flag
        if ok:
            update |= {"last_success_at": record.finished_at, "consecutive_failures": 0,
                       "failing_since": None}  # fmt: skip
        else:
            update |= {
                "last_error_at": record.finished_at,
                "last_error_kind": record.error_kind,
                "last_error": record.error,
                "consecutive_failures": int(prev["consecutive_failures"] or 0) + 1,
                "failing_since": prev["failing_since"] or record.started_at,
            }
        if record.new:
            update["items_total"] = int(prev.get("items_total") or 0) + record.new
            update["newest_item_at"] = record.finished_at
        db.table("sources").upsert(update, pk="id")


def source_states(db: Database) -> dict[str, dict[str, Any]]:
    """The health state of every source that has run, by id."""
    return {row["id"]: row for row in _rows(db, "SELECT * FROM sources")}


def last_runs(db: Database, limit: int = 5) -> list[dict[str, Any]]:
    """The most recent cycles, newest first."""
    return _rows(db, "SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])


def source_runs_of(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The per-source rows of one cycle."""
    return _rows(db, "SELECT * FROM source_runs WHERE run_id = ? ORDER BY source_id", [run_id])


# --- reporting ----------------------------------------------------------------------------


def count_by(db: Database, column: str, where: str = "1 = 1") -> dict[str, int]:
    """Item counts grouped by `status` or `sector` (restricted by a fixed SQL condition)."""
    if column not in ("status", "sector", "source_id"):
        raise ValueError(column)
    sql = f"SELECT coalesce({column}, '') AS k, count(*) AS n FROM items WHERE {where} GROUP BY k"
    return {row["k"]: row["n"] for row in _rows(db, sql)}


def record_event(
    db: Database,
    actor: str,
    action: str,
    subject: str = "",
    before: Any = None,
    after: Any = None,
    at: str | None = None,
) -> None:
    """Append one audit event (inside the caller's transaction when there is one)."""

    def dump(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    with transaction(db):
        db.execute(
            "INSERT INTO events (at, actor, action, subject, before, after) VALUES (?,?,?,?,?,?)",
            [at or utc_now(), actor, action, subject, dump(before), dump(after)],
        )
