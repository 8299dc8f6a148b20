"""What every desk view shares: the request's database, the signed-in editor, labels, replies."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, make_response, redirect, request, url_for
from werkzeug.wrappers import Response

import store.db
from pipeline.config import Config
from pipeline.rules import SECTOR_IDS

STATUS_LABELS: dict[str, str] = {
    "pending": "待审", "accepted": "已采用", "rejected": "不用", "used": "已刊用",
    "duplicate": "转载重复", "off_topic": "无关", "new": "未处理",
}  # fmt: skip
ACTION_LABELS: dict[str, str] = {
    "accept": "采用", "reject": "不用", "restore": "恢复待审", "resector": "改分类",
    "edit": "编辑", "undo": "撤销", "issue_new": "新建一期", "issue_edit": "修改刊头",
    "issue_add": "加入刊物", "issue_remove": "移出刊物", "issue_arrange": "调整顺序",
    "issue_item": "修改刊内条目", "issue_finalize": "定稿", "issue_reopen": "重新打开",
    "issue_delete": "删除草稿", "issue_export": "导出", "login": "登录", "logout": "退出",
    "login_failed": "登录失败", "user_add": "新建账号", "user_password": "修改密码",
    "user_active": "启用/停用账号", "rules_apply": "应用规则建议", "rules_undo": "撤销规则修改",
    "reprocess": "重新分类", "user_role": "设置角色", "login_throttled": "登录被限速",
    "forbidden": "越权操作被拒", "issue_propose": "一键生成初稿", "issue_swap": "换一篇",
    "source_resume": "恢复信息源", "merge": "合并转载组",
}  # fmt: skip
# Keyboard keys that move the current row to a sector, in 6+3+3 order (1–9, 0, -, =).
SECTOR_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "=")


def config() -> Config:
    """The validated config the app was created with."""
    value: Config = current_app.config["NEWSDESK"]
    return value


def db() -> store.db.Database:
    """This request's database connection (opened on first use, closed at teardown)."""
    if "db" not in g:
        # The request's commits do not checkpoint: desk.web does it after the response is sent.
        g.db = store.db.open_db(current_app.config["DB_PATH"], auto_checkpoint=False)
    conn: store.db.Database = g.db
    return conn


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    conn = g.pop("db", None)
    if conn is not None:
        conn.conn.close()


def user() -> str:
    """The signed-in editor's name (the login gate guarantees one)."""
    return str(g.user["name"])


def sector_names() -> dict[str, str]:
    """Sector id → Chinese name in the 6+3+3 order, plus the off_topic bucket."""
    names = {s.id: s.name for s in config().rules.sectors}
    ordered = {sid: names.get(sid, sid) for sid in SECTOR_IDS}
    return {**ordered, "off_topic": "无关", "": "未分类"}


def source_names() -> dict[str, str]:
    """Configured source id → its name as editors know it."""
    return {s.id: s.name for s in config().sources}


def is_htmx() -> bool:
    """Whether htmx sent this request (so a fragment, not a page, is wanted)."""
    return request.headers.get("HX-Request") == "true"


def fail(message: str, status: int = 409) -> Response:
    """A plain-text error for htmx (desk.js shows it as a toast)."""
    response = make_response(message, status)
    response.mimetype = "text/plain"
    return response


def back(default: str = "queue.queue") -> Response:
    """Redirect to the page the form was on (same-site paths only), else `default`."""
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for(default)
    return redirect(target)


def template_globals() -> dict[str, Any]:
    """Names every template may use."""
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "SECTOR_KEYS": SECTOR_KEYS,
        "sector_names": sector_names,
        "source_names": source_names,
        "is_admin": bool(g.get("user")) and g.user["role"] == "admin",
    }
