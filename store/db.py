"""THE database handle: open (WAL, busy timeout), migrations, transactions and row helpers.

Every store function takes the Database first. Multi-row writes run inside `transaction(db)`, which
takes the write lock up front (BEGIN IMMEDIATE) so that a desk click and a crawl never deadlock
on a lock upgrade; the busy timeout then makes the other writer wait instead of failing. Only the
store/ package imports sqlite3 or sqlite_utils.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipeline.errors import NotFoundError, StoreError
from store.schema import MIGRATIONS

Database = sqlite_utils.Database


BUSY_TIMEOUT_MS = 30_000


def utc_now() -> str:
    """The current time as ISO text in UTC (the store's clock, for bookkeeping columns)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path, auto_checkpoint: bool = True) -> Database:
    """Open (creating if needed) the database at `path`, migrated, in WAL mode.

    `auto_checkpoint=False`: this connection's commits never copy the WAL into the database;
    its owner checkpoints at a time nobody waits for (the desk, after sending a response).
    """
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
        if not auto_checkpoint:
            db.execute("PRAGMA wal_autocheckpoint = 0")
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


# How often a writer waiting for the write lock tries again (see _begin_immediate).
LOCK_POLL_S = 0.001


def _begin_immediate(db: Database) -> None:
    """BEGIN IMMEDIATE, trying again every millisecond while another connection writes.

    SQLite's own busy handler sleeps 1, 2, 5 ... 100 ms between tries, and a writer that commits
    back to back (a processing pass fed by its workers) leaves the lock free for a millisecond
    at a time: a desk click polling at 100 ms would miss those gaps for seconds. Polling every
    millisecond takes the next gap, so a click waits about one short transaction.
    """
    db.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(LOCK_POLL_S)
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """A write transaction (BEGIN IMMEDIATE), or a savepoint when one is already open."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db)
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


def keep_open(path: str | Path) -> sqlite3.Connection:
    """A connection that does nothing but stay open for the life of a server.

    The last connection to close checkpoints the whole WAL and deletes it while holding an
    exclusive lock; with per-request connections, that was a click's connection whenever a
    processing pass had just closed its own (a half-second click). While this one is open, no
    request's connection is the last.
    """
    conn = sqlite3.connect(path, timeout=1, isolation_level=None, check_same_thread=False)
    # A connection opens the file lazily: one read takes the shared lock that marks it open.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def checkpoint(path: str | Path) -> None:
    """Copy what the WAL holds into the database, without waiting for readers or writers.

    A PASSIVE checkpoint on a connection of its own; a busy or failed one is left to the next
    (any writer's auto-checkpoint, the nightly upkeep), so it never raises.
    """
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(path, timeout=1, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


# How often the background checkpointer copies the WAL into the database during a long write pass.
CHECKPOINT_EVERY_S = 0.05


@contextlib.contextmanager
def background_checkpoints(db: Database) -> Iterator[None]:
    """Move WAL checkpoints off `db`'s commits onto a thread of their own, while inside.

    Each processed item dirties some 50 scattered pages (its row, LSH bands, sentence marks), so
    the WAL passes the 1,000-page auto-checkpoint every few commits, and the commit that passes
    it copies and syncs 4 MB while holding the write lock: one commit in ten took 40 ms. A PASSIVE
    checkpoint on another connection copies the same pages without blocking the writer (nor the
    desk's readers), and SQLite releases the GIL while it works.
    """
    path = next((r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:  # an in-memory database has no WAL
        yield
        return
    before = int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    stop = threading.Event()

    def run() -> None:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            while not stop.wait(CHECKPOINT_EVERY_S):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass  # the writer's own auto-checkpoint takes over again when the pass ends
        finally:
            conn.close()

    thread = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        # Leave nothing for the last connection's close, which checkpoints under an exclusive
        # lock: a click arriving as the pass ended waited half a second for it.
        checkpoint(path)
        db.execute(f"PRAGMA wal_autocheckpoint = {before}")


def count_by(db: Database, column: str, where: str = "1 = 1") -> dict[str, int]:
    """Item counts grouped by `status` or `sector` (restricted by a fixed SQL condition)."""
    if column not in ("status", "sector", "source_id"):
        raise ValueError(column)
    sql = f"SELECT coalesce({column}, '') AS k, count(*) AS n FROM items WHERE {where} GROUP BY k"
    return {row["k"]: row["n"] for row in rows_of(db, sql)}


def rows_of(db: Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Every result row as a dict."""
    return [dict(row) for row in db.query(sql, params)]


def one_row(db: Database, sql: str, params: Sequence[Any], what: str) -> dict[str, Any]:
    """The first result row; NotFoundError(what) when there is none."""
    rows = rows_of(db, sql, params)
    if not rows:
        raise NotFoundError(what)
    return rows[0]
