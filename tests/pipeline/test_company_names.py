"""Company names in config/sectors.toml (the r3 gazetteer): a maker's name alone tells the industry
when the headline is about a plant, a project or a deal, and not in trading, celebrity or consumer
news, nor where the name is part of another word (联想到, 三全育人, 电商飞速, 伊利诺伊)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.classify import Classifier, classify, compile_rules
from pipeline.rules import parse_rules

SECTORS_TOML = Path(__file__).resolve().parents[2] / "config" / "sectors.toml"

# Headlines that name only a company and a business word (no product or industry noun).
NAMED = [
    ("food", "河北沧州市与伊利集团签署战略合作框架协议"),
    ("food", "三全投资6亿元建华北基地"),
    ("food", "五粮液千亿工程技改扩能项目开工"),
    ("it", "南通通富微电二期工程封顶"),
    ("it", "浪潮(厦门)产业园正式开园投产"),
    ("it", "联想天津工厂宣布落成"),
    ("chemical", "万华化学福建基地二期开工"),
    ("materials", "中国巨石九江基地投产"),
    ("textile", "安踏集团与晋江市签约"),
    ("building", "海螺水泥与市政府座谈 推进项目建设"),
    ("equipment", "三一与娄底市签署合作协议"),
    ("nev", "五菱新工厂投产"),
    ("smart_equipment", "优必选与市政府签署合作协议"),
    ("green", "金风科技与市政府签约 共建产业园"),
    ("biomed", "石药集团创新药产业园项目开工"),
]

# The same names where they are not the maker's industry news.
NOT_NAMED = [
    ("it", "让人联想到产业升级的新故事"),
    ("it", "掀起创业浪潮 青年企业家座谈会召开"),
    ("food", "三全育人综合改革试点项目通过验收"),
    ("food", "伊利诺伊州农业产业考察团来访"),
    ("food", "机构减持伊利 市值蒸发百亿"),
    ("food", "思念之情涌上心头 返乡企业家回乡投资"),
    ("equipment", "电商飞速发展带动快递产业"),
    ("smart_equipment", "投资50亿航空产业园项目签约"),
    ("nev", "五菱宏光车主维权 厂家回应"),
    ("textile", "国际华人企业家大会开幕"),
    ("building", "学科顺利通过评估 推动产业发展"),
]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    with SECTORS_TOML.open("rb") as f:
        return compile_rules(parse_rules(tomllib.load(f), str(SECTORS_TOML)))


@pytest.mark.parametrize(("sector", "headline"), NAMED, ids=[t for _, t in NAMED])
def test_a_company_name_with_a_business_word_tells_the_industry(
    classifier: Classifier, sector: str, headline: str
) -> None:
    result = classify(classifier, headline, "")
    assert result.sector == sector, result.explanation()


@pytest.mark.parametrize(("sector", "headline"), NOT_NAMED, ids=[t for _, t in NOT_NAMED])
def test_a_name_inside_another_word_or_in_trading_news_does_not(
    classifier: Classifier, sector: str, headline: str
) -> None:
    result = classify(classifier, headline, "")
    assert result.sector != sector, result.explanation()
