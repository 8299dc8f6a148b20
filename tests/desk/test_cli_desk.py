"""`newsdesk users ...` and `newsdesk issue ...` over the demo database."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from click.testing import CliRunner

import store.accounts
import store.db
import store.issues
import store.items
from cli.main import cli
from tests.desk.conftest import CONFIG_DIR


def run(db_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        cli, ["--config", CONFIG_DIR, "--db", str(db_path), *args], env=env,
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def test_users_are_created_with_a_hashed_password(db_path: Path) -> None:
    run(
        db_path,
        "users",
        "add",
        "zhaomin",
        "--display-name",
        "赵敏",
        env={"NEWSDESK_PASSWORD": "pw-12345678"},
    )
    assert "zhaomin" in run(db_path, "users", "list")
    user = store.accounts.get_user(store.db.open_db(db_path), "zhaomin")
    assert user and user["password_hash"].startswith("scrypt:") and user["display_name"] == "赵敏"
    short = CliRunner().invoke(
        cli, ["--db", str(db_path), "users", "add", "x", "--password", "short"]
    )
    assert short.exit_code == 1 and "at least 8" in short.output


def test_an_issue_from_the_command_line(db_path: Path, tmp_path: Path) -> None:
    db = store.db.open_db(db_path)
    keys = [r[0] for r in db.execute(
        "SELECT key FROM items WHERE status = 'pending' ORDER BY rank DESC LIMIT 3")]  # fmt: skip
    env = {"NEWSDESK_EDITOR": "wangli"}
    assert "总第205期 created" in run(db_path, "issue", "new", "--date", "2026-11-24", env=env)
    run(db_path, "issue", "add", "205", keys[0], "--accept", env=env)
    run(db_path, "issue", "add", "2026-1", keys[1], keys[2], "--accept", "-s", "政策动向", env=env)
    shown = run(db_path, "issue", "show", "205")
    assert shown.index("● 发展态势") < shown.index(keys[0]) < shown.index("● 政策动向")
    assert "205" in run(db_path, "issue", "list")
    target = tmp_path / "issue.docx"
    run(db_path, "issue", "export", "205", "--format", "docx", "-o", str(target), env=env)
    texts = [p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert "第1期 总第205期" in texts and "● 政策动向" in texts
    for fmt in ("html", "md"):
        out = tmp_path / f"issue.{fmt}"
        run(db_path, "issue", "export", "205", "--format", fmt, "-o", str(out))
        assert "总第205期" in out.read_text(encoding="utf-8")
    run(db_path, "issue", "finalize", "205", env=env)
    assert {store.items.get_item(db, k)["status"] for k in keys} == {"used"}
    assert store.issues.get_issue(db, 1)["status"] == "final"
    assert store.accounts.events_page(db, 1)[0]["actor"] == "wangli"
