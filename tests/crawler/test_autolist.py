"""Automatic list detection: every list shape we know, every replica and demo site, a redesign.

The shapes under tests/fixtures/lists/ (TRS, Hanweb, UCAP, Epoint, DESTOON, JPaaS, Discuz, PHPCMS,
WordPress, a table list, a page with three lists) carry their truth in truth.json. The replicas'
truth is what their configured selectors find. Detection must find >= 95 % of the articles with
<= 2 % links that are not articles, and the configured next page.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.autolist import detect_list, url_shape
from crawler.parse import decode_body, next_page_url, parse_listing
from ops.config_files import load_config
from pipeline.models import Source

ROOT = Path(__file__).parent.parent.parent
LISTS = ROOT / "tests" / "fixtures" / "lists"
TRUTH = json.loads((LISTS / "truth.json").read_text(encoding="utf-8"))
SITES = ROOT / "tests" / "fixtures" / "sites"
DEMO = ROOT / "demo" / "sites" / "www"
CONFIG = load_config(ROOT / "config")
LISTINGS = [s for s in CONFIG.sources if s.kind == "listing" and s.listing is not None]


def site_file(source: Source) -> Path:
    """The replica (or demo) file the fixture server answers the source's first URL with."""
    parts = urlsplit(source.urls[0])
    root = (DEMO if Path(source.file).name == "demo.toml" else SITES) / (parts.hostname or "")
    rel = parts.path.lstrip("/")
    if not rel or rel.endswith("/") or (root / rel).is_dir():
        rel = rel.rstrip("/") + "/index.html" if rel.strip("/") else "index.html"
    if parts.query:
        stem, dot, ext = rel.rpartition(".")
        rel = f"{stem}__{parts.query}.{ext}" if dot and "/" not in ext else f"{rel}__{parts.query}"
    return root / rel


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_each_list_shape_is_found_with_its_next_page(name: str) -> None:
    truth = TRUTH[name]
    html = (LISTS / f"{name}.html").read_text(encoding="utf-8")
    found = detect_list(html, truth["url"])
    assert [i.url for i in found.items] == truth["articles"], found.explanation
    assert all(len(i.title) >= 8 for i in found.items)
    assert found.paging.next_url == truth["next"], found.paging
    assert found.explanation[0].startswith("chosen block")


@pytest.mark.parametrize("name", sorted(set(TRUTH) - {"hanweb"}))
def test_proposed_selectors_find_the_same_items(name: str) -> None:
    """The [source.list] that `sources add` would write reads the same list."""
    truth = TRUTH[name]
    html = (LISTS / f"{name}.html").read_text(encoding="utf-8")
    found = detect_list(html, truth["url"])
    assert found.selectors is not None, found.explanation
    entries = parse_listing(html, truth["url"], found.selectors)
    assert [e.url for e in entries] == truth["articles"]
    assert all(e.title for e in entries) and all(e.date for e in entries)
    pagination = found.paging.proposal()
    if truth["next"]:
        assert pagination is not None
        assert next_page_url(html, truth["url"], pagination, 0) == truth["next"]


def test_pages_that_are_not_lists_are_said_so() -> None:
    article = (SITES / "www.most.gov.cn" / "tztg").glob("*/*.html")
    for page in [*article, ROOT / "tests/fixtures/crawl/www/redesign.example/list/index.html"]:
        found = detect_list(page.read_text(encoding="utf-8"), "http://x.example/a/b.html")
        assert not found.plausible and found.items == ()
        assert found.explanation[0].startswith("no ")
    shell = '<html><body><div class="nav"><a href="/">首页</a></div><div id="app"></div></body>'
    assert not detect_list(shell, "http://x.example/list/").plausible


def score(sources: list[Source]) -> tuple[int, int, int, int, list[str]]:
    """Articles, found articles, found links, found non-article links over these sources."""
    articles = hits = found_total = non_articles = 0
    misses = []
    for source in sources:
        assert source.listing is not None
        decoded = decode_body(site_file(source).read_bytes(), "", source.encoding)
        truth = {e.url for e in parse_listing(decoded.text, source.urls[0], source.listing,
                                              source.link_pattern)}  # fmt: skip
        shapes = {url_shape(u) for u in truth}
        found = {
            i.url for i in detect_list(decoded.text, source.urls[0], source.link_pattern).items
        }
        articles += len(truth)
        hits += len(truth & found)
        found_total += len(found)
        # Another column's article of the same shape (MEE's 要闻动态 page shows six columns) is an
        # article; a navigation, category or pager link is not.
        non_articles += sum(1 for u in found - truth if url_shape(u) not in shapes)
        if truth - found:
            misses.append(source.id)
    return articles, hits, found_total, non_articles, misses


def test_detection_finds_the_replicas_and_demo_lists() -> None:
    articles, hits, found, non_articles, misses = score(LISTINGS)
    print(f"replicas+demo: {hits}/{articles} articles, {non_articles}/{found} non-article links")
    assert hits / articles >= 0.95, misses
    assert non_articles / found <= 0.02


@pytest.mark.parametrize("source", [s for s in LISTINGS if s.pagination], ids=lambda s: s.id)
def test_detection_finds_the_configured_next_page(source: Source) -> None:
    assert source.pagination is not None
    decoded = decode_body(site_file(source).read_bytes(), "", source.encoding)
    wanted = next_page_url(decoded.text, source.urls[0], source.pagination, 0)
    assert detect_list(decoded.text, source.urls[0]).paging.next_url == wanted


REAL_PAGES = ROOT.parent / "shared" / "realpages"


def test_real_article_pages_are_not_taken_for_lists() -> None:
    """123 real article pages (../shared/realpages): detection never fails on them, and most are
    told apart from list pages (their 相关阅读 and sidebar lists notwithstanding)."""
    from crawler.pagekind import looks_like_article

    if not (REAL_PAGES / "truth.jsonl").is_file():
        pytest.skip("../shared/realpages/ is not part of a user's clone")
    pages = [json.loads(line) for line in (REAL_PAGES / "truth.jsonl").read_text().splitlines()]
    told = 0
    for page in pages:
        html = decode_body((REAL_PAGES / page["file"]).read_bytes()).text
        url = page.get("url") or "http://x.example/a/b.html"
        found = detect_list(html, url)
        told += not found.plausible or looks_like_article(html, url, found)
    print(f"real article pages told from lists: {told}/{len(pages)}")
    assert told / len(pages) >= 0.7
