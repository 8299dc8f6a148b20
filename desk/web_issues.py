"""Issues: create the next draft, fill and arrange it, preview, finalize, reopen and export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

import store.accounts
import store.issues
from desk import proposal
from desk import web_common as common
from desk.export import FORMATS, export
from desk.issue import (
    AssembledIssue,
    assemble,
    move_item,
    parse_order,
    placement_of,
    section_order,
    suggest_numbers,
)
from pipeline.errors import StoreError

bp = Blueprint("issues", __name__)
# The institute works on Beijing time: "today" for a new issue's date is today there.
CHINA = timezone(timedelta(hours=8))


def _masthead_form(form: Any) -> dict[str, Any]:
    """The masthead fields from a posted form (StoreError on a malformed number or date)."""
    try:
        numbers = {k: int(form.get(k, "")) for k in ("year", "number", "total_number")}
        issue_date = datetime.strptime(form.get("issue_date", ""), "%Y-%m-%d").date().isoformat()
    except ValueError as exc:
        raise StoreError("期号须为数字，日期须为 年-月-日") from exc
    if min(numbers.values()) < 1:
        raise StoreError("期号须为正数")
    texts = {k: form.get(k, "").strip() for k in ("special_title", "subtitle")}
    note = form.get("editor_note", "").replace("\r\n", "\n").strip()
    return {**numbers, **texts, "issue_date": issue_date, "editor_note": note}


def _assembled(issue_id: int) -> AssembledIssue:
    db = common.db()
    masthead = common.config().settings.newsletter
    return assemble(
        store.issues.get_issue(db, issue_id), store.issues.issue_items(db, issue_id), masthead
    )


@bp.get("/issues")
def issues() -> str:
    """Every issue, newest first."""
    return render_template("issues/list.html", issues=store.issues.list_issues(common.db()))


@bp.route("/issues/new", methods=["GET", "POST"])
def new() -> str | Response:
    """A form prefilled with the next numbers; posting it creates the draft."""
    db = common.db()
    if request.method == "POST":
        try:
            issue_id = store.issues.create_issue(db, _masthead_form(request.form), common.user())
        except StoreError as exc:  # keep what the editor typed and say what is wrong
            flash(str(exc), "error")
            return render_template("issues/new.html", issue=request.form)
        flash("已新建草稿", "ok")
        return redirect(url_for("issues.edit", issue_id=issue_id))
    return render_template("issues/new.html", issue=_next_masthead())


def _next_masthead() -> dict[str, Any]:
    """The next issue's masthead fields: numbers counted on from the last issue, today's date."""
    masthead = common.config().settings.newsletter
    today = datetime.now(UTC).astimezone(CHINA).date()
    numbers = suggest_numbers(store.issues.last_issue(common.db()), today, masthead)
    return {
        "year": numbers.year, "number": numbers.number, "total_number": numbers.total_number,
        "special_title": masthead.special_title, "subtitle": masthead.subtitle,
        "issue_date": today.isoformat(), "editor_note": masthead.editor_note,
    }  # fmt: skip


@bp.post("/issues/propose")
def propose() -> Response:
    """一键生成初稿: a new draft proposed from the items since the last finalized issue."""
    fields = _masthead_form(request.form) if request.form.get("year") else _next_masthead()
    issue_id, plan = proposal.propose_issue(common.db(), common.config(), fields, common.user())
    sectors = len({p.sector for p in plan.picks})
    flash(
        f"已生成初稿：{len(plan.picks)} 条，涉及 {sectors} 个产业。请删减、替换、调整顺序。", "ok"
    )
    return redirect(url_for("issues.edit", issue_id=issue_id))


def _sections_view(issue_id: int) -> dict[str, Any]:
    db = common.db()
    masthead = common.config().settings.newsletter
    rows = store.issues.issue_items(db, issue_id)
    names = section_order(masthead, [r["section"] for r in rows])
    by_section = {name: [r for r in rows if r["section"] == name] for name in names}
    issue = store.issues.get_issue(db, issue_id)
    runners = (
        proposal.runners_up(db, common.config(), issue_id) if issue["status"] == "draft" else {}
    )
    return {"issue": issue, "by_section": by_section, "runners": runners}


def _sections_reply(issue_id: int) -> str | Response:
    if common.is_htmx():
        return render_template("issues/_sections.html", **_sections_view(issue_id))
    return redirect(url_for("issues.edit", issue_id=issue_id))


@bp.get("/issues/<int:issue_id>")
def edit(issue_id: int) -> str:
    """The issue desk: masthead, 编者的话, sections to arrange, accepted items to add."""
    available = store.issues.available_items(common.db())
    groups = [(s, list(g)) for s, g in groupby(available, key=lambda r: r["sector"] or "")]
    sections = common.config().settings.newsletter.sections
    return render_template(
        "issues/edit.html", available=groups, config_sections=sections, **_sections_view(issue_id)
    )


@bp.post("/issues/<int:issue_id>/meta")
def meta(issue_id: int) -> str | Response:
    """Save the masthead fields and 编者的话 (as the editor types, or with the button)."""
    store.issues.update_issue(common.db(), issue_id, _masthead_form(request.form), common.user())
    if common.is_htmx() or request.form.get("autosave"):
        now = datetime.now(UTC).astimezone(CHINA).strftime("%H:%M:%S")
        return f'<span class="saved" id="save-state">已保存（{now}）</span>'
    flash("已保存刊头与编者的话", "ok")
    return redirect(url_for("issues.edit", issue_id=issue_id))


@bp.post("/issues/<int:issue_id>/add")
def add(issue_id: int) -> Response:
    """Put the ticked accepted items into a section."""
    keys = request.form.getlist("key")
    section = request.form.get("section", "")
    if section not in common.config().settings.newsletter.sections:
        raise StoreError("请选择栏目")
    if not keys:
        flash("请先勾选要加入的条目", "error")
        return redirect(url_for("issues.edit", issue_id=issue_id))
    problems = store.issues.add_to_issue(common.db(), issue_id, keys, section, common.user())
    flash(f"已加入 {len(keys) - len(problems)} 条到「{section}」", "ok")
    for problem in problems[:5]:
        flash(problem, "error")
    return redirect(url_for("issues.edit", issue_id=issue_id))


@bp.post("/issues/<int:issue_id>/arrange")
def arrange(issue_id: int) -> str | Response:
    """The order after a drag and drop (one 'section<TAB>key' line per item)."""
    placement = parse_order(request.form.get("order", ""))
    store.issues.arrange_issue(common.db(), issue_id, placement, common.user())
    return _sections_reply(issue_id)


@bp.post("/issues/<int:issue_id>/items/<key>/move")
def move(issue_id: int, key: str) -> str | Response:
    """Move an item up, down, or into another section."""
    db = common.db()
    masthead = common.config().settings.newsletter
    rows = store.issues.issue_items(db, issue_id)
    placement = placement_of(rows, masthead)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""), 0)
    ranks = {r["key"]: store.issues.sector_rank(r["sector"]) for r in rows}
    moved = move_item(placement, key, step, request.form.get("section", ""), ranks)
    if moved != placement:
        store.issues.arrange_issue(db, issue_id, moved, common.user())
    return _sections_reply(issue_id)


@bp.post("/issues/<int:issue_id>/items/<key>/remove")
def remove(issue_id: int, key: str) -> str | Response:
    """Take an item out of the issue (it stays accepted)."""
    store.issues.remove_from_issue(common.db(), issue_id, key, common.user())
    return _sections_reply(issue_id)


@bp.post("/issues/<int:issue_id>/items/<key>/swap")
def swap(issue_id: int, key: str) -> str | Response:
    """换一篇: the runner-up of the item's industry takes its place."""
    proposal.swap_in_runner_up(common.db(), common.config(), issue_id, key, common.user())
    return _sections_reply(issue_id)


@bp.post("/issues/<int:issue_id>/items/<key>/text")
def retext(issue_id: int, key: str) -> str | Response:
    """Edit the item's title and summary as printed in this issue (the item stays as it is)."""
    fields: dict[str, str | None] = {
        k: " ".join(request.form.get(k, "").split()) or None for k in ("title", "summary")
    }
    store.issues.set_issue_item(common.db(), issue_id, key, fields, common.user())
    return _sections_reply(issue_id)


@bp.post("/issues/<int:issue_id>/items/<key>/body")
def body(issue_id: int, key: str) -> str | Response:
    """Print the item's full text or its summary."""
    fields: dict[str, str | None] = {"body": request.form.get("body", "text")}
    store.issues.set_issue_item(common.db(), issue_id, key, fields, common.user())
    return _sections_reply(issue_id)


@bp.get("/issues/<int:issue_id>/preview")
def preview(issue_id: int) -> str:
    """The issue in the newsletter layout."""
    return render_template("issues/preview.html", issue=_assembled(issue_id))


@bp.post("/issues/<int:issue_id>/<any(finalize, reopen, delete):action>")
def lifecycle(issue_id: int, action: str) -> Response:
    """定稿 / 重新打开 / 删除草稿."""
    db, actor = common.db(), common.user()
    if action == "finalize":
        count = store.issues.finalize_issue(db, issue_id, actor)
        flash(f"已定稿：{count} 条标为已刊用", "ok")
    elif action == "reopen":
        store.issues.reopen_issue(db, issue_id, actor)
        flash("已重新打开，可继续修改", "ok")
    else:
        store.issues.delete_issue(db, issue_id, actor)
        flash("已删除草稿；手工加入的条目仍为已采用，初稿自动选入的条目恢复为待审", "ok")
        return redirect(url_for("issues.issues"))
    return redirect(url_for("issues.edit", issue_id=issue_id))


@bp.get("/issues/<int:issue_id>/export/<any(docx, html, md):fmt>")
def download(issue_id: int, fmt: str) -> Response:
    """Download the issue as DOCX, HTML or Markdown."""
    issue = _assembled(issue_id)
    data = export(issue, fmt)
    store.accounts.record_event(
        common.db(), common.user(), "issue_export", f"issue:{issue_id}", after=fmt
    )
    extension, mimetype = FORMATS[fmt]
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True,
        download_name=f"{issue.file_stem}.{extension}",
    )  # fmt: skip
