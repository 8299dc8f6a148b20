"""Rule proposals at desk scale: how long `newsdesk rules suggest` spends in the pure core.

Builds a background of N stored items (default 5,000: the golden set's texts, shuffled into new
items with the sectors the shipped rules give them), 10 corrections of a sub-industry the rules do
not know (高空作业平台) and 5 wrong placements, then times `suggest` and the impact preview of
each proposal over U undecided items (default 20,000).
Usage: python bench/rules.py [--background 5000] [--undecided 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.classify import classify, compile_rules  # noqa: E402
from pipeline.rule_change import Doc, impacts  # noqa: E402
from pipeline.rule_edit import parse_rules_text  # noqa: E402
from pipeline.rule_suggest import Correction, suggest  # noqa: E402
from tests.ops.test_rules import SIMILAR, TAUGHT  # noqa: E402


def _items(n: int, prefix: str, rng: random.Random) -> list[tuple[str, str]]:
    golden = tomllib.loads((ROOT / "tests/fixtures/golden.toml").read_text(encoding="utf-8"))[
        "item"
    ]
    sentences = [s for g in golden for s in g["text"].split("。") if s]
    out = []
    for k in range(n):
        g = golden[k % len(golden)]
        body = "。".join(rng.sample(sentences, 12))
        out.append((f"{g['title']}（{prefix}{k}）", f"{g['text']}。{body}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--background", type=int, default=5000)
    parser.add_argument("--undecided", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(17)
    rules = parse_rules_text((ROOT / "config/sectors.toml").read_text(encoding="utf-8"), "sectors")
    clf = compile_rules(rules)
    background = [
        Doc(f"b{k}", t, x, classify(clf, t, x).sector)
        for k, (t, x) in enumerate(_items(args.background, "b", rng))
    ]
    corrections = [
        Correction(Doc(f"c{k}", t, f"{t}。{x}", "equipment"), "off_topic", "equipment")
        for k, (t, x) in enumerate(TAUGHT)
    ]
    wrong = [d for d in background if d.sector == "it"][:5]
    corrections += [Correction(d, "it", "materials") for d in wrong]
    undecided = [
        Doc(f"u{k}", t, x, "") for k, (t, x) in enumerate(_items(args.undecided, "u", rng))
    ]
    undecided += [Doc(f"s{k}", t, f"{t}。{x}", "") for k, (t, x) in enumerate(SIMILAR)]
    start = time.perf_counter()
    proposals = suggest(rules, corrections, [], background)
    took = time.perf_counter() - start
    print(f"suggest: {len(proposals)} proposals from {len(corrections)} corrections over "
          f"{len(background)} background items in {took:.2f} s")  # fmt: skip
    start = time.perf_counter()
    results = impacts(rules, [p.change for p in proposals], undecided)
    took = time.perf_counter() - start
    print(f"impact of all {len(proposals)} over {len(undecided)} undecided items: {took:.2f} s")
    for p, result in zip(proposals, results, strict=True):
        print(f"  {p.change.describe()}: {result.moved} move")


if __name__ == "__main__":
    main()
