"""一键生成初稿's pure core: quotas, reprint clusters, 6+3+3 order, summaries, sections, note."""

from __future__ import annotations

import pytest

from pipeline.config import parse_settings
from pipeline.errors import ConfigError
from pipeline.models import ProposalSettings
from pipeline.proposal import (
    ELLIPSIS,
    Candidate,
    lead_summary,
    propose,
    runner_up,
    section_for,
    select,
)

SECTIONS = ("发展态势", "政策动向", "产业动态", "科技前沿")
NAMES = {"it": "新一代信息技术", "materials": "新材料", "biomed": "生物医药", "food": "食品",
         "textile": "轻纺", "chemical": "化工"}  # fmt: skip
TEXT = "第一句说明了事件的时间地点与主体。第二句交代背景。\n第三段的句子比较长，说明更多细节。"


def cand(key: str, sector: str, rank: float, cluster: str = "", title: str = "标题") -> Candidate:
    return Candidate(key, sector, rank, title, TEXT, cluster or key)


def test_each_industry_gets_its_minimum_then_the_best_fill_up_to_the_maximum() -> None:
    items = [cand(f"t{i}", "textile", 10 - i) for i in range(6)]
    items += [cand("f0", "food", 1.0), cand("i0", "it", 0.5)]
    settings = ProposalSettings(per_sector_min=2, per_sector_max=4, max_items=7)
    chosen, runners = select(items, settings)
    keys = {c.key for c in chosen}
    # The weak industries still get in (a thin week: one item each), textile stops at 4.
    assert {"f0", "i0"} <= keys
    assert sum(1 for c in chosen if c.sector == "textile") == 4
    assert [c.key for c in runners["textile"]] == ["t4", "t5"]


def test_a_reprint_cluster_counts_once_and_its_best_member_is_kept() -> None:
    items = [cand("a", "it", 5, "c1"), cand("b", "it", 9, "c1"), cand("c", "it", 1)]
    chosen, runners = select(items, ProposalSettings(per_sector_min=2, per_sector_max=4))
    assert sorted(c.key for c in chosen) == ["b", "c"]
    assert runners["it"] == []
    # The runner-up never brings back a cluster already in the issue.
    assert runner_up(items, "it", {"b", "c1", "c"}) is None


def test_picks_read_in_section_then_6_3_3_order_and_name_the_industries() -> None:
    items = [cand("x", "textile", 9), cand("y", "it", 1), cand("z", "biomed", 5),
             cand("p", "food", 7, title="关于印发食品产业政策的通知")]  # fmt: skip
    settings = ProposalSettings(default_section="产业动态",
                                section_words=(("政策动向", ("通知", "政策")),))  # fmt: skip
    proposal = propose(items, settings, SECTIONS, NAMES, "常设的编者的话。")
    assert [(p.section, p.key) for p in proposal.picks] == [
        ("政策动向", "p"),
        ("产业动态", "y"),
        ("产业动态", "z"),
        ("产业动态", "x"),
    ]
    note = proposal.editor_note
    assert (
        note.index("新一代信息技术")
        < note.index("生物医药")
        < note.index("食品")
        < note.index("轻纺")
    )
    assert "4篇" in note and note.endswith("常设的编者的话。")


def test_a_summary_is_whole_lead_sentences_within_the_limit() -> None:
    assert lead_summary(TEXT, 200) == (
        "第一句说明了事件的时间地点与主体。第二句交代背景。第三段的句子比较长，说明更多细节。"
    )
    assert lead_summary(TEXT, 30) == "第一句说明了事件的时间地点与主体。第二句交代背景。"


def test_a_first_sentence_too_long_is_cut_at_a_clause_and_marked() -> None:
    long = "今年以来，" + "全市发制品企业加快开拓海外市场" * 20 + "，出口额稳步增长。"
    summary = lead_summary(long, 60)
    assert len(summary) <= 60 and summary.endswith(ELLIPSIS)
    assert long.startswith(summary.removesuffix(ELLIPSIS))


def test_a_salutation_or_byline_is_not_a_lead_sentence() -> None:
    notice = "各有关单位：\n记者 王丽\n为推动产业发展，现将有关事项通知如下。\n一、总体要求。"
    assert lead_summary(notice, 200) == "为推动产业发展，现将有关事项通知如下。一、总体要求。"


def test_a_news_dateline_is_not_part_of_the_summary() -> None:
    text = "本报讯（记者 李明远 通讯员 王晓楠）年末购物季临近，订单大增。\n第二段。"
    assert lead_summary(text, 200) == "年末购物季临近，订单大增。第二段。"
    agency = "新华社郑州11月5日电（记者 张三）我省发布新规。"
    assert lead_summary(agency, 200) == "我省发布新规。"


def test_sections_come_from_title_words_else_the_default() -> None:
    settings = ProposalSettings(section_words=(("科技前沿", ("技术",)),))
    assert section_for("某项技术取得突破", settings, SECTIONS) == "科技前沿"
    assert section_for("企业签约", settings, SECTIONS) == SECTIONS[0]


def test_bad_proposal_settings_name_the_field() -> None:
    base = {"newsletter": {"title": "t", "publisher": "p", "sections": list(SECTIONS)}}
    data = {**base, "proposal": {"per_sector_min": 5, "per_sector_max": 3,
                                 "section_words": {"专栏": ["x"]}}}  # fmt: skip
    with pytest.raises(ConfigError) as err:
        parse_settings(data)
    assert "proposal.per_sector_min" in str(err.value)
    assert "proposal.section_words.专栏" in str(err.value)
    assert parse_settings(base).proposal.summary_chars == 200
