"""Items as the crawler and the processing pass see them: raw inserts, the processing queue,
content hashes, LSH bands, clusters and re-classification."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pipeline.errors import NotFoundError
from pipeline.models import RawItem
from store.db import Database, rows_of, transaction, utc_now

# Chunk size for IN (...) lookups: well under SQLite's default 32766 host-parameter limit.
_CHUNK = 500


def known_keys(db: Database, keys: Iterable[str]) -> set[str]:
    """Which of these item keys are already stored."""
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0] for r in db.execute(f"SELECT key FROM items WHERE key IN ({marks})", chunk)
        )
    return found


def save_raw_items(db: Database, items: Sequence[tuple[str, str, RawItem]]) -> int:
    """Insert (key, canonical_url, item) rows not yet stored; return how many were new."""
    if not items:
        return 0
    new = 0
    with transaction(db):
        for key, canonical, item in items:
            cursor = db.execute(
                """INSERT OR IGNORE INTO items (key, source_id, url, canonical_url, title,
                   list_title, published_at, fetched_at, source_name, text, html, summary,
                   attachments, found_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    key, item.source_id, item.url, canonical, item.title, item.list_title,
                    item.published_at, item.fetched_at, item.source_name, item.text, item.html,
                    item.summary, json.dumps(list(item.attachments), ensure_ascii=False),
                    item.found_by,
                ),
            )  # fmt: skip
            new += cursor.rowcount
    return new


def count_new(db: Database, up_to: int) -> int:
    """How many items wait to be processed, counted up to `up_to` (a backlog's size class)."""
    sql = "SELECT count(*) FROM (SELECT 1 FROM items WHERE status = 'new' LIMIT ?)"
    return int(db.execute(sql, [up_to]).fetchone()[0])


def status_counts_of(db: Database, keys: Sequence[str]) -> dict[str, int]:
    """How many of these items are in each status."""
    counts: dict[str, int] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT status, count(*) FROM items WHERE key IN ({marks}) GROUP BY status"
        for status, n in db.execute(sql, chunk):
            counts[status] = counts.get(status, 0) + n
    return counts


def items_with_status(db: Database, status: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` items with this status, oldest fetched first."""
    return rows_of(
        db,
        """SELECT key, source_id, title, text, published_at FROM items
           WHERE status = ? ORDER BY fetched_at, key LIMIT ?""",
        [status, limit],
    )


def merge_search_index(db: Database, pages: int) -> None:
    """Merge up to about `pages` pages of the trigram index's segments (inside `transaction`)."""
    db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('merge', ?)", [pages])


def item_by_content_hash(db: Database, content_hash: str, exclude: str) -> dict[str, Any] | None:
    """A processed item with exactly this content hash, other than `exclude`."""
    rows = rows_of(
        db,
        """SELECT key, cluster_id FROM items WHERE content_hash = ? AND key != ?
           AND status != 'new' ORDER BY fetched_at LIMIT 1""",
        [content_hash, exclude],
    )
    return rows[0] if rows else None


# Items read per sentence mark. A sentence stored by more items is boilerplate (a ministry's
# closing line) or a story reprinted that often; the first MARK_POSTINGS of them are enough to
# join its cluster, and the cap keeps one lookup's cost flat however large the store grows.
MARK_POSTINGS = 32


def dedup_candidates(
    db: Database, bands: Sequence[int], marks: Sequence[int], exclude: str
) -> list[dict[str, Any]]:
    """Processed items sharing a band or a sentence mark: key, cluster_id, signature."""
    keys: set[str] = set()
    if bands:
        places = ",".join("?" * len(bands))
        keys.update(
            r[0] for r in db.execute(f"SELECT key FROM lsh_bands WHERE band IN ({places})", bands)
        )
    if marks:
        # One statement, each arm capped on its own (a round trip per mark cost 8× more).
        arm = f"SELECT * FROM (SELECT key FROM sentence_marks WHERE mark = ? LIMIT {MARK_POSTINGS})"
        sql = " UNION ALL ".join([arm] * len(marks))
        keys.update(r[0] for r in db.execute(sql, list(marks)))
    keys.discard(exclude)
    rows: list[dict[str, Any]] = []
    ordered = sorted(keys)
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i : i + _CHUNK]
        places = ",".join("?" * len(chunk))
        rows += rows_of(
            db, f"SELECT key, cluster_id, signature FROM items WHERE key IN ({places})", chunk
        )
    return rows


def clusters_of(db: Database, keys: Sequence[str]) -> set[str]:
    """The current cluster ids of these items (an item without one is its own cluster)."""
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    sql = f"SELECT coalesce(cluster_id, key) FROM items WHERE key IN ({marks})"
    return {r[0] for r in db.execute(sql, list(keys))}


def merge_clusters(db: Database, clusters: Sequence[str], into: str) -> None:
    """Point every member of these clusters at `into` (call inside `transaction`)."""
    marks = ",".join("?" * len(clusters))
    db.execute(f"UPDATE items SET cluster_id = ? WHERE cluster_id IN ({marks})", [into, *clusters])


def status_of(db: Database, key: str) -> str | None:
    """One item's current status, None when it is gone."""
    row = db.execute("SELECT status FROM items WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def has_sentence_marks(db: Database) -> bool:
    """Whether the sentence-mark table holds anything (it is empty right after migration 5)."""
    return db.execute("SELECT 1 FROM sentence_marks LIMIT 1").fetchone() is not None


def processed_texts_after(db: Database, after: str, limit: int) -> list[tuple[str, str]]:
    """(key, text) of processed items with keys after `after`, in key order (a resumable scan)."""
    rows = db.execute(
        """SELECT key, text FROM items WHERE key > ? AND processed_at IS NOT NULL
           ORDER BY key LIMIT ?""",
        [after, limit],
    )
    return [(str(k), str(t)) for k, t in rows]


def save_sentence_marks(db: Database, marks: Sequence[tuple[int, str]]) -> None:
    """Store (mark, key) rows (inside `transaction`)."""
    db.conn.executemany("INSERT OR IGNORE INTO sentence_marks (mark, key) VALUES (?, ?)", marks)


def items_by_keys(db: Database, keys: Sequence[str], columns: str) -> list[dict[str, Any]]:
    """Some columns of the items with these keys, in the order of `keys`."""
    if not keys:
        return []
    if not all(c.strip().isidentifier() for c in columns.split(",")):
        raise ValueError(columns)
    marks = ",".join("?" * len(keys))
    rows = {
        r["key"]: r
        for r in rows_of(db, f"SELECT {columns} FROM items WHERE key IN ({marks})", keys)
    }
    return [rows[k] for k in keys if k in rows]


def cluster_members(db: Database, cluster_id: str) -> list[dict[str, Any]]:
    """Every item in a reprint cluster."""
    return rows_of(
        db,
        """SELECT key, source_id, source_name, attribution, published_at, url, title, status
           FROM items WHERE cluster_id = ? ORDER BY published_at, key""",
        [cluster_id],
    )


def save_processed(
    db: Database,
    key: str,
    fields: dict[str, Any],
    bands: Sequence[int] = (),
    marks: Sequence[int] = (),
) -> None:
    """Write a processed item's fields, LSH bands and sentence marks (inside `transaction`)."""
    fields = {**fields, "processed_at": utc_now()}
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(f"UPDATE items SET {assignments} WHERE key = :_key", {**fields, "_key": key})
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band, key) VALUES (?, ?)", [(band, key) for band in bands]
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO sentence_marks (mark, key) VALUES (?, ?)",
        [(mark, key) for mark in marks],
    )


def recluster(db: Database, old_cluster: str, new_cluster: str) -> None:
    """Point every member of `old_cluster` at `new_cluster` (a new canonical item was chosen)."""
    db.execute("UPDATE items SET cluster_id = ? WHERE cluster_id = ?", [new_cluster, old_cluster])


def rerank_cluster(db: Database, key: str, reprints: int, points: float) -> None:
    """Record a canonical item's reprint count and add its reprint points to its rank.

    The cluster's other members lose theirs: a merge can turn a canonical item into a member.
    """
    db.execute(
        "UPDATE items SET reprints = ?, rank = rank_base + ? WHERE key = ?", [reprints, points, key]
    )
    db.execute(
        """UPDATE items SET reprints = 0, rank = rank_base
           WHERE cluster_id = ? AND key != ? AND reprints != 0""",
        [key, key],
    )


def items_for_reprocess(db: Database, since: str) -> Iterator[dict[str, Any]]:
    """Processed items no editor has decided or re-sectored, fetched on or after `since`."""
    cursor = db.execute(
        """SELECT key, title, text, attachment_text, sector, status, source_id, published_at,
           reprints FROM items WHERE status IN ('pending', 'off_topic', 'duplicate')
           AND reviewer IS NULL AND fetched_at >= ?
           AND key NOT IN (SELECT subject FROM events WHERE action = 'resector')
           ORDER BY fetched_at""",
        [since],
    )
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(columns, row, strict=True))


def save_reclassified(db: Database, key: str, fields: dict[str, Any]) -> None:
    """Write a new classification onto an item (inside a transaction)."""
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(f"UPDATE items SET {assignments} WHERE key = :_key", {**fields, "_key": key})


def set_status(db: Database, key: str, status: str) -> None:
    """Change one item's status (inside a transaction)."""
    db.execute("UPDATE items SET status = ? WHERE key = ?", [status, key])


def get_item(db: Database, key: str) -> dict[str, Any]:
    """One item by key; NotFoundError otherwise."""
    rows = rows_of(db, "SELECT * FROM items WHERE key = ?", [key])
    if not rows:
        raise NotFoundError(f"no item with key '{key}'")
    return rows[0]
