"""Crawl fixture sites for real: a local server, a temp config, `python -m crawler` in a child."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from demo.fixture_server import RequestLog, serve

ROOT = Path(__file__).parent.parent.parent
CRAWL_SITES = ROOT / "tests" / "fixtures" / "crawl" / "www"
# Fast failure settings: real timeouts and retries, just short.
TEST_SETTINGS = """
[crawl]
delay = 0
timeout = 1.5
retries = 1
max_response_mb = 1
concurrency_per_domain = 4
[newsletter]
title = "竞争情报快递"
publisher = "许昌市科学技术情报所"
sections = ["发展态势"]
"""


@dataclass
class Crawl:
    """What one crawl left: its database, the server's request log, the child's stderr."""

    db: Path
    log: RequestLog
    stderr: str
    returncode: int

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Query the crawl's database."""
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]

    def source_run(self, source_id: str, run_id: int) -> dict[str, Any]:
        """One source's row in one run."""
        (row,) = self.rows(
            "SELECT * FROM source_runs WHERE source_id = ? AND run_id = ?", (source_id, run_id)
        )
        return row


def make_config(folder: Path, sources_toml: str) -> Path:
    """A config dir with fast crawl settings, the real sector rules and the given sources."""
    config = folder / "config"
    (config / "sources").mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text(TEST_SETTINGS, encoding="utf-8")
    shutil.copy(ROOT / "config" / "sectors.toml", config / "sectors.toml")
    (config / "sources" / "test.toml").write_text(sources_toml, encoding="utf-8")
    return config


def run_crawl(
    folder: Path, sources_toml: str, root: Path = CRAWL_SITES, db: Path | None = None
) -> Crawl:
    """Run `python -m crawler` over fixture sites; every host goes to the local server."""
    config = make_config(folder, sources_toml)
    db = db or folder / "crawl.db"
    with serve(root) as server:
        # `*.invalid` answers like an unknown domain; everything else is the local server.
        env = {**os.environ, "NEWSDESK_HOST_MAP": f"*.invalid=nxdomain,*={server.proxy}"}
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db)],
            env=env, capture_output=True, text=True, timeout=120, cwd=folder,
        )  # fmt: skip
        return Crawl(db, server.log, proc.stderr, proc.returncode)


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., Crawl]:
    """`run_crawl` in this test's temporary folder."""

    def run(sources_toml: str, root: Path = CRAWL_SITES, db: Path | None = None) -> Crawl:
        return run_crawl(tmp_path, sources_toml, root, db)

    return run
