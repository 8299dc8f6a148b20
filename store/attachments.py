"""Attachments kept for items: one row per (item, link); the file itself lives under
data/attachments/ by content hash (crawler.attachments writes it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from store.db import Database, rows_of

COLUMNS = ("item_key", "url", "name", "type", "size", "sha256", "status", "reason", "text",
           "fetched_at")  # fmt: skip


def save_attachment(db: Database, row: dict[str, Any]) -> None:
    """Insert or replace one attachment row (missing columns take their defaults)."""
    values = {name: row.get(name) for name in COLUMNS}
    values["name"] = values["name"] or ""
    values["type"] = values["type"] or ""
    values["reason"] = values["reason"] or ""
    values["text"] = values["text"] or ""
    db.execute(
        f"INSERT OR REPLACE INTO attachments ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(':' + c for c in COLUMNS)})",
        values,
    )


def known_download(db: Database, url: str) -> dict[str, Any] | None:
    """What an earlier download of `url` kept (size, hash, text, status, reason), if any."""
    rows = rows_of(
        db,
        "SELECT size, sha256, text, status, reason FROM attachments WHERE url = ? "
        "AND status IN ('read', 'kept') LIMIT 1",
        [url],
    )
    return rows[0] if rows else None


def attachments_of(db: Database, item_key: str) -> list[dict[str, Any]]:
    """An item's attachments in link order, text included."""
    return rows_of(db, "SELECT * FROM attachments WHERE item_key = ? ORDER BY rowid", [item_key])


def attachment_texts(db: Database, keys: Iterable[str]) -> dict[str, str]:
    """item key → the text of its read attachments, each headed by its name."""
    keys = list(keys)
    texts: dict[str, list[str]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, name, text in db.execute(
            f"SELECT item_key, name, text FROM attachments WHERE item_key IN ({marks}) "
            "AND status = 'read' ORDER BY rowid",
            chunk,
        ):
            texts.setdefault(key, []).append(f"【附件：{name}】\n{text}")
    return {key: "\n\n".join(parts) for key, parts in texts.items()}


def kept_file(db: Database, sha256: str) -> dict[str, Any] | None:
    """The type and a name of a kept file, by its hash (for serving the copy)."""
    rows = rows_of(db, "SELECT type, name FROM attachments WHERE sha256 = ? LIMIT 1", [sha256])
    return rows[0] if rows else None
