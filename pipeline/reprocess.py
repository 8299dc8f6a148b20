"""Plan a re-classification after ops change the keyword rules (`newsdesk reprocess`).

The plan (which item moves from which sector to which) is pure; ops/reprocess.py reads the items
and applies a plan in one transaction. Items an editor has decided or touched are never read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.classify import OFF_TOPIC, Classification, classify, compile_rules
from pipeline.config import Config
from pipeline.rank import RankInput, rank_item, reprint_points


@dataclass(frozen=True, slots=True)
class Move:
    """One item whose classification changes."""

    key: str
    old_sector: str
    new_sector: str
    old_status: str
    new_status: str
    result: Classification
    rank_base: float
    rank: float
    title: str = ""  # for the preview's sample items


def _new_status(old_status: str, sector: str) -> str:
    # Duplicates stay duplicates (their canonical item carries the cluster); between pending and
    # off_topic an item moves with its classification.
    if old_status == "duplicate":
        return old_status
    return "off_topic" if sector == OFF_TOPIC else "pending"


def plan_moves(
    rows: Iterable[Mapping[str, Any]], config: Config, now: datetime
) -> tuple[list[Move], int]:
    """Every item of `rows` (undecided stored items) whose sector or status would change; also
    returns how many items were examined."""
    classifier = compile_rules(config.rules)
    authority = {s.id: s.authority for s in config.sources}
    moves: list[Move] = []
    examined = 0
    for row in rows:
        examined += 1
        result = classify(classifier, row["title"], row["text"], row.get("attachment_text") or "")
        status = _new_status(row["status"], result.sector)
        if result.sector == row["sector"] and status == row["status"]:
            continue
        base = rank_item(
            RankInput(result.score, authority.get(row["source_id"], "media"), 0, row["title"],
                      row["text"], row["published_at"]),
            now,
        )  # fmt: skip
        rank = base + reprint_points(int(row["reprints"] or 0))
        move = Move(
            row["key"],
            row["sector"] or "",
            result.sector,
            row["status"],
            status,
            result,
            base,
            rank,
            row["title"] or "",
        )
        moves.append(move)
    return moves, examined


def move_matrix(moves: list[Move]) -> Counter[tuple[str, str]]:
    """How many items move from which sector to which."""
    return Counter((m.old_sector, m.new_sector) for m in moves)


def move_samples(moves: list[Move], per_cell: int = 3) -> dict[tuple[str, str], list[str]]:
    """A few titles of the items behind each cell of the matrix (what ops check before applying)."""
    samples: dict[tuple[str, str], list[str]] = {}
    for m in moves:
        cell = samples.setdefault((m.old_sector, m.new_sector), [])
        if len(cell) < per_cell:
            cell.append(m.title)
    return samples
