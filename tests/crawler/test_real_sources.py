"""Every real source in config/sources/ (not the demo ones), crawled against its offline replica.

tests/fixtures/sites/<host>/ reproduces what each source's config expects of the real site (list page,
detail pages, JSON API, robots.txt), built from the facts in ../shared/SOURCES.md. One crawl process
runs every real source over 127.0.0.1 (all hosts are routed to the fixture server, nothing resolves
DNS); each source then gets its own test, so a source whose structure drifts fails in one place.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demo.fixture_server import RequestLog, serve
from ops.config_files import load_config

ROOT = Path(__file__).parent.parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"
CONFIG = load_config(ROOT / "config")
REAL = [s for s in CONFIG.sources if Path(s.file).name != "demo.toml"]
REAL_FILES = sorted({Path(s.file).name for s in REAL})
SECTORS = [s.id for s in CONFIG.rules.sectors]


@dataclass
class Crawl:
    """The database of the one crawl over every replica, and what the server saw."""

    db: Path
    log: RequestLog
    stderr: str

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """One `python -m crawler` over every real source, config copied from the shipped one."""
    folder = tmp_path_factory.mktemp("real-sources")
    config = folder / "config"
    (config / "sources").mkdir(parents=True)
    for name in ("settings.toml", "sectors.toml"):
        shutil.copy(ROOT / "config" / name, config / name)
    for name in REAL_FILES:
        text = (ROOT / "config" / "sources" / name).read_text(encoding="utf-8")
        # --no-polite drops the global delays but not a source's own `delay` (caict-bps waits 5 s
        # per request): politeness is not what the replicas test.
        text = re.sub(r"^delay = .*$", "", text, flags=re.M)
        (config / "sources" / name).write_text(text, encoding="utf-8")
    db = folder / "crawl.db"
    with serve(SITES) as server:
        # Every host goes to the local server: a host without a replica answers 404 locally
        # instead of reaching the internet.
        env = {**os.environ, "NEWSDESK_HOST_MAP": f"*={server.proxy}"}
        command = [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db)]
        result = subprocess.run(
            [*command, "--no-polite", *(s.id for s in REAL)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return Crawl(db, server.log, result.stderr)


@pytest.mark.parametrize("source_id", [s.id for s in REAL])
def test_source_crawls_its_replica(crawl: Crawl, source_id: str) -> None:
    runs = crawl.rows("SELECT * FROM source_runs WHERE source_id = ?", (source_id,))
    assert len(runs) == 1, f"{source_id} did not run"
    assert runs[0]["error_kind"] is None, f"{runs[0]['error_kind']}: {runs[0]['error']}"
    items = crawl.rows("SELECT * FROM items WHERE source_id = ?", (source_id,))
    complete = [
        i for i in items if i["title"].strip() and i["published_at"] and len(i["text"]) >= 100
    ]
    assert complete, f"{source_id}: {len(items)} items, none with a title, a date and a body"
    # The stored headline is the article's, not the site's or the column's: it agrees with the
    # list page's link text wherever the list gives one.
    for item in items:
        listed = item["list_title"].rstrip("…").rstrip(".")
        if len(listed) >= 6:
            assert item["title"].startswith(listed[:6]), (item["title"], item["list_title"])


def test_every_real_source_has_a_replica_with_robots() -> None:
    for source in REAL:
        for url in source.urls:
            host = urlsplit(url).hostname or ""
            assert (SITES / host / "robots.txt").is_file(), f"{source.id}: no replica of {host}"


def test_the_crawl_stayed_on_replicated_hosts(crawl: Crawl) -> None:
    hosts = {host for _, host, _, _ in crawl.log.entries}
    assert hosts, "the fixture server saw no request"
    assert {h for h in hosts if not (SITES / h).is_dir()} == set()


def test_real_sources_are_enabled_unless_their_notes_say_why() -> None:
    for source in REAL:
        assert source.notes, f"{source.id}: every real source documents its quirks"
        if not source.enabled:
            assert re.search(r"[Ee]nable", source.notes), f"{source.id}: say how to enable it"


def test_every_sector_has_two_enabled_sources() -> None:
    per_sector: dict[str, list[str]] = defaultdict(list)
    for source in REAL:
        if source.enabled and source.sector_hint:
            per_sector[source.sector_hint].append(source.id)
    assert {s: ids for s, ids in per_sector.items() if len(ids) < 2} == {}
    assert sorted(per_sector) == sorted(SECTORS)


def test_the_readme_table_lists_every_sector_source() -> None:
    """README "Sources per sector": each sector's row names every source hinted to it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Sources per sector", 1)[1].split("\n## ", 1)[0]
    rows = {m[1]: m[2] for m in re.finditer(r"^\| [^|`]*`([a-z_]+)` \|(.*)$", section, re.M)}
    assert sorted(rows) == sorted(SECTORS)
    for source in REAL:
        if source.sector_hint:
            assert f"`{source.id}`" in rows[source.sector_hint], source.id
