"""`newsdesk sources test` and `newsdesk extract` as ops use them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).parent.parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"


def test_sources_test_shows_what_would_be_extracted_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(ROOT / "config"),
            "--db",
            str(db),
            "sources",
            "test",
            "demo-hn-kjt",
            "--limit",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["date", "body", "title", "url"]
    assert len([line for line in lines if "kjt.henan.example/2026/" in line]) == 3
    assert "hit rate: title 100%, date 100%, body>=100 100%" in result.output
    # What the selectors found, beside the block automatic detection would choose, and why.
    assert "list selectors found 5 items; automatic detection would find 5" in result.output
    assert "chosen block div.list_u1 > ul > li" in result.output
    assert not db.exists()


def test_sources_test_names_an_unknown_source() -> None:
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config"), "sources", "test", "nope"])
    assert result.exit_code == 1
    assert "no source 'nope'" in result.output


def test_extract_prints_the_article_as_json() -> None:
    page = PAGES / "xuchang_kjj_table.html"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(ROOT / "config"),
            "extract",
            str(page),
            "--url",
            "http://kjj.xuchang.gov.cn/news/show.asp?id=1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "我市4家企业入选河南省创新龙头企业"
    assert data["published_at"] == "2026-11-16"
    assert data["encoding"] == "gb18030" and data["mojibake"] is False
    assert data["text"].startswith("近日，河南省科学技术厅公布了2026年度河南省创新龙头企业名单")


def test_extract_fetches_a_url_through_scrapy() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(ROOT / "config"),
            "extract",
            "--source",
            "demo-xc-kjj",
            "http://kjj.xuchang.example/xwdt/202611/t20261120_3058108.html",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["published_at"] == "2026-11-20T09:30:00+08:00"
    assert data["title"].startswith("许继集团牵头建设的河南省特高压输变电装备技术创新中心")


def test_extract_takes_many_files_and_prints_one_json_line_each() -> None:
    pages = [PAGES / "xuchang_kjj_table.html", PAGES / "govcn_policy_1.html"]
    result = CliRunner().invoke(
        cli, ["--config", str(ROOT / "config"), "extract", *map(str, pages)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in rows] == list(map(str, pages))
    assert rows[0]["title"] == "我市4家企业入选河南省创新龙头企业"
    assert all(r["text"] and r["published_at"] for r in rows)


def test_extract_reads_a_list_of_paths_from_stdin_and_reports_a_missing_one() -> None:
    page = PAGES / "xuchang_kjj_table.html"
    result = CliRunner().invoke(
        cli,
        ["--config", str(ROOT / "config"), "extract", "-"],
        input=f"{page}\n\n/nonexistent/page.html\n",
    )
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["title"] == "我市4家企业入选河南省创新龙头企业"
    assert rows[1]["input"] == "/nonexistent/page.html" and "No such file" in rows[1]["error"]
