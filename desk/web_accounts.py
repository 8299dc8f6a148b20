"""Account management in the desk (/accounts): admins add accounts, set roles, switch them off."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import store.accounts
from desk import web_common as common
from desk.auth import admin_required, hash_password
from pipeline.errors import StoreError

bp = Blueprint("accounts", __name__)
ROLE_LABELS = {"editor": "编辑", "admin": "管理员"}


@bp.get("/accounts")
@admin_required
def accounts() -> str:
    """Every account with its role and whether it may log in."""
    return render_template(
        "accounts.html", users=store.accounts.list_users(common.db()), ROLE_LABELS=ROLE_LABELS
    )


@bp.post("/accounts")
@admin_required
def add() -> Response:
    """Create an account (an editor unless the admin role is chosen)."""
    form = request.form
    name = form.get("name", "").strip()
    if not name:
        raise StoreError("请填写登录名")
    try:
        password_hash = hash_password(form.get("password", ""))
    except ValueError as exc:
        raise StoreError("密码至少 8 位") from exc
    role = form.get("role", "editor")
    store.accounts.add_user(
        common.db(), name, password_hash, form.get("display_name", "").strip(), role,
        actor=common.user(),
    )  # fmt: skip
    flash(f"已新建账号 {name}（{ROLE_LABELS.get(role, role)}）", "ok")
    return redirect(url_for("accounts.accounts"))


@bp.post("/accounts/<name>/role")
@admin_required
def role(name: str) -> Response:
    """Make an account an editor or an admin (an admin cannot demote themself)."""
    new_role = request.form.get("role", "")
    if name == common.user() and new_role != "admin":
        raise StoreError("不能取消自己的管理员角色，请由另一位管理员操作")
    store.accounts.set_role(common.db(), name, new_role, actor=common.user())
    flash(f"已将 {name} 设为{ROLE_LABELS.get(new_role, new_role)}", "ok")
    return redirect(url_for("accounts.accounts"))


@bp.post("/accounts/<name>/active")
@admin_required
def active(name: str) -> Response:
    """Switch an account off or on (its history stays)."""
    enable = request.form.get("active") == "1"
    if name == common.user() and not enable:
        raise StoreError("不能停用自己的账号")
    store.accounts.update_user(common.db(), name, active=enable, actor=common.user())
    flash(f"已{'启用' if enable else '停用'}账号 {name}", "ok")
    return redirect(url_for("accounts.accounts"))
