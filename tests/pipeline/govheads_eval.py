"""Evaluate the shipped sector rules on hand-labelled government and industry-news headlines.

Run: `python -m tests.pipeline.govheads_eval PATH.tsv [PATH.tsv ...] [--half dev|heldout|all]
[--misses]`.

The realheadlines set (tests/pipeline/headlines_eval.py) is mostly consumer and entertainment news
with one to four headlines per sector, too few to measure a per-sector F1. This evaluation reads
TSV files of real headlines of the kind newsdesk crawls (municipal and provincial government news,
industry portals, statistics releases, county industry features, plus off-topic confusers: tenders,
price letters, consumer advice, stock tips, politics) with one label each. The headlines are
third-party text, so the files stay outside the repository (given on the command line); nothing
here ships or asserts their content.

File format: UTF-8, tab-separated, columns `label`, `title`, `url` (a header line starting with
`label` and lines starting with `#` are skipped). The label is a sector id or off_topic, following
the labelling rule at the top of tests/fixtures/headline_labels.tsv.

Split: a headline is in the development or the held-out half by the parity of the SHA-256 of its
title (tests.pipeline.headlines_eval.half_of), so rules are grown on the dev half only and the
held-out half gives the honest figure.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.classify import OFF_TOPIC, Classifier, classify
from pipeline.rules import SECTOR_IDS
from tests.pipeline.headlines_eval import (
    HALVES,
    SECTORS_TOML,
    Quality,
    _quality,
    half_of,
    label_table,
    load_classifier,
)

LABELS = (*SECTOR_IDS, OFF_TOPIC)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One hand-labelled headline."""

    label: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class GovReport:
    """Per-label quality, macro-F1 over the 12 sectors, off_topic precision and the misses."""

    half: str
    scored: int
    labels: dict[str, Quality]
    macro_f1: float  # mean F1 over the 12 sectors (a sector with no support and no prediction: 0)
    present_macro_f1: float  # mean F1 over the sectors that are expected or predicted
    misses: tuple[tuple[str, str, str], ...]  # (want, got, title)


def load_tsv(path: Path) -> list[Labelled]:
    """Read one labelled TSV file; raise FileNotFoundError or ValueError with the line."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file (the labelled headlines stay outside the repo)"
        )
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#") or raw.startswith("label\t"):
            continue
        parts = raw.split("\t")
        if len(parts) < 2 or parts[0].strip() not in LABELS or not parts[1].strip():
            raise ValueError(f"{path}:{n}: want '<label>\\t<title>[\\t<url>]' with a known label")
        url = parts[2].strip() if len(parts) > 2 else ""
        out.append(Labelled(parts[0].strip(), parts[1].strip(), url))
    return out


def load_all(paths: Sequence[Path]) -> list[Labelled]:
    """Read several files; a title seen twice keeps its first label."""
    seen: set[str] = set()
    out = []
    for path in paths:
        for item in load_tsv(path):
            if item.title not in seen:
                seen.add(item.title)
                out.append(item)
    return out


def evaluate(classifier: Classifier, items: Sequence[Labelled], half: str) -> GovReport:
    """Classify the titles of one half (title only, as a headline list shows them) and score them."""
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    support: Counter[str] = Counter()
    misses = []
    chosen = [i for i in items if half == "all" or half_of(i.title) == half]
    for item in chosen:
        got = classify(classifier, item.title, "").sector
        predicted[got] += 1
        support[item.label] += 1
        if got == item.label:
            tp[got] += 1
        else:
            misses.append((item.label, got, item.title))
    qualities = {lab: _quality(tp[lab], predicted[lab], support[lab]) for lab in LABELS}
    present = [s for s in SECTOR_IDS if support[s] or predicted[s]]
    return GovReport(
        half=half,
        scored=len(chosen),
        labels=qualities,
        macro_f1=sum(qualities[s].f1 for s in SECTOR_IDS) / len(SECTOR_IDS),
        present_macro_f1=(sum(qualities[s].f1 for s in present) / len(present) if present else 0.0),
        misses=tuple(sorted(misses)),
    )


def format_report(report: GovReport, show_misses: bool) -> str:
    """The per-label table, the macro figures and (optionally) every miss."""
    lines = [f"half: {report.half}  scored: {report.scored}", ""]
    lines += label_table(report.labels)
    lines += [
        "",
        f"macro-F1 over the 12 sectors: {report.macro_f1:.4f}",
        f"macro-F1 over the sectors present: {report.present_macro_f1:.4f}",
        f"off_topic precision: {report.labels[OFF_TOPIC].precision:.4f}",
    ]
    if show_misses:
        lines += ["", "misses (want -> got: title):"]
        lines += [f"  {want} -> {got}: {title}" for want, got, title in report.misses]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation of one half of the given labelled files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "tsv", nargs="+", type=Path, help="labelled headline files (label, title, url)"
    )
    parser.add_argument("--half", choices=HALVES, default="heldout")
    parser.add_argument("--rules", type=Path, default=SECTORS_TOML)
    parser.add_argument("--misses", action="store_true", help="list every misclassified headline")
    args = parser.parse_args(argv)
    try:
        items = load_all(args.tsv)
    except (FileNotFoundError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(format_report(evaluate(load_classifier(args.rules), items, args.half), args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
