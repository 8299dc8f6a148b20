"""The process stage end to end, and the near-duplicate lookup as the store grows.

1. Generates N synthetic items (default 100,000; Chinese text of 800-3,000 characters built from
   the sentences of the demo articles and the golden set; 10% reprints with other headers,
   footers and a cut tail), stores them as new items, runs `ops.process.process_new`, and
   prints items/s and peak memory.
2. Fills a second database with 10k, 100k and 300k items' LSH bands and prints the median time
   of one near-duplicate lookup (`store.lsh_candidates`) at each size: it must stay flat.
Usage: python bench/pipeline.py [--items 100000] [--lookup-sizes 10000,100000,300000]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import store.db  # noqa: E402
import store.items  # noqa: E402
from ops.config_files import load_config  # noqa: E402
from ops.process import process_new  # noqa: E402
from pipeline import dedup  # noqa: E402
from pipeline.models import RawItem  # noqa: E402
from pipeline.normalize import canonical_url, normalize_text, url_key  # noqa: E402

SOURCES = ("demo-xc-kjj", "demo-hn-kjt", "demo-hn-gxt", "demo-xinwen", "demo-hyxh", "demo-xcnews")


def sentence_pool() -> list[str]:
    """Real sentences from the bundled demo articles and the classifier's golden set."""
    demo = tomllib.loads((ROOT / "demo/sites/articles.toml").read_text(encoding="utf-8"))
    golden = tomllib.loads((ROOT / "tests/fixtures/golden.toml").read_text(encoding="utf-8"))
    texts = ["".join(a["paragraphs"]) for a in demo["article"]]
    texts += [g["text"] for g in golden["item"]]
    sentences = [s + "。" for t in texts for s in re.split(r"。", t) if len(s) > 12]
    return sentences


def make_text(rng: random.Random, pool: list[str]) -> str:
    """800-3,000 characters in paragraphs, with numbers varied so texts differ."""
    target = rng.randint(800, 3000)
    paragraphs, size = [], 0
    while size < target:
        para = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
        para = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), para)
        paragraphs.append(para)
        size += len(para)
    return "\n".join(paragraphs)


def reprint_of(rng: random.Random, text: str) -> str:
    """Another site's copy: a 来源 header, an editor footer, sometimes the last paragraph cut."""
    paragraphs = text.split("\n")
    if len(paragraphs) > 2 and rng.random() < 0.5:
        paragraphs = paragraphs[:-1]
    header = rng.choice(
        ["来源：许昌市科学技术局", "来源：河南省工业和信息化厅", "转载自：河南日报"]
    )
    return "\n".join([header, *paragraphs, f"责任编辑：{rng.choice('张王李赵刘')}某"])


def generate(n: int, seed: int = 20261124) -> list[RawItem]:
    """N raw items, 10% of them reprints of earlier ones."""
    rng = random.Random(seed)
    pool = sentence_pool()
    items: list[RawItem] = []
    for i in range(n):
        if items and rng.random() < 0.10:
            original = rng.choice(items[-2000:])
            text, title = reprint_of(rng, original.text), "【转载】" + original.title
        else:
            text = make_text(rng, pool)
            title = text[: rng.randint(14, 30)].replace("\n", "")
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        items.append(
            RawItem(url=f"https://bench{i % 7}.example/a/{i}.html", source_id=rng.choice(SOURCES),
                    title=title, text=text, fetched_at=f"{day}T08:00:00+00:00", published_at=day)
        )  # fmt: skip
    return items


def _peak_rss_mb() -> float:
    """This process's own peak RSS. Linux keeps ru_maxrss across fork and exec, so a child would
    report its parent's peak (the generated items); VmHWM belongs to the new address space."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_in_child(db_path: str) -> None:
    """Run the process stage alone, so its peak RSS is not the generator's."""
    db = store.db.open_db(db_path)
    began = time.perf_counter()
    stats = process_new(db, load_config(ROOT / "config"), datetime(2026, 11, 24, tzinfo=UTC))
    elapsed = time.perf_counter() - began
    peak = _peak_rss_mb()
    n = stats.processed
    print(f"process {n} items: {elapsed:.1f} s, {n / elapsed:.1f} items/s, peak RSS {peak:.0f} MB")
    print(f"  pending {stats.pending}, duplicate {stats.duplicate}, off_topic {stats.off_topic}")


def bench_process(n: int) -> None:
    """Store N new items, then process them in a child process; print its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        db = store.db.open_db(db_path)
        items = generate(n)
        rows = [(url_key(canonical_url(i.url)), canonical_url(i.url), i) for i in items]
        for start in range(0, len(rows), 1000):
            store.items.save_raw_items(db, rows[start : start + 1000])
        db.close()
        del items, rows
        code = f"from bench.pipeline import process_in_child; process_in_child({str(db_path)!r})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        print(f"  database {db_path.stat().st_size / 1e6:.0f} MB (with the trigram index)")


def bench_lookup(sizes: list[int]) -> None:
    """Median time of one LSH candidate lookup as the band table grows."""
    rng = random.Random(7)
    pool = sentence_pool()
    probes = [
        dedup.band_keys(dedup.signature(normalize_text(make_text(rng, pool)))) for _ in range(200)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = store.db.open_db(Path(tmp) / "lookup.db")
        stored = 0
        for size in sorted(sizes):
            with store.db.transaction(db):
                while stored < size:
                    key = f"k{stored:08d}"
                    db.execute(
                        "INSERT INTO items (key, source_id, url, canonical_url, fetched_at, status)"
                        " VALUES (?, 's', ?, ?, '2026-11-01', 'pending')", [key, key, key],
                    )  # fmt: skip
                    bands = [rng.getrandbits(63) for _ in range(32)]
                    db.conn.executemany("INSERT INTO lsh_bands (band, key) VALUES (?, ?)",
                                   [(b, key) for b in bands])  # fmt: skip
                    stored += 1
            times = []
            for probe in probes:
                began = time.perf_counter()
                store.items.lsh_candidates(db, probe, "probe")
                times.append((time.perf_counter() - began) * 1e6)
            print(f"near-duplicate lookup at {size:>7} stored items: median "
                  f"{statistics.median(times):6.0f} µs")  # fmt: skip


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lookup-sizes", default="10000,100000,300000")
    args = parser.parse_args()
    bench_lookup([int(s) for s in args.lookup_sizes.split(",")])
    bench_process(args.items)


if __name__ == "__main__":
    main()
