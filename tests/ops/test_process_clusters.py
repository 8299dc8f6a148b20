"""Reprint clusters through ops.process and a real SQLite file: merges, arrival order, editors."""

from __future__ import annotations

import contextlib
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import ops.process as process_module
import store.accounts
import store.db
import store.items
import store.review
from ops.config_files import load_config
from ops.process import process_new
from pipeline.config import Config
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key

ROOT = Path(__file__).parent.parent.parent
REPRINTS = ROOT / "tests" / "fixtures" / "reprints" / "reprints.json"
NOW_TEXT = "2026-11-20"
NOW = datetime(2026, 11, 21, tzinfo=UTC)  # rank decays with age: one clock for both passes
PARAGRAPHS = [
    "近日，许昌市出台《支持发制品产业高质量发展的若干措施》，从研发创新、品牌培育、跨境电商、人才引进等方面提出18条具体措施。",
    "《措施》提出，到2025年，全市发制品产业营业收入突破500亿元，培育年销售收入超10亿元的龙头企业5家，打造国际知名发制品品牌10个以上。",
    "在研发创新方面，对企业新建省级以上研发平台给予最高200万元奖励；在品牌培育方面，对企业在境外注册商标、开展品牌推广给予补贴。",
    "在跨境电商方面，支持企业建设海外仓和独立站，对年出口额超过1000万元的跨境电商企业给予奖励。",
    "在人才引进方面，对引进的发制品设计、跨境运营高层次人才，给予最高50万元安家补贴。",
    "《措施》还明确，市财政每年安排专项资金1亿元，用于支持发制品产业园区基础设施建设和公共服务平台建设。",
    "据了解，许昌发制品产业已有100多年历史，目前全市共有发制品企业1800余家，产品远销120多个国家和地区。",
    "下一步，许昌市将建立发制品产业发展联席会议制度，定期研究解决产业发展中的重大问题。",
]


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "config")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[store.db.Database]:
    conn = store.db.open_db(tmp_path / "n.db")
    yield conn
    conn.conn.close()


def key_of(url: str) -> str:
    return url_key(canonical_url(url))


def save(db: store.db.Database, *items: RawItem) -> None:
    store.items.save_raw_items(db, [(key_of(i.url), canonical_url(i.url), i) for i in items])


def item(url: str, source: str, title: str, text: str, at: str) -> RawItem:
    return RawItem(url=url, source_id=source, title=title, text=text, fetched_at=at,
                   published_at=NOW_TEXT)  # fmt: skip


def partition(db: store.db.Database) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for key, cluster in db.execute("SELECT key, coalesce(cluster_id, key) FROM items"):
        groups[cluster].add(key)
    return {frozenset(g) for g in groups.values()}


def test_an_item_proving_two_clusters_one_article_merges_them_and_keeps_decisions(
    db: store.db.Database, config: Config
) -> None:
    # Two copies that kept different halves share no sentence: two clusters at first.
    first = item("https://a.example/1", "demo-xinwen", "许昌出台发制品产业18条措施",
                 "\n".join(PARAGRAPHS[:5]), "2026-11-20T08:00:00+00:00")  # fmt: skip
    second = item("https://b.example/2", "demo-xcnews", "许昌出台发制品产业18条措施",
                  "\n".join(PARAGRAPHS[3:]), "2026-11-20T09:00:00+00:00")  # fmt: skip
    save(db, first, second)
    process_new(db, config)
    a, b = key_of(first.url), key_of(second.url)
    assert store.items.clusters_of(db, [a]) != store.items.clusters_of(db, [b])
    store.review.decide(db, b, "accept", "wangli")
    # The whole article arrives: it verifies against both halves.
    whole = item("https://c.example/3", "demo-xc-kjj", "许昌出台支持发制品产业高质量发展若干措施",
                 "\n".join(PARAGRAPHS), "2026-11-20T10:00:00+00:00")  # fmt: skip
    save(db, whole)
    process_new(db, config)
    c = key_of(whole.url)
    (cluster,) = store.items.clusters_of(db, [a, b, c])
    rows = {r["key"]: r for r in store.items.cluster_members(db, cluster)}
    assert set(rows) == {a, b, c}
    assert rows[b]["status"] == "accepted"  # the editor's decision is kept...
    assert cluster == b  # ...and pins the canonical item
    assert rows[a]["status"] == rows[c]["status"] == "duplicate"
    events = [e for e in store.accounts.item_events(db, b) if e["action"] == "merge"]
    assert len(events) == 1 and json.loads(events[0]["after"])["by"] == c


def fixture_subset() -> list[dict[str, Any]]:
    """Every article of 12 fixture groups (bases, copies, hard negatives and their copies)."""
    articles = json.loads(REPRINTS.read_text(encoding="utf-8"))["articles"]
    roots = sorted({a["group"].split("~")[0] for a in articles})
    chosen = set(random.Random(14).sample(roots, 12))
    return [a for a in articles if a["group"].split("~")[0] in chosen]


def test_the_partition_through_the_store_is_the_same_in_five_arrival_orders(
    tmp_path: Path, config: Config
) -> None:
    articles = fixture_subset()
    partitions = []
    for seed in range(5):
        order = list(range(len(articles)))
        random.Random(seed).shuffle(order)
        db = store.db.open_db(tmp_path / f"order{seed}.db")
        save(db, *[
            item(f"https://r.example/{articles[i]['id']}", "demo-xinwen", articles[i]["title"],
                 articles[i]["text"], f"2026-11-20T08:{n // 60:02d}:{n % 60:02d}+00:00")
            for n, i in enumerate(order)
        ])  # fmt: skip
        process_new(db, config)
        partitions.append(partition(db))
        db.conn.close()
    assert all(p == partitions[0] for p in partitions[1:])
    group = {key_of(f"https://r.example/{a['id']}"): a["group"] for a in articles}
    truth = defaultdict(set)
    for key, g in group.items():
        truth[g].add(key)
    assert partitions[0] == {frozenset(keys) for keys in truth.values()}


def test_an_editor_decision_made_while_the_pass_computes_wins(
    db: store.db.Database, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = item("https://news.example/1", "demo-xinwen", "许昌出台发制品产业18条措施",
                 "\n".join(PARAGRAPHS), "2026-11-20T08:00:00+00:00")  # fmt: skip
    save(db, media)
    process_new(db, config)
    m = key_of(media.url)
    # The government's own copy arrives; it would become canonical, but while the pass computes
    # it (outside any write transaction), an editor accepts the media copy.
    gov = item("https://kjj.example/1", "demo-xc-kjj", "许昌出台发制品产业18条措施",
               "\n".join(PARAGRAPHS), "2026-11-20T09:00:00+00:00")  # fmt: skip
    save(db, gov)
    real = process_module.find_matches

    def editor_clicks_meanwhile(*args: Any) -> list[str]:
        found = real(*args)
        store.review.decide(db, m, "accept", "wangli")
        return found

    monkeypatch.setattr(process_module, "find_matches", editor_clicks_meanwhile)
    process_new(db, config)
    g = key_of(gov.url)
    assert store.items.get_item(db, m)["status"] == "accepted"
    assert store.items.get_item(db, g)["status"] == "duplicate"
    assert store.items.get_item(db, g)["cluster_id"] == m


def test_items_processed_before_sentence_marks_get_them_and_find_their_cut_copies(
    db: store.db.Database, config: Config
) -> None:
    whole = item("https://a.example/1", "demo-xc-kjj", "许昌出台支持发制品产业高质量发展若干措施",
                 "\n".join(PARAGRAPHS), "2026-11-20T08:00:00+00:00")  # fmt: skip
    save(db, whole)
    process_new(db, config)
    # As a database migrated to schema 5 finds it: processed items, no marks yet.
    with store.db.transaction(db):
        db.execute("DELETE FROM sentence_marks")
    half = item("https://wx.example/2", "demo-xinwen", "许昌出台发制品产业18条措施",
                "点击上方蓝字关注我们\n" + "\n".join(PARAGRAPHS[i] for i in (0, 4, 6, 7)),
                "2026-11-20T09:00:00+00:00")  # fmt: skip
    save(db, half)
    # A half copy (Jaccard about 0.45) shares an LSH band with the whole only by chance; drop the
    # whole's bands so that only the back-filled sentence marks can find it.
    with store.db.transaction(db):
        db.execute("DELETE FROM lsh_bands WHERE key = ?", [key_of(whole.url)])
    process_new(db, config)
    assert db.execute("SELECT count(*) FROM sentence_marks").fetchone()[0] > 0
    assert store.items.clusters_of(db, [key_of(whole.url), key_of(half.url)]) == {key_of(whole.url)}


def test_worker_processes_and_background_checkpoints_give_the_same_store_as_one_process(
    tmp_path: Path, config: Config
) -> None:
    # A large backlog is computed by spawned workers while this process writes; the result
    # must not depend on it (same statuses, sectors, clusters, scores, explanations).
    articles = fixture_subset()
    results = []
    for workers in (0, 2):
        db = store.db.open_db(tmp_path / f"w{workers}.db")
        save(db, *[
            item(f"https://r.example/{a['id']}", "demo-xinwen", a["title"], a["text"],
                 f"2026-11-20T08:{n // 60:02d}:{n % 60:02d}+00:00")
            for n, a in enumerate(articles)
        ])  # fmt: skip
        with store.db.background_checkpoints(db) if workers else contextlib.nullcontext():
            stats = process_new(db, config, NOW, workers=workers)
        assert stats.processed == len(articles)
        rows = db.execute(
            """SELECT key, status, sector, cluster_id, score, rank, explanation, summary
               FROM items ORDER BY key"""
        ).fetchall()
        assert int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == 1000  # restored
        results.append(rows)
        db.conn.close()
    assert results[0] == results[1]
