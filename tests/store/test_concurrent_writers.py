"""An editor working in the desk while a crawl cycle writes: WAL and the busy timeout mean no
"database is locked" error, and both writers' changes land."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import store.db
import store.review
import store.runs
from ops.config_files import load_config
from ops.cycle import run_cycle
from tests.ops.support import fixture_sites, make_config, wait_until


def test_an_editor_and_a_crawl_cycle_write_at_once_without_locking_errors(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed", "good-list", "slow-list"],
                             slow_delay=0.2)  # fmt: skip
    config = load_config(config_dir)
    db_path = str(tmp_path / "data" / "newsdesk.db")
    stop = threading.Event()
    writes: list[str] = []
    errors: list[BaseException] = []

    def editor() -> None:
        """Accept and restore the first cycle's items, one click after another."""
        db = store.db.open_db(db_path)
        keys = [r["key"] for r in db.query("SELECT key FROM items WHERE status = 'pending'")]
        n = 0
        while not stop.is_set():
            key = keys[n % len(keys)]
            action = "accept" if (n // len(keys)) % 2 == 0 else "restore"
            try:
                store.review.decide(db, key, action, "editor1")
            except BaseException as exc:  # a locking error must fail the test
                errors.append(exc)
                return
            writes.append(datetime.now(UTC).isoformat(timespec="seconds"))
            n += 1
            time.sleep(0.02)  # an editor's click rate, not a wait for a condition

    with fixture_sites() as env:
        first = run_cycle(config, db_path, ["good-feed", "good-list"], env=env)
        assert first.status == "ok"
        thread = threading.Thread(target=editor)
        thread.start()
        try:
            wait_until(lambda: len(writes) >= 5 or errors, 30, "the editor's first clicks")
            second = run_cycle(config, db_path, ["slow-list"], env=env)
        finally:
            stop.set()
            thread.join(60)

    assert errors == []
    assert second.status == "ok" and second.processed.processed == 12
    db = store.db.open_db(db_path)
    run = store.runs.last_runs(db, 1)[0]
    fetched = sorted(r[0] for r in db.execute(
        "SELECT fetched_at FROM items WHERE source_id = 'slow-list'"))  # fmt: skip
    # Both writers were active at once: editor clicks landed between the crawl's first and
    # last stored item, and while the cycle (crawl + processing) ran.
    assert sum(fetched[0] <= w <= fetched[-1] for w in writes) >= 5
    assert sum(run["started_at"] <= w <= run["finished_at"] for w in writes) >= 5
    events = db.execute("SELECT count(*) FROM events WHERE actor = 'editor1'").fetchone()[0]
    assert events == len(writes) and len(fetched) == 12
    assert store.db.count_by(db, "status").get("new", 0) == 0
