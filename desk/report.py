"""Plain-text reports for the CLI: cycles, queue, source health."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from pipeline import store
from pipeline.config import Config


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


def health_label(state: dict[str, Any] | None) -> str:
    """OK / failing since X (kind) / quarantined / never run."""
    if not state:
        return "never run"
    if state.get("quarantined"):
        return f"quarantined ({state.get('last_error_kind')})"
    if state.get("consecutive_failures"):
        return (
            f"failing since {state.get('failing_since')} ({state.get('last_error_kind')}, "
            f"{state['consecutive_failures']}x)"
        )
    return "OK"


def sector_names(config: Config) -> dict[str, str]:
    """Sector id → Chinese name, in the 6+3+3 order, plus the side exits."""
    names = {s.id: s.name for s in config.rules.sectors}
    return {**names, "off_topic": "无关(off_topic)", "": "未分类"}


def cycle_report(db: store.Database, run_id: int) -> str:
    """One cycle: totals, then one line per source."""
    runs = [r for r in store.last_runs(db, 50) if r["id"] == run_id]
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
        for r in store.source_runs_of(db, run_id)
    ]  # fmt: skip
    extra = f"\nerror: {run['error']}" if run["error"] else ""
    headers = ["source", "requests", "new", "seen", "failed", "result", "detail"]
    return f"{head}{extra}\n{table(headers, rows)}"


def queue_report(db: store.Database, config: Config) -> str:
    """Processed items per sector (6+3+3 order) and per status."""
    names = sector_names(config)
    by_sector = store.count_by(db, "sector", "status = 'pending'")
    rows = [[names[sid], by_sector.get(sid, 0)] for sid in names if sid not in ("", "off_topic")]
    by_status = store.count_by(db, "status")
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    return (
        f"queue (pending per sector):\n{table(['sector', 'pending'], rows)}\nall items: {statuses}"
    )


def status_report(db: store.Database, config: Config) -> str:
    """Last cycle, queue per sector, and each source's health, for `newsdesk status`."""
    runs = store.last_runs(db, 1)
    last = cycle_report(db, runs[0]["id"]).split("\n")[0] if runs else "no cycle has run yet"
    states = store.source_states(db)
    rows = [
        [s.id, "yes" if s.enabled else "no", health_label(states.get(s.id)),
         (states.get(s.id) or {}).get("last_success_at") or "-",
         ((states.get(s.id) or {}).get("last_error") or "")[:60]]
        for s in config.sources
    ]  # fmt: skip
    health = table(["source", "enabled", "health", "last success", "last error"], rows)
    return f"last cycle: {last}\n\n{queue_report(db, config)}\n\nsources:\n{health}"
