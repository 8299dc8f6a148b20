"""`newsdesk sources add` as ops would use it, on replicas of three different CMSs."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from demo.fixture_server import serve

ROOT = Path(__file__).parent.parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped config, every host routed to the replicas."""
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    # Politeness delays are not what this tests (the shipped 2 s per request would dominate).
    settings = folder / "settings.toml"
    text = settings.read_text(encoding="utf-8").replace("delay = 2.0", "delay = 0.0")
    settings.write_text(text, encoding="utf-8")
    with serve(SITES) as server:
        monkeypatch.setenv("NEWSDESK_HOST_MAP", f"*={server.proxy}")
        yield folder


def newsdesk(config: Path, *args: str, answer: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], input=answer)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("url", "sid", "item"),
    [
        ("https://www.most.gov.cn/tztg/", "most-tztg-new", "div.list-main > ul > li"),  # TRS
        ("https://www.chinahair.org.cn/news/list-12.html", "hair-new", "li.catlist_li"),  # DESTOON
        ("http://kjj.xuchang.gov.cn/", "kjj-new", " > li"),  # Epoint
    ],
)
def test_the_written_source_passes_check_and_crawls(
    config: Path, tmp_path: Path, url: str, sid: str, item: str
) -> None:
    code, out = newsdesk(config, "sources", "add", url, "--id", sid, "--file", "new.toml", "--yes")
    assert code == 0, out
    assert "chosen block" in out and "dry run of" in out and "title 100%" in out
    written = (config / "sources" / "new.toml").read_text(encoding="utf-8")
    assert f'id = "{sid}"' in written and "[source.list]" in written and item in written
    code, out = newsdesk(config, "sources", "check")
    assert code == 0, out
    db = tmp_path / "crawl.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db), sid],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    conn = sqlite3.connect(db)
    ((kind, flag),) = conn.execute("SELECT error_kind, flag FROM source_runs").fetchall()
    assert kind is None and flag is None
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] >= 1


def test_nothing_is_written_without_a_yes(config: Path) -> None:
    code, out = newsdesk(config, "sources", "add", "https://www.most.gov.cn/tztg/", answer="n\n")
    assert code == 0 and "not written" in out
    assert not (config / "sources" / "added.toml").exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://www.most.gov.cn/tztg/202611/t20261118_192345.html", "single article"),
        ("https://www.miit.gov.cn/search/zcwjk.html", 'kind = "json"'),
    ],
)
def test_a_page_that_is_not_a_list_is_explained(config: Path, url: str, says: str) -> None:
    code, out = newsdesk(config, "sources", "add", url, "--yes")
    assert code == 1 and says in out
    assert not (config / "sources" / "added.toml").exists()
