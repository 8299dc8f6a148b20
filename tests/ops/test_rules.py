"""The learning loop over a real SQLite file and a real config copy: editors re-sector items, a
rule proposal appears with its evidence and impact, applying it edits sectors.toml (audit logged)
and moves similar undecided items, and undo restores the file."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import store.db
import store.items
import store.review
from cli.main import cli
from ops.config_files import load_config
from ops.process import process_new
from ops.rules import apply_suggestion, pick, sectors_file, suggestions, undo_last
from pipeline.errors import StoreError
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key
from pipeline.rule_change import Change

ROOT = Path(__file__).parent.parent.parent
NOW = datetime(2026, 11, 24, tzinfo=UTC)
# A sub-industry of 装备制造 that the shipped rules do not name: aerial work platforms.
TAUGHT = (
    ("长葛高空作业平台产业园一期投产", "园区首条整机生产线日前建成，年产各类设备八千台。"),
    ("我市企业高空作业平台出口订单同比增长四成", "产品销往东南亚和中东，海外订单排到明年二季度。"),
    ("高空作业平台租赁市场回暖 制造商加快扩产", "租赁公司采购量回升，本地两家制造商新增产线。"),
    ("国产高空作业平台进入欧洲市场", "产品通过欧盟认证，首批三百台发往德国和荷兰。"),
    ("许昌一家高空作业平台企业获评专精特新", "企业深耕细分领域十年，研发投入占营收百分之六。"),
    ("电动高空作业平台新品下线", "新品采用锂电池供电，噪声更低，适合室内施工场景。"),
    ("全省高空作业平台产量突破两万台", "省统计局数据显示，前十个月产量同比增长三成。"),
    ("襄城县引进高空作业平台整机项目", "项目总投资五亿元，达产后年产值可达十二亿元。"),
    ("臂式高空作业平台核心部件实现国产化", "液压与电控系统由本地配套企业联合攻关完成。"),
    ("高空作业平台行业协会年会在郑州召开", "来自全国的两百余家企业代表参会交流技术。"),
)
SIMILAR = (
    ("剪叉式高空作业平台生产线技改完成", "技改后单线效率提升百分之二十，能耗下降一成。"),
    ("高空作业平台龙头企业发布年报", "公司全年营业收入增长两成，海外收入占比过半。"),
    ("禹州高空作业平台配套企业集聚", "十余家零部件企业围绕整机厂落户，形成产业集群。"),
)
UNRELATED = ("市委常委会召开会议 研究部署冬季安全生产", "会议强调要压实责任，守牢安全底线。")


def raw(n: int, title: str, text: str) -> RawItem:
    return RawItem(
        url=f"https://a.example/{n}", source_id="demo-xc-kjj", title=title, text=text,
        fetched_at="2026-11-20T12:00:00+00:00", published_at="2026-11-20",
    )  # fmt: skip


def key_of(n: int) -> str:
    return url_key(canonical_url(f"https://a.example/{n}"))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, store.db.Database]:
    """A config copy and a database holding the golden set's items plus the platform items."""
    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    db_path = tmp_path / "n.db"
    db = store.db.open_db(db_path)
    with (ROOT / "tests" / "fixtures" / "golden.toml").open("rb") as f:
        golden = tomllib.load(f)["item"]
    items = [raw(1000 + n, g["title"], g["text"]) for n, g in enumerate(golden)]
    items += [raw(n, t, f"{t}。{body}") for n, (t, body) in enumerate((*TAUGHT, *SIMILAR))]
    items.append(raw(99, *UNRELATED))
    store.items.save_raw_items(db, [(key_of_url(i.url), canonical_url(i.url), i) for i in items])
    process_new(db, load_config(config_dir), NOW)
    return config_dir, db_path, db


def key_of_url(url: str) -> str:
    return url_key(canonical_url(url))


def sector_status(db: store.db.Database, n: int) -> tuple[str, str]:
    row = db.execute("SELECT sector, status FROM items WHERE key = ?", [key_of(n)]).fetchone()
    return row[0], row[1]


def test_the_learning_loop_from_corrections_to_undo(
    setup: tuple[Path, Path, store.db.Database],
) -> None:
    config_dir, db_path, db = setup
    original = sectors_file(config_dir).read_text(encoding="utf-8")
    taught = range(len(TAUGHT))
    similar = range(len(TAUGHT), len(TAUGHT) + len(SIMILAR))
    assert {sector_status(db, n) for n in (*taught, *similar)} == {("off_topic", "off_topic")}
    # Editors move the ten items into 装备制造 with 改分类.
    for n in taught:
        store.review.resector(db, key_of(n), "equipment", "wangli")

    found = suggestions(db, config_dir)
    first = found[0]
    assert first.proposal.change == Change("add_keyword", "equipment", "高空作业平台", 3.0)
    assert sorted(e.key for e in first.proposal.evidence) == sorted(key_of(n) for n in taught)
    assert first.impact.moves == (("off_topic", "equipment", 3),)
    assert sorted(e.key for _, _, s in first.impact.samples for e in s) == sorted(
        key_of(n) for n in similar
    )

    # The CLI shows the same proposal with its matrix, then applies it and reprocesses.
    runner = CliRunner()
    base = ["--config", str(config_dir), "--db", str(db_path)]
    shown = runner.invoke(cli, [*base, "rules", "suggest"])
    assert shown.exit_code == 0, shown.output
    assert "#1 新增关键词「高空作业平台」（equipment，权重 3）" in shown.output
    assert "无关(off_topic)" in shown.output and "装备制造" in shown.output
    applied = runner.invoke(
        cli, [*base, "rules", "apply", "1", "--yes", "--reprocess", "--actor", "zhangwei"]
    )
    assert applied.exit_code == 0, applied.output
    assert {sector_status(db, n) for n in similar} == {("equipment", "pending")}
    assert sector_status(db, 99) == ("off_topic", "off_topic")
    # Editors' own decisions stay as they were.
    assert {sector_status(db, n) for n in taught} == {("equipment", "pending")}

    edited = sectors_file(config_dir).read_text(encoding="utf-8")
    assert [line for line in original.splitlines() if line not in edited.splitlines()] == []
    new_lines = [line for line in edited.splitlines() if line not in original.splitlines()]
    assert len(new_lines) == 1 and new_lines[0].startswith('"高空作业平台" = 3')
    assert load_config(config_dir).rules.sector("equipment").keywords[-1].term == "高空作业平台"

    event = db.execute(
        "SELECT actor, subject, before, after FROM events WHERE action = 'rules_apply'"
    ).fetchone()
    assert (event[0], event[1]) == ("zhangwei", "sectors.toml")
    before, after = json.loads(event[2]), json.loads(event[3])
    assert Path(before["backup"]).read_text(encoding="utf-8") == original
    assert after["describe"] == "新增关键词「高空作业平台」（equipment，权重 3）"
    assert sorted(after["evidence"]) == sorted(key_of(n) for n in taught)
    assert after["moves"] == [["off_topic", "equipment", 3]]
    reprocess = db.execute("SELECT actor, after FROM events WHERE action = 'reprocess'").fetchone()
    assert (reprocess[0], json.loads(reprocess[1])) == ("zhangwei", {"off_topic→equipment": 3})

    # Once learnt, the same corrections propose it no more.
    assert [s.proposal.change.term for s in suggestions(db, config_dir)].count("高空作业平台") == 0

    undone = runner.invoke(cli, [*base, "rules", "undo", "--actor", "zhangwei"])
    assert undone.exit_code == 0, undone.output
    assert "已撤销：新增关键词「高空作业平台」" in undone.output
    assert sectors_file(config_dir).read_text(encoding="utf-8") == original
    undo_event = db.execute(
        "SELECT actor, after FROM events WHERE action = 'rules_undo'"
    ).fetchone()
    assert undo_event[0] == "zhangwei"
    again = runner.invoke(cli, [*base, "rules", "undo"])
    assert again.exit_code == 1 and "没有可撤销的规则修改" in again.output


def test_undo_refuses_when_the_file_was_edited_after_the_change(
    setup: tuple[Path, Path, store.db.Database],
) -> None:
    config_dir, _, db = setup
    for n in range(len(TAUGHT)):
        store.review.resector(db, key_of(n), "equipment", "wangli")
    chosen = pick(suggestions(db, config_dir), 1)
    apply_suggestion(db, config_dir, chosen, "zhangwei", NOW)
    path = sectors_file(config_dir)
    path.write_text(path.read_text(encoding="utf-8") + "\n# ops note\n", encoding="utf-8")
    with pytest.raises(StoreError, match="又被改动过"):
        undo_last(db, config_dir, "zhangwei")
    assert path.read_text(encoding="utf-8").endswith("# ops note\n")


def test_a_list_that_changed_under_the_editor_is_not_applied(
    setup: tuple[Path, Path, store.db.Database],
) -> None:
    config_dir, _, db = setup
    for n in range(len(TAUGHT)):
        store.review.resector(db, key_of(n), "equipment", "wangli")
    found = suggestions(db, config_dir)
    with pytest.raises(StoreError, match="已变化"):
        pick(found, 1, expect="新增关键词「别的词」（equipment，权重 3）")
    with pytest.raises(StoreError, match="没有第 9 条"):
        pick(found, 9)


def test_a_config_directory_that_cannot_be_written_gives_a_clear_error_and_changes_nothing(
    setup: tuple[Path, Path, store.db.Database],
) -> None:
    config_dir, _, db = setup
    for n in range(len(TAUGHT)):
        store.review.resector(db, key_of(n), "equipment", "wangli")
    original = sectors_file(config_dir).read_text(encoding="utf-8")
    (config_dir / "rule_backups").write_text("not a directory", encoding="utf-8")
    chosen = pick(suggestions(db, config_dir), 1)
    with pytest.raises(StoreError, match="无法写入配置目录"):
        apply_suggestion(db, config_dir, chosen, "zhangwei", NOW)
    assert sectors_file(config_dir).read_text(encoding="utf-8") == original
    assert db.execute("SELECT count(*) FROM events WHERE action = 'rules_apply'").fetchone()[0] == 0
