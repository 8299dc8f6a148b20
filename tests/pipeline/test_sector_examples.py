"""Every sector's examples classify into it and its counter_examples do not (config/sectors.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.classify import Classifier, classify, compile_rules
from pipeline.rules import SectorRules, parse_rules

SECTORS_TOML = Path(__file__).resolve().parents[2] / "config" / "sectors.toml"


def _load() -> SectorRules:
    with SECTORS_TOML.open("rb") as f:
        return parse_rules(tomllib.load(f), str(SECTORS_TOML))


RULES = _load()
EXAMPLES = [(r.id, text) for r in RULES.sectors for text in r.examples]
COUNTER_EXAMPLES = [(r.id, text) for r in RULES.sectors for text in r.counter_examples]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return compile_rules(RULES)


def test_every_sector_carries_examples_and_counter_examples() -> None:
    assert [r.id for r in RULES.sectors if not (r.examples and r.counter_examples)] == []


@pytest.mark.parametrize(("sector", "headline"), EXAMPLES, ids=[f"{s}:{t}" for s, t in EXAMPLES])
def test_example_headline_classifies_into_its_sector(
    classifier: Classifier, sector: str, headline: str
) -> None:
    result = classify(classifier, headline, "")
    assert result.sector == sector, result.explanation()


@pytest.mark.parametrize(
    ("sector", "headline"), COUNTER_EXAMPLES, ids=[f"{s}:{t}" for s, t in COUNTER_EXAMPLES]
)
def test_counter_example_headline_stays_out_of_the_sector(
    classifier: Classifier, sector: str, headline: str
) -> None:
    result = classify(classifier, headline, "")
    assert result.sector != sector, result.explanation()
