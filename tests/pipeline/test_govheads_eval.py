"""The labelled-headline evaluation (tests/pipeline/govheads_eval.py) on small files written here.

The real labelled files stay outside the repository (third-party text); these tests check the file
format, the split and the arithmetic with the sectors' own example headlines from sectors.toml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.classify import OFF_TOPIC
from tests.pipeline.govheads_eval import evaluate, load_all, load_tsv, main
from tests.pipeline.headlines_eval import half_of, load_classifier

# Examples and counter-examples of sectors.toml: the rules must place them (test_sector_examples).
NEV = "全市新建公共充电桩两千个"
IT = "许昌5G基站总数突破一万个"
GREEN = "城镇污水处理厂提标改造完成"
OFF = "全市青少年机器人竞赛落幕"


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["label\ttitle\turl", "# a comment line"]
    lines += [f"{label}\t{title}\thttps://example.org/{n}" for n, (label, title) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_labels_and_skips_header_and_comments(tmp_path: Path) -> None:
    items = load_tsv(_write(tmp_path / "a.tsv", [("nev", NEV), (OFF_TOPIC, OFF)]))
    assert [(i.label, i.title) for i in items] == [("nev", NEV), (OFF_TOPIC, OFF)]
    assert items[0].url == "https://example.org/0"


def test_an_unknown_label_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.tsv", [("cars", NEV)])
    with pytest.raises(ValueError, match=r"bad\.tsv:3"):
        load_tsv(path)


def test_a_missing_file_is_reported_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FileNotFoundError):
        load_tsv(tmp_path / "absent.tsv")
    assert main([str(tmp_path / "absent.tsv")]) == 2
    assert "absent.tsv" in capsys.readouterr().err


def test_a_title_in_two_files_keeps_its_first_label(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.tsv", [("nev", NEV)])
    b = _write(tmp_path / "b.tsv", [(OFF_TOPIC, NEV), ("it", IT)])
    assert [(i.label, i.title) for i in load_all([a, b])] == [("nev", NEV), ("it", IT)]


def test_scores_precision_recall_and_misses(tmp_path: Path) -> None:
    # GREEN is labelled nev on purpose: one nev miss and one green false positive.
    rows = [("nev", NEV), ("it", IT), ("nev", GREEN), (OFF_TOPIC, OFF)]
    report = evaluate(load_classifier(), load_all([_write(tmp_path / "s.tsv", rows)]), "all")
    assert report.scored == 4
    assert (report.labels["nev"].precision, report.labels["nev"].recall) == (1.0, 0.5)
    assert report.labels["green"].precision == 0.0 and report.labels["green"].predicted == 1
    assert report.labels["it"].f1 == 1.0 and report.labels[OFF_TOPIC].precision == 1.0
    assert report.misses == (("nev", "green", GREEN),)
    assert report.present_macro_f1 == pytest.approx((2 / 3 + 1.0 + 0.0) / 3)
    assert report.macro_f1 == pytest.approx((2 / 3 + 1.0) / 12)


def test_halves_partition_the_file_by_title(tmp_path: Path) -> None:
    items = load_all([_write(tmp_path / "h.tsv", [("nev", NEV), ("it", IT), ("green", GREEN)])])
    classifier = load_classifier()
    dev, held = evaluate(classifier, items, "dev"), evaluate(classifier, items, "heldout")
    assert dev.scored + held.scored == 3
    assert dev.scored == sum(half_of(t) == "dev" for t in (NEV, IT, GREEN))
