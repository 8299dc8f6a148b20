"""Plain-text reports for the CLI: cycles, queue, source health."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import store.backup
import store.db
import store.runs
from ops import lock
from pipeline.config import Config

# Alert kinds whose message explains a source that otherwise looks OK.
QUIET_KINDS = ("source_quiet", "extraction_rise")


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A left-aligned text table that lines up Chinese text too."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def health_code(state: dict[str, Any] | None, alerts: Sequence[dict[str, Any]] = ()) -> str:
    """never | quarantined | failing | quiet | extraction | flagged | ok (any language labels)."""
    kinds = {a["kind"] for a in alerts}
    if not state:
        return "never"
    if state.get("quarantined"):
        return "quarantined"
    if state.get("consecutive_failures"):
        return "failing"
    if "source_quiet" in kinds:
        return "quiet"
    if "extraction_rise" in kinds:
        return "extraction"
    if state.get("flag") or "selectors_broken" in kinds:
        return "flagged"
    return "ok"


def health_label(state: dict[str, Any] | None, alerts: Sequence[dict[str, Any]] = ()) -> str:
    """OK / failing since X (kind) / quarantined / gone quiet / extraction alarm / never run."""
    code = health_code(state, alerts)
    if state is None or code == "never":
        return "never run"
    if code == "quarantined":
        since = state.get("quarantined_at") or state.get("failing_since")
        return f"QUARANTINED since {since} ({state.get('last_error_kind')})"
    if code == "failing":
        retry = f"; next try {state['next_due_at']}" if state.get("next_due_at") else ""
        return (
            f"failing since {state.get('failing_since')} ({state.get('last_error_kind')}, "
            f"{state['consecutive_failures']}x{retry})"
        )
    labels = {"quiet": "GONE QUIET", "extraction": "EXTRACTION FAILING",
              "flagged": "OK, SELECTORS BROKEN (auto-detected)"}  # fmt: skip
    return labels.get(code, "OK")


def sector_names(config: Config) -> dict[str, str]:
    """Sector id → Chinese name, in the 6+3+3 order, plus the side exits."""
    names = {s.id: s.name for s in config.rules.sectors}
    return {**names, "off_topic": "无关(off_topic)", "": "未分类"}


def cycle_report(db: store.db.Database, run_id: int) -> str:
    """One cycle: totals, then one line per source."""
    runs = [r for r in store.runs.last_runs(db, 50) if r["id"] == run_id]
    if not runs:
        return f"run {run_id}: not found"
    run = runs[0]
    head = (
        f"run {run_id} [{run['status']}] {run['started_at']} → {run['finished_at'] or '…'}: "
        f"{run['new']} new, {run['duplicate']} already stored, {run['failed']} failed requests"
    )
    rows = [
        [r["source_id"], r["requests"], r["new"], r["duplicate"], r["failed"],
         r["error_kind"] or "OK", (r["error"] or "")[:70]]
        for r in store.runs.source_runs_of(db, run_id)
    ]  # fmt: skip
    extra = f"\nerror: {run['error']}" if run["error"] else ""
    headers = ["source", "requests", "new", "seen", "failed", "result", "detail"]
    return f"{head}{extra}\n{table(headers, rows)}"


def queue_report(db: store.db.Database, config: Config) -> str:
    """Processed items per sector (6+3+3 order) and per status."""
    names = sector_names(config)
    by_sector = store.db.count_by(db, "sector", "status = 'pending'")
    rows = [[names[sid], by_sector.get(sid, 0)] for sid in names if sid not in ("", "off_topic")]
    by_status = store.db.count_by(db, "status")
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    return (
        f"queue (pending per sector):\n{table(['sector', 'pending'], rows)}\nall items: {statuses}"
    )


def scheduler_line(db: store.db.Database) -> str:
    """Whether a scheduler holds this database, and when the next cycle starts."""
    holder = lock.scheduler_holder(store.backup.db_file(db))
    upcoming = store.runs.get_state(db, "next_cycle")
    if holder is None:
        return "scheduler: NOT RUNNING (start: systemctl start newsdesk-scheduler)"
    nxt = f"{upcoming['at']} ({upcoming['job']})" if upcoming else "none scheduled"
    pid, since = holder.get("pid"), holder.get("since")
    return f"scheduler: running (pid {pid} since {since}); next cycle: {nxt}"


def source_rows(db: store.db.Database, config: Config) -> list[dict[str, Any]]:
    """Each configured source's health for the status table and the desk's ops page."""
    states = store.runs.source_states(db)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for alert in store.runs.active_alerts(db):
        by_source.setdefault(alert["subject"], []).append(alert)
    rows = []
    for s in config.sources:
        state, alerts = states.get(s.id), by_source.get(s.id, [])
        detail = "; ".join(a["message"] for a in alerts if a["kind"] in QUIET_KINDS)
        rows.append({
            "id": s.id, "name": s.name, "enabled": s.enabled,
            "health": health_label(state, alerts) if s.enabled else "disabled",
            "code": health_code(state, alerts) if s.enabled else "disabled",
            "state": state or {},
            "last_success": (state or {}).get("last_success_at") or "-",
            "detail": detail or (state or {}).get("flag") or (state or {}).get("last_error") or "",
            "alerts": alerts,
        })  # fmt: skip
    return rows


def status_report(db: store.db.Database, config: Config) -> str:
    """Scheduler, last and next cycle, queue per sector, each source's health, active alerts."""
    runs = store.runs.last_runs(db, 1)
    last = cycle_report(db, runs[0]["id"]).split("\n")[0] if runs else "no cycle has run yet"
    if runs and runs[0].get("error_kind"):
        last += f" [{runs[0]['error_kind']}: {(runs[0]['error'] or '')[:120]}]"
    rows = [
        [r["id"], "yes" if r["enabled"] else "no", r["health"], r["last_success"], r["detail"][:70]]
        for r in source_rows(db, config)
    ]
    health = table(["source", "enabled", "health", "last success", "reason"], rows)
    alerts = [a for a in store.runs.active_alerts(db) if not a["subject"]]
    alert_lines = "".join(f"\n  {a['kind']} since {a['first_at']}: {a['message']}" for a in alerts)
    return (
        f"{scheduler_line(db)}\nlast cycle: {last}{alert_lines}\n\n"
        f"{queue_report(db, config)}\n\nsources:\n{health}"
    )
