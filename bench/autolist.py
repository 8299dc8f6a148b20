"""Automatic list detection speed: detect_list over the list-shape fixtures and the replicas' list
pages (and ../shared/realpages when present, the heaviest real pages). Prints ms per page.
Usage: python bench/autolist.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/pipeline.py would shadow the pipeline package: the project root goes first.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p).resolve() != ROOT / "bench")]

from crawler.autolist import detect_list  # noqa: E402
from crawler.parse import decode_body  # noqa: E402

LISTS = ROOT / "tests" / "fixtures" / "lists"
SITES = ROOT / "tests" / "fixtures" / "sites"
REAL = ROOT.parent / "shared" / "realpages"


def pages() -> dict[str, list[tuple[str, str]]]:
    """(html, url) per group of pages."""
    truth = json.loads((LISTS / "truth.json").read_text(encoding="utf-8"))
    groups = {"list shapes": [((LISTS / f"{n}.html").read_text(encoding="utf-8"), t["url"])
                              for n, t in truth.items()]}  # fmt: skip
    groups["replica pages"] = [
        (decode_body(f.read_bytes()).text, f"https://{f.relative_to(SITES).as_posix()}")
        for f in sorted(SITES.rglob("*.htm*"))
    ]
    if (REAL / "truth.jsonl").is_file():
        rows = [json.loads(line) for line in (REAL / "truth.jsonl").read_text().splitlines()]
        groups["real article pages"] = [
            (decode_body((REAL / r["file"]).read_bytes()).text, r.get("url") or "http://x.example/")
            for r in rows
        ]
    return groups


def main() -> None:
    """Time detect_list per group."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, group in pages().items():
        size = sum(len(html) for html, _ in group) / len(group) / 1024
        began = time.perf_counter()
        for _ in range(args.repeat):
            for html, url in group:
                detect_list(html, url)
        per_page = (time.perf_counter() - began) / args.repeat / len(group) * 1000
        print(f"{name}: {len(group)} pages of {size:.0f} KiB on average, {per_page:.1f} ms/page")


if __name__ == "__main__":
    main()
