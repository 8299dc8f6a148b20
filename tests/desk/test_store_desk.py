"""The desk's SQL over the real demo database: queue, search, editor actions, undo, issues."""

from __future__ import annotations

import json

import pytest

import store.accounts
import store.db
import store.issues
import store.items
import store.review
from pipeline.errors import StoreError
from pipeline.rules import SECTOR_IDS
from store.review import QueueFilter


def page(db: store.db.Database, f: QueueFilter, offset: int = 0, limit: int = 50) -> list[dict]:
    query = store.review.prepare_query(db, f)
    return store.review.queue_page(db, query, store.review.queue_counts(db, query), offset, limit)


def status_of(db: store.db.Database, key: str) -> str:
    return str(store.items.get_item(db, key)["status"])


def test_the_queue_is_grouped_by_sector_in_the_6_3_3_order(db: store.db.Database) -> None:
    counts = store.review.queue_counts(db, store.review.prepare_query(db, QueueFilter()))
    assert list(counts) == [s for s in SECTOR_IDS if s in counts]
    assert (
        sum(counts.values())
        == db.execute("SELECT count(*) FROM items WHERE status = 'pending'").fetchone()[0]
    )
    rows = page(db, QueueFilter(), limit=1000)
    order = [SECTOR_IDS.index(r["sector"]) for r in rows]
    assert order == sorted(order)
    for sector in counts:
        ranks = [r["rank"] for r in rows if r["sector"] == sector]
        assert ranks == sorted(ranks, reverse=True)


def test_pages_follow_each_other_without_gaps_or_repeats(db: store.db.Database) -> None:
    whole = [r["key"] for r in page(db, QueueFilter(), limit=1000)]
    pieces = [r["key"] for off in range(0, len(whole), 7) for r in page(db, QueueFilter(), off, 7)]
    assert pieces == whole


def test_search_finds_three_and_two_character_terms(db: store.db.Database) -> None:
    title = db.execute(
        "SELECT title FROM items WHERE status = 'pending' AND title LIKE '%算力%'"
    ).fetchone()[0]
    for term in ("算力中心", "算力"):
        rows = page(db, QueueFilter(query=term))
        assert title in [r["title"] for r in rows]
    assert page(db, QueueFilter(query="完全不存在的词语")) == []
    assert page(db, QueueFilter(query="算力 发制品假发")) == []


def test_a_broad_search_is_planned_differently_but_finds_the_same(
    db: store.db.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = page(db, QueueFilter(status="", query="许昌"), limit=500)
    monkeypatch.setattr(store.review, "BROAD_SEARCH", 0)
    assert "+items.rowid" in store.review.prepare_query(db, QueueFilter(query="许昌")).where
    assert page(db, QueueFilter(status="", query="许昌"), limit=500) == narrow
    assert len(narrow) > 10


def test_filters_by_source_sector_status_and_dates(db: store.db.Database) -> None:
    rows = page(db, QueueFilter(source="demo-hyxh", sector="hair"))
    assert rows and {(r["source_id"], r["sector"]) for r in rows} == {("demo-hyxh", "hair")}
    assert {r["status"] for r in page(db, QueueFilter(status="duplicate"))} == {"duplicate"}
    dated = page(db, QueueFilter(date_from="2026-11-15", date_to="2026-11-16"), limit=500)
    assert dated and all("2026-11-15" <= r["published_at"][:10] <= "2026-11-16" for r in dated)


def test_accept_reject_and_undo_are_logged(db: store.db.Database) -> None:
    key = page(db, QueueFilter())[0]["key"]
    store.review.decide(db, key, "accept", "wangli")
    store.review.decide(db, key, "reject", "wangli")
    assert status_of(db, key) == "rejected"
    assert store.review.undo_last(db, key, "wangli") == "reject"
    assert status_of(db, key) == "accepted"
    assert store.review.undo_last(db, key, "wangli") == "accept"
    assert status_of(db, key) == "pending"
    with pytest.raises(StoreError):
        store.review.undo_last(db, key, "wangli")
    actions = [(e["actor"], e["action"]) for e in store.accounts.item_events(db, key)]
    assert actions == [("wangli", a) for a in ("accept", "reject", "undo", "undo")]


def test_resector_is_a_counted_rule_signal_and_revives_off_topic_items(
    db: store.db.Database,
) -> None:
    off = db.execute("SELECT key FROM items WHERE status = 'off_topic' LIMIT 1").fetchone()[0]
    with pytest.raises(StoreError, match="改分类"):
        store.review.decide(db, off, "accept", "wangli")
    store.review.resector(db, off, "hair", "wangli")
    assert (store.items.get_item(db, off)["sector"], status_of(db, off)) == ("hair", "pending")
    event = store.accounts.item_events(db, off)[-1]
    assert (event["action"], json.loads(event["before"])["sector"]) == ("resector", "off_topic")
    assert store.review.resector_counts(db) == [
        {"from_sector": "off_topic", "to_sector": "hair", "n": 1}
    ]
    with pytest.raises(StoreError):
        store.review.resector(db, off, "nonsense", "wangli")


def test_editing_changes_the_searchable_title(db: store.db.Database) -> None:
    key = page(db, QueueFilter())[0]["key"]
    store.review.edit_item(db, key, "  瑞贝卡发制品出口  创新高 ", "新摘要", "wangli")
    assert store.items.get_item(db, key)["title"] == "瑞贝卡发制品出口 创新高"
    assert [r["key"] for r in page(db, QueueFilter(query="出口 创新高"))] == [key]
    store.review.undo_last(db, key, "wangli")
    assert page(db, QueueFilter(query="出口 创新高")) == []


def make_issue(db: store.db.Database, total: int = 205, year: int = 2026, number: int = 1) -> int:
    fields = {"year": year, "number": number, "total_number": total, "special_title": "",
              "subtitle": "", "issue_date": f"{year}-11-24", "editor_note": ""}  # fmt: skip
    return store.issues.create_issue(db, fields, "wangli")


def test_an_issue_takes_only_accepted_items_once(db: store.db.Database) -> None:
    first, second, third = (r["key"] for r in page(db, QueueFilter())[:3])
    store.review.decide_many(db, [first, second], "accept", "wangli")
    issue = make_issue(db)
    problems = store.issues.add_to_issue(db, issue, [first, third], "发展态势", "wangli")
    assert len(problems) == 1 and "已采用" in problems[0]
    other = make_issue(db, 206, number=2)
    assert len(store.issues.add_to_issue(db, other, [first], "发展态势", "wangli")) == 1
    with pytest.raises(StoreError):
        store.review.decide(db, first, "reject", "wangli")  # placed items stay accepted
    assert [r["key"] for r in store.issues.available_items(db)] == [second]


def test_numbers_must_be_unique(db: store.db.Database) -> None:
    make_issue(db)
    with pytest.raises(StoreError, match="期号已被占用"):
        make_issue(db, 205, number=9)
    with pytest.raises(StoreError, match="期号已被占用"):
        make_issue(db, 300, number=1)


def test_arrange_finalize_and_reopen(db: store.db.Database) -> None:
    keys = [r["key"] for r in page(db, QueueFilter())[:3]]
    store.review.decide_many(db, keys, "accept", "wangli")
    issue = make_issue(db)
    store.issues.add_to_issue(db, issue, keys, "发展态势", "wangli")
    placement = [("政策动向", keys[2]), ("发展态势", keys[1]), ("发展态势", keys[0])]
    store.issues.arrange_issue(db, issue, placement, "wangli")
    rows = store.issues.issue_items(db, issue)
    assert [(r["section"], r["key"], r["position"]) for r in rows] == [
        ("发展态势", keys[1], 0), ("发展态势", keys[0], 1), ("政策动向", keys[2], 0)
    ]  # fmt: skip
    with pytest.raises(StoreError):
        store.issues.arrange_issue(db, issue, placement[:2], "wangli")
    assert store.issues.finalize_issue(db, issue, "wangli") == 3
    assert {status_of(db, k) for k in keys} == {"used"}
    with pytest.raises(StoreError):
        store.issues.remove_from_issue(db, issue, keys[0], "wangli")
    with pytest.raises(StoreError):
        store.review.resector(db, keys[0], "hair", "wangli")
    store.issues.reopen_issue(db, issue, "wangli")
    assert {status_of(db, k) for k in keys} == {"accepted"}
    actions = [
        e["action"] for e in store.accounts.events_page(db, 20) if e["subject"] == f"issue:{issue}"
    ]
    assert actions == ["issue_reopen", "issue_finalize", "issue_arrange", "issue_new"]
