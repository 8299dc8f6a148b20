"""The store: schema, WAL, idempotent writes, run records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import store.db
import store.items
import store.runs
from pipeline.models import RawItem, SourceRunRecord
from store.schema import MIGRATIONS


def item(url: str, title: str = "许昌发制品出口增长") -> RawItem:
    return RawItem(
        url=url,
        source_id="s1",
        title=title,
        text="正文" * 40,
        fetched_at="2026-11-20T01:00:00+00:00",
    )


def test_open_db_creates_the_schema_in_wal_mode(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "sub" / "n.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert {"items", "sources", "runs", "source_runs", "issues", "issue_items", "events",
            "items_fts", "lsh_bands", "http_cache"} <= set(db.table_names())  # fmt: skip
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store.db.BUSY_TIMEOUT_MS


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    store.db.open_db(path)
    assert store.db.migrate(store.db.open_db(path)) == len(MIGRATIONS)


def test_saving_the_same_url_twice_stores_one_row(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    rows = [("k1", "https://a.example/1", item("https://a.example/1"))]
    assert store.items.save_raw_items(db, rows) == 1
    assert store.items.save_raw_items(db, rows) == 0
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 1
    assert store.items.known_keys(db, ["k1", "k2"]) == {"k1"}


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    try:
        with store.db.transaction(db):
            store.items.save_raw_items(db, [("k1", "u", item("https://a.example/1"))])
            raise RuntimeError("crash")
    except RuntimeError:
        pass
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_processed_items_become_searchable_and_status_changes_do_not_reindex(
    tmp_path: Path,
) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    store.items.save_raw_items(
        db, [("k1", "u", item("https://a.example/1", "瑞贝卡假发出口创新高"))]
    )
    search = "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?"
    assert db.execute(search, ["假发出口"]).fetchone()[0] == 0  # new items are not indexed yet
    with store.db.transaction(db):
        store.items.save_processed(db, "k1", {"status": "pending", "sector": "hair"})
    assert db.execute(search, ["假发出口"]).fetchone()[0] == 1
    with store.db.transaction(db):
        store.items.set_status(db, "k1", "accepted")
        db.execute("UPDATE items SET title = '许继集团中标特高压项目' WHERE key = 'k1'")
    assert db.execute(search, ["假发出口"]).fetchone()[0] == 0
    assert db.execute(search, ["特高压"]).fetchone()[0] == 1
    assert db.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')").rowcount != 0


def test_source_runs_update_health(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    run = store.runs.start_run(db, "test", "2026-11-20T00:00:00+00:00")
    fail = SourceRunRecord(run, "s1", "t0", "t1", requests=3, failed=3, error_kind="http_5xx",
                           error="HTTP 500", errors={"http_5xx": 3})  # fmt: skip
    store.runs.record_source_run(db, fail)
    run2 = store.runs.start_run(db, "test", "2026-11-20T01:00:00+00:00")
    store.runs.record_source_run(db, SourceRunRecord(run2, "s1", "t2", "t3", error_kind="timeout"))
    state = store.runs.source_states(db)["s1"]
    assert (state["consecutive_failures"], state["failing_since"], state["last_error_kind"]) == (
        2, "t0", "timeout")  # fmt: skip
    run3 = store.runs.start_run(db, "test", "2026-11-20T02:00:00+00:00")
    store.runs.record_source_run(db, SourceRunRecord(run3, "s1", "t4", "t5", new=2, requests=4))
    state = store.runs.source_states(db)["s1"]
    assert (state["consecutive_failures"], state["failing_since"], state["items_total"]) == (
        0,
        None,
        2,
    )
    store.runs.finish_run(db, run3, "ok", "t6")
    (last,) = store.runs.last_runs(db, 1)
    assert (last["status"], last["new"], last["requests"], last["sources"]) == ("ok", 2, 4, 1)


def test_the_search_index_is_redeclared_for_datasette_without_losing_hits(tmp_path: Path) -> None:
    """Migration 5 rebuilds items_fts as content="items" from a database made by migrations 1-4."""
    path = tmp_path / "old.db"
    db = store.db.Database(sqlite3.connect(path, isolation_level=None))
    for number, sql in enumerate(MIGRATIONS[:4], start=1):
        for statement in store.db._split_sql(sql):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute(
        "INSERT INTO items (key, source_id, url, canonical_url, title, text, fetched_at, "
        "processed_at) VALUES ('k1', 's1', 'u', 'u', '瑞贝卡假发出口创新高', '正文', 't', 't')"
    )
    db.execute(
        "INSERT INTO items (key, source_id, url, canonical_url, title, text, fetched_at) "
        "VALUES ('k2', 's1', 'u2', 'u2', '未处理的假发新闻', '正文', 't')"
    )
    db.conn.close()
    db = store.db.open_db(path)
    search = "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?"
    assert db.execute(search, ["假发出口"]).fetchone()[0] == 1
    assert db.execute(search, ["未处理"]).fetchone()[0] == 0  # still only processed items
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'items_fts'").fetchone()[0]
    assert 'content="items"' in sql
    # The vocabulary (2-character search) is back on the new index.
    assert db.execute("SELECT count(*) FROM items_fts_vocab WHERE term = '假发出'").fetchone()[0]
    assert db.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')").rowcount != 0
