"""One source timing out, one answering 500, one whose selector broke and one whose feed is not a
feed: the other sources' items are stored, and each failure is classified and shown by
`newsdesk status`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import store.db
import store.runs
from cli.main import cli
from tests.ops.support import fixture_sites, make_config

BROKEN = {
    "times-out": "timeout",
    "http-500": "http_5xx",
    "broken-selector": "empty_list",
    "bad-feed": "parse_error",
}


def test_broken_sources_leave_the_others_stored_and_are_classified_in_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = make_config(tmp_path / "config", ["good-feed", "good-list", *BROKEN])
    db_path = tmp_path / "data" / "newsdesk.db"
    args = ["--config", str(config_dir), "--db", str(db_path)]
    runner = CliRunner()
    with fixture_sites() as env:
        monkeypatch.setenv("NEWSDESK_HOST_MAP", env["NEWSDESK_HOST_MAP"])
        done = runner.invoke(cli, [*args, "run"], catch_exceptions=False)
    assert done.exit_code == 0, done.output

    db = store.db.open_db(db_path)
    assert store.db.count_by(db, "source_id") == {"good-feed": 4, "good-list": 3}
    assert store.db.count_by(db, "status").get("new", 0) == 0
    outcome = {r["source_id"]: r["error_kind"] for r in store.runs.source_runs_of(db, 1)}
    assert outcome == {"good-feed": None, "good-list": None, **BROKEN}
    # Some sources worked, so the cycle itself is fine; the failures are the sources'.
    assert store.runs.last_runs(db, 1)[0]["status"] == "ok"
    states = store.runs.source_states(db)
    assert {s: states[s]["last_error_kind"] for s in BROKEN} == BROKEN
    # The broken pages were kept for ops to look at.
    assert list((db_path.parent / "snapshots" / "broken-selector").glob("run1-*.html"))

    status = runner.invoke(cli, [*args, "status"], catch_exceptions=False).output
    lines = {line.split()[0]: line for line in status.splitlines() if line.split()}
    for source_id in ("good-feed", "good-list"):
        assert lines[source_id].split()[:3] == [source_id, "yes", "OK"]
    for source_id, kind in BROKEN.items():
        assert f"failing since {states[source_id]['failing_since']} ({kind}, 1x" in lines[source_id]
    assert "http://broken.example/news/index.html: list selector" in lines["broken-selector"]
    assert "HTTP 500 for http://faults.example/status/500/list.html" in lines["http-500"]
