"""Quality gate of the shipped keyword rules on the labelled golden set (STYLE.md section 14).

Floors live in tests/fixtures/baseline.json with the SHA-256 of golden.toml. Raising a floor is a
deliberate edit; lowering one needs a reviewer. Run with `-s` to see the table.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.classify import OFF_TOPIC, classify, compile_rules
from pipeline.rules import SECTOR_IDS, parse_rules

ROOT = Path(__file__).resolve().parents[2]
SECTORS_TOML = ROOT / "config" / "sectors.toml"
GOLDEN = ROOT / "tests" / "fixtures" / "golden.toml"
BASELINE = ROOT / "tests" / "fixtures" / "baseline.json"
LABELS = (*SECTOR_IDS, OFF_TOPIC)
KINDS = ("normal", "trap", "border", "off_topic")


@dataclass(frozen=True, slots=True)
class Quality:
    """Precision, recall and F1 of one label."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Report:
    """The golden-set evaluation: per-label quality, macro-F1 over the 12 sectors, the misses."""

    labels: dict[str, Quality]
    macro_f1: float
    misses: tuple[str, ...]


def _load_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _items() -> list[dict[str, str]]:
    items: list[dict[str, str]] = _load_toml(GOLDEN)["item"]
    return items


def _evaluate() -> Report:
    classifier = compile_rules(parse_rules(_load_toml(SECTORS_TOML), str(SECTORS_TOML)))
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    misses = []
    for item in _items():
        got = classify(classifier, item["title"], item["text"]).sector
        predicted[got] += 1
        expected[item["sector"]] += 1
        if got == item["sector"]:
            tp[got] += 1
        else:
            misses.append(f"[{item['kind']}] {item['title']}: want {item['sector']}, got {got}")
    labels = {}
    for label in LABELS:
        p = tp[label] / predicted[label] if predicted[label] else 0.0
        r = tp[label] / expected[label] if expected[label] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        labels[label] = Quality(p, r, f1, expected[label])
    macro_f1 = sum(labels[s].f1 for s in SECTOR_IDS) / len(SECTOR_IDS)
    return Report(labels, macro_f1, tuple(misses))


@pytest.fixture(scope="module")
def report() -> Report:
    result = _evaluate()
    print(f"\n{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for label, q in result.labels.items():
        print(f"{label:<16}{q.precision:7.3f}{q.recall:7.3f}{q.f1:7.3f}{q.support:5d}")
    print(f"macro-F1 over the 12 sectors: {result.macro_f1:.4f}")
    print("\n".join(result.misses))
    return result


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return data


def test_golden_file_hash_is_pinned_in_baseline(baseline: dict[str, Any]) -> None:
    digest = hashlib.sha256(GOLDEN.read_bytes()).hexdigest()
    assert digest == baseline["golden_sha256"], (
        "tests/fixtures/golden.toml changed: review the floors and update golden_sha256 in "
        f"tests/fixtures/baseline.json to {digest} in the same commit"
    )


def test_golden_set_is_large_varied_and_well_formed() -> None:
    items = _items()
    assert [i["title"] for i in items if sorted(i) != ["kind", "sector", "text", "title"]] == []
    assert [i["title"] for i in items if i["sector"] not in LABELS or i["kind"] not in KINDS] == []
    assert [i["title"] for i in items if not 60 <= len(i["text"]) <= 200] == []
    titles = [i["title"] for i in items]
    assert sorted(t for t, n in Counter(titles).items() if n > 1) == []
    normal = Counter(i["sector"] for i in items if i["kind"] == "normal")
    assert {s: normal[s] for s in SECTOR_IDS if normal[s] < 30} == {}
    kinds = Counter(i["kind"] for i in items)
    assert kinds["off_topic"] >= 40
    assert kinds["trap"] + kinds["border"] >= 40


def test_baseline_has_a_floor_for_every_label(baseline: dict[str, Any]) -> None:
    assert sorted(baseline["floors"]) == sorted(LABELS)


def test_every_label_meets_its_precision_and_recall_floor(
    report: Report, baseline: dict[str, Any]
) -> None:
    below = [
        f"{label} {metric}: {getattr(report.labels[label], metric):.3f} < floor {floor}"
        for label, floors in baseline["floors"].items()
        for metric, floor in floors.items()
        if getattr(report.labels[label], metric) < floor
    ]
    assert below == [], "\n".join([*below, "misclassified:", *report.misses])


def test_macro_f1_meets_its_floor(report: Report, baseline: dict[str, Any]) -> None:
    assert report.macro_f1 >= baseline["macro_f1"], "\n".join(report.misses)
