"""Rule proposals from editors' corrections (pipeline.rule_suggest) and their text edits (rule_edit)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from pipeline.classify import OFF_TOPIC, classify, compile_rules
from pipeline.errors import ConfigError
from pipeline.rule_change import Change, Doc, Evidence, apply_change, impact
from pipeline.rule_edit import edit_rules_text, parse_rules_text
from pipeline.rule_suggest import Correction, Verdict, suggest
from pipeline.rules import SECTOR_SPECS, SectorRules, parse_rules

ROOT = Path(__file__).resolve().parents[2]
SECTORS_TOML = ROOT / "config" / "sectors.toml"
GOLDEN = ROOT / "tests" / "fixtures" / "golden.toml"

# Ten headlines of a 装备制造 sub-industry the shipped rules do not name: aerial work platforms.
PLATFORM_TITLES = (
    "长葛高空作业平台产业园一期投产",
    "我市企业高空作业平台出口订单同比增长四成",
    "高空作业平台租赁市场回暖 制造商加快扩产",
    "国产高空作业平台进入欧洲市场",
    "许昌一家高空作业平台企业获评专精特新",
    "电动高空作业平台新品下线",
    "全省高空作业平台产量突破两万台",
    "襄城县引进高空作业平台整机项目",
    "臂式高空作业平台核心部件实现国产化",
    "高空作业平台行业协会年会在郑州召开",
)
# Undecided items of the same kind, which the proposal should pull into 装备制造.
SIMILAR_TITLES = (
    "剪叉式高空作业平台生产线技改完成",
    "高空作业平台龙头企业发布年报",
    "禹州高空作业平台配套企业集聚",
)


def _golden_background() -> list[Doc]:
    """The golden set's items with their labelled sectors: a realistic mix of all sectors."""
    with GOLDEN.open("rb") as f:
        items = tomllib.load(f)["item"]
    return [Doc(f"g{n}", i["title"], i["text"], i["sector"]) for n, i in enumerate(items)]


def _shipped() -> SectorRules:
    return parse_rules_text(SECTORS_TOML.read_text(encoding="utf-8"), str(SECTORS_TOML))


def _moved(titles: tuple[str, ...], to: str, prefix: str, frm: str = OFF_TOPIC) -> list[Correction]:
    return [Correction(Doc(f"{prefix}{n}", t, f"{t}。", to), frm, to) for n, t in enumerate(titles)]


def _small_rules(**sectors: dict[str, Any]) -> SectorRules:
    """A valid rule set: sector n has keyword '<名称>产业' plus the given fields."""
    tables = []
    for n, (sid, name, group) in enumerate(SECTOR_SPECS, start=1):
        table: dict[str, Any] = {
            "id": sid, "name": name, "group": group, "priority": n, "keywords": {f"{name}产业": 3},
        }  # fmt: skip
        for key, value in sectors.get(sid, {}).items():
            if key == "keywords":
                table["keywords"] = {**table["keywords"], **value}
            else:
                table[key] = value
        tables.append(table)
    return parse_rules({"sector": tables})


def test_items_moved_into_a_sector_propose_their_common_term_as_a_keyword() -> None:
    rules = _shipped()
    clf = compile_rules(rules)
    assert {classify(clf, t, "").sector for t in PLATFORM_TITLES} == {OFF_TOPIC}
    corrections = _moved(PLATFORM_TITLES, "equipment", "p")
    proposals = suggest(rules, corrections, [], _golden_background())
    first = proposals[0]
    assert first.change == Change("add_keyword", "equipment", "高空作业平台", 3.0)
    assert first.evidence == tuple(
        Evidence(f"p{n}", t)
        for n, t in sorted(enumerate(PLATFORM_TITLES), key=lambda x: f"p{x[0]}")
    )
    assert (first.support, first.against) == (10, 0)
    assert "10 条" in first.reason
    # Its pieces (作业平台, 高空作业) cover the same items and are not proposed again, and no
    # generic word of the headlines (企业, 市场, 项目) is rare enough elsewhere to be proposed.
    terms = {p.change.term for p in proposals}
    assert terms.isdisjoint({"作业平台", "高空作业", "企业", "市场", "项目", "国产"})


def test_too_few_corrections_propose_nothing() -> None:
    corrections = _moved(PLATFORM_TITLES[:2], "equipment", "p")
    assert suggest(_shipped(), corrections, [], _golden_background()) == ()


def test_a_term_common_in_other_sectors_is_not_proposed() -> None:
    rules = _shipped()
    background = _golden_background()
    # The same ten headlines, but the other sectors' items say 作业平台 just as often.
    crowd = [
        Doc(f"x{n}", f"{t}作业平台", "", sid)
        for n, (sid, t) in enumerate(
            (s, f"行业{k}") for s in ("it", "food", "chemical") for k in range(8)
        )
    ]
    proposals = suggest(rules, _moved(PLATFORM_TITLES, "equipment", "p"), [], [*background, *crowd])
    terms = [p.change.term for p in proposals]
    assert "作业平台" not in terms
    assert terms[0] == "高空作业平台"


def test_impact_shows_which_undecided_items_would_move_and_where() -> None:
    rules = _shipped()
    change = Change("add_keyword", "equipment", "高空作业平台", 3.0)
    undecided = [
        *(Doc(f"u{n}", t, "", OFF_TOPIC) for n, t in enumerate(SIMILAR_TITLES)),
        Doc("v", "许继集团中标特高压工程", "", "equipment"),
        Doc("w", "市委常委会召开会议", "", OFF_TOPIC),
    ]
    result = impact(rules, change, undecided)
    assert result.examined == 5
    assert result.moves == ((OFF_TOPIC, "equipment", 3),)
    assert result.moved == 3
    assert result.samples == (
        (OFF_TOPIC, "equipment", tuple(Evidence(f"u{n}", t) for n, t in enumerate(SIMILAR_TITLES))),
    )


def test_keyword_that_misled_in_one_context_gets_an_exclusion_phrase() -> None:
    rules = _small_rules(it={"keywords": {"芯片": 3}}, food={"keywords": {"种业": 3}})
    wrong = ("种子是农业的芯片", "育种是种业的芯片工程", "良种堪称粮食的芯片", "农机是农业的芯片")
    right = ("国产芯片企业扩产", "芯片产量同比增长")
    corrections = _moved(wrong, "food", "w", frm="it")
    verdicts = [Verdict(Doc(f"r{n}", t, "", "it"), "it", True) for n, t in enumerate(right)]
    proposals = suggest(rules, corrections, verdicts, [])
    assert [p.change for p in proposals] == [Change("add_exclude", "it", "的芯片")]
    assert [e.key for e in proposals[0].evidence] == ["w0", "w1", "w2", "w3"]
    assert (proposals[0].support, proposals[0].against) == (4, 2)


def test_keyword_cut_by_a_common_word_gets_a_guard_word() -> None:
    rules = _small_rules(chemical={"keywords": {"化工": 3}})
    wrong = ("深化工资制度改革", "深化工作作风建设", "深化工程建设领域改革")
    # 深化 is common in news of every sector (深化改革): it is no term of 轻纺.
    background = [Doc(f"b{n}", t, "", sid) for n, (t, sid) in enumerate(
        (("深化改革开放", "it"), ("全面深化改革", "food"), ("深化医药卫生体制改革", "biomed"),
         ("化工园区扩能", "chemical")),
    )]  # fmt: skip
    corrections = _moved(wrong, "textile", "w", frm="chemical")
    proposals = suggest(rules, corrections, [], background)
    assert [p.change for p in proposals] == [Change("add_guard", "chemical", "深化")]
    edited = apply_change(rules, proposals[0].change)
    assert classify(compile_rules(edited), "深化工资制度改革", "").sector == OFF_TOPIC
    assert classify(compile_rules(edited), "化工园区扩能", "").sector == "chemical"


def test_keyword_wrong_in_varied_contexts_gets_a_lower_weight() -> None:
    rules = _small_rules(it={"keywords": {"平台": 2}})
    wrong = ("文旅消费平台上线", "就业服务平台开通", "招商平台签约十亿", "政务平台升级")
    rejected = [Verdict(Doc(f"w{n}", t, "", "it"), "it", False) for n, t in enumerate(wrong)]
    proposals = suggest(rules, [], rejected, [])
    # Lowered below what decides alone in a title (0.5 x title factor 3 < min_score 3): a hint.
    assert [p.change for p in proposals] == [Change("set_weight", "it", "平台", 0.5, 2.0)]
    lowered = compile_rules(apply_change(rules, proposals[0].change))
    assert classify(lowered, "文旅消费平台上线", "").sector == OFF_TOPIC


def test_cooccurrence_term_wrong_in_varied_contexts_gets_no_proposal() -> None:
    rules = _small_rules(it={"cooccur": [{"term": "平台", "with": ["上线"], "weight": 2}]})
    wrong = ("文旅消费平台上线", "就业服务平台上线", "招商平台上线签约", "政务平台上线升级")
    rejected = [Verdict(Doc(f"w{n}", t, "", "it"), "it", False) for n, t in enumerate(wrong)]
    # No shared context and no plain weight to lower: ops judge a co-occurrence rule themselves.
    assert [p.change.kind for p in suggest(rules, [], rejected, [])] in ([], ["add_exclude"])


def test_keyword_mostly_right_is_left_alone() -> None:
    rules = _small_rules(it={"keywords": {"芯片": 3}})
    wrong = _moved(("农业的芯片", "种业的芯片", "粮食的芯片"), "food", "w", frm="it")
    right = [Verdict(Doc(f"r{n}", f"芯片企业{n}", "", "it"), "it", True) for n in range(5)]
    assert suggest(rules, wrong, right, []) == ()


# --- editing sectors.toml -------------------------------------------------------------------


def test_edit_adds_a_keyword_keeping_every_comment_and_parses_to_the_intended_rules() -> None:
    text = SECTORS_TOML.read_text(encoding="utf-8")
    change = Change("add_keyword", "equipment", "高空作业平台", 3.0)
    edited = edit_rules_text(text, change, "规则建议：10 条改分类")
    added = [line for line in edited.splitlines() if line not in text.splitlines()]
    assert len(added) == 1
    assert added[0].startswith('"高空作业平台" = 3 ')
    assert added[0].endswith("# 规则建议：10 条改分类")
    assert [line for line in text.splitlines() if line not in edited.splitlines()] == []
    assert parse_rules_text(edited, "x") == apply_change(_shipped(), change)


@pytest.mark.parametrize(
    "change",
    [
        Change("set_weight", "equipment", "电网", 0.5, 1.0),
        Change("add_exclude", "it", "开源节流法"),
        Change("add_exclude", "building", "水泥路面硬化"),
        Change("add_guard", "textile", "年轻人"),
        Change("add_guard", "food", "甜食品"),
    ],
)
def test_every_kind_of_change_edits_only_its_sector_and_keeps_comments(change: Change) -> None:
    text = SECTORS_TOML.read_text(encoding="utf-8")
    edited = edit_rules_text(text, change, "规则建议")
    assert parse_rules_text(edited, "x") == apply_change(_shipped(), change)
    old_comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    new_comments = [line for line in edited.splitlines() if line.lstrip().startswith("#")]
    assert [c for c in old_comments if c not in new_comments] == []


def test_edit_that_would_break_the_rules_is_refused() -> None:
    text = SECTORS_TOML.read_text(encoding="utf-8")
    # An exclusion phrase holding no keyword of the sector masks nothing: parse_rules refuses it.
    with pytest.raises(ConfigError, match="masks nothing"):
        edit_rules_text(text, Change("add_exclude", "hair", "随便一句话"), "规则建议")
    with pytest.raises(ConfigError, match="has no keyword"):
        edit_rules_text(text, Change("set_weight", "it", "不存在的词", 1.0, 2.0), "规则建议")
    with pytest.raises(ConfigError, match="already a term"):
        edit_rules_text(text, Change("add_keyword", "it", "芯片", 3.0), "规则建议")


def test_shipped_rules_still_parse_through_the_text_parser() -> None:
    with SECTORS_TOML.open("rb") as f:
        assert _shipped() == parse_rules(tomllib.load(f), str(SECTORS_TOML))
