"""What the rule suggester learns from: editors' corrections and verdicts, a background sample of
stored items, and the audit events of rule changes (rules_apply / rules_undo)."""

from __future__ import annotations

import json
from typing import Any

from store.db import Database, rows_of

# The start of a text is enough for term statistics (pipeline.rule_suggest reads no further).
TEXT_CHARS = 1500
RULE_ACTIONS = ("rules_apply", "rules_undo")


def _undone(db: Database) -> set[int]:
    """Ids of editor events that a later undo reverted."""
    rows = rows_of(db, "SELECT after FROM events WHERE action = 'undo'")
    return {json.loads(r["after"] or "{}").get("undid") for r in rows} - {None}


def corrections(db: Database) -> list[dict[str, Any]]:
    """Every re-sectored item still standing: where the rules put it first, where it is now.

    An item moved twice counts once (first 'from', last 'to'); an undone move does not count.
    """
    undone = _undone(db)
    events = rows_of(
        db,
        """SELECT id, subject, json_extract(before, '$.sector') AS from_sector,
                  json_extract(after, '$.sector') AS to_sector
           FROM events WHERE action = 'resector' ORDER BY id""",
    )
    moved: dict[str, dict[str, Any]] = {}
    for e in events:
        if e["id"] in undone:
            continue
        first = moved.get(e["subject"])
        moved[e["subject"]] = {
            "key": e["subject"],
            "from_sector": first["from_sector"] if first else (e["from_sector"] or "off_topic"),
            "to_sector": e["to_sector"],
        }
    items = _items(db, list(moved))
    return [
        {**m, **items[k]}
        for k, m in moved.items()
        if k in items
        and items[k]["sector"] == m["to_sector"]
        and m["to_sector"] != m["from_sector"]
    ]


def verdicts(db: Database) -> list[dict[str, Any]]:
    """Items an editor accepted (采用, or printed) or rejected (不用) in a sector."""
    return rows_of(
        db,
        f"""SELECT key, title, substr(text, 1, {TEXT_CHARS}) AS text, sector,
                   status IN ('accepted', 'used') AS accepted
            FROM items WHERE status IN ('accepted', 'used', 'rejected') AND reviewer IS NOT NULL
            AND sector IS NOT NULL AND sector NOT IN ('', 'off_topic')
            ORDER BY key""",
    )


def background(db: Database, limit: int) -> list[dict[str, Any]]:
    """The latest processed items with their current sector: which terms are common where."""
    return rows_of(
        db,
        f"""SELECT key, title, substr(text, 1, {TEXT_CHARS}) AS text,
                   coalesce(sector, 'off_topic') AS sector
            FROM items WHERE processed_at IS NOT NULL AND status != 'duplicate'
            ORDER BY fetched_at DESC, key LIMIT ?""",
        [limit],
    )


def _items(db: Database, keys: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in rows_of(
            db,
            f"""SELECT key, title, substr(text, 1, {TEXT_CHARS}) AS text, sector FROM items
                WHERE key IN ({marks})""",
            chunk,
        ):
            out[row["key"]] = row
    return out


def rule_events(db: Database) -> list[dict[str, Any]]:
    """The rule changes applied and undone, newest first, with their JSON decoded."""
    rows = rows_of(
        db,
        "SELECT * FROM events WHERE action IN (?, ?) ORDER BY id DESC",
        list(RULE_ACTIONS),
    )
    for row in rows:
        row["before"] = json.loads(row["before"] or "null")
        row["after"] = json.loads(row["after"] or "null")
    return rows
