"""Accounts: scrypt password hashes, the login page with throttling, the gate before every view,
and the admin-only guard (roles: editor reviews and builds issues; admin also runs ops)."""

from __future__ import annotations

import functools
import hmac
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
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
# Login throttling: after FREE_FAILURES refused logins within THROTTLE_WINDOW for one account name
# or from one address, every further attempt there is refused without checking the password
# until the window has passed, and answered only after THROTTLE_DELAY seconds. That caps password
# guessing at 5 a minute per account and per address; the refusals are logged and on /ops.
FREE_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=1)
THROTTLE_DELAY = 1.0
log = logging.getLogger("newsdesk.desk")
View = TypeVar("View", bound=Callable[..., Any])


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is `Secure` whenever the desk is served over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request came over https (also via a proxy)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def is_admin() -> bool:
    """Whether the signed-in account has the admin role."""
    return bool(g.get("user")) and g.user["role"] == "admin"


def admin_required(view: View) -> View:
    """Guard a view that only admins may use (resume sources, apply rules, manage accounts).

    An editor gets 403 and the attempt lands in the audit log as `forbidden`.
    """

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if is_admin():
            return view(*args, **kwargs)
        store.accounts.record_event(
            common.db(), common.user(), "forbidden", request.path, after=request.method
        )
        message = "仅管理员可执行此操作"
        if common.is_htmx() or request.method not in ("GET", "HEAD"):
            return common.fail(message, 403)
        return render_template("error.html", message=message), 403

    return cast(View, guarded)


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
def login() -> str | Response | tuple[str, int, Any]:
    """The login form; on success, a fresh signed session."""
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        db = common.db()
        address = request.remote_addr or ""
        if _throttled(db, name, address):
            return _throttle_reply(db, name, address)
        if check_login(db, name, password):
            account = store.accounts.get_user(db, name) or {}
            session.clear()
            session.permanent = True
            session["user"], session["stamp"] = name, _stamp(account["password_hash"])
            store.accounts.record_event(db, name, "login", f"user:{name}")
            target = request.args.get("next", "")
            safe = target.startswith("/") and not target.startswith("//")
            return redirect(target if safe else url_for("queue.queue"))
        store.accounts.record_login_failure(db, name, address, throttled=False)
        store.accounts.record_event(db, name or "?", "login_failed", f"user:{name}", after=address)
        flash("用户名或密码错误", "error")
    return render_template("login.html")


def _throttled(db: store.db.Database, name: str, address: str) -> bool:
    """Whether this account name or address has used up its free failures in the window."""
    since = (datetime.now(UTC) - THROTTLE_WINDOW).isoformat(timespec="seconds")
    by_name, by_address = store.accounts.recent_login_failures(db, name, address, since)
    return max(by_name, by_address) >= FREE_FAILURES


def _throttle_reply(db: store.db.Database, name: str, address: str) -> tuple[str, int, Any]:
    """Refuse without checking the password, log it, and answer slowly."""
    store.accounts.record_login_failure(db, name, address, throttled=True)
    store.accounts.record_event(db, name or "?", "login_throttled", f"user:{name}", after=address)
    log.warning(
        "login throttled: account %r from %s (too many failures in a minute)", name, address
    )
    time.sleep(current_app.config.get("LOGIN_THROTTLE_DELAY", THROTTLE_DELAY))
    seconds = int(THROTTLE_WINDOW.total_seconds())
    flash(f"登录失败次数过多，请 {seconds} 秒后再试", "error")
    return render_template("login.html"), 429, {"Retry-After": str(seconds)}


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
