"""Automatic detection over loopback: every replica and demo list crawled twice, with its list
selectors and without them; and a redesigned replica that heals itself and raises one alert."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import store.db
from crawler.autolist import url_shape
from demo.fixture_server import DEMO_ROOT
from ops import monitor
from ops.config_files import load_config
from ops.report import source_rows, status_report
from tests.crawler.conftest import ROOT, Crawl, make_config, run_crawl

SITES = ROOT / "tests" / "fixtures" / "sites"
CONFIG = load_config(ROOT / "config")


def listing_toml(files: list[str], strip: bool) -> str:
    """The listing sources of these config files, with [source.list] and [source.pagination]
    removed when `strip` (source delays dropped: politeness is not what this tests)."""
    chunks = []
    for name in files:
        text = (ROOT / "config" / "sources" / name).read_text(encoding="utf-8")
        for chunk in text.split("[[source]]")[1:]:
            if not re.search(r'^kind = "listing"', chunk, re.M):
                continue
            chunk = re.sub(r"^delay = .*$", "", chunk, flags=re.M)
            if strip:
                chunk = re.sub(r"^\[source\.(?:list|pagination)\]\n(?:[^\[\n].*\n?|\n)*", "",
                               chunk, flags=re.M)  # fmt: skip
            chunks.append("[[source]]" + chunk)
    return "\n".join(chunks)


REAL_FILES = sorted({Path(s.file).name for s in CONFIG.sources} - {"demo.toml"})


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Crawl]:
    """Replicas and demo sites, each with and without list selectors."""
    result = {}
    for label, files, root in (("real", REAL_FILES, SITES), ("demo", ["demo.toml"], DEMO_ROOT)):
        for strip in (False, True):
            toml = listing_toml(files, strip)
            if strip:
                assert "[source.list]" not in toml
            folder = tmp_path_factory.mktemp(f"{label}-{strip}")
            crawl = run_crawl(folder, toml, root=root)
            assert crawl.returncode == 0, crawl.stderr[-3000:]
            result[f"{label}-{'auto' if strip else 'selectors'}"] = crawl
    return result


def urls_by_source(crawl: Crawl) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in crawl.rows("SELECT source_id, url FROM items"):
        found.setdefault(row["source_id"], set()).add(row["url"])
    return found


@pytest.mark.parametrize("label", ["real", "demo"])
def test_detection_finds_what_the_selectors_find(crawls: dict[str, Crawl], label: str) -> None:
    wanted = urls_by_source(crawls[f"{label}-selectors"])
    found = urls_by_source(crawls[f"{label}-auto"])
    articles = sum(len(v) for v in wanted.values())
    hits = sum(len(v & found.get(k, set())) for k, v in wanted.items())
    total = sum(len(v) for v in found.values())
    non_articles = sum(
        1 for k, v in found.items() for u in v - wanted.get(k, set())
        if url_shape(u) not in {url_shape(w) for w in wanted.get(k, set())}
    )  # fmt: skip
    print(f"{label}: detection stored {hits}/{articles} articles, {non_articles}/{total} others")
    assert articles >= (30 if label == "real" else 8)
    assert hits / articles >= 0.95
    assert non_articles / total <= 0.02


@pytest.mark.parametrize("label", ["real-auto", "real-selectors", "demo-auto", "demo-selectors"])
def test_every_crawl_runs_clean_and_unflagged(crawls: dict[str, Crawl], label: str) -> None:
    for run in crawls[label].rows("SELECT * FROM source_runs"):
        assert run["error_kind"] is None, run
        # No list selectors to break, and the detail selectors match their replicas.
        assert run["flag"] is None, run
    marks = {r["found_by"] for r in crawls[label].rows("SELECT found_by FROM items")}
    assert marks == ({"detection"} if label.endswith("auto") else {""})


@pytest.mark.parametrize("label", ["real", "demo"])
def test_detection_pages_as_far_as_the_configured_pager(
    crawls: dict[str, Crawl], label: str
) -> None:
    # Every list page the configured pagination fetched, detection fetched too.
    paged = {s.id for s in CONFIG.sources if s.pagination is not None and s.kind == "listing"}
    with_sel = {r["source_id"]: r["pages"] for r in crawls[f"{label}-selectors"].rows(
        "SELECT source_id, pages FROM source_runs")}  # fmt: skip
    auto = {r["source_id"]: r["pages"] for r in crawls[f"{label}-auto"].rows(
        "SELECT source_id, pages FROM source_runs")}  # fmt: skip
    checked = [sid for sid in with_sel if sid in paged]
    assert checked
    assert {sid: auto[sid] for sid in checked} == {sid: with_sel[sid] for sid in checked}


def redesigned_ndrc(root: Path) -> None:
    """The NDRC replica after a redesign: new class names, the <ul> list became <div>s."""
    shutil.copytree(SITES / "www.ndrc.gov.cn", root / "www.ndrc.gov.cn")
    page = root / "www.ndrc.gov.cn" / "xwdt" / "xwfb" / "index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace('<ul class="u-list">', '<div class="news-list-v2">').replace(
        "</ul>", "</div>"
    )
    html = html.replace("<li>", '<div class="news-row">').replace("</li>", "</div>")
    html = html.replace("<span>", '<em class="t">').replace("</span>", "</em>")
    assert "u-list" not in html
    page.write_text(html, encoding="utf-8")


def test_a_redesigned_replica_keeps_yielding_and_raises_the_selector_alert(
    tmp_path: Path,
) -> None:
    root = tmp_path / "sites"
    redesigned_ndrc(root)
    toml = listing_toml(["national.toml"], strip=False)
    ndrc = next(c for c in toml.split("[[source]]") if 'id = "ndrc-xwfb"' in c)
    crawl = run_crawl(tmp_path, "[[source]]" + ndrc, root=root)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    run = crawl.source_run("ndrc-xwfb", 1)
    assert run["error_kind"] is None, run
    stored = crawl.rows("SELECT found_by FROM items WHERE source_id = 'ndrc-xwfb'")
    assert [r["found_by"] for r in stored] == ["detection", "detection"]
    assert "selectors of ndrc-xwfb broke on" in run["flag"]
    assert "automatic detection found 4 items" in run["flag"]
    assert "item = 'div.container > div.news-list-v2 > div.news-row'" in run["flag"]
    config = load_config(make_config(tmp_path, "[[source]]" + ndrc))
    db = store.db.open_db(str(crawl.db))
    now = datetime.now(UTC)
    alerts = monitor.evaluate(db, config, now)
    assert [a.kind for a in alerts] == ["selectors_broken"]
    monitor.raise_alerts(db, config, alerts, now)
    (row,) = source_rows(db, config)
    assert row["code"] == "flagged" and "proposed selectors" in row["detail"]
    assert "SELECTORS BROKEN" in status_report(db, config)


PARTIAL = """
[[source]]
id = "partial"
name = "partial"
kind = "listing"
urls = ["http://partial.example/list/"]
[source.list]
item = "ul.news li.item"
date = "span::text"
"""


def partial_site(root: Path, batch: int, classed: int) -> None:
    """A list of nine articles of which the first `classed` keep the class the selector wants."""
    site = root / "partial.example" / "list"
    site.mkdir(parents=True, exist_ok=True)
    (root / "partial.example" / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    template = SITES / "www.ndrc.gov.cn" / "xwdt" / "xwfb" / "202611" / "t20261119_1402233.html"
    article = template.read_text(encoding="utf-8")
    lis = []
    for n in range(9):
        name = f"b{batch}-{n}.html"
        title = f"许昌市第{batch}批产业项目第{n + 1}号集中签约仪式举行"
        (site / name).write_text(article.replace("国家发展改革委举行11月份新闻发布会", title))
        cls = ' class="item"' if n < classed else ' class="row-v2"'
        lis.append(f'<li{cls}><a href="{name}">{title}</a><span>2026-11-{20 - n}</span></li>')
    page = f'<html><head><meta charset="utf-8"></head><body><ul class="news">{"".join(lis)}</ul>'
    (site / "index.html").write_text(page + "</body></html>", encoding="utf-8")


def test_selectors_that_catch_far_fewer_than_usual_are_healed(tmp_path: Path) -> None:
    root, db = tmp_path / "sites", tmp_path / "crawl.db"
    partial_site(root, 1, classed=9)
    first = run_crawl(tmp_path, PARTIAL, root=root, db=db)
    assert first.source_run("partial", 1)["flag"] is None
    partial_site(root, 2, classed=1)  # a redesign reached all but the first item
    second = run_crawl(tmp_path, PARTIAL, root=root, db=db)
    run = second.source_run("partial", 2)
    assert run["error_kind"] is None, run
    assert "matched only 1 items (usually 9)" in run["flag"], run["flag"]
    assert "automatic detection found 9 items" in run["flag"]
    assert run["new"] == 9
