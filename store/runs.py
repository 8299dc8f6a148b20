"""Runs and what they say about each source: run and source_run rows, run recovery, the HTTP
cache, source health state and verdicts, alerts and scheduler facts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pipeline.errors import NotFoundError
from pipeline.health import AlertPlan, ExtractionPoint, StoredAlert
from pipeline.models import SourceRunRecord
from store.accounts import record_event
from store.db import Database, rows_of, transaction, utc_now


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


def start_run(
    db: Database, trigger: str, at: str, pid: int | None = None, host: str | None = None
) -> int:
    """Open a run record, with the process and host that run it; return its id.

    Every run names its process, so a scheduler starting meanwhile never takes a live manual
    `newsdesk crawl` for a crashed one (a run without a pid cannot be told from a dead one).
    """
    with transaction(db):
        cursor = db.execute(
            """INSERT INTO runs (started_at, trigger, status, pid, host)
               VALUES (?, ?, 'running', ?, ?)""",
            [at, trigger, pid, host],
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
        state = rows_of(db, "SELECT * FROM sources WHERE id = ?", [record.source_id])
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


def usual_list_size(db: Database, source_id: str, runs: int = 5) -> float | None:
    """Items per list page in the source's last clean runs (None before it has any)."""
    rows = rows_of(
        db,
        """SELECT items_seen, pages FROM source_runs WHERE source_id = ? AND error_kind IS NULL
           AND flag IS NULL AND pages > 0 AND items_seen > 0 ORDER BY started_at DESC LIMIT ?""",
        [source_id, runs],
    )
    sizes = sorted(r["items_seen"] / r["pages"] for r in rows)
    return sizes[len(sizes) // 2] if sizes else None


def source_states(db: Database) -> dict[str, dict[str, Any]]:
    """The health state of every source that has run, by id."""
    return {row["id"]: row for row in rows_of(db, "SELECT * FROM sources")}


def last_runs(db: Database, limit: int = 5) -> list[dict[str, Any]]:
    """The most recent cycles, newest first."""
    return rows_of(db, "SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])


def source_runs_of(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The per-source rows of one cycle."""
    return rows_of(db, "SELECT * FROM source_runs WHERE run_id = ? ORDER BY source_id", [run_id])


# How many recent runs of a source the health checks look at.
HISTORY = 20


YIELD_HISTORY = 12


def parse_time(text: str | None) -> datetime | None:
    """A stored ISO timestamp as an aware datetime (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def mark_run_owner(
    db: Database, run_id: int, pid: int, source_ids: Sequence[str], host: str | None = None
) -> None:
    """Record which process runs a cycle and which sources it covers (for crash recovery)."""
    with transaction(db):
        db.execute(
            "UPDATE runs SET pid = ?, source_ids = ?, host = coalesce(?, host) WHERE id = ?",
            [pid, json.dumps(list(source_ids)), host, run_id],
        )


def set_run_error_kind(db: Database, run_id: int, error_kind: str | None) -> None:
    """The error class of a finished cycle (None when it worked)."""
    with transaction(db):
        db.execute("UPDATE runs SET error_kind = ? WHERE id = ?", [error_kind, run_id])


def get_run(db: Database, run_id: int) -> dict[str, Any]:
    """One run row; NotFoundError otherwise."""
    rows = rows_of(db, "SELECT * FROM runs WHERE id = ?", [run_id])
    if not rows:
        raise NotFoundError(f"no run {run_id}")
    return rows[0]


def running_runs(db: Database) -> list[dict[str, Any]]:
    """Runs still marked running (live, or left behind by a killed process)."""
    return rows_of(db, "SELECT * FROM runs WHERE status = 'running' ORDER BY id")


def record_missing_source_runs(
    db: Database, run_id: int, source_ids: Sequence[str], kind: str, message: str,
    started_at: str, at: str, count_failure: bool,
) -> list[str]:  # fmt: skip
    """Give every source of a run that recorded nothing (its crawl died) a row; return their ids.

    :param count_failure: also count it against the source's health (a cycle timeout is the
        slow source's fault; a crash of the whole crawl process is not).
    """
    done = {r["source_id"] for r in source_runs_of(db, run_id)}
    missing = [s for s in source_ids if s not in done]
    for source_id in missing:
        record = SourceRunRecord(
            run_id=run_id, source_id=source_id, started_at=started_at, finished_at=at,
            error_kind=kind, error=message, errors={kind: 1},
        )  # fmt: skip
        if count_failure:
            record_source_run(db, record)
        else:
            row = asdict(record)
            row["errors"] = json.dumps(record.errors, sort_keys=True)
            with transaction(db):
                db.table("source_runs").upsert(row, pk=("run_id", "source_id"))
    return missing


def recover_abandoned_runs(db: Database, alive: Any, at: str, host: str | None = None) -> list[int]:
    """Mark runs whose process died while they were running as crashed; return their ids.

    :param alive: `pid -> bool`, whether that process still lives.
    :param host: this machine's name: a run recorded on another host (a database shared over
        the network) cannot be checked from here and is left alone.
    """
    recovered = []
    for run in running_runs(db):
        if host and run.get("host") and run["host"] != host:
            continue
        if run["pid"] and alive(int(run["pid"])):
            continue
        message = (
            f"the process running this cycle (pid {run['pid']}) died before the cycle ended; "
            "recovered when the next cycle started"
        )
        sources = json.loads(run["source_ids"] or "[]")
        record_missing_source_runs(
            db, run["id"], sources, "crashed", message, run["started_at"], at, False
        )
        finish_run(db, run["id"], "crashed", at, message)
        set_run_error_kind(db, run["id"], "abandoned")
        recovered.append(int(run["id"]))
    return recovered


def forgive_failures(db: Database, run_id: int, kind: str | None = None) -> None:
    """Undo the failure count a run added to its sources (our outage or our stop, not theirs).

    :param kind: only the sources that failed with this error kind (default: every failure).
    """
    with transaction(db):
        db.execute(
            """UPDATE sources SET consecutive_failures = max(consecutive_failures - 1, 0),
               failing_since = CASE WHEN consecutive_failures <= 1 THEN NULL ELSE failing_since END
               WHERE id IN (SELECT source_id FROM source_runs WHERE run_id = ?
                            AND error_kind IS NOT NULL AND (? IS NULL OR error_kind = ?))""",
            [run_id, kind, kind],
        )


def health_rows(db: Database, source_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per source: its state row, recent yields and extraction points (for pipeline.health)."""
    states = source_states(db)
    result = {}
    for sid in source_ids:
        recent = rows_of(
            db,
            """SELECT started_at FROM source_runs WHERE source_id = ? AND new > 0
               ORDER BY started_at DESC LIMIT ?""",
            [sid, YIELD_HISTORY],
        )
        yields = [parse_time(r["started_at"]) for r in recent]
        last_yield = yields[0].isoformat() if yields and yields[0] else ""
        since = db.execute(
            """SELECT count(*) FROM source_runs WHERE source_id = ? AND error_kind IS NULL
               AND started_at > ?""",
            [sid, last_yield],
        ).fetchone()[0]
        result[sid] = {
            "state": states.get(sid, {}),
            "yields": tuple(reversed([y for y in yields if y])),
            "runs_since_yield": int(since),
            "extraction": tuple(reversed(_extraction_points(db, sid))),
        }
    return result


def _extraction_points(db: Database, source_id: str) -> list[ExtractionPoint]:
    points = []
    for r in rows_of(
        db,
        """SELECT started_at, finished_at, new, errors FROM source_runs WHERE source_id = ?
           ORDER BY started_at DESC LIMIT ?""",
        [source_id, HISTORY],
    ):
        no_title = int(json.loads(r["errors"] or "{}").get("detail_extract_failed", 0))
        no_date = 0
        if r["new"]:
            no_date = db.execute(
                """SELECT count(*) FROM items WHERE source_id = ? AND published_at = ''
                   AND fetched_at BETWEEN ? AND ?""",
                [source_id, r["started_at"], r["finished_at"] or r["started_at"]],
            ).fetchone()[0]
        at = parse_time(r["started_at"])
        if at is not None:
            points.append(
                ExtractionPoint(at, r["new"] + no_title, no_title, r["new"], int(no_date))
            )
    return points


def save_source_verdict(
    db: Database, source_id: str, next_due_at: str | None, quarantine: bool, at: str
) -> bool:
    """Store a source's backoff and quarantine; True when it was quarantined just now."""
    with transaction(db):
        row = db.execute("SELECT quarantined FROM sources WHERE id = ?", [source_id]).fetchone()
        if row is None:
            return False
        newly = quarantine and not row[0]
        db.execute(
            """UPDATE sources SET next_due_at = ?, quarantined = ?,
               quarantined_at = CASE WHEN ? THEN ? ELSE quarantined_at END WHERE id = ?""",
            [next_due_at, int(quarantine), int(newly), at, source_id],
        )
        if not quarantine:
            db.execute("UPDATE sources SET quarantined_at = NULL WHERE id = ?", [source_id])
    return newly


def resume_source(db: Database, source_id: str, actor: str, at: str) -> dict[str, Any]:
    """Clear a source's quarantine, backoff and failure count (ops fixed it); return its state."""
    with transaction(db):
        rows = rows_of(db, "SELECT * FROM sources WHERE id = ?", [source_id])
        if not rows:
            raise NotFoundError(f"source '{source_id}' has no health state yet (it never ran)")
        before = rows[0]
        db.execute(
            """UPDATE sources SET quarantined = 0, quarantined_at = NULL, next_due_at = NULL,
               consecutive_failures = 0, failing_since = NULL WHERE id = ?""",
            [source_id],
        )
        db.execute(
            """UPDATE alerts SET active = 0, resolved_at = ? WHERE active = 1 AND subject = ?
               AND kind IN ('source_quarantined', 'source_failing')""",
            [at, source_id],
        )
        record_event(
            db, actor, "source_resume", source_id,
            {k: before[k] for k in ("quarantined", "consecutive_failures", "failing_since")},
            {"quarantined": 0, "consecutive_failures": 0}, at,
        )  # fmt: skip
    return before


def stored_alerts(db: Database) -> dict[str, StoredAlert]:
    """The de-duplication state of every alert key ever raised."""
    return {
        r["key"]: StoredAlert(r["key"], bool(r["active"]), parse_time(r["notified_at"]))
        for r in rows_of(db, "SELECT key, active, notified_at FROM alerts")
    }


def save_alert_plan(db: Database, plan: AlertPlan, at: str) -> None:
    """Store an evaluation's alerts; each newly raised or resolved one also becomes an event."""
    notified = {a.key for a in plan.notify}
    with transaction(db):
        for alert in plan.seen:
            prev = db.execute("SELECT active FROM alerts WHERE key = ?", [alert.key]).fetchone()
            if prev is None or not prev[0]:
                db.execute(
                    """INSERT INTO alerts (key, kind, subject, message, active, first_at,
                       last_seen_at, times) VALUES (?, ?, ?, ?, 1, ?, ?, 1)
                       ON CONFLICT (key) DO UPDATE SET message = excluded.message, active = 1,
                       first_at = excluded.first_at, last_seen_at = excluded.last_seen_at,
                       resolved_at = NULL, notified_at = NULL, times = 1""",
                    [alert.key, alert.kind, alert.subject, alert.message, at, at],
                )
                record_event(db, "scheduler", f"alert:{alert.kind}", alert.subject,
                                   None, {"message": alert.message}, at)  # fmt: skip
            else:
                db.execute(
                    """UPDATE alerts SET message = ?, last_seen_at = ?, times = times + 1
                       WHERE key = ?""",
                    [alert.message, at, alert.key],
                )
            if alert.key in notified:
                db.execute("UPDATE alerts SET notified_at = ? WHERE key = ?", [at, alert.key])
        for key in plan.resolved:
            db.execute("UPDATE alerts SET active = 0, resolved_at = ? WHERE key = ?", [at, key])
            kind, _, subject = key.partition(":")
            record_event(db, "scheduler", f"resolved:{kind}", subject, None, None, at)


def active_alerts(db: Database) -> list[dict[str, Any]]:
    """Alerts that hold now, oldest first."""
    return rows_of(db, "SELECT * FROM alerts WHERE active = 1 ORDER BY first_at, key")


def set_state(db: Database, key: str, value: Any) -> None:
    """Remember one scheduler fact (JSON) for `newsdesk status` and the next start."""
    with transaction(db):
        db.execute(
            """INSERT INTO scheduler_state (key, value, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value,
               updated_at = excluded.updated_at""",
            [key, json.dumps(value, ensure_ascii=False), utc_now()],
        )


def get_state(db: Database, key: str) -> Any:
    """A scheduler fact stored by set_state, or None."""
    row = db.execute("SELECT value FROM scheduler_state WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None
