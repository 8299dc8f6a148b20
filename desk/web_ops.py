"""The desk's ops page (/ops): scheduler, recent cycles, source health, alerts, refused logins.

Built from the same ops.report and store.runs functions as `newsdesk status`. The one action here,
resuming a quarantined source, is for admins only; the rest of ops is on the command line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

import store.accounts
import store.backup
import store.db
import store.runs
from desk import web_common
from desk.auth import admin_required
from ops import lock, report

bp = Blueprint("ops", __name__)
RECENT_RUNS = 15
# Chinese labels of ops.report.health_code and of run statuses.
HEALTH_LABELS = {
    "ok": "正常", "failing": "连续失败", "quarantined": "已隔离", "quiet": "沉寂（久无新稿）",
    "extraction": "字段抽取异常（疑似改版）", "never": "尚未运行", "disabled": "已停用",
    "flagged": "选择器失效（已自动识别列表）",
}  # fmt: skip
# Problems first, then healthy sources, then those that never ran (the page is read top down).
HEALTH_ORDER = (
    "failing",
    "quarantined",
    "quiet",
    "extraction",
    "flagged",
    "ok",
    "never",
    "disabled",
)
LOGIN_REPORT_HOURS = 24
RUN_LABELS = {"ok": "正常", "failed": "全部失败", "crashed": "崩溃", "interrupted": "被中止",
              "running": "运行中"}  # fmt: skip


@bp.get("/ops")
def ops() -> str:
    """One page for ops: is the scheduler alive, what ran, what is broken and since when."""
    db = web_common.db()
    config = web_common.config()
    names = report.sector_names(config)
    pending = store.db.count_by(db, "sector", "status = 'pending'")
    sources = sorted(
        report.source_rows(db, config),
        key=lambda r: HEALTH_ORDER.index(r["code"]) if r["code"] in HEALTH_ORDER else 99,
    )
    tally = {code: sum(1 for r in sources if r["code"] == code) for code in HEALTH_ORDER}
    since = (datetime.now(UTC) - timedelta(hours=LOGIN_REPORT_HOURS)).isoformat(timespec="seconds")
    return render_template(
        "ops.html",
        holder=lock.scheduler_holder(store.backup.db_file(db)),
        next_cycle=store.runs.get_state(db, "next_cycle"),
        runs=store.runs.last_runs(db, RECENT_RUNS),
        sources=sources,
        tally={code: n for code, n in tally.items() if n},
        logins=store.accounts.login_failure_report(db, since),
        alerts=store.runs.active_alerts(db),
        queue=[(names[sid], pending.get(sid, 0)) for sid in names if sid not in ("", "off_topic")],
        HEALTH_LABELS=HEALTH_LABELS,
        RUN_LABELS=RUN_LABELS,
    )


@bp.post("/ops/sources/<source_id>/resume")
@admin_required
def resume(source_id: str) -> Response:
    """Take a quarantined source back (admins only), as `newsdesk sources resume ID` does."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    store.runs.resume_source(web_common.db(), source_id, web_common.user(), now)
    flash(f"已恢复信息源 {source_id}，下一轮采集时重试", "ok")
    return redirect(url_for("ops.ops"))
