"""Re-classify stored items after a rule change: plan over the store, show, then apply.

Items an editor has decided or touched are never changed (the store never hands them out).
"""

from __future__ import annotations

import json
from datetime import datetime

import store.accounts
import store.db
import store.items
from pipeline.config import Config
from pipeline.reprocess import Move, move_matrix, plan_moves


def plan_reprocess(
    db: store.db.Database, config: Config, since: str, now: datetime
) -> tuple[list[Move], int]:
    """Every undecided item (fetched on or after `since`) whose sector or status would change;
    also returns how many items were examined."""
    return plan_moves(store.items.items_for_reprocess(db, since), config, now)


def apply_reprocess(db: store.db.Database, moves: list[Move], actor: str) -> None:
    """Write a plan in one transaction, with one audit event summarising it."""
    with store.db.transaction(db):
        for move in moves:
            store.items.save_reclassified(
                db,
                move.key,
                {
                    "sector": move.new_sector,
                    "score": move.result.score,
                    "status": move.new_status,
                    "rank_base": move.rank_base,
                    "rank": move.rank,
                    "explanation": json.dumps(move.result.explanation(), ensure_ascii=False),
                },
            )
        summary = {f"{a or '-'}→{b}": n for (a, b), n in sorted(move_matrix(moves).items())}
        store.accounts.record_event(db, actor, "reprocess", f"{len(moves)} items", after=summary)
