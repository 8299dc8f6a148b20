"""Article extraction speed and accuracy: newsdesk's extractor vs. trafilatura on real pages.

Runs both extractors in one process over the same decoded pages of the realpages development set
(../shared/realpages, issue 12): every page once untimed to warm up, then `--rounds` timed rounds.
Times are this process's CPU time (the machine may be shared), with the load average printed.
Prints pages/s and median/p90 ms a page for each, their ratio, which step of newsdesk's chain
(source selector, known container, densest block, trafilatura fallback) handled how many pages,
and both extractors' field scores on the untampered pages under the same rules as
`python -m tests.crawler.extract_eval --real`.
Usage: python bench/extract.py [--pages ../shared/realpages] [--rounds 3] [--no-trafilatura]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from crawler.extract import extract_article  # noqa: E402
from crawler.parse import decode_body  # noqa: E402
from pipeline.dates import parse_cn_date  # noqa: E402
from tests.crawler.extract_eval import NOW, REAL_FIELDS, REAL_PAGES, judge, real_truth  # noqa: E402

Page = tuple[dict[str, Any], str, str]  # truth row, decoded HTML, URL


def newsdesk(html: str, url: str) -> tuple[str, str | None, str, str]:
    """Title, date (YYYY-MM-DD), body text and chain step of newsdesk's extractor."""
    article = extract_article(html, url)
    published = parse_cn_date(article.date_text, NOW)
    step = article.method.split(":")[0] if article.method else "(none)"
    if article.method.startswith("density:over"):
        step = "container checked → densest block"
    return article.title, published.to_iso()[:10] if published else None, article.text, step


def trafilatura_extract(html: str, url: str) -> tuple[str, str | None, str, str]:
    """The same fields from trafilatura (metadata on, as a crawler would need them)."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True)
    if doc is None:
        return "", None, "", "-"
    return doc.title or "", (doc.date or None), doc.text or "", "-"


def timed(
    extractor: Callable[[str, str], tuple[str, str | None, str, str]],
    pages: list[Page],
    rounds: int,
) -> tuple[list[float], list[tuple[str, str | None, str, str]]]:
    """Per-page seconds (median over rounds) and the outputs of the last round."""
    outputs = [extractor(html, url) for _, html, url in pages]  # warm-up, untimed
    per_page: list[list[float]] = [[] for _ in pages]
    gc.collect()
    for _ in range(rounds):
        for i, (_, html, url) in enumerate(pages):
            start = time.process_time()
            outputs[i] = extractor(html, url)
            per_page[i].append(time.process_time() - start)
    return [statistics.median(times) for times in per_page], outputs


def scores(pages: list[Page], outputs: list[tuple[str, str | None, str, str]]) -> dict[str, float]:
    clean = [(t, out) for (t, _, _), out in zip(pages, outputs, strict=True) if not t["tampered"]]
    rights = [judge(t, title, date, text)[0] for t, (title, date, text, _) in clean]
    return {f: sum(r[f] for r in rights) / len(rights) for f in REAL_FIELDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=REAL_PAGES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-trafilatura", action="store_true", help="time newsdesk only")
    args = parser.parse_args()
    if not (args.pages / "truth.jsonl").is_file():
        # A user's clone has no ../shared: `make bench` runs on without this one.
        print(
            f"bench/extract.py skipped: no development set at {args.pages} (truth.jsonl + pages/)"
        )
        return
    pages: list[Page] = []
    for truth in real_truth(args.pages):
        text = decode_body((args.pages / truth["file"]).read_bytes(), "").text
        pages.append((truth, text, truth["url"] or f"file:///{truth['file']}"))
    size = sum(len(html) for _, html, _ in pages) / 1e6
    print(f"{len(pages)} real pages ({size:.1f} M characters), {args.rounds} timed rounds each")
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + "\n")

    results = {}
    extractors = [("newsdesk", newsdesk), ("trafilatura", trafilatura_extract)]
    for name, extractor in extractors[:1] if args.no_trafilatura else extractors:
        times, outputs = timed(extractor, pages, args.rounds)
        results[name] = (times, outputs)
    print(f"{'extractor':12} {'pages/s':>8} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for name, (times, _) in results.items():
        ordered = sorted(times)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        print(
            f"{name:12} {len(times) / sum(times):8.1f} {statistics.median(times) * 1e3:10.2f} "
            f"{p90 * 1e3:8.2f} {max(times) * 1e3:8.1f}"
        )
    if "trafilatura" in results:
        ours, theirs = (sum(results[n][0]) for n in ("newsdesk", "trafilatura"))
        print(f"\nnewsdesk is {theirs / ours:.1f}x trafilatura's pages/s")
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    steps = Counter(out[3] for out in results["newsdesk"][1])
    step_ms: dict[str, list[float]] = {}
    for t, out in zip(results["newsdesk"][0], results["newsdesk"][1], strict=True):
        step_ms.setdefault(out[3], []).append(t)
    print("\nnewsdesk chain step: pages (median ms)")
    for step, n in steps.most_common():
        print(f"  {step:36} {n:4} ({statistics.median(step_ms[step]) * 1e3:.2f} ms)")

    untampered = sum(not t["tampered"] for t, _, _ in pages)
    print(f"\nfield scores on the {untampered} untampered pages")
    print(f"{'extractor':12} " + " ".join(f"{f:>10}" for f in REAL_FIELDS))
    for name, (_, outputs) in results.items():
        row = scores(pages, outputs)
        print(f"{name:12} " + " ".join(f"{row[f]:10.1%}" for f in REAL_FIELDS))


if __name__ == "__main__":
    main()
