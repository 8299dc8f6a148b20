"""Editor accounts: scrypt password hashes, the login page, and the gate before every view."""

from __future__ import annotations

import hmac

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

import store.accounts
import store.db
from desk import web_common as common

bp = Blueprint("auth", __name__)
MIN_PASSWORD = 8
# Views that work without a session: the login form itself and the static files.
OPEN_ENDPOINTS = {"auth.login", "auth.favicon", "static"}
# Compared against on unknown names too, so a login's timing does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password` (ValueError when it is too short)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method="scrypt")


def _stamp(password_hash: str) -> str:
    """A short fingerprint of the hash: a password change ends the sessions signed before it."""
    return password_hash[-12:]


def check_login(db: store.db.Database, name: str, password: str) -> bool:
    """Whether `name` is an active account with this password."""
    account = store.accounts.get_user(db, name)
    known = account is not None and bool(account["active"])
    ok = check_password_hash(account["password_hash"] if account else _DUMMY_HASH, password)
    return known and ok


def require_login() -> Response | None:
    """Before every request: load the signed-in editor, or send the browser to the login page."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    name = session.get("user")
    account = store.accounts.get_user(common.db(), name) if isinstance(name, str) else None
    stamp = session.get("stamp", "")
    if (
        account
        and account["active"]
        and hmac.compare_digest(str(stamp), _stamp(account["password_hash"]))
    ):
        g.user = account
        return None
    # Drop only a stale login: clearing the whole session would also drop the CSRF token of a
    # login form open in another tab.
    session.pop("user", None)
    session.pop("stamp", None)
    if common.is_htmx():
        response = common.fail("登录已过期，请重新登录", 401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    if request.method not in ("GET", "HEAD"):
        return Response("请先登录", 401, mimetype="text/plain")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """The login form; on success, a fresh signed session."""
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        db = common.db()
        if check_login(db, name, password):
            account = store.accounts.get_user(db, name) or {}
            session.clear()
            session.permanent = True
            session["user"], session["stamp"] = name, _stamp(account["password_hash"])
            store.accounts.record_event(db, name, "login", f"user:{name}")
            target = request.args.get("next", "")
            safe = target.startswith("/") and not target.startswith("//")
            return redirect(target if safe else url_for("queue.queue"))
        store.accounts.record_event(db, name or "?", "login_failed", f"user:{name}")
        flash("用户名或密码错误", "error")
    return render_template("login.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page; answer without a redirect to the login page."""
    return Response(status=204)


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    store.accounts.record_event(common.db(), common.user(), "logout", f"user:{common.user()}")
    session.clear()
    return redirect(url_for("auth.login"))
