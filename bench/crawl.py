# ruff: noqa: E501  (HTML templates and printed tables read better on one line)
"""Crawl throughput: newsdesk's listing spider vs. a bare Scrapy spider on a generated site.

Serves a generated TRS-style site of N articles (default 5,000) on 127.0.0.1, then crawls it:
1. with newsdesk (`python -m crawler --no-polite`, full item path into a fresh SQLite file),
2. with a bare Scrapy spider that follows list → detail and yields the title,
3. with newsdesk again on the same database (the incremental run: list pages only).
Prints pages/s for each, their ratio, peak RSS, and the incremental run's request count.
Usage: python bench/crawl.py [--articles 5000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.fixture_server import serve  # noqa: E402

HOST = "bench.example"
PER_PAGE = 50
PARAGRAPH = (
    "许昌市持续推进制造业高质量发展，围绕电力装备、发制品、超硬材料等重点产业链，强化链主企业引领，"
    "加快关键技术攻关和数字化改造，产业集群规模不断扩大，创新能力明显增强，为全市经济稳中向好提供了有力支撑。"
)
DETAIL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_工作动态_许昌市某局</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date} 09:30">
<meta name="ContentSource" content="许昌市科学技术局"><style>{css}</style></head><body>
<div class="header"><ul class="nav">{nav}</ul></div><div class="main"><div class="side"><ul>{nav}</ul></div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：{date} 09:30 来源：许昌市科学技术局</div>
<div class="TRS_Editor">{body}</div></div></div>
<div class="footer">主办单位：许昌市某局 网站标识码：4110000000 豫ICP备00000000号</div></body></html>"""


def build_site(folder: Path, articles: int) -> None:
    """Write list pages (50 links each, TRS index_N.html naming) and ~29 KB detail pages."""
    rng = random.Random(20261124)
    nav = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(40))
    css = ".x{color:#333}" * 300
    site = folder / HOST
    (site / "list").mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    links = []
    for n in range(articles):
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        title = f"许昌市重点产业链项目建设推进会第{n}次会议召开"
        paras = "".join(f"<p>{PARAGRAPH}（第{n}篇第{k}段）</p>" for k in range(rng.randint(8, 14)))
        html = DETAIL.format(title=title, date=day, body=paras, nav=nav, css=css)
        (site / "list" / f"t{n}.html").write_text(html, encoding="utf-8")
        links.append(f'<li><a href="t{n}.html" title="{title}">{title}</a><span>{day}</span></li>')
    pages = [links[i : i + PER_PAGE] for i in range(0, len(links), PER_PAGE)]
    for i, chunk in enumerate(pages):
        name = "index.html" if i == 0 else f"index_{i}.html"
        more = f'<a class="next" href="index_{i + 1}.html">下一页</a>' if i + 1 < len(pages) else ""
        html = f'<html><head><meta charset="utf-8"></head><body><ul class="news">{"".join(chunk)}'
        (site / "list" / name).write_text(html + f"</ul>{more}</body></html>", encoding="utf-8")


def write_config(folder: Path, list_pages: int) -> Path:
    """A config dir with one listing source over the generated site."""
    config = folder / "config"
    (config / "sources").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "settings.toml", config / "settings.toml")
    shutil.copy(ROOT / "config" / "sectors.toml", config / "sectors.toml")
    source = f"""
        [[source]]
        id = "bench"
        name = "bench"
        kind = "listing"
        urls = ["http://{HOST}/list/index.html"]
        [source.list]
        item = "ul.news li"
        date = "span::text"
        [source.pagination]
        pattern = "index_{{n}}.html"
        max_pages = {list_pages}
    """
    (config / "sources" / "bench.toml").write_text(textwrap.dedent(source), encoding="utf-8")
    return config


BARE_SPIDER = """
import scrapy, sys
from scrapy.crawler import CrawlerProcess

class Bare(scrapy.Spider):
    name = "bare"
    start_urls = ["http://%(host)s/list/index.html"]
    def parse(self, response):
        for href in response.css("ul.news li a::attr(href)").getall():
            yield response.follow(href, self.detail)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)
    def detail(self, response):
        yield {"title": response.css("h1::text").get()}

process = CrawlerProcess({
    "CONCURRENT_REQUESTS": %(concurrency)d, "CONCURRENT_REQUESTS_PER_DOMAIN": %(concurrency)d,
    "DOWNLOAD_DELAY": 0, "CONCURRENT_ITEMS": 10, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False, "REMOTE_CONTROL_ENABLED": False,
    "NEWSDESK_HOST_MAP": {"%(host)s": "%(proxy)s"},
    "DOWNLOADER_MIDDLEWARES": {"crawler.hostmap.HostMapMiddleware": 740},
})
process.crawl(Bare)
process.start()
"""


# Runs a command and prints its peak RSS: RUSAGE_CHILDREN is per waiting process, so each
# measured crawl gets a fresh parent and its own figure.
_RSS_WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one command."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, *cmd], env=env, check=True, cwd=ROOT,
        capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    return elapsed, int(out.stdout.split()[-1]) // 1024


def main() -> None:
    """Build, serve, crawl three times, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build_site(folder / "www", args.articles)
        list_pages = -(-args.articles // PER_PAGE)
        config = write_config(folder, list_pages)
        db = folder / "bench.db"
        pages = args.articles + list_pages
        with serve(folder / "www") as server:
            env = {**os.environ, "NEWSDESK_HOST_MAP": f"{HOST}={server.proxy}"}
            crawl = [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db)]
            nd_time, nd_rss = timed([*crawl, "--no-polite"], env)
            # The same concurrency as newsdesk's impolite mode (crawler/settings.py).
            bare = BARE_SPIDER % {"host": HOST, "proxy": server.proxy, "concurrency": 16}
            (folder / "bare.py").write_text(bare, encoding="utf-8")
            bare_time, bare_rss = timed([sys.executable, str(folder / "bare.py")], env)
            server.log.clear()
            incr_time, _ = timed([*crawl, "--no-polite"], env)
            incremental_requests = len(server.log.entries)
        import sqlite3

        stored = sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0]
    nd_rate, bare_rate = pages / nd_time, pages / bare_time
    print(f"site: {args.articles} articles + {list_pages} list pages ({pages} pages)")
    print(
        f"newsdesk listing spider: {nd_time:6.1f} s  {nd_rate:6.1f} pages/s  peak RSS {nd_rss} MB"
    )
    print(
        f"bare Scrapy spider:      {bare_time:6.1f} s  {bare_rate:6.1f} pages/s  peak RSS {bare_rss} MB"
    )
    print(f"ratio newsdesk/bare: {nd_rate / bare_rate:.0%} (target >= 70%); items stored: {stored}")
    print(
        f"incremental run: {incremental_requests} requests in {incr_time:.1f} s (target: list only)"
    )


if __name__ == "__main__":
    main()
