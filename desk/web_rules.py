"""The desk's rule proposals page (/ops/rules): proposals from editors' corrections, each with its
evidence and impact matrix, applied or undone with one click (ops.rules does the work)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import store.learning
from desk import web_common
from desk.auth import admin_required
from ops import rules
from ops.config_files import load_config
from ops.reprocess import apply_reprocess, plan_reprocess
from pipeline.errors import StoreError
from pipeline.reprocess import move_matrix, move_samples

bp = Blueprint("rules", __name__)
EVENTS_SHOWN = 10


def _config_dir() -> str:
    return web_common.config().directory


@bp.get("/ops/rules")
def rules_page() -> str:
    """Every proposal with its evidence and the reprocess dry run it would cause."""
    db = web_common.db()
    found = rules.suggestions(db, _config_dir())
    pending = None
    if request.args.get("applied"):
        # After a change: what a reprocess with the rules now on disk would move.
        moves, examined = plan_reprocess(db, load_config(_config_dir()), "", datetime.now(UTC))
        samples = move_samples(moves)
        matrix = sorted(move_matrix(moves).items(), key=lambda kv: -kv[1])
        pending = {
            "examined": examined,
            "matrix": [(a, b, n, samples.get((a, b), [])) for (a, b), n in matrix],
        }
    return render_template(
        "rules.html",
        suggestions=found,
        events=store.learning.rule_events(db)[:EVENTS_SHOWN],
        names=web_common.sector_names(),
        pending=pending,
    )


@bp.post("/ops/rules/apply")
@admin_required
def apply() -> Response:
    """Apply proposal N (the description guards against a list that changed meanwhile)."""
    db = web_common.db()
    try:
        number = int(request.form.get("number", ""))
    except ValueError as exc:
        raise StoreError("请选择一条规则建议") from exc
    chosen = rules.pick(
        rules.suggestions(db, _config_dir()), number, request.form.get("expect", "")
    )
    rules.apply_suggestion(db, _config_dir(), chosen, web_common.user(), datetime.now(UTC))
    flash(
        f"已应用：{chosen.proposal.change.describe()}。可在下方按新规则重新分类待定条目；"
        "请运维重启调度器，新采集的条目才按新规则分类。",
        "ok",
    )
    return redirect(url_for("rules.rules_page", applied=1))


@bp.post("/ops/rules/reprocess")
@admin_required
def reprocess() -> Response:
    """Re-classify the undecided items with the rules now in sectors.toml."""
    db = web_common.db()
    moves, examined = plan_reprocess(db, load_config(_config_dir()), "", datetime.now(UTC))
    apply_reprocess(db, moves, web_common.user())
    flash(f"已重新分类：检查 {examined} 条待定条目，{len(moves)} 条改变行业", "ok")
    return redirect(url_for("rules.rules_page"))


@bp.post("/ops/rules/undo")
@admin_required
def undo() -> Response:
    """Restore sectors.toml from before the latest applied proposal."""
    target = rules.undo_last(web_common.db(), _config_dir(), web_common.user())
    flash(f"已撤销：{target['after']['describe']}。可按恢复后的规则重新分类待定条目。", "ok")
    return redirect(url_for("rules.rules_page", applied=1))
