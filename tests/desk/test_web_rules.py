"""The desk's 规则建议 page over the demo database and a private config copy: editors re-sector items
in the queue, the page shows the proposal with its evidence and impact matrix, an editor applies it,
reprocesses, and undoes it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import store.db
import store.items
import store.review
from desk.web import create_app
from ops.config_files import load_config
from ops.process import process_new
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key
from tests.desk.conftest import ADMIN, EDITOR, ROOT, login
from tests.ops.test_rules import SIMILAR, TAUGHT


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


@pytest.fixture
def client(db_path: Path, config_dir: Path) -> Iterator[Any]:
    app = create_app(str(db_path), str(config_dir), secret_key="test-secret")
    app.config["TESTING"] = True
    yield app.test_client()


def _key(n: int) -> str:
    return url_key(canonical_url(f"https://rules.example/{n}"))


def _store_items(db: store.db.Database, config_dir: Path) -> None:
    items = [
        RawItem(url=f"https://rules.example/{n}", source_id="demo-xc-kjj", title=t,
                text=f"{t}。{body}", fetched_at="2026-11-20T12:00:00+00:00",
                published_at="2026-11-20")
        for n, (t, body) in enumerate((*TAUGHT, *SIMILAR))
    ]  # fmt: skip
    pairs = [(url_key(canonical_url(i.url)), canonical_url(i.url), i) for i in items]
    store.items.save_raw_items(db, pairs)
    process_new(db, load_config(config_dir), datetime(2026, 11, 24, tzinfo=UTC))


def test_rule_proposal_is_shown_with_its_impact_applied_reprocessed_and_undone(
    db: store.db.Database, client: Any, config_dir: Path
) -> None:
    _store_items(db, config_dir)
    original = (config_dir / "sectors.toml").read_text(encoding="utf-8")
    token = login(client)
    for n in range(len(TAUGHT)):  # 改分类 in the queue, as editors do it
        reply = client.post(
            f"/items/{_key(n)}/sector", data={"sector": "equipment"},
            headers={"X-CSRFToken": token, "HX-Request": "true"},
        )  # fmt: skip
        assert reply.status_code == 200, reply.text

    page = client.get("/ops/rules").text
    assert "#1 新增关键词「高空作业平台」（equipment，权重 3）" in page
    assert all(title in page for title, _ in TAUGHT)  # the evidence
    assert "待定条目" in page and "<td>无关</td><td>装备制造</td><td>3</td>" in page
    assert SIMILAR[0][0] in page  # a sample of the items that would move
    assert "运行监控" in client.get("/ops").text and "/ops/rules" in client.get("/ops").text

    proposal = {"number": "1", "expect": "新增关键词「高空作业平台」（equipment，权重 3）"}
    # Editors see proposals; only an admin applies one.
    refused = client.post("/ops/rules/apply", data={"csrf_token": token, **proposal})
    assert refused.status_code == 403
    assert (config_dir / "sectors.toml").read_text(encoding="utf-8") == original
    client = client.application.test_client()
    token = login(client, ADMIN)
    applied = client.post(
        "/ops/rules/apply", data={"csrf_token": token, **proposal}, follow_redirects=True
    )
    assert "已应用：新增关键词「高空作业平台」" in applied.text
    assert "<td>无关</td><td>装备制造</td><td>3</td>" in applied.text  # the reprocess preview
    assert f"<div>{SIMILAR[1][0]}</div>" in applied.text  # with sample items
    assert '"高空作业平台" = 3' in (config_dir / "sectors.toml").read_text(encoding="utf-8")
    done = client.post("/ops/rules/reprocess", data={"csrf_token": token}, follow_redirects=True)
    assert "3 条改变行业" in done.text
    rows = db.execute(
        "SELECT sector, status FROM items WHERE key IN (?, ?, ?)",
        [_key(n) for n in range(len(TAUGHT), len(TAUGHT) + len(SIMILAR))],
    ).fetchall()
    assert set(rows) == {("equipment", "pending")}
    audit = client.get("/audit?action=rules_apply").text
    assert "应用规则建议" in audit and ADMIN in audit

    undone = client.post("/ops/rules/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "已撤销：新增关键词「高空作业平台」" in undone.text
    assert (config_dir / "sectors.toml").read_text(encoding="utf-8") == original


def test_a_stale_proposal_is_refused(db: store.db.Database, client: Any, config_dir: Path) -> None:
    _store_items(db, config_dir)
    for n in range(len(TAUGHT)):
        store.review.resector(db, _key(n), "equipment", EDITOR)
    token = login(client, ADMIN)
    original = (config_dir / "sectors.toml").read_text(encoding="utf-8")
    # The page offered #1 as something else: the list changed since, so nothing is applied.
    reply = client.post(
        "/ops/rules/apply", data={"csrf_token": token, "number": "1", "expect": "新增关键词「旧」"}
    )
    assert reply.status_code == 409 and "规则建议列表已变化" in reply.text
    assert (config_dir / "sectors.toml").read_text(encoding="utf-8") == original
