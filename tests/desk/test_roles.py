"""Who may do what: editors review and build issues, admins also run ops and accounts; logins
are throttled; the session cookie is Secure over https."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

import store.accounts
import store.db
import store.runs
from desk import auth
from tests.desk.conftest import ADMIN, EDITOR, PASSWORD, login

SOURCE = "demo-xc-kjj"


def quarantine(db: store.db.Database) -> None:
    store.runs.save_source_verdict(db, SOURCE, None, True, "2026-11-20T00:00:00+00:00")


def quarantined(db: store.db.Database) -> bool:
    return bool(db.execute("SELECT quarantined FROM sources WHERE id = ?", [SOURCE]).fetchone()[0])


def actions(db: store.db.Database, action: str) -> list[dict[str, Any]]:
    return [e for e in store.accounts.events_page(db, 100) if e["action"] == action]


def test_an_editor_cannot_resume_a_source_or_manage_accounts(app: Any, db: Any) -> None:
    quarantine(db)
    client = app.test_client()
    token = login(client, EDITOR)
    headers = {"X-CSRFToken": token}
    refused = client.post(f"/ops/sources/{SOURCE}/resume", headers=headers)
    assert refused.status_code == 403
    assert "仅管理员" in refused.text
    assert quarantined(db)
    add = client.post("/accounts", data={"name": "x", "password": "12345678"}, headers=headers)
    assert add.status_code == 403
    assert store.accounts.get_user(db, "x") is None
    role = client.post(f"/accounts/{EDITOR}/role", data={"role": "admin"}, headers=headers)
    assert role.status_code == 403
    assert store.accounts.get_user(db, EDITOR)["role"] == "editor"
    assert client.get("/accounts").status_code == 403
    # The ops page still shows the quarantine, without the admin's button.
    page = client.get("/ops").text
    assert "已隔离" in page and "恢复采集" not in page
    assert [e["subject"] for e in actions(db, "forbidden")][-1] == f"/ops/sources/{SOURCE}/resume"


def test_an_admin_resumes_a_source_and_manages_accounts(app: Any, db: Any) -> None:
    quarantine(db)
    client = app.test_client()
    headers = {"X-CSRFToken": login(client, ADMIN)}
    assert "恢复采集" in client.get("/ops").text
    assert client.post(f"/ops/sources/{SOURCE}/resume", headers=headers).status_code == 302
    assert not quarantined(db)
    form = {"name": "liqiang", "password": "long-enough", "role": "editor"}
    assert client.post("/accounts", data=form, headers=headers).status_code == 302
    assert store.accounts.get_user(db, "liqiang")["role"] == "editor"
    client.post("/accounts/liqiang/role", data={"role": "admin"}, headers=headers)
    assert store.accounts.get_user(db, "liqiang")["role"] == "admin"
    # An admin cannot lock themself out.
    mine = client.post(f"/accounts/{ADMIN}/role", data={"role": "editor"}, headers=headers)
    assert mine.status_code == 409
    assert [e["actor"] for e in actions(db, "user_role")] == [ADMIN]


def attempt(client: Any, name: str, password: str, address: str = "10.0.0.7") -> Any:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token[1]},
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_the_sixth_wrong_password_in_a_minute_is_slowed_and_logged(
    app: Any, db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["LOGIN_THROTTLE_DELAY"] = 0.2
    client = app.test_client()
    for _ in range(auth.FREE_FAILURES):
        assert attempt(client, EDITOR, "wrong-password").status_code == 200
    with caplog.at_level(logging.WARNING, logger="newsdesk.desk"):
        sixth = attempt(client, EDITOR, "wrong-password")
        # Even the right password is refused until the minute is over: guessing stays capped.
        right = attempt(client, EDITOR, PASSWORD)
    assert sixth.status_code == right.status_code == 429
    assert sixth.headers["Retry-After"] == "60"
    assert "登录失败次数过多" in sixth.text
    assert any("login throttled" in r.getMessage() and EDITOR in r.getMessage()
               for r in caplog.records)  # fmt: skip
    assert len(actions(db, "login_throttled")) == 2
    # Another account from another address is not held up; the admin sees the failures on /ops.
    assert attempt(client, ADMIN, PASSWORD, "10.0.0.8").status_code == 302
    report = client.get("/ops").text
    assert "登录失败" in report and "10.0.0.7" in report


def test_one_address_trying_many_accounts_is_throttled_too(app: Any) -> None:
    app.config["LOGIN_THROTTLE_DELAY"] = 0.0
    client = app.test_client()
    for n in range(auth.FREE_FAILURES):
        attempt(client, f"guess{n}", "x", "10.9.9.9")
    assert attempt(client, EDITOR, PASSWORD, "10.9.9.9").status_code == 429
    assert attempt(client, EDITOR, PASSWORD, "10.9.9.10").status_code == 302


def test_the_session_cookie_is_secure_over_https_only(app: Any) -> None:
    for base, secure in (("https://desk.example", True), ("http://127.0.0.1", False)):
        client = app.test_client()
        client.get("/login", base_url=base)
        page = client.get("/login", base_url=base)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        # Over https Flask-WTF also checks the Referer, as a browser sends it.
        response = client.post("/login", base_url=base, headers={"Referer": base + "/login"}, data={
            "name": EDITOR, "password": PASSWORD, "csrf_token": token[1]})  # fmt: skip
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert ("Secure" in cookie) is secure, cookie


def test_existing_accounts_become_editors_when_the_schema_is_upgraded(tmp_path: Any) -> None:
    import sqlite3

    from store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for sql in MIGRATIONS[:4]:
            conn.executescript(sql)
        conn.execute("PRAGMA user_version = 4")
        conn.execute("INSERT INTO users (name, password_hash, created_at) VALUES ('old', 'h', 't')")
    db = store.db.open_db(path)
    try:
        assert store.accounts.get_user(db, "old")["role"] == "editor"
    finally:
        db.conn.close()
