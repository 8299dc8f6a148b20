"""Every run records its process and host, so a scheduler never takes a live crawl for dead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import store.db
import store.runs
from demo.fixture_server import serve
from ops.cycle import pid_alive
from tests.crawler.conftest import CRAWL_SITES, make_config

SLOW = """
[[source]]
id = "slow-list"
name = "slow-list"
kind = "listing"
urls = ["http://faults.example/slow/3/list"]
"""


def test_a_live_manual_crawl_is_not_recovered_as_crashed(tmp_path: Path) -> None:
    config = make_config(tmp_path, SLOW)
    db_path = tmp_path / "crawl.db"
    store.db.open_db(str(db_path))  # the schema exists before the crawl opens it
    with serve(CRAWL_SITES) as server:
        env = {**os.environ, "NEWSDESK_HOST_MAP": f"*={server.proxy}"}
        child = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db_path)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            db = store.db.open_db(str(db_path))
            deadline = time.monotonic() + 20
            while not store.runs.running_runs(db) and time.monotonic() < deadline:
                time.sleep(0.1)
            (run,) = store.runs.running_runs(db)
            assert run["pid"] == child.pid and run["host"] == socket.gethostname()
            # What a scheduler starting now does: its own pid is not the crawl's.
            recovered = store.runs.recover_abandoned_runs(
                db, pid_alive, store.db.utc_now(), socket.gethostname()
            )
            assert recovered == []
        finally:
            assert child.wait(timeout=60) == 0
    (row,) = store.db.rows_of(db, "SELECT status, error_kind FROM runs")
    assert row["status"] != "crashed" and row["error_kind"] != "abandoned"


def test_only_runs_of_this_host_are_checked(tmp_path: Path) -> None:
    db = store.db.open_db(str(tmp_path / "x.db"))
    at = store.db.utc_now()
    elsewhere = store.runs.start_run(db, "crawl", at, pid=999_999, host="other-machine")
    here = store.runs.start_run(db, "crawl", at, pid=999_999, host="this-machine")
    recovered = store.runs.recover_abandoned_runs(db, lambda pid: False, at, "this-machine")
    assert recovered == [here]
    assert [r["id"] for r in store.runs.running_runs(db)] == [elsewhere]
