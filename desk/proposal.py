"""一键生成初稿 over the store: gather candidates, call pipeline.proposal, write the draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import store.issues
import store.items
from pipeline.config import Config
from pipeline.errors import StoreError
from pipeline.proposal import Candidate, Proposal, arrange, lead_summary, runner_up, select
from pipeline.rules import SECTOR_IDS
from store.db import Database

# Candidates read per industry beyond its quota: enough runners-up for a morning of 换一篇
# (taken-out items drop out of the query, so the next ones come up on the next redraw).
RUNNER_UP_DEPTH = 10


def _candidates(rows: list[dict[str, Any]]) -> list[Candidate]:
    return [
        Candidate(r["key"], r["sector"], float(r["rank"]), r["title"], r["text"], r["cluster_id"])
        for r in rows
    ]


def sector_names(config: Config) -> dict[str, str]:
    """Sector id → Chinese name, in 6+3+3 order."""
    names = {s.id: s.name for s in config.rules.sectors}
    return {sid: names.get(sid, sid) for sid in SECTOR_IDS}


def since(db: Database, config: Config) -> str:
    """Items fetched after this go into a proposal: the last finalized issue, or N days back."""
    last = store.issues.last_finalized_at(db)
    if last:
        return last
    days = config.settings.proposal.first_days
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def plan(db: Database, config: Config) -> Proposal:
    """The proposal for the items since the last finalized issue (nothing written).

    Candidates are read without their texts; only the chosen items' texts are read, for their
    summaries, so a first proposal over a large database stays quick and small.
    """
    news, settings = config.settings.newsletter, config.settings.proposal
    depth = settings.per_sector_max + RUNNER_UP_DEPTH
    rows = store.issues.proposal_candidates(db, since(db, config), with_text=False, depth=depth)
    chosen, runners = select(_candidates(rows), settings)
    texts = store.issues.item_texts(db, [c.key for c in chosen])
    return arrange(
        chosen, runners, texts, settings, news.sections, sector_names(config), news.editor_note
    )


def propose_issue(
    db: Database, config: Config, fields: dict[str, Any], actor: str
) -> tuple[int, Proposal]:
    """Create a draft issue holding the proposal; return its id and the proposal."""
    proposal = plan(db, config)
    if not proposal.picks:
        raise StoreError("上次定稿以来没有可选的待审或已采用条目，无法生成初稿")
    fields = {**fields, "editor_note": proposal.editor_note}
    picks = [(p.key, p.section, p.summary) for p in proposal.picks]
    body = config.settings.proposal.body
    return store.issues.create_proposed_issue(db, fields, picks, body, actor), proposal


def runners_up(db: Database, config: Config, issue_id: int) -> dict[str, dict[str, Any]]:
    """Per industry, the best item not in (nor taken out of) this draft: one click swaps it in."""
    rows = store.issues.proposal_candidates(
        db, since(db, config), issue_id, with_text=False, depth=RUNNER_UP_DEPTH
    )
    placed = store.issues.issue_items(db, issue_id)
    exclude = {r["key"] for r in placed} | {r["cluster_id"] for r in placed}
    by_key = {r["key"]: r for r in rows}
    found: dict[str, dict[str, Any]] = {}
    candidates = _candidates(rows)
    for sector in {r["sector"] for r in placed if r["sector"]}:
        best = runner_up(candidates, sector, exclude)
        if best is not None:
            found[sector] = by_key[best.key]
    return found


def swap_in_runner_up(db: Database, config: Config, issue_id: int, key: str, actor: str) -> str:
    """Replace `key` with the runner-up of its industry; return the runner-up's title."""
    placed = {r["key"]: r for r in store.issues.issue_items(db, issue_id)}
    if key not in placed:
        raise StoreError("该条目不在本期中，请刷新页面")
    runner = runners_up(db, config, issue_id).get(placed[key]["sector"] or "")
    if runner is None:
        raise StoreError("该产业没有可替换的候补条目")
    text = store.items.get_item(db, runner["key"])["text"]
    summary = lead_summary(text, config.settings.proposal.summary_chars)
    store.issues.swap_item(db, issue_id, key, runner["key"], summary, actor)
    return str(runner["title"])
