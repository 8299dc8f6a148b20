"""The desk tuned for a daily hour of review: walking the queue, marks once, rounded scores,
and the ops page with problems first."""

from __future__ import annotations

import re
from typing import Any

import store.db
import store.review
import store.runs
from desk.text import highlight, highlight_once, number
from store.review import QueueFilter
from tests.desk.conftest import login


def queue_keys(db: store.db.Database, f: QueueFilter) -> list[str]:
    query = store.review.prepare_query(db, f)
    counts = store.review.queue_counts(db, query)
    return [r["key"] for r in store.review.queue_page(db, query, counts, 0, 1000)]


def test_neighbours_follow_the_queue_order_and_survive_a_decision(db: store.db.Database) -> None:
    f = QueueFilter()
    keys = queue_keys(db, f)
    query = store.review.prepare_query(db, f)
    counts = store.review.queue_counts(db, query)
    # Across a sector boundary too: every item's neighbours are the ones beside it in the queue.
    for i, key in enumerate(keys):
        before, after = store.review.neighbours(db, query, counts, key)
        assert before == (keys[i - 1] if i else None)
        assert after == (keys[i + 1] if i + 1 < len(keys) else None)
    # Accepted, the item leaves the pending queue, yet "next" is still the one that followed it.
    store.review.decide(db, keys[10], "accept", "wangli")
    query = store.review.prepare_query(db, f)
    counts = store.review.queue_counts(db, query)
    assert store.review.neighbours(db, query, counts, keys[10]) == (keys[9], keys[11])
    # A sector filter walks that sector only.
    hair = QueueFilter(sector="hair")
    only = queue_keys(db, hair)
    query = store.review.prepare_query(db, hair)
    counts = store.review.queue_counts(db, query)
    assert store.review.neighbours(db, query, counts, only[0]) == (None, only[1])
    assert store.review.neighbours(db, query, counts, keys[0]) == (None, None)


def test_an_item_view_without_javascript_goes_on_to_the_next_item(app: Any, db: Any) -> None:
    client = app.test_client()
    token = login(client)
    keys = queue_keys(db, QueueFilter(sector="food"))
    page = client.get(f"/items/{keys[0]}?sector=food").text
    assert f'href="/items/{keys[1]}?sector=food"' in page
    assert 'id="prev-item"' not in page
    advance = re.search(r'"advance": "([^"]+)"', page)
    assert advance and advance[1] == f"/items/{keys[1]}?sector=food"
    done = client.post(f"/items/{keys[0]}/accept", data={"advance": advance[1]},
                       headers={"X-CSRFToken": token, "HX-Request": "true"})  # fmt: skip
    assert done.headers["HX-Redirect"] == f"/items/{keys[1]}?sector=food"
    # An off-site "advance" is ignored: the reply is the redrawn row.
    other = client.post(f"/items/{keys[1]}/reject", data={"advance": "//evil.example/"},
                        headers={"X-CSRFToken": token, "HX-Request": "true"})  # fmt: skip
    assert "HX-Redirect" not in other.headers and f"item-{keys[1]}" in other.text


def test_a_keyword_is_marked_once_and_scores_are_rounded() -> None:
    title, summary = highlight_once(
        ["发制品企业<出海>", "发制品出口增长，发制品"], ["发制品", "出口"]
    )
    assert str(title) == "<mark>发制品</mark>企业&lt;出海&gt;"
    assert str(summary) == "发制品<mark>出口</mark>增长，发制品"
    assert [number(v) for v in (45.466, 3.0, 12, None, "x")] == ["45.5", "3", "12", "", ""]


def test_a_keyword_split_by_quotation_marks_is_marked_like_the_classifier_matched_it() -> None:
    # pipeline.classify matches 假发 in 一缕“假”发: the mark must cover the quoted form too.
    (title,) = highlight_once(["一缕“假”发与假发票"], ["假发"])
    assert str(title) == "一缕“<mark>假”发</mark>与假发票"
    assert str(highlight("「睫」毛和睫毛", ["睫毛"])) == "「<mark>睫」毛</mark>和<mark>睫毛</mark>"


def test_the_compact_queue_is_one_line_per_item_and_remembered(app: Any) -> None:
    client = app.test_client()
    login(client)
    full = client.get("/queue").text
    assert full.count('class="summary"') > 10 and "命中：" in full
    compact = client.get("/queue?view=compact").text
    assert "compact-row" in compact and 'class="summary"' not in compact
    assert "compact-row" in client.get("/queue?sector=it").text
    # Marks: never more than one per keyword in a row.
    for row in re.findall(r"<article.*?</article>", full, re.S):
        marks = re.findall(r"<mark>(.*?)</mark>", row)
        assert len(marks) == len(set(marks))


def test_the_ops_page_lists_problems_first(app: Any, db: store.db.Database) -> None:
    store.runs.save_source_verdict(db, "demo-xc-kjj", None, True, "2026-11-20T00:00:00+00:00")
    db.execute(
        "UPDATE sources SET consecutive_failures = 3, failing_since = '2026-11-19' WHERE id = ?",
        ["demo-hn-gxt"],
    )
    client = app.test_client()
    login(client)
    page = client.get("/ops").text
    codes = re.findall(r'<tr class="health-(\w+)">', page)
    order = ["failing", "quarantined", "quiet", "extraction", "ok", "never", "disabled"]
    assert codes[:2] == ["failing", "quarantined"]
    assert [order.index(c) for c in codes] == sorted(order.index(c) for c in codes)
    assert "never" in codes and "ok" in codes
