"""ops.process and pipeline.reprocess over a real SQLite file."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import ops.process as run_module
import store.accounts
import store.db
import store.items
from cli.main import cli
from ops.config_files import load_config
from ops.process import process_new
from ops.reprocess import apply_reprocess, plan_reprocess
from pipeline.config import Config
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key
from pipeline.reprocess import move_matrix

ROOT = Path(__file__).parent.parent.parent
NOW = datetime(2026, 11, 24, tzinfo=UTC)
BODY = (
    "近日，许昌市召开发制品产业高质量发展推进会。会议指出，今年以来全市发制品出口保持增长，"
    "瑞贝卡等龙头企业加快数字化转型，假发、头套等产品远销一百多个国家和地区。会议要求，"
    "各县（市、区）要强化要素保障，推动发制品产业向品牌化、高端化发展，打造世界发制品之都。"
)

OTHER = (
    "瑞贝卡公司前三季度假发出口订单同比增长一成半，北美和非洲市场需求旺盛，企业新增两条智能化生产线。",
    "建安区一家假发企业通过跨境电商开拓中东市场，今年以来线上销售额翻番，带动周边三百余名群众就业。",
)


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "config")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[store.db.Database]:
    yield store.db.open_db(tmp_path / "n.db")


def raw(url: str, source: str, title: str, text: str, published: str = "2026-11-20") -> RawItem:
    return RawItem(url=url, source_id=source, title=title, text=text,
                   fetched_at=f"{published}T12:00:00+00:00", published_at=published)  # fmt: skip


def save(db: store.db.Database, *items: RawItem) -> None:
    store.items.save_raw_items(
        db, [(url_key(canonical_url(i.url)), canonical_url(i.url), i) for i in items]
    )


def statuses(db: store.db.Database) -> dict[str, tuple[str, str]]:
    rows = db.execute("SELECT url, status, sector FROM items").fetchall()
    return {url: (status, sector) for url, status, sector in rows}


def test_new_items_are_classified_and_queued(db: store.db.Database, config: Config) -> None:
    save(
        db,
        raw("https://a.example/1", "demo-xc-kjj", "许昌发制品产业高质量发展推进会召开", BODY),
        raw(
            "https://a.example/2",
            "demo-xc-kjj",
            "市人大常委会举行会议",
            "会议审议了人事任免事项。" * 5,
        ),
    )
    stats = process_new(db, config, NOW)
    assert (stats.processed, stats.pending, stats.off_topic) == (2, 1, 1)
    assert statuses(db) == {
        "https://a.example/1": ("pending", "hair"),
        "https://a.example/2": ("off_topic", "off_topic"),
    }
    assert process_new(db, config, NOW).processed == 0


def test_a_reprint_joins_the_cluster_and_the_government_original_stays_canonical(
    db: store.db.Database, config: Config
) -> None:
    reprint = (
        "【转载】许昌发制品产业推进会召开\n来源：许昌市科学技术局\n" + BODY + "\n责任编辑：王某"
    )
    save(db, raw("https://news.example/9", "demo-xinwen", "许昌发制品产业推进会召开", reprint))
    process_new(db, config, NOW)
    save(
        db, raw("https://kjj.example/1", "demo-xc-kjj", "许昌发制品产业高质量发展推进会召开", BODY)
    )
    process_new(db, config, NOW)
    assert statuses(db) == {
        "https://news.example/9": ("duplicate", "hair"),
        "https://kjj.example/1": ("pending", "hair"),
    }
    (cluster,) = {c for (c,) in db.execute("SELECT cluster_id FROM items").fetchall()}
    assert cluster == url_key(canonical_url("https://kjj.example/1"))
    assert db.execute("SELECT reprints FROM items WHERE cluster_id = key").fetchone()[0] == 1


def test_a_crash_mid_batch_loses_nothing_and_processes_nothing_twice(
    db: store.db.Database, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [
        raw(f"https://a.example/{i}", "demo-xc-kjj", f"许昌发制品企业第{i}次出口洽谈会召开",
            f"第{i}批订单。" + BODY.replace("近日", f"{i}月"))
        for i in range(1, 11)
    ]  # fmt: skip
    save(db, *items)
    monkeypatch.setattr(run_module, "WRITE_CHUNK", 4)
    real = run_module.write_item
    calls = {"n": 0}

    def crash_on_the_sixth(*args: object, **kwargs: object) -> bool:
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "write_item", crash_on_the_sixth)
    with pytest.raises(RuntimeError):
        process_new(db, config, NOW)
    first = dict(db.execute("SELECT key, processed_at FROM items WHERE status != 'new'").fetchall())
    assert len(first) == 4  # the first chunk committed, the second rolled back whole
    monkeypatch.setattr(run_module, "write_item", real)
    assert process_new(db, config, NOW).processed == 6
    after = dict(db.execute("SELECT key, processed_at FROM items").fetchall())
    assert {k: after[k] for k in first} == first
    assert db.execute("SELECT count(*) FROM items WHERE status = 'new'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 10


def test_reprocess_moves_undecided_items_only(db: store.db.Database, tmp_path: Path) -> None:
    config = load_config(ROOT / "config")
    save(
        db,
        raw("https://a.example/1", "demo-xc-kjj", "许昌发制品产业高质量发展推进会召开", BODY),
        raw("https://a.example/2", "demo-xc-kjj", "瑞贝卡假发出口订单增长", OTHER[0]),
        raw("https://a.example/3", "demo-xc-kjj", "许昌假发企业开拓海外市场", OTHER[1]),
    )
    process_new(db, config, NOW)
    key2, key3 = (url_key(canonical_url(f"https://a.example/{i}")) for i in (2, 3))
    with store.db.transaction(db):
        db.execute(
            "UPDATE items SET status = 'accepted', reviewer = 'editor' WHERE key = ?", [key2]
        )
        db.execute("UPDATE items SET sector = 'textile' WHERE key = ?", [key3])
        store.accounts.record_event(
            db, "editor", "resector", key3, {"sector": "hair"}, {"sector": "textile"}
        )
    # Ops raise the bar so that hair needs far more evidence: everything undecided goes off topic.
    rules = config.rules
    strict = dataclasses.replace(
        rules, sectors=tuple(dataclasses.replace(s, min_score=500.0) for s in rules.sectors)
    )
    moves, examined = plan_reprocess(db, dataclasses.replace(config, rules=strict), "", NOW)
    assert examined == 1
    assert move_matrix(moves) == {("hair", "off_topic"): 1}
    assert statuses(db)["https://a.example/1"] == ("pending", "hair")  # planning changes nothing
    apply_reprocess(db, moves, "ops")
    assert statuses(db) == {
        "https://a.example/1": ("off_topic", "off_topic"),
        "https://a.example/2": ("accepted", "hair"),
        "https://a.example/3": ("pending", "textile"),
    }
    event = db.execute("SELECT actor, after FROM events WHERE action = 'reprocess'").fetchone()
    assert (event[0], json.loads(event[1])) == ("ops", {"hair→off_topic": 1})


def test_reprocess_dry_run_prints_the_moves_and_changes_nothing(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    db_path = tmp_path / "n.db"
    db = store.db.open_db(db_path)
    save(db, raw("https://a.example/1", "demo-xc-kjj", "许昌发制品产业高质量发展推进会召开", BODY))
    process_new(db, load_config(config_dir), NOW)
    sectors = config_dir / "sectors.toml"
    text = sectors.read_text(encoding="utf-8").replace("[classify]\n", "[classify]\n", 1)
    sectors.write_text(text.replace("min_score = 3.0", "min_score = 300.0", 1), encoding="utf-8")
    args = ["--config", str(config_dir), "--db", str(db_path), "reprocess", "--dry-run"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "examined 1 undecided items; 1 would change" in result.output
    assert "发制品" in result.output and "无关(off_topic)" in result.output
    # The matrix comes with sample items, so ops see what would move before applying.
    assert "发制品 → 无关(off_topic): 许昌发制品产业高质量发展推进会召开" in result.output
    assert statuses(db)["https://a.example/1"] == ("pending", "hair")


def test_classify_reads_json_lines_and_explains_a_headline() -> None:
    lines = '{"title": "瑞贝卡假发出口增长", "text": ""}\nnot json\n'
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "classify"], input=lines)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["sector"], first["explanation"]["sector"]) == ("hair", "hair")
    assert second == {
        "line": 2,
        "error": "not a JSON object: Expecting value: line 1 column 1 (char 0)",
    }
    explained = CliRunner().invoke(
        cli,
        ["--config", str(ROOT / "config"), "classify", "--explain", "许继集团中标特高压输变电项目"],
    )
    assert explained.output.splitlines()[0] == "sector: 装备制造 (equipment), score 27.00"
    assert "许继集团" in explained.output
