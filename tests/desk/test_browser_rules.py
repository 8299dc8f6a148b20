"""规则建议 in headless Chromium: an admin opens the page from 运行监控, reads the proposal and its
impact matrix, applies it and reprocesses, over a private config copy and the demo database."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

import store.db
import store.review
from desk.web import create_app
from tests.desk.conftest import ADMIN, EDITOR, PASSWORD, ROOT, _wait_until_up
from tests.desk.test_web_rules import _key, _store_items
from tests.ops.test_rules import SIMILAR, TAUGHT

pytestmark = pytest.mark.browser


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of config/: applying a proposal edits its sectors.toml."""
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


@pytest.fixture
def rules_server(db_path: Path, config_dir: Path) -> Iterator[str]:
    db = store.db.open_db(db_path)
    _store_items(db, config_dir)
    for n in range(len(TAUGHT)):
        store.review.resector(db, _key(n), "equipment", EDITOR)
    db.conn.close()
    server = make_server(
        "127.0.0.1", 0, create_app(str(db_path), str(config_dir), "live"), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    _wait_until_up(url + "/login")
    yield url
    server.shutdown()
    thread.join(10)


def test_an_admin_applies_a_rule_proposal_in_the_browser(
    browser: Any, rules_server: str, config_dir: Path, db_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(rules_server + "/login")
    page.fill("input[name=name]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(rules_server + "/ops")
    page.click("text=规则建议")
    proposal = page.locator("#proposal-1")
    expect(proposal.locator("h2")).to_have_text(
        "#1 新增关键词「高空作业平台」（equipment，权重 3）"
    )
    expect(proposal.locator("table.matrix tbody tr").first).to_contain_text("无关")
    expect(proposal.locator("table.matrix tbody tr").first).to_contain_text("装备制造")
    expect(proposal.locator(".evidence li")).to_have_count(len(TAUGHT))
    proposal.locator("button", has_text="应用此建议").click()
    expect(page.locator(".flash.ok")).to_contain_text("已应用：新增关键词「高空作业平台」")
    assert '"高空作业平台" = 3' in (config_dir / "sectors.toml").read_text(encoding="utf-8")
    page.locator("button", has_text="重新分类待定条目").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"{len(SIMILAR)} 条改变行业")
    expect(page.locator(".rule-history")).to_contain_text(ADMIN)
    db = store.db.open_db(db_path)
    try:
        rows = {db.execute("SELECT sector FROM items WHERE key = ?", [_key(len(TAUGHT) + n)]).fetchone()[0]
                for n in range(len(SIMILAR))}  # fmt: skip
    finally:
        db.conn.close()
    assert rows == {"equipment"}
    context.close()
