"""scheduler.py: the pure job table and timing rules, then the real scheduler over the fixture
sites with second-scale intervals, a second scheduler refused, and a clean SIGTERM."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic

import store.db
import store.runs
from ops import lock
from ops.config_files import load_config
from scheduler import (
    MAINTENANCE_JOB,
    RETRY_AFTER_CRASH,
    JobSpec,
    build_jobs,
    cron_trigger,
    due_sources,
    first_run_time,
    in_quiet_hours,
    quiet_end,
)
from tests.ops.support import (
    ROOT,
    alive,
    crawl_children,
    fixture_sites,
    make_config,
    start_scheduler,
    stop,
    wait_until,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOURLY = JobSpec("every 1h", ("a",), every_seconds=3600)
DAILY = JobSpec("cron 0 7 * * *", ("b",), cron="0 7 * * *")
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ run=\S+ source=\S+ \S+: ")


def test_build_jobs_groups_sources_by_schedule_and_adds_the_nightly_job(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path, ["good-feed", "good-list", "bad-feed"], every="2h")
    ops = config_dir / "sources" / "ops.toml"
    text = ops.read_text(encoding="utf-8")
    text = text.replace('id = "good-list"', 'id = "good-list"\nevery = "30m"')
    ops.write_text(text.replace('id = "bad-feed"', 'id = "bad-feed"\ncron = "0 7 * * *"'))
    assert build_jobs(load_config(config_dir)) == [
        JobSpec("cron 0 7 * * *", ("bad-feed",), cron="0 7 * * *"),
        JobSpec("every 2h", ("good-feed",), every_seconds=7200),
        JobSpec("every 30m", ("good-list",), every_seconds=1800),
        JobSpec(MAINTENANCE_JOB, (), cron="30 3 * * *", kind="maintenance"),
    ]


def test_quiet_hours_wrap_midnight_and_defer_to_their_end() -> None:
    quiet = "23:00-06:00"
    moments = [time(22, 59), time(23, 0), time(2, 0), time(5, 59), time(6, 0)]
    assert [in_quiet_hours(quiet, m) for m in moments] == [False, True, True, True, False]
    assert not in_quiet_hours("", time(2, 0))
    assert quiet_end(quiet, datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == datetime(
        2026, 11, 25, 6, 0, tzinfo=UTC
    )
    assert quiet_end(quiet, datetime(2026, 11, 25, 2, 0, tzinfo=UTC)).day == 25


def test_after_downtime_an_overdue_job_runs_once_now_and_a_recent_one_waits() -> None:
    # Down for a day: one catch-up run now (APScheduler coalesces; no burst of 24).
    assert first_run_time(HOURLY, NOW - timedelta(days=1), NOW - timedelta(days=1), NOW) == NOW
    # Restarted 10 minutes after a cycle ended: the next one comes on schedule.
    end = NOW - timedelta(minutes=10)
    assert first_run_time(HOURLY, end, end, NOW) == end + timedelta(hours=1)
    # Never ran: crawl now; the nightly job waits for its time.
    assert first_run_time(HOURLY, None, None, NOW) == NOW
    nightly = JobSpec(MAINTENANCE_JOB, (), cron="30 3 * * *", kind="maintenance")
    assert first_run_time(nightly, None, None, NOW) is None


def test_a_cron_job_missed_during_downtime_catches_up_once() -> None:
    trigger = cron_trigger(DAILY.cron)

    def following(after: datetime) -> datetime | None:
        return trigger.get_next_fire_time(None, after)

    yesterday = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)
    assert first_run_time(DAILY, yesterday, yesterday, NOW, following) == NOW
    today = datetime(2026, 11, 24, 7, 5, tzinfo=UTC)
    assert first_run_time(DAILY, today, today, NOW, following) is None


def test_a_cycle_cut_short_by_a_scheduler_crash_is_retried_but_not_in_a_tight_loop() -> None:
    started = NOW - timedelta(minutes=2)
    ended = NOW - timedelta(hours=3)
    assert first_run_time(HOURLY, started, ended, NOW) == started + RETRY_AFTER_CRASH


def test_quarantined_and_backing_off_sources_are_skipped() -> None:
    spec = JobSpec("every 1h", ("ok", "quarantined", "backoff", "due-again"), every_seconds=3600)
    states = {
        "ok": {},
        "quarantined": {"quarantined": 1, "quarantined_at": "2026-11-20T00:00:00+00:00"},
        "backoff": {"next_due_at": "2026-11-24T15:00:00+00:00"},
        "due-again": {"next_due_at": "2026-11-24T12:10:00+00:00"},
    }
    due, skipped = due_sources(spec, states, NOW)
    assert due == ["ok", "due-again"]
    assert skipped == [
        ("quarantined", "quarantined since 2026-11-20T00:00:00+00:00"),
        ("backoff", "backing off after failures until 2026-11-24T15:00:00+00:00"),
    ]


def test_an_invalid_config_is_refused_with_every_problem(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed"])
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace('every = "2s"', 'every = "often"'))
    done = subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config_dir), "--db",
         str(tmp_path / "n.db")], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "refusing to start, the config is invalid" in done.stderr
    assert (
        "field 'schedule.every' must be a duration like 30m, 6h or 1d; got 'often'" in done.stderr
    )
    assert not (tmp_path / "n.db").exists()


def test_the_real_scheduler_runs_cycles_refuses_a_second_and_stops_cleanly(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed", "good-list"], every="2s")
    db = tmp_path / "data" / "newsdesk.db"
    out = tmp_path / "scheduler.out"

    def finished_runs() -> int:
        if not db.exists():
            return 0
        with sqlite3.connect(db) as conn:
            try:
                return int(
                    conn.execute("SELECT count(*) FROM runs WHERE status != 'running'").fetchone()[
                        0
                    ]
                )
            except sqlite3.OperationalError:  # the schema is still being created
                return 0

    with fixture_sites() as env:
        proc = start_scheduler(config_dir, db, env, out)
        try:
            wait_until(lambda: finished_runs() >= 1, 60, "the first cycle")
            second = subprocess.run(
                [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config_dir),
                 "--db", str(db)], capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            wait_until(lambda: finished_runs() >= 3, 60, "three cycles")
            assert proc.poll() is None
            assert stop(proc, timeout=40) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert second.returncode == 3
    assert "refusing to start" in second.stderr
    assert f"{db}: another scheduler already runs on this database (pid {proc.pid}" in second.stderr
    assert crawl_children(proc.pid) == []

    conn = store.db.open_db(db)
    runs = store.runs.last_runs(conn, 100)[::-1]
    assert all(r["status"] == "ok" and r["error_kind"] is None for r in runs), runs
    assert {r["trigger"] for r in runs} == {"schedule:every 2s"}
    assert all(r["finished_at"] >= r["started_at"] for r in runs)
    per_run = [
        {
            r["source_id"]: (r["new"], r["error_kind"])
            for r in store.runs.source_runs_of(conn, run["id"])
        }
        for run in runs
    ]
    assert per_run[0] == {"good-feed": (4, None), "good-list": (3, None)}
    assert all(p == {"good-feed": (0, None), "good-list": (0, None)} for p in per_run[1:])
    assert [r["new"] for r in runs] == [7] + [0] * (len(runs) - 1)
    assert store.db.count_by(conn, "status").get("new", 0) == 0
    assert lock.scheduler_holder(db) is None
    assert store.runs.get_state(conn, "scheduler")["stopped_at"]
    log = (db.parent / "logs" / "newsdesk.log").read_text(encoding="utf-8").splitlines()
    assert log and all(LINE.match(line) for line in log), [x for x in log if not LINE.match(x)][:3]
    assert any(" run=1 " in line and "cycle ends: ok" in line for line in log)
    assert any("SIGTERM: stopping" in line for line in log)


def test_sigterm_lets_the_cycle_run_for_the_grace_period_then_stops_its_crawl(
    tmp_path: Path,
) -> None:
    config_dir = make_config(tmp_path / "config", ["slow-list"], every="2s", stop_grace=2,
                             slow_delay=1.0)  # fmt: skip
    db = tmp_path / "data" / "newsdesk.db"

    def slow_items() -> int:
        with sqlite3.connect(db, timeout=30) as conn:
            try:
                return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
            except sqlite3.OperationalError:
                return 0

    with fixture_sites() as env:
        proc = start_scheduler(config_dir, db, env, tmp_path / "scheduler.out")
        try:
            child = wait_until(lambda: crawl_children(proc.pid), 60, "the crawl child")[0]
            wait_until(lambda: db.exists() and slow_items() >= 1, 60, "the first item")
            started = monotonic()
            assert stop(proc, timeout=60) == 0
            took = monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
    # The grace period, then the crawl's own graceful SIGTERM shutdown (SIGKILL after 10 s).
    assert 2 <= took < 25
    assert not alive(child)
    conn = store.db.open_db(db)
    (run,) = store.runs.last_runs(conn, 5)
    assert (run["status"], run["error_kind"]) == ("interrupted", "stopped")
    assert slow_items() >= 1
    # Stopping is ops' decision: no alert, and no failure counted against the source.
    assert store.runs.active_alerts(conn) == []
    # (The spider records itself when Scrapy's graceful stop ends within 10 s; else the cycle
    # records it without touching its health.)
    state = store.runs.source_states(conn).get("slow-list", {})
    assert state.get("consecutive_failures", 0) == 0
    assert {r["source_id"] for r in store.runs.source_runs_of(conn, run["id"])} == {"slow-list"}
    assert store.db.count_by(conn, "status").get("new", 0) == 0  # what it stored was processed


def test_newsdesk_schedule_refuses_an_invalid_config_like_scheduler_py(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    config_dir = make_config(tmp_path / "config", ["good-feed"])
    (config_dir / "sources" / "ops.toml").write_text('[[source]]\nid = "x"\nkind = "lisitng"\n')
    result = CliRunner().invoke(cli, ["--config", str(config_dir), "schedule"])
    assert result.exit_code == 2
    assert "refusing to start, the config is invalid" in result.output
    assert "field 'kind' must be one of feed, listing, json; got 'lisitng'" in result.output
