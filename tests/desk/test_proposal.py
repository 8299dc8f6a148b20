"""一键生成初稿 over the real demo crawl: what it picks, trimming it, and what never comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import store.db
import store.issues
import store.items
from cli.main import cli
from desk.proposal import plan, propose_issue, runners_up, swap_in_runner_up
from pipeline.config import Config
from pipeline.errors import StoreError
from pipeline.proposal import ELLIPSIS
from pipeline.rules import SECTOR_IDS
from tests.desk.conftest import CONFIG_DIR, login

FIELDS = {"year": 2026, "number": 1, "total_number": 205, "special_title": "633发展新态势",
          "subtitle": "", "issue_date": "2026-12-01", "editor_note": ""}  # fmt: skip


def from_own_text(summary: str, text: str) -> bool:
    """Every sentence of the summary appears in the item's text (whitespace aside)."""
    flat = "".join(text.split())
    parts = "".join(summary.removesuffix(ELLIPSIS).split()).split("。")
    return all(part in flat for part in parts if part)


def test_the_proposal_follows_the_quotas_the_order_and_the_items_own_text(
    db: store.db.Database, config: Config
) -> None:
    issue_id, proposal = propose_issue(db, config, FIELDS, "wangli")
    rows = store.issues.issue_items(db, issue_id)
    settings = config.settings.proposal
    per_sector = {s: sum(1 for r in rows if r["sector"] == s) for s in SECTOR_IDS}
    # The demo has 3-5 items in every industry: each gets its minimum, none passes the maximum.
    assert all(settings.per_sector_min <= n <= settings.per_sector_max for n in per_sector.values())
    assert len(rows) <= settings.max_items
    # One item per reprint cluster, and every pick accepted with the proposal as its reason.
    clusters = [r["cluster_id"] for r in rows]
    assert len(clusters) == len(set(clusters))
    assert {r["status"] for r in rows} == {"accepted"}
    for section in {r["section"] for r in rows}:
        order = [SECTOR_IDS.index(r["sector"]) for r in rows if r["section"] == section]
        assert order == sorted(order), section
    for r in rows:
        assert r["body"] == "summary"
        assert 0 < len(r["summary_override"]) <= settings.summary_chars
        assert from_own_text(r["summary_override"], r["text"]), r["summary_override"]
    note = store.issues.get_issue(db, issue_id)["editor_note"]
    named = [config.rules.sectors[i].name for i, s in enumerate(SECTOR_IDS) if per_sector[s]]
    positions = [note.index(name) for name in named]
    assert positions == sorted(positions) and note == proposal.editor_note


def test_trimming_restores_what_it_takes_out_and_finalized_items_never_return(
    db: store.db.Database, config: Config
) -> None:
    issue_id, _ = propose_issue(db, config, FIELDS, "wangli")
    rows = store.issues.issue_items(db, issue_id)
    removed, swapped = rows[0], rows[1]
    store.issues.remove_from_issue(db, issue_id, removed["key"], "wangli")
    # A proposal's pick goes back to the queue as it was, and is not proposed for this draft again.
    assert store.items.get_item(db, removed["key"])["status"] == "pending"
    assert removed["key"] not in {r["key"] for r in runners_up(db, config, issue_id).values()}
    runner = runners_up(db, config, issue_id)[swapped["sector"]]
    swap_in_runner_up(db, config, issue_id, swapped["key"], "wangli")
    after = {r["key"]: r for r in store.issues.issue_items(db, issue_id)}
    assert swapped["key"] not in after and removed["key"] not in after
    assert after[runner["key"]]["section"] == swapped["section"]
    assert after[runner["key"]]["position"] == swapped["position"] - (
        1 if removed["section"] == swapped["section"] else 0)  # fmt: skip
    used = set(after)
    store.issues.finalize_issue(db, issue_id, "wangli")
    second = dict(FIELDS, number=2, total_number=206)
    # Nothing fetched since the issue was finalized: nothing to propose, and the editor is told.
    with pytest.raises(StoreError, match="上次定稿以来"):
        propose_issue(db, config, second, "wangli")
    # Next week's crawl (every item looks new again): the used items still stay out.
    db.execute("UPDATE items SET fetched_at = '2999-01-01T00:00:00+00:00'")
    next_id, _ = propose_issue(db, config, second, "wangli")
    again = {r["key"] for r in store.issues.issue_items(db, next_id)}
    assert not again & used


def test_adding_by_hand_keeps_a_section_in_6_3_3_order(db: store.db.Database) -> None:
    issue_id = store.issues.create_issue(db, FIELDS, "wangli")
    rows = db.execute(
        "SELECT key, sector FROM items WHERE status = 'pending' AND sector IN "
        "('textile', 'it', 'food', 'biomed') GROUP BY sector"
    ).fetchall()
    keys = {sector: key for key, sector in rows}
    for sector in ("textile", "food", "it", "biomed"):  # the wrong order, one at a time
        db.execute("UPDATE items SET status = 'accepted' WHERE key = ?", [keys[sector]])
        store.issues.add_to_issue(db, issue_id, [keys[sector]], "产业动态", "wangli")
    placed = [r["sector"] for r in store.issues.issue_items(db, issue_id)]
    assert placed == ["it", "biomed", "food", "textile"]
    db.execute("UPDATE items SET status = 'accepted' WHERE status = 'pending'")
    available = [r["sector"] for r in store.issues.available_items(db)]
    assert len(set(available)) == 12
    assert available == sorted(available, key=SECTOR_IDS.index)


def test_issue_propose_from_the_command_line(db_path: Path) -> None:
    from click.testing import CliRunner

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--config", CONFIG_DIR, "--db", str(db_path), *args])
        assert result.exit_code == 0, result.output
        return result.output

    dry = run("issue", "propose", "--dry-run")
    assert "dry run" in dry and "● " in dry and "新一代信息技术" in dry
    assert "created" in run("issue", "propose", "--date", "2026-12-01")
    db = store.db.open_db(db_path)
    try:
        issue = store.issues.list_issues(db)[0]
        assert issue["items"] > 12 and "新一代信息技术" in store.issues.get_issue(
            db, issue["id"])["editor_note"]  # fmt: skip
    finally:
        db.conn.close()


def test_an_editor_edits_a_proposed_item_for_this_issue_only(app: Any, db: Any) -> None:
    client = app.test_client()
    headers = {"X-CSRFToken": login(client), "HX-Request": "true"}
    made = client.post("/issues/propose", headers={"X-CSRFToken": headers["X-CSRFToken"]})
    issue_id = int(made.headers["Location"].rsplit("/", 1)[-1])
    key = store.issues.issue_items(db, issue_id)[0]["key"]
    original = store.items.get_item(db, key)["title"]
    form = {"title": "编辑改写的标题", "summary": "编辑 改写的 摘要。"}
    reply = client.post(f"/issues/{issue_id}/items/{key}/text", data=form, headers=headers)
    assert reply.status_code == 200 and "编辑改写的标题" in reply.text
    row = next(r for r in store.issues.issue_items(db, issue_id) if r["key"] == key)
    assert (row["title_override"], row["summary_override"]) == (
        "编辑改写的标题",
        "编辑 改写的 摘要。",
    )
    assert store.items.get_item(db, key)["title"] == original


def test_the_broad_plan_for_thousands_of_candidates_proposes_the_same_issue(
    db: store.db.Database, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = plan(db, config)
    monkeypatch.setattr(store.issues, "BROAD_PROPOSAL", 0)  # the index walk, as at 78,000
    broad = plan(db, config)
    assert broad.picks == narrow.picks and broad.editor_note == narrow.editor_note
    assert {s: k[:2] for s, k in broad.runners_up.items()} == {
        s: k[:2] for s, k in narrow.runners_up.items()
    }
