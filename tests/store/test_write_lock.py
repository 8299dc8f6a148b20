"""Waiting for the write lock (store.db._begin_immediate) and the background checkpointer."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

import store.db


def _hold_lock(path: Path, held: threading.Event, release: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO events (at, actor, action) VALUES ('t', 'a', 'hold')")
    held.set()
    release.wait(10)
    conn.execute("COMMIT")
    conn.close()


def test_a_writer_waits_for_the_lock_and_gets_it_when_the_other_commits(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(tmp_path / "n.db", held, release))
    holder.start()
    held.wait(10)
    threading.Timer(0.2, release.set).start()
    with store.db.transaction(db):  # polls until the holder commits
        db.execute("INSERT INTO events (at, actor, action) VALUES ('t', 'b', 'wait')")
    holder.join()
    actions = [r[0] for r in db.execute("SELECT action FROM events ORDER BY id")]
    assert actions == ["hold", "wait"]
    # The connection's own busy timeout is back for everything else.
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store.db.BUSY_TIMEOUT_MS


def test_a_writer_gives_up_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(tmp_path / "n.db", held, release))
    holder.start()
    held.wait(10)
    monkeypatch.setattr(store.db, "BUSY_TIMEOUT_MS", 50)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"), store.db.transaction(db):
            pass
    finally:
        release.set()
        holder.join()
    assert not db.conn.in_transaction


def test_background_checkpoints_copy_the_wal_and_restore_the_setting(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    with store.db.background_checkpoints(db):
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for i in range(300):
            with store.db.transaction(db):
                db.execute(
                    "INSERT INTO events (at, actor, action) VALUES ('t', 'p', ?)",
                    [f"a{i}" * 200],
                )
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    # Everything written is in the database file once checkpointed, whoever checkpointed it.
    busy, log, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == done
    other = sqlite3.connect(tmp_path / "n.db")
    assert other.execute("SELECT count(*) FROM events").fetchone()[0] == 300
    other.close()
