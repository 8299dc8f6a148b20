"""The review queue and the item view: filters, pages, and the editor's actions on items."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.wrappers import Response

import store.accounts
import store.attachments
import store.db
import store.items
import store.review
from desk import web_common as common
from desk.text import explanation_of, matched_terms, paragraphs, safe_url, sanitize_html
from store.review import QueueFilter

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50
FILTER_ARGS = ("status", "sector", "source", "from", "to", "q")
# What an item link carries so that the item view's 上一条/下一条 walk the same queue.
NAV_ARGS = (*FILTER_ARGS, "p")


def _nav(source: Any = None) -> dict[str, Any]:
    """The queue's filters and page from the request (query string or posted hx-vals)."""
    values = source if source is not None else request.values
    # An empty status is the 全部 choice, not a missing one: keep it.
    return {k: values[k] for k in NAV_ARGS if values.get(k) or (k == "status" and k in values)}


def _view() -> str:
    """compact (one line per item) or full; a choice made with ?view= is remembered."""
    asked = request.args.get("view", "")
    if asked in ("compact", "full"):
        session["queue_view"] = asked
    return "compact" if session.get("queue_view") == "compact" else "full"


def _filter(args: Any = None) -> QueueFilter:
    args = args if args is not None else request.args
    status = args.get("status", "pending")
    if status not in common.STATUS_LABELS and status != "":
        status = "pending"
    return QueueFilter(
        status=status, sector=args.get("sector", ""), source=args.get("source", ""),
        date_from=args.get("from", ""), date_to=args.get("to", ""), query=args.get("q", "").strip(),
    )  # fmt: skip


def _decorate(row: dict[str, Any], query: str) -> dict[str, Any]:
    """Add what the row template shows: highlight terms and a safe link."""
    return {
        **row,
        "terms": [*matched_terms(row), *store.review.search_terms(query)],
        "link": safe_url(row.get("url")),
    }


def _page_url(page: int) -> str:
    args = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}
    return url_for("queue.queue") + "?" + urlencode({**args, "p": page})


@bp.get("/")
def home() -> Response:
    """The desk opens on the queue."""
    return redirect(url_for("queue.queue"))


@bp.get("/queue")
def queue() -> str:
    """Items grouped by sector in 6+3+3 order, with counts, filters and pages."""
    db = common.db()
    f = _filter()
    query = store.review.prepare_query(db, f)
    counts = store.review.queue_counts(db, query)
    total = counts.get(f.sector, 0) if f.sector else sum(counts.values())
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, request.args.get("p", 1, type=int)), pages)
    rows = store.review.queue_page(db, query, counts, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    rows = [_decorate(r, f.query) for r in rows]
    groups = [(s, list(g)) for s, g in groupby(rows, key=lambda r: r["sector"] or "")]
    view = _view()
    nav = {**_nav(request.args), "p": str(page)} if page > 1 else _nav(request.args)
    return render_template(
        "queue.html", f=f, counts=counts, total=total, groups=groups, page=page, pages=pages,
        page_url=_page_url, here=request.full_path.rstrip("?"), view=view, nav=nav,
        view_urls={v: url_for("queue.queue", **nav, view=v) for v in ("compact", "full")},
    )  # fmt: skip


def _rows_reply(keys: Sequence[str], changed: bool = True) -> str:
    """The redrawn rows after an action (htmx swaps them in place)."""
    query = request.values.get("q", "")
    rows = [_decorate(r, query) for r in store.review.queue_rows(common.db(), keys)]
    view = request.values.get("view") or _view()
    return "".join(
        render_template("queue/_row.html", item=r, changed=changed, q=query, nav=_nav(), view=view)
        for r in rows
    )


def _reply(key: str) -> str | Response:
    if common.is_htmx():
        return _rows_reply([key])
    return common.back()


@bp.post("/items/<key>/<any(accept, reject, restore):action>")
def decide(key: str, action: str) -> str | Response:
    """采用 / 不用 / 恢复待审; on the item view 采用 and 不用 go on to the next item."""
    store.review.decide(common.db(), key, action, common.user())
    advance = request.form.get("advance", "")
    if action != "restore" and advance.startswith("/") and not advance.startswith("//"):
        if common.is_htmx():
            response = make_response("", 200)
            response.headers["HX-Redirect"] = advance
            return response
        return redirect(advance)
    return _reply(key)


@bp.post("/items/<key>/sector")
def resector(key: str) -> str | Response:
    """改分类: move the item to another sector (logged as a rule-quality signal)."""
    store.review.resector(common.db(), key, request.form.get("sector", ""), common.user())
    return _reply(key)


@bp.post("/items/<key>/undo")
def undo(key: str) -> str | Response:
    """撤销: revert the latest action on this item."""
    store.review.undo_last(common.db(), key, common.user())
    return _reply(key)


@bp.route("/items/<key>/edit", methods=["GET", "POST"])
def edit(key: str) -> str | Response:
    """Edit an item's title and summary inline."""
    db = common.db()
    if request.method == "POST":
        form = request.form
        store.review.edit_item(
            db, key, form.get("title", ""), form.get("summary", ""), common.user()
        )
        return _reply(key)
    item = store.items.get_item(db, key)
    return render_template("queue/_edit.html", item=item, q=request.args.get("q", ""))


@bp.get("/items/<key>/row")
def row(key: str) -> str:
    """One queue row (to cancel an inline edit)."""
    return _rows_reply([key], changed=False) or abort(404)


@bp.post("/items/bulk")
def bulk() -> Response:
    """Apply one action to every ticked row, then go back to the same queue page."""
    keys = request.form.getlist("key")
    action = request.form.get("action", "")
    db, actor = common.db(), common.user()
    if not keys:
        flash("请先勾选条目", "error")
    elif action in store.review.TRANSITIONS:
        problems = store.review.decide_many(db, keys, action, actor)
        done = len(keys) - len(problems)
        flash(f"已{common.ACTION_LABELS[action]} {done} 条", "ok")
        for problem in problems[:5]:
            flash(problem, "error")
    elif action == "resector":
        sector = request.form.get("sector", "")
        with store.db.transaction(db):
            for key in keys:
                store.review.resector(db, key, sector, actor)
        flash(f"已将 {len(keys)} 条改为 {common.sector_names().get(sector, sector)}", "ok")
    else:
        flash("请选择批量操作", "error")
    return common.back()


@bp.get("/items/<key>")
def item(key: str) -> str:
    """The full item: highlighted text, why it landed in its sector, its reprints, its history."""
    db = common.db()
    row = store.items.get_item(db, key)
    query = request.args.get("q", "")
    terms = [*matched_terms(row), *store.review.search_terms(query)]
    members = store.items.cluster_members(db, row["cluster_id"]) if row["cluster_id"] else []
    explanation = explanation_of(row)
    scores = sorted((explanation.get("scores") or {}).items(), key=lambda kv: -kv[1])
    hits = [h for h in explanation.get("hits") or [] if isinstance(h, dict)]
    explanation["hits"] = sorted(hits, key=lambda h: -float(h.get("contribution") or 0))
    prev_url, next_url, queue_url = _walk(key)
    kept = {a["url"]: {**a, "link": safe_url(a["url"])}
            for a in store.attachments.attachments_of(db, key)}  # fmt: skip
    return render_template(
        "item.html", item={**row, "link": safe_url(row["url"])}, terms=terms,
        prev_url=prev_url, next_url=next_url, queue_url=queue_url, nav=_nav(request.args),
        paragraphs=paragraphs(row["text"]), explanation=explanation, scores=scores,
        original=sanitize_html(row["html"] or ""),
        attachments=[(a, safe_url(a)) for a in _attachments(row["attachments"]) if a not in kept],
        kept=kept, snippets=_snippets(kept, store.review.search_terms(query)), sizes=_size,
        others=[{**m, "link": safe_url(m["url"])} for m in members if m["key"] != key],
        events=store.accounts.item_events(db, key), issue=store.review.item_issue(db, key), q=query,
    )  # fmt: skip


def _walk(key: str) -> tuple[str | None, str | None, str]:
    """上一条 / 下一条 in the queue the editor came from (same filters), and that queue."""
    nav = _nav(request.args)
    db = common.db()
    query = store.review.prepare_query(db, _filter(request.args))
    counts = store.review.queue_counts(db, query)
    before, after = store.review.neighbours(db, query, counts, key)

    def link(other: str | None) -> str | None:
        return url_for("queue.item", key=other, **nav) if other else None

    return link(before), link(after), url_for("queue.queue", **nav)


# Where a search hit inside an attachment is shown: this many characters either side, at most
# this many places per attachment.
SNIPPET_CONTEXT = 60
SNIPPETS_PER_ATTACHMENT = 3
_KEPT_NAME = re.compile(r"^([0-9a-f]{64})\.([a-z]{2,4})$")


def _snippets(kept: dict[str, dict[str, Any]], terms: Sequence[str]) -> dict[str, list[str]]:
    """Per attachment URL: the passages of its text around the search and keyword hits."""
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    if not wanted:
        return {}
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    found: dict[str, list[str]] = {}
    for url, attachment in kept.items():
        text = " ".join((attachment.get("text") or "").split())
        passages: list[str] = []
        end = -1
        for match in pattern.finditer(text):
            if match.start() < end:
                continue
            start, end = max(0, match.start() - SNIPPET_CONTEXT), match.end() + SNIPPET_CONTEXT
            before, after = ("…" if start else ""), ("…" if end < len(text) else "")
            passages.append(before + text[start:end] + after)
            if len(passages) >= SNIPPETS_PER_ATTACHMENT:
                break
        if passages:
            found[url] = passages
    return found


def _size(size: int | None) -> str:
    """A byte count as editors read it (KB, MB)."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@bp.get("/attachments/<name>")
def attachment_copy(name: str) -> Response:
    """The kept copy of an attachment (the site may have deleted its own)."""
    match = _KEPT_NAME.match(name)
    found = store.attachments.kept_file(common.db(), match[1]) if match else None
    if match is None or found is None or found["type"] != match[2]:
        abort(404)
    folder = Path(current_app.config["DB_PATH"]).resolve().parent / "attachments"
    path = folder / match[1][:2] / name
    if not path.is_file():
        abort(404)
    download = (
        found["name"]
        if found["name"].lower().endswith("." + match[2])
        else (f"{found['name']}.{match[2]}")
    )
    return send_file(path, as_attachment=True, download_name=download)


def _attachments(raw: str) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(a) for a in value] if isinstance(value, list) else []
