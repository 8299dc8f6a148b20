"""Behaviour of pipeline.rules.parse_rules and pipeline.classify on small hand-made rule sets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.classify import (
    ATTACHMENT_FACTOR,
    OFF_TOPIC,
    Classification,
    Classifier,
    Excluded,
    Hit,
    classify,
    compile_rules,
)
from pipeline.errors import ConfigError
from pipeline.rules import (
    SECTOR_IDS,
    SECTOR_SPECS,
    ClassifySettings,
    Cooccur,
    Keyword,
    SectorRule,
    SectorRules,
    parse_rules,
)

PATH = "config/sectors.toml"


def _config(
    classify_table: dict[str, Any] | None = None, **sectors: dict[str, Any]
) -> dict[str, Any]:
    """A valid sectors.toml mapping: sector n has priority n and one keyword '<名称>产业'."""
    tables = []
    for n, (sid, name, group) in enumerate(SECTOR_SPECS, start=1):
        table: dict[str, Any] = {
            "id": sid,
            "name": name,
            "group": group,
            "priority": n,
            "keywords": {f"{name}产业": 3},
        }
        table.update(sectors.get(sid, {}))
        tables.append(table)
    data: dict[str, Any] = {"sector": tables}
    if classify_table is not None:
        data["classify"] = classify_table
    return data


def _compile(classify_table: dict[str, Any] | None = None, **sectors: dict[str, Any]) -> Classifier:
    return compile_rules(parse_rules(_config(classify_table, **sectors)))


def _problems(data: dict[str, Any], path: str = PATH) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        parse_rules(data, path)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


# --- parse_rules: valid input -------------------------------------------------------------------


def test_parse_rules_builds_frozen_models_with_defaults() -> None:
    rules = parse_rules(
        _config(
            {"title_factor": 2, "min_share": 0.35, "exclude": ["研发制品"]},
            hair={
                "min_score": 4,
                "keywords": {"发制品": 3, "假发": 2.5},
                "exclude": ["假发票"],
                "guard_words": ["发展"],
                "cooccur": [
                    {"term": "发条", "with": ["假发"], "weight": 2},
                    {"term": "头发", "without": ["理发"], "weight": 1},
                ],
                "examples": ["瑞贝卡假发出口增长"],
                "counter_examples": ["虚开假发票"],
            },
        )
    )
    assert rules.settings == ClassifySettings(
        title_factor=2.0, min_score=3.0, repeat_cap=8, min_share=0.35, exclude=("研发制品",)
    )
    assert [r.id for r in rules.sectors] == list(SECTOR_IDS)
    assert rules.sector("hair") == SectorRule(
        id="hair",
        name="发制品",
        group="leading",
        priority=9,
        min_score=4.0,
        keywords=(Keyword("发制品", 3.0), Keyword("假发", 2.5)),
        exclude=("假发票",),
        guard_words=("发展",),
        cooccur=(Cooccur("发条", ("假发",), 2.0), Cooccur("头发", (), 1.0, ("理发",))),
        examples=("瑞贝卡假发出口增长",),
        counter_examples=("虚开假发票",),
    )
    assert rules.sector("it") == SectorRule(
        id="it",
        name="新一代信息技术",
        group="strategic",
        priority=1,
        min_score=3.0,
        keywords=(Keyword("新一代信息技术产业", 3.0),),
    )


def test_parse_rules_fills_min_score_from_classify_table() -> None:
    rules = parse_rules(_config({"min_score": 5}, food={"min_score": 2}))
    assert [r.min_score for r in rules.sectors] == [5.0] * 7 + [2.0] + [5.0] * 4


def test_sector_lookup_of_unknown_id_raises_key_error() -> None:
    with pytest.raises(KeyError):
        parse_rules(_config()).sector("energy")


# --- parse_rules: every ConfigError --------------------------------------------------------------


def test_wrong_type_names_file_sector_field_and_value() -> None:
    assert _problems(_config(hair={"min_score": "x"})) == (
        "config/sectors.toml: sector 'hair': field 'min_score' must be a number >= 0; got 'x'",
    )


def test_custom_path_appears_in_the_message() -> None:
    assert _problems(_config(hair={"min_score": -1}), "/etc/newsdesk/sectors.toml") == (
        "/etc/newsdesk/sectors.toml: sector 'hair': field 'min_score' must be a number >= 0; got -1",
    )


def test_unknown_keys_are_errors_at_every_level() -> None:
    data = _config(
        {"title_weight": 3},
        food={
            "keyword": {"食品": 1},
            "cooccur": [{"term": "腐竹", "with": ["豆"], "weight": 1, "w": 2}],
        },
    )
    data["sectors"] = []
    assert _problems(data) == (
        "config/sectors.toml: top level: unknown field 'sectors'; allowed: classify, sector",
        "config/sectors.toml: [classify]: unknown field 'title_weight'; allowed: company_weight, exclude, lists, min_score, min_share, repeat_cap, title_factor, title_veto",
        "config/sectors.toml: sector 'food': unknown field 'keyword'; allowed: companies, cooccur, counter_examples, examples, exclude, group, guard_words, id, keywords, min_score, name, priority",
        "config/sectors.toml: sector 'food': cooccur #1: unknown field 'w'; allowed: term, weight, with, without",
    )


def test_missing_sector_is_named() -> None:
    data = _config()
    del data["sector"][8]
    assert _problems(data) == (
        "config/sectors.toml: sector 'hair': missing; every one of the 12 sectors needs a [[sector]] table",
    )


def test_duplicate_sector_id_is_an_error() -> None:
    data = _config()
    data["sector"].insert(9, dict(data["sector"][8], priority=99))
    assert _problems(data) == (
        "config/sectors.toml: sector 'hair': duplicate id: defined 2 times; keep one",
    )


def test_sectors_out_of_order_are_an_error() -> None:
    data = _config()
    data["sector"][0], data["sector"][1] = data["sector"][1], data["sector"][0]
    assert _problems(data) == (
        "config/sectors.toml: sectors: must appear in this order: it, materials, biomed, smart_equipment, nev, green, equipment, food, hair, building, chemical, textile; got materials, it, biomed, smart_equipment, nev, green, equipment, food, hair, building, chemical, textile",
    )


def test_unknown_sector_id_is_an_error() -> None:
    data = _config()
    data["sector"].append({"id": "energy", "name": "能源", "group": "strategic", "priority": 13})
    assert _problems(data) == (
        "config/sectors.toml: sector #13: field 'id' must be one of it, materials, biomed, smart_equipment, nev, green, equipment, food, hair, building, chemical, textile; got 'energy'",
    )


def test_bad_group_and_name_are_errors() -> None:
    assert _problems(_config(hair={"group": "traditional", "name": "假发"})) == (
        "config/sectors.toml: sector 'hair': field 'name' must be '发制品' (the newsletter's name); got '假发'",
        "config/sectors.toml: sector 'hair': field 'group' must be 'leading' for this sector; got 'traditional'",
    )


def test_missing_required_fields_are_listed() -> None:
    data = _config()
    data["sector"][0] = {"id": "it"}
    assert _problems(data) == (
        "config/sectors.toml: sector 'it': missing field 'name'",
        "config/sectors.toml: sector 'it': missing field 'group'",
        "config/sectors.toml: sector 'it': missing field 'priority'",
        "config/sectors.toml: sector 'it': missing field 'keywords'",
    )


def test_negative_zero_and_boolean_weights_are_errors() -> None:
    assert _problems(_config(hair={"keywords": {"假发": -1, "发条": 0, "头套": True}})) == (
        "config/sectors.toml: sector 'hair': field 'keywords.假发' must be a number > 0; got -1",
        "config/sectors.toml: sector 'hair': field 'keywords.发条' must be a number > 0; got 0",
        "config/sectors.toml: sector 'hair': field 'keywords.头套' must be a number > 0; got True",
    )


def test_empty_and_padded_keywords_are_errors() -> None:
    assert _problems(_config(hair={"keywords": {"": 1, " 假发": 2}})) == (
        "config/sectors.toml: sector 'hair': field 'keywords' must be a non-empty string; got ''",
        "config/sectors.toml: sector 'hair': field 'keywords. 假发': ' 假发' has leading or trailing whitespace; remove it",
    )


def test_empty_or_non_table_keywords_are_errors() -> None:
    assert _problems(_config(hair={"keywords": {}}, food={"keywords": ["食品"]})) == (
        "config/sectors.toml: sector 'food': field 'keywords' must be a non-empty table of term = weight; got ['食品']",
        "config/sectors.toml: sector 'hair': field 'keywords' must be a non-empty table of term = weight; got {}",
    )


def test_duplicate_keywords_inside_a_sector_are_errors() -> None:
    assert _problems(
        _config(
            it={"keywords": {"AI": 2, "ai": 1}},
            hair={
                "keywords": {"发条": 2},
                "cooccur": [{"term": "发条", "with": ["假发"], "weight": 1}],
                "exclude": ["假发票", "假发票"],
            },
        )
    ) == (
        "config/sectors.toml: sector 'it': field 'keywords': 'ai' is listed twice (case-insensitively)",
        "config/sectors.toml: sector 'hair': field 'exclude': '假发票' is listed twice; keep one",
        "config/sectors.toml: sector 'hair': co-occurrence term '发条' is also a keyword; keep one",
        "config/sectors.toml: sector 'hair': exclude phrase '假发票' contains no keyword of this sector; it masks nothing",
    )


def test_cooccur_entries_are_validated() -> None:
    entries = [
        {"term": "发条", "with": [], "weight": 1},
        {"term": "头发", "weight": 1},
        {"term": "", "with": ["假发"], "weight": -2},
        "发丝",
        {"term": "发块", "with": ["假发"]},
        {"term": "发帘", "without": "监管", "weight": 1},
    ]
    assert _problems(_config(hair={"cooccur": entries})) == (
        "config/sectors.toml: sector 'hair': cooccur #1: needs a non-empty 'with' (partners) or 'without' (vetoes) list",
        "config/sectors.toml: sector 'hair': cooccur #2: needs a non-empty 'with' (partners) or 'without' (vetoes) list",
        "config/sectors.toml: sector 'hair': cooccur #3: field 'term' must be a non-empty string; got ''",
        "config/sectors.toml: sector 'hair': cooccur #3: field 'weight' must be a number > 0; got -2",
        "config/sectors.toml: sector 'hair': cooccur #4: must be a table with term, with and/or without, weight; got '发丝'",
        "config/sectors.toml: sector 'hair': cooccur #5: missing field(s) weight",
        "config/sectors.toml: sector 'hair': cooccur #6: field 'without' must be a list of strings; got '监管'",
    )


def test_priorities_must_be_unique_integers() -> None:
    assert _problems(_config(materials={"priority": 1}, food={"priority": "high"})) == (
        "config/sectors.toml: sector 'food': field 'priority' must be an integer (lower wins a tie); got 'high'",
        "config/sectors.toml: sector 'materials': field 'priority' 1 is already used by sector 'it'; priorities must be unique",
    )


def test_exclude_phrases_must_mask_something() -> None:
    assert _problems(_config({"exclude": ["工业和信息化部"]}, food={"exclude": ["胖东来"]})) == (
        "config/sectors.toml: sector 'food': exclude phrase '胖东来' contains no keyword of this sector; it masks nothing",
        "config/sectors.toml: [classify]: exclude phrase '工业和信息化部' contains no keyword or title_veto; it masks nothing",
    )


def test_guard_words_must_share_a_character_with_a_keyword() -> None:
    assert _problems(
        _config(hair={"keywords": {"假发": 3}, "guard_words": ["发展", "产业", ""]})
    ) == (
        "config/sectors.toml: sector 'hair': field 'guard_words' must be a non-empty string; got ''",
        "config/sectors.toml: sector 'hair': guard word '产业' shares no character with a keyword; it guards nothing",
    )


def test_classify_table_values_are_validated() -> None:
    assert _problems(
        _config(
            {"title_factor": 0, "min_score": "3", "min_share": 1.5, "repeat_cap": 0, "exclude": "x"}
        )
    ) == (
        "config/sectors.toml: [classify]: field 'title_factor' must be a number > 0; got 0",
        "config/sectors.toml: [classify]: field 'min_score' must be a number >= 0; got '3'",
        "config/sectors.toml: [classify]: field 'min_share' must be a number from 0 to 1; got 1.5",
        "config/sectors.toml: [classify]: field 'repeat_cap' must be an integer >= 1; got 0",
        "config/sectors.toml: [classify]: field 'exclude' must be a list of strings; got 'x'",
    )


def test_structural_errors_are_reported() -> None:
    assert _problems({"classify": [], "sector": {"id": "it"}}) == (
        "config/sectors.toml: [classify]: must be a table; got []",
        "config/sectors.toml: sector: needs [[sector]] tables for the 12 sectors; got {'id': 'it'}",
    )
    data = _config()
    data["sector"][3] = "smart_equipment"
    assert _problems(data) == (
        "config/sectors.toml: sector #4: must be a table; got 'smart_equipment'",
        "config/sectors.toml: sector 'smart_equipment': missing; every one of the 12 sectors needs a [[sector]] table",
    )


# --- classify: scoring ---------------------------------------------------------------------------


def test_title_hit_counts_title_factor_times_a_body_hit() -> None:
    clf = _compile({"title_factor": 3}, hair={"keywords": {"假发": 2}})
    assert classify(clf, "假发出口增长", "") == Classification(
        sector="hair",
        score=6.0,
        runner_up=None,
        runner_up_score=0.0,
        tie_break=None,
        hits=(Hit("hair", "假发", "title", 1, 2.0, 6.0),),
        min_score=3.0,
        scores=(("hair", 6.0),),
    )
    assert classify(clf, "出口增长", "假发").hits == (Hit("hair", "假发", "text", 1, 2.0, 2.0),)


def test_attachment_text_counts_at_a_lower_weight_than_the_body() -> None:
    clf = _compile(hair={"keywords": {"假发": 2}, "min_score": 1.0})
    body = classify(clf, "出口增长", "假发")
    attached = classify(clf, "出口增长", "", "名单：假发")
    assert attached.hits == (Hit("hair", "假发", "attachment", 1, 2.0, 2.0 * ATTACHMENT_FACTOR),)
    assert attached.scores == (("hair", 2.0 * ATTACHMENT_FACTOR),) and body.score == 2.0
    # One mention in an attachment alone does not reach the sector's threshold.
    assert attached.sector == OFF_TOPIC and attached.off_topic_reason == "min_score"
    # The body decides when body and attachments disagree at equal counts.
    mixed = _compile(
        hair={"keywords": {"假发": 2}, "min_score": 1.0},
        food={"keywords": {"食品": 2}, "min_score": 1.0},
    )
    assert classify(mixed, "通知", "假发", "食品 食品").sector == "hair"


def test_repeats_give_diminishing_returns_up_to_the_cap() -> None:
    clf = _compile({"repeat_cap": 4}, hair={"keywords": {"假发": 1}})
    contributions = [classify(clf, "", "假发，" * n).hits[0].contribution for n in (1, 2, 4, 8)]
    assert contributions == [1.0, 2.0, 3.0, 3.0]  # 1 + log2(min(count, 4))


def test_exclusion_masks_only_its_own_sector_and_is_reported() -> None:
    clf = _compile(
        hair={"keywords": {"发制品": 3}, "exclude": ["研发制品"]},
        biomed={"keywords": {"药品": 3}},
        food={"keywords": {"食品": 2}, "exclude": ["食品药品"]},
    )
    result = classify(clf, "食品药品监督管理局检查企业研发制品", "")
    assert result.sector == "biomed"
    assert result.hits == (Hit("biomed", "药品", "title", 1, 3.0, 9.0),)
    assert result.excluded == (
        Excluded("food", "食品药品", "食品", "title", 1),
        Excluded("hair", "研发制品", "发制品", "title", 1),
    )


def test_global_exclusion_masks_every_sector() -> None:
    clf = _compile({"exclude": ["工业和信息化部"]}, it={"keywords": {"信息化": 2}})
    result = classify(clf, "工业和信息化部召开会议", "推进企业信息化")
    assert result.hits == (Hit("it", "信息化", "text", 1, 2.0, 2.0),)
    assert result.excluded == (Excluded("*", "工业和信息化部", "信息化", "title", 1),)
    assert result.sector == OFF_TOPIC


def test_guard_word_masks_a_keyword_that_cuts_across_it() -> None:
    clf = _compile(
        hair={"keywords": {"化纤发": 3, "接发": 2.5}, "guard_words": ["发展"]},
        textile={"keywords": {"化纤": 3}},
    )
    result = classify(clf, "推动化纤发展", "对接发展规划，接发产品出口，化纤发条热销")
    assert result.hits == (
        Hit("hair", "化纤发", "text", 1, 3.0, 3.0),
        Hit("hair", "接发", "text", 1, 2.5, 2.5),
        Hit("textile", "化纤", "title", 1, 3.0, 9.0),
    )
    assert result.excluded == (
        Excluded("hair", "发展", "化纤发", "title", 1),
        Excluded("hair", "发展", "接发", "text", 1),
    )


def test_longest_overlapping_match_wins_across_sectors() -> None:
    clf = _compile(
        nev={"keywords": {"新能源汽车": 3, "汽车": 1}},
        green={"keywords": {"新能源": 2}},
    )
    result = classify(clf, "", "新能源汽车销量增长，新能源发电量增长")
    assert result.hits == (
        Hit("nev", "新能源汽车", "text", 1, 3.0, 3.0),
        Hit("green", "新能源", "text", 1, 2.0, 2.0),
    )


def test_equal_length_overlap_goes_to_the_leftmost_term() -> None:
    clf = _compile(
        smart_equipment={"keywords": {"智能装备": 3}},
        equipment={"keywords": {"装备制造": 3}},
    )
    assert classify(clf, "", "智能装备制造").hits == (
        Hit("smart_equipment", "智能装备", "text", 1, 3.0, 3.0),
    )


def test_cooccurrence_term_counts_only_next_to_a_partner() -> None:
    clf = _compile(
        hair={
            "keywords": {"假发": 3},
            "exclude": ["假发票"],
            "cooccur": [{"term": "发条", "with": ["假发", "头套"], "weight": 2}],
        }
    )
    assert classify(clf, "机械表发条", "").hits == ()
    assert classify(clf, "发条订单增长", "假发票案件").hits == ()  # a masked partner does not count
    assert classify(clf, "发条订单增长", "头套和发条").hits == (
        Hit("hair", "发条", "title", 1, 2.0, 6.0, "头套"),
        Hit("hair", "发条", "text", 1, 2.0, 2.0, "头套"),
    )


def test_word_lists_expand_where_a_cooccurrence_names_them() -> None:
    clf = _compile(
        {"lists": {"industry": ["投产", "产业"], "cooking": ["菜谱"]}},
        food={
            "cooccur": [
                {
                    "term": "奶粉",
                    "with": ["@industry", "乳企", "投产"],
                    "without": ["@cooking"],
                    "weight": 3,
                }
            ]
        },
    )
    food = clf.rules.sector("food").cooccur[0]
    assert food.with_terms == ("投产", "产业", "乳企")  # expanded in place, duplicates once
    assert food.without_terms == ("菜谱",)
    assert classify(clf, "奶粉怎么冲", "").hits == ()
    assert classify(clf, "奶粉项目投产", "").sector == "food"
    assert classify(clf, "乳企奶粉", "").sector == "food"
    assert classify(clf, "奶粉产业菜谱", "").hits == ()


def test_unknown_word_lists_are_config_errors() -> None:
    entries = [{"term": "奶粉", "with": ["@industy"], "weight": 1}]
    assert _problems(_config({"lists": {"industry": ["产业"]}}, food={"cooccur": entries})) == (
        "config/sectors.toml: sector 'food': cooccur #1: field 'with': unknown word list '@industy'; [classify.lists] has @industry",
    )
    companies = {"companies": ["伊利"]}
    assert _problems(_config({"lists": {"industry": ["产业"]}}, food=companies)) == (
        "config/sectors.toml: sector 'food': field 'companies': unknown word list '@business'; [classify.lists] has @industry",
        "config/sectors.toml: sector 'food': field 'companies': unknown word list '@company_veto'; [classify.lists] has @industry",
    )


def test_companies_count_next_to_a_business_or_industry_word_unless_vetoed() -> None:
    lists = {"industry": ["项目"], "business": ["签署"], "company_veto": ["减持"]}
    clf = _compile({"lists": lists, "company_weight": 3}, food={"companies": ["伊利"]})
    assert classify(clf, "伊利代言人", "").hits == ()
    assert classify(clf, "伊利与沧州签署协议", "").sector == "food"
    assert classify(clf, "伊利奶粉项目开工", "").hits == (
        Hit("food", "伊利", "title", 1, 3.0, 9.0, "项目"),
    )
    vetoed = classify(clf, "伊利项目 大股东减持", "")
    assert vetoed.hits == ()


def test_a_cooccurrence_term_without_its_partner_hides_no_other_term() -> None:
    clf = _compile(
        biomed={"keywords": {"药谷": 3}},
        food={"cooccur": [{"term": "山药", "with": ["加工"], "weight": 3}]},
    )
    # 宝山药谷: 山药 (leftmost of two overlapping matches) has no partner, so it is no match.
    assert classify(clf, "宝山药谷开园", "").sector == "biomed"
    assert classify(clf, "山药加工", "").sector == "food"


def test_a_vetoed_cooccurrence_term_still_covers_the_terms_inside_it() -> None:
    clf = _compile(
        building={
            "keywords": {"石膏": 3},
            "cooccur": [{"term": "石膏板", "without": ["吊顶"], "weight": 3}],
        }
    )
    vetoed = classify(clf, "石膏板吊顶怎么装", "")
    assert vetoed.hits == ()
    assert vetoed.excluded == (Excluded("building", "吊顶", "石膏板", "title", 1),)


def test_without_terms_veto_a_cooccurrence_keyword_and_are_reported() -> None:
    clf = _compile(
        food={
            "keywords": {"食品企业": 3},
            "cooccur": [{"term": "食品", "without": ["市场监管"], "weight": 2}],
        }
    )
    assert classify(clf, "食品产业增长", "").hits == (Hit("food", "食品", "title", 1, 2.0, 6.0),)
    vetoed = classify(clf, "食品生产检查", "市场监管局检查食品企业")
    assert vetoed.hits == (Hit("food", "食品企业", "text", 1, 3.0, 3.0),)
    assert vetoed.excluded == (Excluded("food", "市场监管", "食品", "title", 1),)


def test_item_spread_over_several_sectors_is_off_topic_below_min_share() -> None:
    terms = {"materials": "新材料", "biomed": "生物医药", "nev": "新能源汽车"}
    clf = _compile({"min_share": 0.4}, **{sid: {"keywords": {kw: 3}} for sid, kw in terms.items()})
    result = classify(clf, "重大项目推进会召开", "项目涉及新材料、生物医药、新能源汽车等领域")
    assert (result.sector, result.off_topic_reason, result.runner_up) == (
        OFF_TOPIC,
        "min_share",
        "materials",
    )
    assert result.explanation()["share"] == 0.333
    assert classify(clf, "新材料项目开工", "配套新能源汽车").sector == "materials"  # 9 of 12


def test_title_veto_phrase_makes_the_item_off_topic_whatever_its_keywords() -> None:
    clf = _compile(
        {"title_veto": ["招标公告", "选购"]}, materials={"keywords": {"新材料产业园": 3}}
    )
    tender = classify(clf, "新材料产业园道路工程招标公告", "新材料产业园")
    assert (tender.sector, tender.off_topic_reason, tender.veto, tender.runner_up) == (
        OFF_TOPIC,
        "title_veto",
        "招标公告",
        "materials",
    )
    assert tender.explanation()["veto"] == "招标公告"
    # Only the title is checked: an industry story may quote a tender or a buyer's guide.
    assert classify(clf, "新材料产业园二期投产", "此前发布招标公告").sector == "materials"
    # Without any keyword the reason stays no_hits.
    assert classify(clf, "手机选购指南", "").off_topic_reason == "no_hits"


def test_an_exclude_phrase_masks_a_title_veto_inside_it() -> None:
    clf = _compile(
        {"title_veto": ["大盘"], "exclude": ["大盘点"]},
        nev={"keywords": {"新能源汽车": 3}},
    )
    # A round-up (大盘点) is not trading news; the trading word alone still vetoes.
    assert classify(clf, "2025新能源汽车大盘点", "").sector == "nev"
    trading = classify(clf, "新能源汽车大盘点：大盘跳水", "")
    assert (trading.sector, trading.veto) == (OFF_TOPIC, "大盘")


def test_title_veto_must_be_a_list_of_phrases() -> None:
    assert _problems(_config({"title_veto": "招标公告"})) == (
        "config/sectors.toml: [classify]: field 'title_veto' must be a list of strings; "
        "got '招标公告'",
    )


def test_exact_tie_goes_to_the_lower_priority() -> None:
    clf = _compile(
        smart_equipment={"keywords": {"机器人": 3}, "priority": 40},
        equipment={"keywords": {"许继": 3}, "priority": 30},
    )
    result = classify(clf, "许继引进机器人", "")
    assert (result.sector, result.runner_up, result.tie_break) == (
        "equipment",
        "smart_equipment",
        "priority",
    )
    assert result.score == result.runner_up_score == 9.0


def test_below_min_score_is_off_topic_with_the_best_sector_as_runner_up() -> None:
    clf = _compile({"min_score": 3}, food={"keywords": {"食品": 1.5}})
    assert classify(clf, "", "食品") == Classification(
        sector=OFF_TOPIC,
        score=0.0,
        runner_up="food",
        runner_up_score=1.5,
        tie_break=None,
        hits=(Hit("food", "食品", "text", 1, 1.5, 1.5),),
        min_score=3.0,
        scores=(("food", 1.5),),
        off_topic_reason="min_score",
    )


def test_per_sector_min_score_overrides_the_default() -> None:
    clf = _compile({"min_score": 3}, food={"keywords": {"食品": 1.5}, "min_score": 1})
    assert classify(clf, "", "食品").sector == "food"


def test_no_hit_at_all_is_off_topic_without_runner_up() -> None:
    result = classify(_compile(), "市委常委会召开会议", "传达学习会议精神")
    assert result == Classification(
        sector=OFF_TOPIC,
        score=0.0,
        runner_up=None,
        runner_up_score=0.0,
        tie_break=None,
        hits=(),
        min_score=3.0,
        off_topic_reason="no_hits",
    )


def test_ascii_terms_match_whole_words_case_and_width_insensitively() -> None:
    clf = _compile(it={"keywords": {"AI": 2, "5G": 3}})
    assert classify(clf, "", "email Taiwan 5GB").hits == ()
    assert classify(clf, "", "AI芯片 ai助手 ５Ｇ基站").hits == (
        Hit("it", "ai", "text", 2, 2.0, 4.0),
        Hit("it", "5g", "text", 1, 3.0, 3.0),
    )


def test_a_year_glued_before_a_latin_term_is_a_boundary_a_version_after_it_is_not() -> None:
    clf = _compile(biomed={"keywords": {"CMEF": 3}}, it={"keywords": {"iOS": 2, "5G": 3}})
    # A trade fair's year written against its name (2025CMEF) still names the fair ...
    assert [h.term for h in classify(clf, "", "2025CMEF开幕").hits] == ["cmef"]
    # ... but a version or code glued after a term makes another word, and digits still need
    # a boundary against digits.
    assert classify(clf, "", "iOS11升级 15G流量").hits == ()


def test_full_width_punctuation_in_terms_matches_both_widths() -> None:
    clf = _compile(equipment={"keywords": {"首台(套)": 3}})
    assert classify(clf, "首台（套）装备", "首台(套)").score == 12.0


def test_quotation_marks_inside_a_word_do_not_split_a_keyword() -> None:
    clf = _compile(hair={"keywords": {"假发": 3, "睫毛": 2}}, food={"keywords": {"食品": 2}})
    result = classify(clf, "一缕“假”发真给力", '「睫」毛产业和"假"发、‘假’发出口')
    assert result.sector == "hair"
    # The explanation names the configured term and counts every quoted occurrence.
    assert result.hits == (
        Hit("hair", "假发", "title", 1, 3.0, 9.0),
        Hit("hair", "假发", "text", 2, 3.0, 6.0),
        Hit("hair", "睫毛", "text", 1, 2.0, 2.0),
    )
    # A quoted whole word matches as before; a mark inside a Latin word is an apostrophe.
    assert classify(clf, "『食品』产业", "").hits == (Hit("food", "食品", "title", 1, 2.0, 6.0),)


def test_an_exclusion_still_masks_a_keyword_split_by_quotation_marks() -> None:
    clf = _compile(
        hair={"keywords": {"假发": 3, "发制品": 3}, "exclude": ["假发票", "研发制品"]},
        it={"keywords": {"AI": 2}},
    )
    result = classify(clf, "开具“假发”票被查", "企业研“发制品”")
    assert result.hits == ()
    assert result.excluded == (
        Excluded("hair", "假发票", "假发", "title", 1),
        Excluded("hair", "研发制品", "发制品", "text", 1),
    )
    # An apostrophe between Latin letters stays: "ai's" is not glued into "ais".
    assert classify(clf, "", "China's AI's rise").hits == (Hit("it", "ai", "text", 1, 2.0, 2.0),)


def test_partners_vetoes_and_title_veto_see_the_unquoted_text() -> None:
    clf = _compile(
        {"title_veto": ["招标公告"]},
        hair={
            "keywords": {"假发产业": 3},
            "cooccur": [
                {"term": "发条", "with": ["假发"], "weight": 2},
                {"term": "头套", "without": ["戏服"], "weight": 2},
            ],
        },
    )
    assert classify(clf, "发条订单增长", "“假”发企业").hits == (
        Hit("hair", "发条", "title", 1, 2.0, 6.0, "假发"),
    )
    vetoed = classify(clf, "头套订单增长", "“戏”服")
    assert (vetoed.hits, vetoed.excluded) == ((), (Excluded("hair", "戏服", "头套", "title", 1),))
    tender = classify(clf, "假发产业园“招标”公告", "")
    assert (tender.sector, tender.veto) == (OFF_TOPIC, "招标公告")


def test_explanation_is_json_serialisable_and_complete() -> None:
    clf = _compile(
        hair={
            "keywords": {"假发": 3},
            "exclude": ["假发票"],
            "cooccur": [{"term": "发条", "with": ["假发"], "weight": 2}],
        },
        textile={"keywords": {"化纤": 1}},
    )
    explanation = classify(clf, "假发出口", "发条和化纤，假发票").explanation()
    assert json.loads(json.dumps(explanation, ensure_ascii=False)) == explanation
    assert explanation == {
        "sector": "hair",
        "score": 11.0,
        "min_score": 3.0,
        "runner_up": "textile",
        "runner_up_score": 1.0,
        "tie_break": None,
        "off_topic_reason": None,
        "share": 0.917,
        "scores": {"hair": 11.0, "textile": 1.0},
        "hits": [
            {
                "sector": "hair",
                "term": "假发",
                "field": "title",
                "count": 1,
                "weight": 3.0,
                "contribution": 9.0,
            },
            {
                "sector": "hair",
                "term": "发条",
                "field": "text",
                "count": 1,
                "weight": 2.0,
                "contribution": 2.0,
                "with": "假发",
            },
            {
                "sector": "textile",
                "term": "化纤",
                "field": "text",
                "count": 1,
                "weight": 1.0,
                "contribution": 1.0,
            },
        ],
        "excluded": [
            {"sector": "hair", "phrase": "假发票", "term": "假发", "field": "text", "count": 1}
        ],
    }


def test_classifier_is_reusable_and_classify_is_pure() -> None:
    clf = _compile(hair={"keywords": {"假发": 3}})
    first = classify(clf, "假发", "假发")
    assert [classify(clf, "假发", "假发") for _ in range(3)] == [first] * 3


def test_compile_rules_accepts_models_built_in_code() -> None:
    rules = parse_rules(_config())
    custom = SectorRules(
        settings=ClassifySettings(title_factor=1.0),
        sectors=tuple(
            SectorRule(r.id, r.name, r.group, r.priority, 0.0, (Keyword(f"{r.id}词", 1.0),))
            for r in rules.sectors
        ),
    )
    assert classify(compile_rules(custom), "hair词", "").sector == "hair"
