"""Evaluate the shipped sector rules on ../shared/realheadlines (real Chinese news headlines).

Run: `python -m tests.pipeline.headlines_eval ../shared/realheadlines [--half dev|heldout|all]`.

The headlines carry their source datasets' own coarse categories (entertainment, tech, cars, ...),
not newsdesk's 12 sectors, so the expected label of a headline comes from two places:

1. `tests/fixtures/headline_labels.tsv`: hand labels (id, label). They cover a fixed random sample
   of the categories that hold industry news (tech, science, cars, agriculture, finance, stocks)
   and every headline of the other categories on which the rules fired before or after a change
   (an industry story in world or society news is not a false positive). Only ids are stored:
   the headlines are third-party text and stay in ../shared.
2. Otherwise the category: entertainment, sports, games, stories, travel, culture, education,
   military, world, housing, politics and society news is off_topic. Headlines of the
   industry-bearing categories without a hand label are not scored (they are only counted per
   category, to show which sectors fire on them).

Split: a headline is in the development half or the held-out half by the parity of the SHA-256 of
its id (the provenance line for THUCNews and TNEWS, which have none). Rules are grown by looking at the development half only; the held-out half gives the
honest figure (tests/pipeline/test_classify_headlines.py keeps floors on it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.classify import OFF_TOPIC, Classifier, classify, compile_rules
from pipeline.rules import SECTOR_IDS, parse_rules

ROOT = Path(__file__).resolve().parents[2]
SECTORS_TOML = ROOT / "config" / "sectors.toml"
LABELS_TSV = ROOT / "tests" / "fixtures" / "headline_labels.tsv"
DEFAULT_DIR = ROOT.parent / "shared" / "realheadlines"
HALVES = ("dev", "heldout", "all")
MIN_SUPPORT = 5

# Categories whose news is not about the 12 industries unless a hand label says otherwise.
OFF_CATEGORIES = frozenset(
    {
        "news_entertainment", "entertainment", "news_sports", "sports", "news_game", "game",
        "news_story", "news_travel", "news_culture", "news_edu", "education", "news_military",
        "news_world", "news_house", "realty", "politics", "society",
    }
)  # fmt: skip
# Categories that hold industry news mixed with consumer advice, stock tips and the like.
INDUSTRY_CATEGORIES = frozenset(
    {
        "news_tech", "science", "news_car", "news_agriculture", "news_finance", "finance",
        "stock", "news_stock", "stocks",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Headline:
    """One real headline with its source category."""

    id: str
    title: str
    category: str
    dataset: str

    @property
    def key(self) -> str:
        """The category qualified by its dataset (toutiao and THUCNews spell them differently)."""
        return f"{self.dataset}:{self.category}"


@dataclass(frozen=True, slots=True)
class Quality:
    """Precision, recall and F1 of one label."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True, slots=True)
class Report:
    """The evaluation of one half."""

    half: str
    scored: int
    labelled: int
    labels: dict[str, Quality]
    macro_f1: float
    sectors_in_macro: tuple[str, ...]
    # Steadier views of the same counts: micro-F1 over all sector labels, and macro-F1 over the
    # sectors with at least MIN_SUPPORT expected headlines (one stray hit in a sector nobody
    # expects scores that sector 0 and moves the plain macro-F1 by 1/12).
    micro_f1: float
    supported_macro_f1: float
    labelled_off_topic_precision: float
    per_category: dict[str, Counter[str]]
    misses: tuple[tuple[str, str, str, str], ...]  # (id, title, want, got)


def half_of(headline_id: str) -> str:
    """Return 'dev' or 'heldout' for a headline, fixed by the SHA-256 of its id."""
    return "dev" if hashlib.sha256(headline_id.encode()).digest()[0] % 2 == 0 else "heldout"


def load_headlines(directory: Path) -> list[Headline]:
    """Read headlines.jsonl from `directory`."""
    out = []
    with (directory / "headlines.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            # THUCNews and TNEWS lines have no id: their provenance (repo@commit:path#Lline) is one.
            key = str(row["id"]) if row.get("id") else row["provenance"]
            out.append(Headline(key, row["title"], row["category"], row["dataset"]))
    return out


def load_labels(path: Path = LABELS_TSV) -> dict[str, str]:
    """Read the hand labels: `<id> <label>` lines; lines starting with '#' are comments."""
    labels: dict[str, str] = {}
    allowed = {*SECTOR_IDS, OFF_TOPIC}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in allowed:
            raise ValueError(f"{path}:{n}: want '<id> <label>' with a sector id or off_topic")
        labels[parts[0]] = parts[1]
    return labels


def load_classifier(path: Path = SECTORS_TOML) -> Classifier:
    """Compile the rules of a sectors.toml file."""
    with path.open("rb") as f:
        return compile_rules(parse_rules(tomllib.load(f), str(path)))


def expected_label(headline: Headline, labels: dict[str, str]) -> str | None:
    """The hand label, else off_topic for off-topic categories, else None (not scored)."""
    if headline.id in labels:
        return labels[headline.id]
    if headline.category in OFF_CATEGORIES:
        return OFF_TOPIC
    return None


def select(headlines: Iterable[Headline], half: str) -> list[Headline]:
    """The headlines of one half ('all' keeps every one)."""
    return [h for h in headlines if half == "all" or half_of(h.id) == half]


def _quality(tp: int, predicted: int, support: int) -> Quality:
    p = tp / predicted if predicted else 0.0
    r = tp / support if support else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Quality(p, r, f1, support, predicted)


def evaluate(
    classifier: Classifier, headlines: Sequence[Headline], labels: dict[str, str], half: str
) -> Report:
    """Classify every headline of `half` (title only) and score those with an expected label.

    Macro-F1 is the mean F1 over the sectors that occur among the expected or predicted labels;
    a sector nobody expects and the rules never predict says nothing either way.
    """
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    support: Counter[str] = Counter()
    hand_tp_off = hand_pred_off = labelled = 0
    misses = []
    chosen = select(headlines, half)
    for h in chosen:
        got = classify(classifier, h.title, "").sector
        per_category[h.key][got] += 1
        want = expected_label(h, labels)
        if want is None:
            continue
        predicted[got] += 1
        support[want] += 1
        if got == want:
            tp[got] += 1
        else:
            misses.append((h.id, h.title, want, got))
        if h.id in labels:
            labelled += 1
            if got == OFF_TOPIC:
                hand_pred_off += 1
                hand_tp_off += want == OFF_TOPIC
    qualities = {
        label: _quality(tp[label], predicted[label], support[label])
        for label in (*SECTOR_IDS, OFF_TOPIC)
    }
    in_macro = tuple(s for s in SECTOR_IDS if support[s] or predicted[s])
    macro = sum(qualities[s].f1 for s in in_macro) / len(in_macro) if in_macro else 0.0
    supported = [s for s in SECTOR_IDS if support[s] >= MIN_SUPPORT]
    micro = _quality(
        sum(tp[s] for s in SECTOR_IDS),
        sum(predicted[s] for s in SECTOR_IDS),
        sum(support[s] for s in SECTOR_IDS),
    ).f1
    return Report(
        half=half,
        scored=sum(support.values()),
        labelled=labelled,
        labels=qualities,
        macro_f1=macro,
        sectors_in_macro=in_macro,
        micro_f1=micro,
        supported_macro_f1=(
            sum(qualities[s].f1 for s in supported) / len(supported) if supported else 0.0
        ),
        labelled_off_topic_precision=hand_tp_off / hand_pred_off if hand_pred_off else 0.0,
        per_category=dict(per_category),
        misses=tuple(misses),
    )


def label_table(labels: Mapping[str, Quality]) -> list[str]:
    """Precision, recall, F1, support and predictions per label, one line each, with a header."""
    lines = [f"{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}{'pred':>6}"]
    for label, q in labels.items():
        lines.append(
            f"{label:<16}{q.precision:7.3f}{q.recall:7.3f}{q.f1:7.3f}{q.support:6d}{q.predicted:6d}"
        )
    return lines


def format_report(report: Report, show_misses: bool) -> str:
    """The per-category firing table, the per-label quality and the macro figures."""
    lines = [f"half: {report.half}", "", "how many headlines of each category each label takes:"]
    for key in sorted(report.per_category):
        counts = report.per_category[key]
        total = sum(counts.values())
        fired = ", ".join(f"{s} {n}" for s, n in counts.most_common() if s != OFF_TOPIC)
        lines.append(f"  {key:<32}{total:6d}  off_topic {counts[OFF_TOPIC]:5d}  {fired}")
    lines += ["", *label_table(report.labels)]
    lines += [
        "",
        f"scored headlines: {report.scored} (hand-labelled: {report.labelled})",
        f"macro-F1 over {len(report.sectors_in_macro)} sectors: {report.macro_f1:.4f}",
        f"micro-F1 over the sectors: {report.micro_f1:.4f}",
        f"macro-F1 over the sectors with >= {MIN_SUPPORT} expected: {report.supported_macro_f1:.4f}",
        f"off_topic precision (all scored): {report.labels[OFF_TOPIC].precision:.4f}",
        f"off_topic precision (hand-labelled only): {report.labelled_off_topic_precision:.4f}",
    ]
    if show_misses:
        lines += ["", "misses (id, want, got, title):"]
        lines += [f"  {i} {want} {got} {title}" for i, title, want, got in report.misses]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation of one half of the headlines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--half", choices=HALVES, default="heldout")
    parser.add_argument("--rules", type=Path, default=SECTORS_TOML)
    parser.add_argument("--misses", action="store_true", help="list every misclassified headline")
    args = parser.parse_args(argv)
    report = evaluate(
        load_classifier(args.rules), load_headlines(args.directory), load_labels(), args.half
    )
    print(format_report(report, args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
