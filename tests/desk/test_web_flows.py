"""The desk's routes through Flask's test client: issue lifecycle, exports, bulk actions, audit."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest

import store.db
import store.issues
import store.items
from tests.desk.conftest import login


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def pending(db: store.db.Database, n: int) -> list[str]:
    sql = "SELECT key FROM items WHERE status = 'pending' ORDER BY sector, rank DESC LIMIT ?"
    return [r[0] for r in db.execute(sql, [n])]


def new_issue(client: Any, token: str) -> int:
    form = client.get("/issues/new").text
    values = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', form)[1]  # type: ignore[index]
        for name in ("year", "number", "total_number", "issue_date", "special_title")
    }
    assert (values["number"], values["total_number"], values["special_title"]) == (
        "1", "205", "633发展新态势"
    )  # fmt: skip
    values |= {"csrf_token": token, "subtitle": "新材料产业专刊", "editor_note": "编者的话。"}
    response = client.post("/issues/new", data=values)
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_issue_from_draft_to_final_and_back(db: store.db.Database, client: Any) -> None:
    token = login(client)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    keys = pending(db, 4)
    bulk = {"csrf_token": token, "key": keys, "action": "accept", "next": "/queue"}
    assert client.post("/items/bulk", data=bulk).status_code == 302
    issue = new_issue(client, token)
    page = client.get(f"/issues/{issue}").text
    assert all(k in page for k in keys) and "新材料产业专刊" in page
    for section, chosen in (("发展态势", keys[:2]), ("政策动向", keys[2:])):
        add = {"csrf_token": token, "key": chosen, "section": section}
        assert client.post(f"/issues/{issue}/add", data=add).status_code == 302
    moved = client.post(
        f"/issues/{issue}/items/{keys[1]}/move", data={"direction": "up"}, headers=htmx
    )
    assert moved.status_code == 200 and moved.text.index(keys[1]) < moved.text.index(keys[0])
    across = {"section": "科技前沿"}
    client.post(f"/issues/{issue}/items/{keys[3]}/move", data=across, headers=htmx)
    client.post(f"/issues/{issue}/items/{keys[2]}/body", data={"body": "summary"}, headers=htmx)
    rows = {r["key"]: r for r in store.issues.issue_items(db, issue)}
    assert (rows[keys[3]]["section"], rows[keys[2]]["body"]) == ("科技前沿", "summary")

    for fmt, mime in (("docx", "officedocument"), ("html", "text/html"), ("md", "text/markdown")):
        response = client.get(f"/issues/{issue}/export/{fmt}")
        assert response.status_code == 200 and mime in response.headers["Content-Type"]
        assert "%E6%80%BB%E7%AC%AC205%E6%9C%9F" in response.headers["Content-Disposition"]
    word = docx.Document(io.BytesIO(client.get(f"/issues/{issue}/export/docx").data))
    markers = [p.text for p in word.paragraphs if p.text.startswith("● ")]
    assert markers == ["● 编者的话", "● 目录", "● 发展态势", "● 政策动向", "● 科技前沿"]
    preview = client.get(f"/issues/{issue}/preview").text
    assert "第1期 总第205期" in preview and "新材料产业专刊" in preview

    assert client.post(f"/issues/{issue}/finalize", data={"csrf_token": token}).status_code == 302
    statuses = {store.items.get_item(db, k)["status"] for k in keys}
    assert statuses == {"used"}
    refused = client.post(f"/items/{keys[0]}/reject", headers=htmx)
    assert refused.status_code == 409 and "已刊用" in refused.text
    locked = client.post(f"/issues/{issue}/items/{keys[0]}/remove", headers=htmx)
    assert locked.status_code == 409 and "定稿" in locked.text
    client.post(f"/issues/{issue}/reopen", data={"csrf_token": token})
    assert {store.items.get_item(db, k)["status"] for k in keys} == {"accepted"}
    client.post(f"/issues/{issue}/delete", data={"csrf_token": token})
    assert store.issues.list_issues(db) == [] and store.issues.available_items(db)


def test_bulk_resector_and_the_audit_page(db: store.db.Database, client: Any) -> None:
    token = login(client)
    keys = pending(db, 2)
    form = {"csrf_token": token, "key": keys, "action": "resector", "sector": "textile"}
    assert client.post("/items/bulk", data=form).status_code == 302
    assert {store.items.get_item(db, k)["sector"] for k in keys} == {"textile"}
    audit = client.get("/audit").text
    assert "改分类统计" in audit and "轻纺" in audit and "wangli" in audit
    only = client.get("/audit?action=resector").text
    assert only.count("<tr>") == 2 + 2 + 1  # two events, two header rows, one count row


def test_an_expired_session_sends_htmx_to_the_login_page(client: Any) -> None:
    response = client.post("/items/x/accept", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"


def test_the_queue_pages_and_filters(db: store.db.Database, client: Any) -> None:
    login(client)
    page = client.get("/queue?sector=hair").text
    assert page.count('<article class="item ') == 4 and "发制品" in page
    assert "没有符合条件的条目" in client.get("/queue?q=不存在的词语组合").text
    assert client.get("/queue?p=999").status_code == 200


def test_a_clashing_issue_number_keeps_the_form(db: store.db.Database, client: Any) -> None:
    token = login(client)
    new_issue(client, token)
    form = {"csrf_token": token, "year": "2026", "number": "1", "total_number": "999",
            "issue_date": "2026-11-24", "subtitle": "保留我", "editor_note": "草稿内容"}  # fmt: skip
    again = client.post("/issues/new", data=form)
    assert again.status_code == 200 and "期号已被占用" in again.text
    assert "保留我" in again.text and "草稿内容" in again.text
