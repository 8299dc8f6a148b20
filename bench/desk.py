"""Benchmark the editors' desk at 100,000 items: queue pages and searches, median and p95.

    .venv/bin/python bench/desk.py [--items 100000] [--runs 40]

Fills a fresh SQLite file (one transaction of executemany inserts, then one UPDATE of
processed_at so the schema's trigger builds the trigram index exactly as the pipeline does), logs
an editor in through the real login form, and times whole HTTP requests through the Flask app
(routing, SQL, templates). The target is a median under 150 ms for the queue and for a search.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import store.accounts  # noqa: E402
import store.db  # noqa: E402
from desk.auth import hash_password  # noqa: E402
from desk.web import create_app  # noqa: E402
from ops.config_files import load_config  # noqa: E402

STATUSES = (
    ["pending"] * 70 + ["accepted"] * 8 + ["rejected"] * 12 + ["duplicate"] * 6 + ["off_topic"] * 4
)
FETCHED = "2026-11-24T00:00:00+00:00"
FILLER = (
    "记者从有关部门获悉，今年以来全市坚持创新驱动发展战略，加快推进产业转型升级，重点项目建设进展顺利。"
    "据介绍，该项目总投资约{n}亿元，建成后将形成年产{m}万吨的生产能力，带动上下游企业协同发展。"
    "下一步，相关部门将进一步优化营商环境，强化要素保障，推动更多科技成果在本地转化落地。"
    "专家表示，产业链供应链的韧性和安全水平明显提升，企业研发投入持续增长，创新平台建设取得新突破。"
)


def fill(path: Path, count: int, seed: int = 7) -> float:
    """Insert `count` processed items; return the seconds it took."""
    config = load_config(ROOT / "config")
    rng = random.Random(seed)
    sectors = [(s.id, [k.term for k in s.keywords]) for s in config.rules.sectors]
    sources = [s.id for s in config.sources] or ["bench"]
    db = store.db.open_db(path)
    started = time.perf_counter()
    rows = []
    for i in range(count):
        sector, terms = rng.choice(sectors)
        picked = rng.sample(terms, k=min(3, len(terms)))
        where = rng.choice(["我市", "我省", "许昌"])
        news = rng.choice(["加快发展", "取得突破", "项目签约", "再上台阶"])
        title = f"{where}{picked[0]}产业{news}（{i}）"
        body = "\n".join(
            f"{t}{FILLER.format(n=rng.randint(2, 90), m=rng.randint(1, 50))}" for t in picked
        )
        status = rng.choice(STATUSES)
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        rows.append((
            f"bench{i:07d}", rng.choice(sources), f"https://bench.example/{i}.html",
            f"https://bench.example/{i}.html", title, f"{day}T09:00:00+08:00", FETCHED,
            "许昌市科学技术局", body, body[:120], sector if status != "off_topic" else "off_topic",
            rng.uniform(3, 60), rng.uniform(0, 20), rng.choice([0, 0, 0, 1, 2, 3]), status,
        ))  # fmt: skip
    with store.db.transaction(db):
        db.conn.executemany(
            """INSERT INTO items (key, source_id, url, canonical_url, title, published_at,
               fetched_at, source_name, text, summary, sector, score, rank, reprints, status)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            rows,
        )
        # Exactly how the pipeline indexes an item: the processed_at trigger feeds items_fts.
        db.execute("UPDATE items SET processed_at = '2026-11-24T00:00:00+00:00'")
    store.accounts.add_user(db, "bench", hash_password("bench-password"))
    db.execute("ANALYZE")
    db.conn.close()
    return time.perf_counter() - started


def _login(client: object) -> None:
    page = client.get("/login").text  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"name": "bench", "password": "bench-password", "csrf_token": token[1]}
    assert client.post("/login", data=form).status_code == 302  # type: ignore[attr-defined]


def timed(client: object, url: str, runs: int) -> tuple[float, float, int]:
    """Median and p95 in ms of GET `url`, and the rows on the page."""
    times = []
    body = ""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        body = response.text
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, body.count('<article class="item ')


def main() -> None:
    """Fill, then time the pages an editor opens most."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="items to generate")
    parser.add_argument("--runs", type=int, default=40, help="requests per measured page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        seconds = fill(path, args.items)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        print(f"filled {args.items:,} items in {seconds:.1f} s (with trigram index); {size:.0f} MB")
        app = create_app(str(path), str(ROOT / "config"), secret_key="bench")
        client = app.test_client()
        _login(client)
        pages = [
            ("queue, first page (pending, all sectors)", "/queue"),
            ("queue, page 500 (deep offset)", "/queue?p=500"),
            ("queue, one sector (发制品)", "/queue?sector=hair"),
            (
                "queue, source + date filter",
                "/queue?source=demo-xc-kjj&from=2026-06-01&to=2026-08-31",
            ),
            ("search, common 3-char term (工业互联网)", "/queue?q=工业互联网"),
            ("search, rare term (项目签约（123）)", "/queue?q=%EF%BC%88123%EF%BC%89"),
            ("search, 2-char term (产业, trigram vocabulary)", "/queue?q=产业"),
            ("search, 2-char term (尼龙)", "/queue?q=尼龙"),
            ("search, in every item (记者从)", "/queue?q=记者从"),
            ("search, all statuses", "/queue?status=&q=尼龙新材料"),
            ("item view with 上一条/下一条 (deep in the queue)", "/items/bench0050000"),
            ("item view, filtered (发制品 queue)", "/items/bench0050000?sector=hair"),
            ("queue, compact view (one line per item)", "/queue?view=compact"),
        ]
        print(f"{'page':48} {'median ms':>10} {'p95 ms':>8} {'rows':>5}")
        for label, url in pages:
            median, p95, rows = timed(client, url, args.runs)
            print(f"{label:48} {median:10.1f} {p95:8.1f} {rows:5d}")
        propose_figures(path, client, args.runs)


def propose_figures(path: Path, client: object, runs: int) -> None:
    """一键生成初稿 over every pending and accepted item (no issue finalized yet), then the
    issue page that lists each industry's runner-up on every redraw."""
    from desk.proposal import plan

    config = load_config(ROOT / "config")
    db = store.db.open_db(path)
    try:
        candidates = db.execute(
            "SELECT count(*) FROM items WHERE status IN ('pending', 'accepted')"
        ).fetchone()[0]
        times = []
        for _ in range(max(3, runs // 10)):
            started = time.perf_counter()
            proposal = plan(db, config)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        db.conn.close()
    label = f"proposal plan over {candidates:,} candidates"
    median = statistics.median(times)
    print(f"{label:48} {median:10.1f} {max(times):8.1f} {len(proposal.picks):5d}")
    page = client.get("/issues").text  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    made = client.post("/issues/propose", data={"csrf_token": token[1]})  # type: ignore[attr-defined]
    assert made.status_code == 302, made.status_code
    median, p95, _ = timed(client, made.headers["Location"], runs)
    print(f"{'issue page of the proposal (runners-up)':48} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
