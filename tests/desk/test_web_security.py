"""Crawled text renders inert; nothing changes without a session or without a CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest

import store.accounts
import store.db
import store.items
from desk.auth import hash_password
from pipeline.models import RawItem
from tests.desk.conftest import EDITOR, PASSWORD, login

EVIL_KEY = "evil0000000000000000000000000000"
EVIL_TITLE = "<script>window.__pwned=1</script>恶意标题<img src=x onerror=alert(1)>"
EVIL_TEXT = '正文<img src=x onerror="window.__pwned=2">\n<script>window.__pwned=3</script>第二段'
EVIL_HTML = (
    '<p>原文<img src=x onerror="window.__pwned=4"></p><a href="javascript:window.__pwned=5">点我</a>'
    '<script>window.__pwned=6</script><iframe src="https://evil.example"></iframe>'
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">段落</p>'
)


def add_evil_item(db: store.db.Database) -> str:
    """A processed, pending item whose every crawled field carries an attack."""
    raw = RawItem(url="javascript:window.__pwned=7", source_id="demo-xc-kjj", title=EVIL_TITLE,
                  text=EVIL_TEXT, fetched_at="2026-11-24T00:00:00+00:00", html=EVIL_HTML,
                  attachments=("javascript:window.__pwned=8", "https://kjj.xuchang.example/a.pdf"))  # fmt: skip
    store.items.save_raw_items(db, [(EVIL_KEY, raw.url, raw)])
    with store.db.transaction(db):
        store.items.save_processed(db, EVIL_KEY, {
            "status": "pending", "sector": "it", "rank": 999.0, "summary": EVIL_TEXT,
            "cluster_id": EVIL_KEY, "source_name": '<img src=x onerror="window.__pwned=9">',
            "explanation": '{"sector": "it", "hits": [{"sector": "it", "term": "<b>恶意</b>"}]}',
        })  # fmt: skip
    return EVIL_KEY


ACTIVE = [
    re.compile(r"<script>window\.__pwned", re.I),
    re.compile(r"<[a-z]+[^>]*\son[a-z]+\s*=", re.I),  # an event-handler attribute inside a tag
    re.compile(r"""(href|src)\s*=\s*["']?\s*javascript:""", re.I),
    re.compile(r"<iframe", re.I),
    re.compile(r"<img\s", re.I),
]


def assert_inert(html: str) -> None:
    for pattern in ACTIVE:
        assert not pattern.search(html), pattern.pattern
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def test_a_malicious_item_renders_inert_in_the_queue_and_the_item_view(
    db: store.db.Database, client: Any
) -> None:
    add_evil_item(db)
    login(client)
    queue = client.get("/queue?sector=it").text
    assert EVIL_KEY in queue
    assert_inert(queue)
    item = client.get(f"/items/{EVIL_KEY}").text
    assert_inert(item)
    assert "点我" in item and "段落" in item  # the sanitized original keeps its text
    assert "javascript:window.__pwned=7" in item  # shown as text, never as a link
    assert 'href="https://kjj.xuchang.example/a.pdf"' in item
    searched = client.get("/queue?q=恶意标题").text
    assert EVIL_KEY in searched
    assert_inert(searched)


def test_every_page_forbids_inline_scripts(client: Any) -> None:
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def events(db: store.db.Database) -> int:
    return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def test_without_a_session_nothing_changes(db: store.db.Database, client: Any) -> None:
    key = db.execute("SELECT key FROM items WHERE status = 'pending' LIMIT 1").fetchone()[0]
    before = events(db)
    for url, data in [
        (f"/items/{key}/accept", {}),
        (f"/items/{key}/sector", {"sector": "hair"}),
        (f"/items/{key}/edit", {"title": "x", "summary": "y"}),
        ("/items/bulk", {"key": key, "action": "reject"}),
        (
            "/issues/new",
            {"year": "2026", "number": "1", "total_number": "1", "issue_date": "2026-01-01"},
        ),
    ]:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data=data, headers=headers)
            assert response.status_code in (400, 401), (url, response.status_code)
    assert client.get("/queue").status_code == 302
    item = store.items.get_item(db, key)
    assert (item["status"], item["sector"] != "hair", item["title"] != "x") == (
        "pending",
        True,
        True,
    )
    assert events(db) == before
    assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == 0


def test_without_a_csrf_token_nothing_changes(db: store.db.Database, client: Any) -> None:
    token = login(client)
    key = db.execute("SELECT key FROM items WHERE status = 'pending' LIMIT 1").fetchone()[0]
    before = events(db)
    assert client.post(f"/items/{key}/accept", headers={"HX-Request": "true"}).status_code == 400
    wrong = {"HX-Request": "true", "X-CSRFToken": token[:-4] + "AAAA"}
    assert client.post(f"/items/{key}/reject", headers=wrong).status_code == 400
    assert client.post("/items/bulk", data={"key": key, "action": "accept"}).status_code == 400
    assert client.post("/issues/new", data={"year": "2026"}).status_code == 400
    assert status_of(db, key) == "pending" and events(db) == before
    ok = client.post(f"/items/{key}/accept", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 200 and status_of(db, key) == "accepted"
    assert store.accounts.item_events(db, key)[-1]["actor"] == EDITOR


def status_of(db: store.db.Database, key: str) -> str:
    return str(store.items.get_item(db, key)["status"])


def test_login_checks_the_password_and_a_new_password_ends_old_sessions(
    db: store.db.Database, client: Any
) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    wrong = client.post("/login", data={"name": EDITOR, "password": "nope", "csrf_token": token})
    assert wrong.status_code == 200 and "用户名或密码错误" in wrong.text
    login(client)
    assert client.get("/queue").status_code == 200
    store.accounts.update_user(db, EDITOR, password_hash=hash_password("another-password"))
    assert client.get("/queue").status_code == 302
    stored = store.accounts.get_user(db, EDITOR)
    assert (
        stored
        and stored["password_hash"].startswith("scrypt:")
        and PASSWORD not in stored["password_hash"]
    )


def test_login_never_redirects_off_site(client: Any) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"name": EDITOR, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=//evil.example/x", data=form)
    assert response.headers["Location"] == "/queue"
