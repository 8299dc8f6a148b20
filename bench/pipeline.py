"""The process stage end to end on text that varies as real news does, and the dedup lookup.

1. Band collisions: the share of pairs of distinct articles that share an LSH band (and a sentence
   mark), on the real article bodies of ../shared/realpages and on this benchmark's corpus.
2. Lookup cost: a second database filled with 10k, 100k and 300k items' LSH bands and sentence
   marks; the median time of one candidate lookup (`store.items.dedup_candidates`) at each size.
3. Process stage: items (bench/realtext.py: real headlines, bodies recombined from real pages, 10 %
   reprints with half copies, notes, ads, re-splits, WeChat reposts) are stored as new and
   processed in a child process (normalize, dedup, classify, rank, trigram index). It prints items/s
   (wall and per CPU second of the process) for a window of new items at 20k and at 100k stored,
   and the latency of an editor's clicks (HTTP, session, CSRF) on the desk during a window.
Without ../shared it says so and uses synthetic text from the demo articles instead.
Usage: python bench/pipeline.py [--items 100000] [--window 2000]
                                [--lookup-sizes 10000,100000,300000] [--synthetic] [--only PART]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import store.accounts  # noqa: E402
import store.backup  # noqa: E402
import store.db  # noqa: E402
import store.items  # noqa: E402
from bench import realtext  # noqa: E402
from ops.config_files import load_config  # noqa: E402
from ops.process import process_new  # noqa: E402
from pipeline import dedup  # noqa: E402
from pipeline.models import RawItem  # noqa: E402
from pipeline.normalize import canonical_url, normalize_text, url_key  # noqa: E402

SOURCES = ("demo-xc-kjj", "demo-hn-kjt", "demo-hn-gxt", "demo-xinwen", "demo-hyxh", "demo-xcnews")
EDITOR, PASSWORD = "bench", "bench-password"
FIRST_FETCH = datetime(2026, 11, 1, tzinfo=UTC)


# --- synthetic fallback (no ../shared) ---------------------------------------------------------


def sentence_pool() -> list[str]:
    """Real sentences from the bundled demo articles and the classifier's golden set."""
    demo = tomllib.loads((ROOT / "demo/sites/articles.toml").read_text(encoding="utf-8"))
    golden = tomllib.loads((ROOT / "tests/fixtures/golden.toml").read_text(encoding="utf-8"))
    texts = ["".join(a["paragraphs"]) for a in demo["article"]]
    texts += [g["text"] for g in golden["item"]]
    return [s + "。" for t in texts for s in re.split(r"。", t) if len(s) > 12]


def synthetic(n: int, seed: int = 20261124) -> list[tuple[str, str, str | None]]:
    """N items of sentences from the demo pool, 10 % reprints (the benchmark's old corpus)."""
    rng = random.Random(seed)
    pool = sentence_pool()
    out: list[tuple[str, str, str | None]] = []
    for _ in range(n):
        if out and rng.random() < 0.10:
            title, text, _ = rng.choice(out[-2000:])
            paragraphs = text.split("\n")
            if len(paragraphs) > 2 and rng.random() < 0.5:
                paragraphs = paragraphs[:-1]
            out.append((f"【转载】{title}", "\n".join(["来源：河南日报", *paragraphs]), title))
            continue
        target, paragraphs, size = rng.randint(800, 3000), [], 0
        while size < target:
            para = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            paragraphs.append(re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), para))
            size += len(paragraphs[-1])
        text = "\n".join(paragraphs)
        out.append((text[: rng.randint(14, 30)].replace("\n", ""), text, None))
    return out


def corpus(n: int, real: realtext.RealText | None) -> list[tuple[str, str, str | None]]:
    """The benchmark's items: real-text based when ../shared is there, synthetic otherwise."""
    return realtext.items(n, real) if real else synthetic(n)


def raw_items(
    rows: list[tuple[str, str, str | None]], offset: int
) -> list[tuple[str, str, RawItem]]:
    """Rows as stored new items, fetched in order (so the pass processes them in order)."""
    rng = random.Random(offset)
    out = []
    for i, (title, text, _) in enumerate(rows, start=offset):
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        url = f"https://bench{i % 7}.example/a/{i}.html"
        fetched = (FIRST_FETCH + timedelta(seconds=i)).isoformat()
        item = RawItem(url=url, source_id=rng.choice(SOURCES), title=title, text=text,
                       fetched_at=fetched, published_at=day)  # fmt: skip
        out.append((url_key(canonical_url(url)), canonical_url(url), item))
    return out


# --- 1. band collisions ------------------------------------------------------------------------


def collision_rates(texts: list[str]) -> tuple[float, float, int]:
    """Shares of pairs sharing ≥ 1 LSH band and ≥ 1 sentence mark; the number of pairs."""
    by_band: dict[int, list[int]] = defaultdict(list)
    by_mark: dict[int, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        normalized = normalize_text(text)
        for band in dedup.band_keys(dedup.signature(normalized)):
            by_band[band].append(i)
        for mark in dedup.sentence_marks(normalized):
            by_mark[mark].append(i)
    pairs = len(texts) * (len(texts) - 1) // 2

    def share(index: dict[int, list[int]]) -> float:
        hit = {p for keys in index.values() for p in itertools.combinations(keys, 2)}
        return len(hit) / max(pairs, 1)

    return share(by_band), share(by_mark), pairs


def bench_collisions(real: realtext.RealText | None, sample: int = 2000) -> None:
    """Band and mark collision rates: real bodies vs this corpus vs the old synthetic corpus."""
    print("band collisions between distinct articles (share of pairs):")
    rows = [("synthetic (the old corpus)", [t for _, t, o in synthetic(sample) if o is None])]
    if real:
        rows.insert(0, ("real bodies of ../shared/realpages", real.bodies))
        rows.insert(
            1, ("this benchmark's corpus", [t for _, t, o in corpus(sample, real) if not o])
        )
    for name, texts in rows:
        band, mark, pairs = collision_rates(texts)
        print(f"  {name:<36} {len(texts):>5} texts, {pairs:>9} pairs: band {band:.5f}, "
              f"sentence mark {mark:.5f}")  # fmt: skip


# --- 2. lookup cost ----------------------------------------------------------------------------


def bench_lookup(sizes: list[int], real: realtext.RealText | None) -> None:
    """Median time of one candidate lookup (bands + sentence marks) as the tables grow."""
    rng = random.Random(7)
    probes = []
    for _, text, _ in corpus(200, real):
        normalized = normalize_text(text)
        probes.append(
            (dedup.band_keys(dedup.signature(normalized)), dedup.sentence_marks(normalized))
        )
    mean_marks = statistics.mean(len(m) for _, m in probes)
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
                    bands = [(rng.getrandbits(63), key) for _ in range(32)]
                    marks = [(rng.getrandbits(63), key) for _ in range(round(mean_marks))]
                    db.conn.executemany("INSERT INTO lsh_bands (band, key) VALUES (?, ?)", bands)
                    db.conn.executemany(
                        "INSERT INTO sentence_marks (mark, key) VALUES (?, ?)", marks
                    )
                    stored += 1
            times = []
            for bands, marks in probes:
                began = time.perf_counter()
                store.items.dedup_candidates(db, bands, marks, "probe")
                times.append((time.perf_counter() - began) * 1e6)
            print(f"candidate lookup (32 bands + {mean_marks:.0f} sentence marks) at {size:>7} "
                  f"stored items: median {statistics.median(times):6.0f} µs")  # fmt: skip


# --- 3. process stage and clicks ---------------------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM: ru_maxrss would be inherited through fork and exec)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_in_child(db_path: str, write_chunk: int = 0, workers: int = -1) -> None:
    """Run the process stage alone; print its figures as one JSON line."""
    import ops.process

    if write_chunk:
        ops.process.WRITE_CHUNK = write_chunk
    db = store.db.open_db(db_path)
    wall, cpu = time.perf_counter(), time.process_time()
    stats = process_new(db, load_config(ROOT / "config"), datetime(2026, 11, 24, tzinfo=UTC),
                        None if workers < 0 else workers)  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"n": stats.processed, "wall": wall, "cpu": cpu, "peak": _peak_rss_mb(),
                      "pending": stats.pending, "duplicate": stats.duplicate,
                      "off_topic": stats.off_topic}))  # fmt: skip


WRITE_CHUNK = [0]  # --write-chunk: items per write transaction in the child (0: the default)
WORKERS = [-1]  # --workers: worker processes of the pass (-1: its own choice)


def start_child(db_path: Path) -> subprocess.Popen[str]:
    code = (
        "from bench.pipeline import process_in_child; "
        f"process_in_child({str(db_path)!r}, {WRITE_CHUNK[0]}, {WORKERS[0]})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def finish(child: subprocess.Popen[str], label: str) -> dict[str, float]:
    out, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"the process stage failed ({label})")
    r = json.loads(out.strip().splitlines()[-1])
    n = r["n"]
    print(f"{label}: {n} items in {r['wall']:.1f} s: {n / r['wall']:.0f} items/s wall, "
          f"{n / max(r['cpu'], 1e-9):.0f} items per CPU second; peak RSS {r['peak']:.0f} MB; "
          f"pending {r['pending']}, duplicate {r['duplicate']}, "
          f"off_topic {r['off_topic']}")  # fmt: skip
    return r


class Clicker(threading.Thread):
    """An editor on the desk over HTTP: accept / restore on pending items, one click every 0.1 s."""

    def __init__(self, base: str, keys: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.keys, self.stop = base, keys, threading.Event()
        self.latencies: list[float] = []
        self.failures = 0
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(base + "/login", timeout=60).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {"name": EDITOR, "password": PASSWORD, "csrf_token": token[1] if token else ""}
        self.opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=60)
        queue = self.opener.open(base + "/queue", timeout=60).read().decode()
        header = re.search(r'"X-CSRFToken": "([^"]+)"', queue)
        if not header:
            raise SystemExit("bench editor could not log in to the desk")
        self.csrf = header[1]

    def run(self) -> None:
        accepted: set[str] = set()
        for n in itertools.count():
            if self.stop.wait(0.1):
                return
            key = self.keys[n % len(self.keys)]
            action = "restore" if key in accepted else "accept"
            began = time.perf_counter()
            try:
                self.click(key, action)
                accepted ^= {key}
            except OSError:
                self.failures += 1
            self.latencies.append((time.perf_counter() - began) * 1000)

    def click(self, key: str, action: str) -> None:
        """POST one decision the way the desk's buttons do (htmx, CSRF header)."""
        request = urllib.request.Request(
            f"{self.base}/items/{key}/{action}", data=b"", method="POST",
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true"},
        )  # fmt: skip
        with self.opener.open(request, timeout=120) as response:
            response.read()


def clicks_during(db_path: Path, label: str) -> None:
    """Process the stored new items in a child while an editor clicks; print the latencies."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from desk.web import create_app

    db = store.db.open_db(db_path)
    keys = [r[0] for r in db.execute(
        "SELECT key FROM items WHERE status = 'pending' ORDER BY rank DESC LIMIT 200")]  # fmt: skip
    db.conn.close()
    server = make_server("127.0.0.1", 0, create_app(str(db_path), str(ROOT / "config"), "bench"),
                         threaded=True)  # fmt: skip
    threading.Thread(target=server.serve_forever, daemon=True).start()
    clicker = Clicker(f"http://127.0.0.1:{server.server_port}", keys)
    idle = []
    for key in keys[:20]:  # the same clicks with no processing running: the baseline
        began = time.perf_counter()
        clicker.click(key, "accept")
        clicker.click(key, "restore")
        idle.append((time.perf_counter() - began) * 500)
    print(f"  editor's clicks with no processing: median {statistics.median(idle):.0f} ms")
    child = start_child(db_path)
    clicker.start()
    finish(child, label + ", while the editor clicks")
    clicker.stop.set()
    clicker.join()
    server.shutdown()
    lat = sorted(clicker.latencies)
    if lat:
        q = statistics.quantiles(lat, n=100, method="inclusive")
        print(f"  editor's clicks during processing: {len(lat)} clicks, {clicker.failures} "
              f"failed; p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, "
              f"max {lat[-1]:.0f} ms")  # fmt: skip


def bulk_fill(db: store.db.Database, rows: list[tuple[str, str, str | None]], offset: int) -> None:
    """Store rows as already processed items with every index the pass keeps (trigram, bands,
    sentence marks), without running the pass: what the store holds after a long history.

    Band and mark values are random, as unrelated real articles' almost never collide (section
    1); titles and texts are the corpus's, so the trigram index has its real size.
    """
    rng = random.Random(offset)
    with store.db.transaction(db):
        for key, canonical, item in raw_items(rows, offset):
            cursor = db.execute(
                """INSERT INTO items (key, source_id, url, canonical_url, title, published_at,
                   fetched_at, text, status, sector, cluster_id, rank, rank_base, content_hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 'hair', ?, ?, 0, ?)""",
                [key, item.source_id, item.url, canonical, item.title, item.published_at,
                 item.fetched_at, item.text, key, rng.random(), key],
            )  # fmt: skip
            db.execute(
                "INSERT INTO items_fts (rowid, title, text) VALUES (?, ?, ?)",
                [cursor.lastrowid, item.title, item.text],
            )
            db.conn.executemany(
                "INSERT INTO lsh_bands (band, key) VALUES (?, ?)",
                [(rng.getrandbits(63), key) for _ in range(32)],
            )
            db.conn.executemany(
                "INSERT INTO sentence_marks (mark, key) VALUES (?, ?)",
                [(rng.getrandbits(63), key) for _ in range(20)],
            )
        db.execute("UPDATE items SET processed_at = fetched_at WHERE processed_at IS NULL")


def bench_process(
    total: int, window: int, real: realtext.RealText | None, keep: Path | None
) -> None:
    """Time the pass over windows of new items at 20k and `total` stored items, and clicks.

    The first 5,000 items go through the real pass (real clusters, pending items to click on);
    the store then grows by a bulk fill (the pass would take hours on a loaded 2-core machine)
    and each window of new items after it is processed by the real pass.
    """
    from desk.auth import hash_password

    first = min(5_000, total)
    rows = corpus(first + 3 * window, real)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = (keep or Path(tmp)) / "bench.db"
        db = store.db.open_db(db_path)
        store.accounts.add_user(db, EDITOR, hash_password(PASSWORD), "bench")
        taken = 0

        def add(upto: int) -> None:
            nonlocal taken
            batch = raw_items(rows[taken:upto], taken)
            for start in range(0, len(batch), 1000):
                store.items.save_raw_items(db, batch[start : start + 1000])
            taken = upto

        def stored() -> int:
            return int(db.execute("SELECT count(*) FROM items WHERE status != 'new'").fetchone()[0])

        def fill(target: int) -> None:
            began, need = time.perf_counter(), target - stored()
            for start in range(0, need, 5000):
                bulk_fill(db, corpus(min(5000, need - start), real), 10**7 + stored())
            # A store with a long history has been through the nightly upkeep, which merges
            # the trigram index whole; the fill alone would leave the pass a merge debt that
            # the pass's own merge steps never let build up.
            store.backup.optimize(db)
            print(f"bulk fill to {stored()} stored items: {time.perf_counter() - began:.0f} s")

        add(first)
        finish(start_child(db_path), f"the pass over the first {first} items")
        for target in sorted({min(20_000, total), total}):
            fill(target)
            add(taken + window)
            finish(start_child(db_path), f"window of new items at {stored()} stored")
        add(taken + window)
        clicks_during(db_path, f"window of new items at {stored()} stored")
        db.conn.close()
        size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
        print(f"  database {size / 1e6:.0f} MB with the trigram index")


def main() -> None:
    """Run the three benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=2_000)
    parser.add_argument("--lookup-sizes", default="10000,100000,300000")
    parser.add_argument("--synthetic", action="store_true", help="ignore ../shared")
    parser.add_argument("--keep", type=Path, help="keep the database in this directory")
    parser.add_argument("--only", choices=["collisions", "lookup", "process"])
    parser.add_argument("--write-chunk", type=int, default=0, help="items per write transaction")
    parser.add_argument("--workers", type=int, default=-1, help="worker processes of the pass")
    args = parser.parse_args()
    WRITE_CHUNK[0] = args.write_chunk
    WORKERS[0] = args.workers
    real = None if args.synthetic else realtext.load()
    if real is None:
        why = "--synthetic" if args.synthetic else f"{realtext.SHARED} is absent"
        print(f"{why}: no real headlines or pages; using synthetic text from the demo articles, "
              "whose bands collide far more than real news does (the figures are not comparable "
              "with the README's)")  # fmt: skip
    else:
        print(f"real text: {len(real.headlines)} headlines, {len(real.bodies)} article bodies, "
              f"{len(real.clauses)} clauses")  # fmt: skip
    if args.only in (None, "collisions"):
        bench_collisions(real)
    if args.only in (None, "lookup"):
        bench_lookup([int(s) for s in args.lookup_sizes.split(",")], real)
    if args.only in (None, "process"):
        bench_process(args.items, args.window, real, args.keep)


if __name__ == "__main__":
    main()
