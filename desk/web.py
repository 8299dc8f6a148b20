"""The editors' desk: a Flask app (Jinja + htmx) over store.review and desk.issue.

Routes stay thin; they live in blueprints: desk.auth (login), desk.web_queue (queue and items),
desk.web_issues (issues and export) and the audit log below.
"""

from __future__ import annotations

import functools
import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

import store.accounts
import store.db
import store.review
from desk import auth, web_accounts, web_common, web_issues, web_ops, web_queue, web_rules
from desk.text import cn_date, highlight, highlight_once, local_time, number, safe_url, short_date
from ops.config_files import load_config
from pipeline.errors import NewsdeskError, NotFoundError

audit = Blueprint("audit", __name__)
AUDIT_PAGE = 100


@audit.get("/audit")
def audit_log() -> str:
    """The audit log, newest first, and how often editors re-sectored items."""
    db = web_common.db()
    actor, action = request.args.get("actor", ""), request.args.get("action", "")
    before = request.args.get("before", 0, type=int)
    events = store.accounts.events_page(db, AUDIT_PAGE, before, actor, action)
    moves = store.review.resector_counts(db)
    moved_out: dict[str, int] = {}
    for row in moves:
        moved_out[row["from_sector"] or ""] = moved_out.get(row["from_sector"] or "", 0) + row["n"]
    return render_template(
        "audit.html", events=events, moves=moves, moved_out=moved_out, actor=actor,
        action=action, more=len(events) == AUDIT_PAGE,
        users=[u["name"] for u in store.accounts.list_users(db)],
    )  # fmt: skip


def _secret(db_path: str) -> str:
    """$NEWSDESK_SECRET_KEY, else a random key generated once and kept in the database."""
    from_env = os.environ.get("NEWSDESK_SECRET_KEY")
    if from_env:
        return from_env
    db = store.db.open_db(db_path)
    try:
        return store.accounts.desk_secret(db, "session_key", secrets.token_hex(32))
    finally:
        db.conn.close()


def _handle_error(exc: NewsdeskError) -> tuple[str, int] | Response:
    status = 404 if isinstance(exc, NotFoundError) else 409
    if web_common.is_htmx():
        return web_common.fail(str(exc), status)
    return render_template("error.html", message=str(exc)), status


def _handle_csrf(exc: CSRFError) -> tuple[str, int] | Response:
    message = "页面已过期或请求无效（CSRF），请刷新页面后重试"
    if web_common.is_htmx():
        return web_common.fail(message, 400)
    return render_template("error.html", message=message), 400


def create_app(db_path: str, config_dir: str, secret_key: str | None = None) -> Flask:
    """The desk app over the database at `db_path` and the config in `config_dir`."""
    app = Flask(__name__)
    app.session_interface = auth.SessionInterface()
    app.config.update(
        DB_PATH=db_path,
        NEWSDESK=load_config(config_dir),
        SECRET_KEY=secret_key or _secret(db_path),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # A token lives as long as the session: a form left open over lunch still submits.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    # The login gate runs before the CSRF check, so an expired session sends htmx to the login
    # page instead of a bare "bad token" error; neither lets a request through.
    app.before_request(auth.require_login)
    CSRFProtect(app)
    app.teardown_appcontext(web_common.close_db)
    app.extensions["newsdesk_keep_open"] = store.db.keep_open(db_path)
    for blueprint in (
        auth.bp,
        web_queue.bp,
        web_issues.bp,
        audit,
        web_ops.bp,
        web_rules.bp,
        web_accounts.bp,
    ):
        app.register_blueprint(blueprint)
    app.register_error_handler(NewsdeskError, _handle_error)
    app.register_error_handler(CSRFError, _handle_csrf)
    app.context_processor(web_common.template_globals)
    filters: dict[str, Any] = {
        "cn_date": cn_date, "short_date": short_date, "highlight": highlight, "safe_url": safe_url,
        "local_time": local_time, "number": number,
        "marked": lambda item: highlight_once(
            (item.get("title") or "", item.get("summary") or ""), item.get("terms") or ()
        ),
    }  # fmt: skip
    app.jinja_env.filters.update(filters)

    @app.after_request
    def _headers(response: Response) -> Response:
        # Defence in depth behind escaping and nh3: no inline event handlers or foreign scripts.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        conn = g.get("db")
        if conn is not None and conn.conn.total_changes:
            # A click that wrote leaves its pages in the WAL; copying them into the database
            # (and syncing it) took 100-500 ms while a processing pass wrote. The server runs
            # on-close callbacks after the body is sent, so the editor no longer waits for it.
            response.call_on_close(functools.partial(store.db.checkpoint, app.config["DB_PATH"]))
        return response

    return app
