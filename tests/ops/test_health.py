"""Source health and alerts: backoff, quarantine, gone quiet, extraction alarms, de-duplication;
then delivery through a local SMTP sink and a local webhook sink (never the internet)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import store.accounts
import store.db
import store.items
import store.runs
from cli.main import cli
from ops import monitor
from ops.config_files import load_config
from pipeline import health
from pipeline.health import Alert, ExtractionPoint, HealthPolicy, SourceHealthInput, StoredAlert
from pipeline.models import SourceRunRecord
from tests.ops.support import make_config

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOUR = 3600


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# --- backoff and quarantine ------------------------------------------------------------------


def test_backoff_doubles_per_failure_up_to_the_maximum() -> None:
    assert [health.backoff_seconds(n, HOUR, 86400) / HOUR for n in range(7)] == [
        1, 1, 2, 4, 8, 16, 24,
    ]  # fmt: skip


def test_a_failing_source_is_retried_less_often_not_dropped() -> None:
    last = ago(minutes=1)
    assert health.next_due(last, 1, HOUR, 86400) is None  # one failure: the normal schedule
    due = health.next_due(last, 3, HOUR, 86400)
    assert due == last + timedelta(hours=4)
    # The job fires hourly: skipped at +1h, +2h, +3h, crawled again at +4h (jitter tolerated).
    fires = [last + timedelta(hours=h, minutes=-2) for h in range(1, 6)]
    assert [health.is_due(due, t, HOUR) for t in fires] == [False, False, False, True, True]


def test_quarantine_after_n_consecutive_failures_with_a_resume_hint() -> None:
    inp = SourceHealthInput("henan-kjt", HOUR, consecutive_failures=10,
                            failing_since="2026-11-20T01:00:00+00:00", last_error_kind="http_5xx",
                            last_error="HTTP 503", last_run_at=ago(hours=1))  # fmt: skip
    verdict = health.evaluate_source(inp, NOW, HealthPolicy(quarantine_after=10))
    assert (verdict.quarantine, verdict.next_due_at) == (True, None)
    assert [a.kind for a in verdict.alerts] == ["source_quarantined"]
    assert "newsdesk sources resume henan-kjt" in verdict.alerts[0].message
    assert "since 2026-11-20T01:00:00+00:00" in verdict.alerts[0].message


def test_failing_alert_only_from_alert_after_failures() -> None:
    def kinds(failures: int) -> list[str]:
        inp = SourceHealthInput("s", HOUR, consecutive_failures=failures, last_run_at=NOW)
        verdict = health.evaluate_source(inp, NOW, HealthPolicy(alert_after=3))
        return [a.kind for a in verdict.alerts]

    assert [kinds(n) for n in (0, 2, 3)] == [[], [], ["source_failing"]]


# --- gone quiet -------------------------------------------------------------------------------


def yielding(every_hours: float, count: int, last_ago_hours: float) -> tuple[datetime, ...]:
    last = ago(hours=last_ago_hours)
    return tuple(last - timedelta(hours=every_hours * i) for i in reversed(range(count)))


def test_a_source_that_usually_yields_daily_is_quiet_after_three_silent_days() -> None:
    inp = SourceHealthInput("s", 2 * HOUR, yields=yielding(24, 6, 80), runs_since_yield=40)
    message = health.gone_quiet(inp, NOW, 3.0)
    assert message is not None and message.startswith("no new item for 3d 8h (usually one every 1d")
    assert health.gone_quiet(replace(inp, yields=yielding(24, 6, 70)), NOW, 3.0) is None


def test_gone_quiet_needs_history_and_runs_since_the_last_item() -> None:
    few = SourceHealthInput("s", HOUR, yields=yielding(24, 3, 200), runs_since_yield=40)
    assert health.gone_quiet(few, NOW, 3.0) is None  # two gaps do not make a habit
    idle = SourceHealthInput("s", HOUR, yields=yielding(24, 6, 200), runs_since_yield=1)
    assert health.gone_quiet(idle, NOW, 3.0) is None  # not crawled since: not the site's silence


def test_a_failing_source_is_reported_as_failing_not_as_quiet() -> None:
    inp = SourceHealthInput("s", HOUR, consecutive_failures=5, last_run_at=NOW,
                            yields=yielding(24, 6, 200), runs_since_yield=40)  # fmt: skip
    kinds = [a.kind for a in health.evaluate_source(inp, NOW, HealthPolicy()).alerts]
    assert kinds == ["source_failing"]


# --- field-extraction failures ---------------------------------------------------------------


def points(*runs: tuple[int, int, int]) -> tuple[ExtractionPoint, ...]:
    """(attempted, no_title, no_date) per run, oldest first."""
    return tuple(
        ExtractionPoint(ago(hours=len(runs) - i), a, t, a - t, d)
        for i, (a, t, d) in enumerate(runs)
    )


def test_a_sudden_rise_of_empty_titles_looks_like_a_redesign() -> None:
    history = points((10, 0, 0), (8, 1, 0), (12, 0, 0), (10, 0, 0), (10, 8, 0), (9, 9, 0))
    message = health.extraction_rise(history)
    assert message == (
        "empty titles/bodies rose to 89% of the last 2 runs (was 2%): the site was probably "
        "redesigned, check its selectors"
    )


def test_dates_suddenly_missing_raise_the_alarm_too() -> None:
    history = points((10, 0, 0), (10, 0, 1), (10, 0, 0), (10, 0, 9), (10, 0, 10))
    assert (health.extraction_rise(history) or "").startswith("empty dates rose to 95%")


def test_a_source_that_never_had_dates_is_not_an_alarm() -> None:
    always = points((10, 0, 10), (10, 0, 10), (10, 0, 10), (10, 0, 10), (10, 0, 10))
    assert health.extraction_rise(always) is None
    assert health.extraction_rise(always[:3]) is None  # too little history


# --- alert de-duplication ------------------------------------------------------------------


def test_an_alert_is_sent_once_then_as_a_reminder_after_repeat_hours_then_resolved() -> None:
    alert = Alert("source_failing", "s", "failing")
    first = health.plan_alerts([alert], {}, NOW, 24)
    assert (first.notify, first.resolved) == ((alert,), ())
    stored = {alert.key: StoredAlert(alert.key, True, NOW)}
    assert health.plan_alerts([alert], stored, NOW + timedelta(hours=1), 24).notify == ()
    assert health.plan_alerts([alert], stored, NOW + timedelta(hours=25), 24).notify == (alert,)
    assert health.plan_alerts([alert], stored, NOW + timedelta(days=9), 0).notify == ()
    gone = health.plan_alerts([], stored, NOW + timedelta(hours=2), 24)
    assert (gone.notify, gone.resolved) == ((), ("source_failing:s",))


def test_alerts_outside_the_scope_of_an_evaluation_stay_active() -> None:
    stored = {"maintenance_failed:": StoredAlert("maintenance_failed:", True, NOW)}
    plan = health.plan_alerts([], stored, NOW, 24, scope=monitor.CYCLE_SCOPE)
    assert plan.resolved == ()


def test_a_crashed_cycle_raises_one_alert_keyed_on_the_cycle_not_the_run() -> None:
    a = health.cycle_alerts("crashed", 7, "killed by signal SIGKILL", "killed")
    b = health.cycle_alerts("crashed", 8, "killed by signal SIGKILL", "killed")
    assert [x.key for x in a] == [x.key for x in b] == ["cycle_crashed:"]
    assert health.cycle_alerts("ok", 9, None, None) == ()


def test_every_site_unreachable_at_once_is_our_outage_not_the_sources_fault() -> None:
    assert health.is_outage(["connect", "dns", "timeout"])
    assert not health.is_outage(["connect"])  # one source alone proves nothing
    assert not health.is_outage(["connect", "http_5xx"])
    (alert,) = health.cycle_alerts("failed", 4, "a: connect; b: dns", "network_outage")
    assert alert.message.startswith("run 4: no site reachable, is the network down?")


def test_forgiving_an_outage_restores_each_sources_failure_count(tmp_path: Path) -> None:
    db = store.db.open_db(tmp_path / "n.db")
    fail(db, 1, "a")
    fail(db, 2, "a")
    fail(db, 2, "b")
    store.runs.forgive_failures(db, 2)
    states = store.runs.source_states(db)
    assert (states["a"]["consecutive_failures"], states["b"]["consecutive_failures"]) == (1, 0)
    assert states["a"]["failing_since"] and states["b"]["failing_since"] is None


# --- delivery through local sinks ------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib.send_message: every message lands in server.messages."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        data: list[bytes] | None = None
        for raw in self.rfile:
            if data is not None:
                if raw.rstrip(b"\r\n") == b".":
                    self.server.messages.append(b"".join(data).decode("utf-8", "replace"))  # type: ignore[attr-defined]
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(raw)
                continue
            verb = raw[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                data = []
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def sinks() -> Iterator[tuple[socketserver.TCPServer, HTTPServer]]:
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    smtp.daemon_threads = True
    smtp.messages = []  # type: ignore[attr-defined]
    hook = HTTPServer(("127.0.0.1", 0), _HookHandler)
    hook.posts = []  # type: ignore[attr-defined]
    for server in (smtp, hook):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield smtp, hook
    for server in (smtp, hook):
        server.shutdown()
        server.server_close()


def fail(db: store.db.Database, run: int, source: str, kind: str = "http_5xx") -> None:
    store.runs.record_source_run(db, SourceRunRecord(
        run, source, f"2026-11-24T0{run}:00:00+00:00", f"2026-11-24T0{run}:00:05+00:00",
        requests=1, failed=1, error_kind=kind, error="HTTP 503 for http://x.example/",
    ))  # fmt: skip


def test_alerts_reach_email_and_webhook_once_and_quarantine_shows_in_status(
    tmp_path: Path, sinks: tuple[socketserver.TCPServer, HTTPServer]
) -> None:
    smtp, hook = sinks
    extra = f"""[alerts]
email_to = ["ops@xcsti.example"]
smtp_host = "127.0.0.1"
smtp_port = {smtp.server_address[1]}
webhook_url = "http://127.0.0.1:{hook.server_address[1]}/hook"
"""
    config_dir = make_config(tmp_path / "config", ["good-feed", "good-list"], quarantine_after=3,
                             extra=extra)  # fmt: skip
    config = load_config(config_dir)
    db_path = tmp_path / "n.db"
    db = store.db.open_db(db_path)
    for run in (1, 2):  # alert_after = 1: the first failure alerts, the second does not repeat
        fail(db, run, "good-list")
        monitor.raise_alerts(db, config, monitor.evaluate(db, config, NOW), NOW)
    assert len(smtp.messages) == 1 and len(hook.posts) == 1  # type: ignore[attr-defined]
    assert "source_failing good-list" in smtp.messages[0]  # type: ignore[attr-defined]
    post = hook.posts[0]  # type: ignore[attr-defined]
    assert post["msgtype"] == "text" and post["alerts"][0]["subject"] == "good-list"
    fail(db, 3, "good-list")  # the third failure quarantines it: a new alert, sent once
    monitor.raise_alerts(db, config, monitor.evaluate(db, config, NOW), NOW)
    assert len(hook.posts) == 2  # type: ignore[attr-defined]
    assert "resolved: source_failing:good-list" in hook.posts[1]["text"]["content"]  # type: ignore[attr-defined]
    assert store.runs.source_states(db)["good-list"]["quarantined"] == 1
    events = [r[0] for r in db.execute("SELECT action FROM events ORDER BY id")]
    assert events == ["alert:source_failing", "alert:source_quarantined", "resolved:source_failing"]

    runner = CliRunner()
    args = ["--config", str(config_dir), "--db", str(db_path)]
    status = runner.invoke(cli, [*args, "status"], catch_exceptions=False).output
    line = next(x for x in status.splitlines() if x.startswith("good-list "))
    assert line.split()[:4] == ["good-list", "yes", "QUARANTINED", "since"]
    resumed = runner.invoke(cli, [*args, "sources", "resume", "good-list"], catch_exceptions=False)
    assert resumed.output.startswith("good-list: resumed (was quarantined, 3 failures)")
    state = store.runs.source_states(db)["good-list"]
    assert (state["quarantined"], state["consecutive_failures"], state["next_due_at"]) == (
        0,
        0,
        None,
    )
    assert store.runs.active_alerts(db) == []


def test_a_dead_mail_server_is_logged_not_raised(tmp_path: Path) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed"], extra="""[alerts]
email_to = ["ops@xcsti.example"]
smtp_host = "127.0.0.1"
smtp_port = 9
timeout = 2
""")  # fmt: skip
    config = load_config(config_dir)
    from ops import alerts

    errors = alerts.deliver(config.settings.alerts, [Alert("cycle_crashed", "", "boom")])
    assert len(errors) == 1 and errors[0].startswith("e-mail to ops@xcsti.example failed")


def test_the_desk_ops_page_shows_health_in_chinese_and_needs_a_login(tmp_path: Path) -> None:
    import store.accounts
    import store.db
    import store.items
    import store.runs
    from desk.auth import hash_password
    from desk.web import create_app
    from tests.desk.conftest import EDITOR, PASSWORD, login

    config_dir = make_config(tmp_path / "config", ["good-feed", "good-list"], quarantine_after=3)
    db_path = tmp_path / "n.db"
    db = store.db.open_db(db_path)
    store.accounts.add_user(db, EDITOR, hash_password(PASSWORD), "王丽")
    config = load_config(config_dir)
    run = store.runs.start_run(db, "test", "2026-11-24T03:00:00+00:00")
    for n in (1, 2, 3):
        fail(db, n, "good-list")
    store.runs.finish_run(db, run, "crashed", "2026-11-24T03:00:09+00:00", "crawl process killed")
    monitor.after_cycle(db, config, run, NOW)
    client = create_app(str(db_path), str(config_dir), secret_key="test").test_client()
    assert client.get("/ops").status_code == 302  # the login page first, like every desk page
    login(client)
    page = client.get("/ops").text
    assert "运行监控" in page and "调度器未运行" in page
    assert "已隔离" in page and "newsdesk sources resume good-list" in page
    assert "cycle_crashed" in page and "崩溃" in page


def test_health_rows_gather_yields_quiet_runs_and_extraction_points(tmp_path: Path) -> None:
    from pipeline.models import RawItem

    db = store.db.open_db(tmp_path / "n.db")

    def run(n: int, new: int = 0, kind: str | None = None, no_title: int = 0) -> None:
        errors = {"detail_extract_failed": no_title} if no_title else {}
        store.runs.record_source_run(db, SourceRunRecord(
            n, "s", f"2026-11-2{n}T01:00:00+00:00", f"2026-11-2{n}T01:05:00+00:00", new=new,
            error_kind=kind, errors=errors,
        ))  # fmt: skip

    run(1, new=2)
    item = RawItem("https://a.example/1", "s", "标题", "正文" * 40, "2026-11-22T01:02:00+00:00")
    store.items.save_raw_items(db, [("k1", item.url, item)])  # fetched in run 2, without a date
    run(2, new=1, no_title=3)
    run(3, kind="http_5xx")  # a failed run is not a quiet one
    run(4)
    run(5)
    row = store.runs.health_rows(db, ["s"])["s"]
    assert row["yields"] == (datetime(2026, 11, 21, 1, tzinfo=UTC),
                             datetime(2026, 11, 22, 1, tzinfo=UTC))  # fmt: skip
    assert row["runs_since_yield"] == 2
    assert [(p.attempted, p.no_title, p.stored, p.no_date) for p in row["extraction"]] == [
        (2, 0, 2, 0), (4, 3, 1, 1), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0),
    ]  # fmt: skip
