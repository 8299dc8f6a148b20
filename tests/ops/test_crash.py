"""Crashes with real processes: SIGKILL the crawl child mid-cycle, then the whole scheduler
mid-cycle. The database stays sound, no stored item is lost, the crash is recorded, and the next
scheduler completes the work. Also: a nightly backup restores every item."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

from click.testing import CliRunner

import store.backup
import store.db
import store.items
import store.runs
from cli.main import cli
from ops import lock, maintenance
from ops.config_files import load_config
from tests.ops.support import (
    alive,
    crawl_children,
    fixture_sites,
    make_config,
    start_scheduler,
    stop,
    wait_until,
)

SLOW_ITEMS = 12  # tests/fixtures/ops/www/slow.example: 12 detail pages, fetched 0.5 s apart
FEED_ITEMS = 4


def keys(db: Path, source: str | None = None) -> set[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        sql, args = "SELECT key FROM items", ()
        if source:
            sql, args = sql + " WHERE source_id = ?", (source,)
        return {row[0] for row in conn.execute(sql, args)}


def run_row(db: Path, run_id: int) -> dict[str, object] | None:
    with sqlite3.connect(db, timeout=30) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else None


def test_killing_the_crawl_then_the_scheduler_loses_nothing(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed", "slow-list"], every="2s")
    db = tmp_path / "data" / "newsdesk.db"
    out = tmp_path / "scheduler.out"
    with fixture_sites() as env:
        first = start_scheduler(config_dir, db, env, out)
        try:
            # 1. SIGKILL the crawl child while it is storing the slow site's articles.
            child = wait_until(lambda: crawl_children(first.pid), 60, "the first crawl child")[0]
            wait_until(lambda: db.exists() and len(keys(db, "slow-list")) >= 3, 60, "3 items")
            os.kill(child, signal.SIGKILL)
            killed_at = time.monotonic()
            stored_before_kill = keys(db)
            crashed = wait_until(
                lambda: (r := run_row(db, 1)) and r["status"] != "running" and r, 30, "run 1 closed"
            )
            recorded_after = time.monotonic() - killed_at
            # 2. The scheduler goes on: the next cycle starts; SIGKILL the scheduler mid-cycle.
            second = wait_until(
                lambda: [c for c in crawl_children(first.pid) if c != child], 60, "a second crawl"
            )[0]
            count = len(keys(db, "slow-list"))
            wait_until(lambda: len(keys(db, "slow-list")) > count, 60, "more items in run 2")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            stored_before_second_kill = keys(db)
            # The crawl child dies with the scheduler (PDEATHSIG): no orphan writes on.
            wait_until(lambda: not alive(second), 10, "the orphaned crawl to die")
        finally:
            if first.poll() is None:
                first.kill()

        conn = store.db.open_db(db)
        assert store.backup.integrity_problems(conn) == []
        assert stored_before_kill <= stored_before_second_kill <= keys(db)
        assert crashed["error_kind"] == "killed"
        assert crashed["error"] == "crawl process killed by signal SIGKILL"
        assert crashed["status"] == "crashed" and crashed["log_tail"]
        rows = {r["source_id"]: r for r in store.runs.source_runs_of(conn, 1)}
        assert rows["slow-list"]["error_kind"] == "crashed"  # recorded for the dead crawl
        # A crash of the crawl process is not the source's fault: no failure counted.
        assert (
            store.runs.source_states(conn).get("slow-list", {}).get("consecutive_failures", 0) == 0
        )
        assert run_row(db, 2)["status"] == "running"  # its scheduler died with it  # type: ignore[index]

        # 3. A new scheduler recovers the abandoned run and completes the work.
        restart = time.monotonic()
        again = start_scheduler(config_dir, db, env, out)
        try:
            wait_until(
                lambda: len(keys(db, "slow-list")) == SLOW_ITEMS
                and (r := run_row(db, 3)) and r["status"] == "ok",
                90, "a complete cycle after the restart",
            )  # fmt: skip
            recovered_in = time.monotonic() - restart
            assert stop(again, timeout=40) == 0
        finally:
            if again.poll() is None:
                again.kill()

    conn = store.db.open_db(db)
    assert store.backup.integrity_problems(conn) == []
    assert len(keys(db)) == SLOW_ITEMS + FEED_ITEMS
    assert store.db.count_by(conn, "status").get("new", 0) == 0  # every stored item was processed
    abandoned = run_row(db, 2)
    assert abandoned is not None and abandoned["status"] == "crashed"
    assert abandoned["error_kind"] == "abandoned"
    assert {r["source_id"] for r in store.runs.source_runs_of(conn, 2)} == {
        "good-feed",
        "slow-list",
    }
    actions = [r[0] for r in conn.execute("SELECT action FROM events ORDER BY id")]
    assert "alert:cycle_crashed" in actions and "resolved:cycle_crashed" in actions
    assert store.runs.active_alerts(conn) == []
    print(f"\ncrash recorded {recorded_after:.1f} s after SIGKILL; "
          f"restart to a complete cycle: {recovered_in:.1f} s")  # fmt: skip


def test_a_nightly_backup_restores_every_item(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed"])
    config = load_config(config_dir)
    db_path = tmp_path / "data" / "newsdesk.db"
    db = store.db.open_db(db_path)
    from pipeline.models import RawItem

    items = [(f"k{i}", f"https://a.example/{i}", RawItem(f"https://a.example/{i}", "good-feed",
              f"标题{i}", "正文" * 40, "2026-11-24T01:00:00+00:00")) for i in range(5)]  # fmt: skip
    store.items.save_raw_items(db, items)
    result = maintenance.nightly(config, str(db_path), tmp_path / "data" / "logs")
    backup = Path(result["backup"])
    assert backup.parent == tmp_path / "data" / "backups"
    with store.db.transaction(db):
        db.execute("DELETE FROM items WHERE key IN ('k1', 'k2')")
    runner = CliRunner()
    args = ["--config", str(config_dir), "--db", str(db_path)]
    done = runner.invoke(cli, [*args, "restore", str(backup), "--yes"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "restored" in done.output and "pre-restore-" in done.output
    assert len(keys(db_path)) == 5
    assert store.backup.integrity_problems(store.db.open_db(db_path)) == []
    # A restore refuses while a scheduler holds the database.
    held = lock.acquire_scheduler_lock(db_path)
    try:
        refused = runner.invoke(cli, [*args, "restore", str(backup), "--yes"])
    finally:
        held.release()
    assert refused.exit_code == 1 and "another scheduler already runs" in refused.output
