"""End to end over the bundled demo sites: a real HTTP crawl into a real SQLite file."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).parent.parent.parent
ARTICLES = tomllib.loads((ROOT / "demo" / "sites" / "articles.toml").read_text("utf-8"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """Run `newsdesk demo` once, then `newsdesk demo --keep-db` again on the same database."""
    db = tmp_path_factory.mktemp("demo") / "newsdesk.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["--config", str(ROOT / "config"), "--db", str(db), "demo"])
    assert first.exit_code == 0, first.output
    counts = sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0]
    second = runner.invoke(
        cli, ["--config", str(ROOT / "config"), "--db", str(db), "demo", "--keep-db"]
    )
    assert second.exit_code == 0, second.output
    assert sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0] == counts
    return db, first.output, second.output


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return sqlite3.connect(db).execute(sql).fetchall()


def test_the_demo_stores_every_article_and_every_reprint(demo_db: tuple[Path, str, str]) -> None:
    db, _, _ = demo_db
    expected = len(ARTICLES["article"]) + sum(
        len(a.get("reprinted_on", [])) for a in ARTICLES["article"]
    )
    assert rows(db, "SELECT count(*) FROM items")[0][0] == expected
    assert rows(db, "SELECT count(*) FROM items WHERE status = 'new'")[0][0] == 0


def test_the_demo_fills_many_sectors(demo_db: tuple[Path, str, str]) -> None:
    db, output, _ = demo_db
    sectors = {s for (s,) in rows(db, "SELECT DISTINCT sector FROM items WHERE status = 'pending'")}
    assert len(sectors - {"off_topic"}) >= 10
    assert "queue (pending per sector)" in output


def test_reprints_across_sites_are_one_cluster(demo_db: tuple[Path, str, str]) -> None:
    db, _, _ = demo_db
    reprinted = [a for a in ARTICLES["article"] if a.get("reprinted_on")]
    duplicates = rows(db, "SELECT count(*) FROM items WHERE status = 'duplicate'")[0][0]
    assert duplicates == sum(len(a["reprinted_on"]) for a in reprinted)
    for article in reprinted:
        members = rows(
            db,
            f"""SELECT DISTINCT cluster_id FROM items WHERE title LIKE '%{article["title"][-12:]}%'
                OR list_title LIKE '%{article["title"][-12:]}%'""",
        )
        assert len(members) == 1, article["title"]


def test_a_second_run_fetches_no_detail_page_again(demo_db: tuple[Path, str, str]) -> None:
    _, _, second = demo_db
    assert "0 new" in second.splitlines()[1]


def test_every_source_worked(demo_db: tuple[Path, str, str]) -> None:
    db, _, _ = demo_db
    failures = rows(db, "SELECT source_id, error_kind, error FROM source_runs WHERE run_id = 1")
    assert [f for f in failures if f[1]] == []
    assert len(failures) == 6
