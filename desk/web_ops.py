"""The desk's ops page (/ops): scheduler, recent cycles, source health and active alerts.

Read-only, like `newsdesk status`, and built from the same ops.report and store.runs functions.
Ops act from the command line (`newsdesk sources resume ID`, `newsdesk backup`); the page says how.
"""

from __future__ import annotations

from flask import Blueprint, render_template

import store.backup
import store.db
import store.runs
from desk import web_common
from ops import lock, report

bp = Blueprint("ops", __name__)
RECENT_RUNS = 15
# Chinese labels of ops.report.health_code and of run statuses.
HEALTH_LABELS = {
    "ok": "正常", "failing": "连续失败", "quarantined": "已隔离", "quiet": "沉寂（久无新稿）",
    "extraction": "字段抽取异常（疑似改版）", "never": "尚未运行", "disabled": "已停用",
}  # fmt: skip
RUN_LABELS = {"ok": "正常", "failed": "全部失败", "crashed": "崩溃", "interrupted": "被中止",
              "running": "运行中"}  # fmt: skip


@bp.get("/ops")
def ops() -> str:
    """One page for ops: is the scheduler alive, what ran, what is broken and since when."""
    db = web_common.db()
    config = web_common.config()
    names = report.sector_names(config)
    pending = store.db.count_by(db, "sector", "status = 'pending'")
    return render_template(
        "ops.html",
        holder=lock.scheduler_holder(store.backup.db_file(db)),
        next_cycle=store.runs.get_state(db, "next_cycle"),
        runs=store.runs.last_runs(db, RECENT_RUNS),
        sources=report.source_rows(db, config),
        alerts=store.runs.active_alerts(db),
        queue=[(names[sid], pending.get(sid, 0)) for sid in names if sid not in ("", "off_topic")],
        HEALTH_LABELS=HEALTH_LABELS,
        RUN_LABELS=RUN_LABELS,
    )
