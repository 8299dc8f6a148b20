"""The editors' review queue: filters, full-text search, and editor decisions (accept, reject,
re-sector, edit, undo), each written in one transaction with the audit event that describes it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import NotFoundError, StoreError
from pipeline.rules import SECTOR_IDS
from store.accounts import record_event
from store.db import Database, one_row, rows_of, transaction, utc_now

# Queue groups in the newsletter's 6+3+3 order; off_topic items carry sector 'off_topic'.
SECTOR_ORDER: tuple[str, ...] = (*SECTOR_IDS, "off_topic")


# action -> (statuses it applies to, resulting status). `used` items are frozen by their issue.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # An off_topic item has no sector: moving it into one (resector) is what makes it pending.
    "accept": (frozenset({"pending", "rejected", "duplicate"}), "accepted"),
    "reject": (frozenset({"pending", "accepted", "off_topic", "duplicate"}), "rejected"),
    "restore": (frozenset({"accepted", "rejected", "duplicate"}), "pending"),
}


# A 2-character search term expands to at most this many trigrams (bounds the query's cost).
MAX_BIGRAM_EXPANSION = 400


# A search matching more items than this is "broad" and planned differently (prepare_query).
BROAD_SEARCH = 5000


UNDOABLE = ("accept", "reject", "restore", "resector", "edit")


# Status names for the editors' messages raised below.
STATUS_NAMES = {"pending": "待审", "accepted": "已采用", "rejected": "不用", "used": "已刊用",
                "duplicate": "转载重复", "off_topic": "无关", "new": "未处理"}  # fmt: skip


# The columns a queue row needs; the full text stays out of list pages.
ROW_COLUMNS = """items.rowid AS rowid, key, title, source_id, source_name, attribution, url,
    published_at, summary, reprints, sector, score, rank, explanation, status, reviewer,
    cluster_id"""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the editor asked the queue for; empty fields do not filter."""

    status: str = "pending"
    sector: str = ""
    source: str = ""
    date_from: str = ""
    date_to: str = ""
    query: str = ""


def search_terms(query: str) -> list[str]:
    """The whitespace-separated terms of a search box entry (1-character terms are ignored)."""
    return [t for t in query.split() if len(t) >= 2][:8]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match(db: Database, terms: Sequence[str]) -> str | None:
    """An FTS5 query requiring every term; None when a term cannot match at all.

    The trigram index matches terms of 3+ characters directly. A 2-character term (假发, 锂电)
    becomes an OR of the indexed trigrams that start with it, found in the index's vocabulary;
    it is missed only where it ends a field (a title ending in 假发 whose text never says 假发).
    """
    parts: list[str] = []
    for term in terms:
        if len(term) >= 3:
            parts.append(_quote(term))
            continue
        low = term.lower()
        grams = [
            r[0]
            for r in db.execute(
                "SELECT term FROM items_fts_vocab WHERE term >= ? AND term < ? LIMIT ?",
                [low, low + "\U0010ffff", MAX_BIGRAM_EXPANSION],
            )
        ]
        if not grams:
            return None
        parts.append("(" + " OR ".join(_quote(g) for g in grams) + ")")
    return " AND ".join(parts)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """A QueueFilter turned into SQL once per request (the search plan costs a probe)."""

    filter: QueueFilter
    where: str
    params: tuple[Any, ...]


def prepare_query(db: Database, f: QueueFilter) -> QueueQuery:
    """WHERE conditions for everything but the sector (counts are per sector)."""
    conds: list[str] = []
    params: list[Any] = []
    if f.status:
        conds.append("status = ?")
        params.append(f.status)
    else:
        conds.append("status != 'new'")
    if f.source:
        conds.append("source_id = ?")
        params.append(f.source)
    if f.date_from:
        conds.append("published_at >= ?")
        params.append(f.date_from)
    if f.date_to:
        # '~' sorts after 'T', so a date-only bound also admits datetimes of that day.
        conds.append("published_at <= ?")
        params.append(f.date_to + "~")
    terms = search_terms(f.query)
    match = _match(db, terms) if terms else None
    if terms and match is None:
        conds.append("0")
    elif match is not None:
        probe = "SELECT count(*) FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT ?)"
        broad = db.execute(probe, [match, BROAD_SEARCH + 1]).fetchone()[0] > BROAD_SEARCH
        # A rare term: let the FTS hits drive (few row lookups). A common one (产业 in every
        # item): walk the queue index and test membership ('+' stops SQLite from driving by
        # rowid), which avoids fetching tens of thousands of whole rows (PERF.md, bench/desk.py).
        rowid = "+items.rowid" if broad else "items.rowid"
        conds.append(f"{rowid} IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        params.append(match)
    return QueueQuery(f, " AND ".join(conds), tuple(params))


def queue_counts(db: Database, q: QueueQuery) -> dict[str, int]:
    """Matching items per sector (all filters but the sector), in the 6+3+3 order."""
    sql = f"SELECT sector, count(*) AS n FROM items WHERE {q.where} GROUP BY 1"
    found = {(r["sector"] or ""): r["n"] for r in rows_of(db, sql, q.params)}
    ordered = {s: found.pop(s) for s in SECTOR_ORDER if s in found}
    return ordered | dict(sorted(found.items()))


def queue_page(
    db: Database, q: QueueQuery, counts: dict[str, int], offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of the queue: sector by sector in `counts` order, best rank first in each.

    Each sector is one query on the (status, sector, rank) index, so a page costs the same at
    any depth of a 100k queue; `counts` (from queue_counts) maps the page offset to sectors.
    """
    rows: list[dict[str, Any]] = []
    for sector, count in counts.items():
        if q.filter.sector and sector != q.filter.sector:
            continue
        if offset >= count:
            offset -= count
            continue
        sql = (
            f"SELECT {ROW_COLUMNS} FROM items WHERE sector IS ? AND {q.where} "
            "ORDER BY rank DESC, items.rowid LIMIT ? OFFSET ?"
        )
        rows += rows_of(db, sql, [sector or None, *q.params, limit - len(rows), offset])
        offset = 0
        if len(rows) >= limit:
            break
    return rows


def neighbours(
    db: Database, q: QueueQuery, counts: dict[str, int], key: str
) -> tuple[str | None, str | None]:
    """The keys before and after `key` in the queue's order (sector, then rank), or None.

    An item the filter no longer matches (accepted from a pending queue) still has a place: the
    one it would sort into, so "next" after 采用 is the item that followed it.
    """
    rows = rows_of(db, "SELECT rowid, sector, rank FROM items WHERE key = ?", [key])
    if not rows:
        return None, None
    row = rows[0]
    sector = row["sector"] or ""
    if q.filter.sector and sector != q.filter.sector:
        return None, None

    def place(s: str) -> tuple[int, int, str]:  # the order of queue_counts
        return (0, SECTOR_ORDER.index(s), "") if s in SECTOR_ORDER else (1, 0, s)

    before = sum(
        n for s, n in counts.items()
        if (not q.filter.sector or s == q.filter.sector) and place(s) < place(sector)
    )  # fmt: skip
    within = db.execute(
        f"""SELECT count(*) FROM items WHERE sector IS ? AND {q.where}
            AND (rank > ? OR (rank = ? AND items.rowid < ?))""",
        [sector or None, *q.params, row["rank"], row["rank"], row["rowid"]],
    ).fetchone()[0]
    member = db.execute(
        f"SELECT count(*) FROM items WHERE items.rowid = ? AND {q.where}", [row["rowid"], *q.params]
    ).fetchone()[0]
    index = before + within
    prev = queue_page(db, q, counts, index - 1, 1) if index > 0 else []
    after = queue_page(db, q, counts, index + (1 if member else 0), 1)
    return (prev[0]["key"] if prev else None), (after[0]["key"] if after else None)


def queue_rows(db: Database, keys: Iterable[str]) -> list[dict[str, Any]]:
    """Queue rows for these keys (to redraw rows after an action)."""
    keys = list(keys)
    marks = ",".join("?" * len(keys))
    found = {
        r["key"]: r
        for r in rows_of(db, f"SELECT {ROW_COLUMNS} FROM items WHERE key IN ({marks})", keys)
    }
    return [found[k] for k in keys if k in found]


def item_issue(db: Database, key: str) -> dict[str, Any] | None:
    """The issue an item is placed in, if any."""
    rows = rows_of(
        db,
        """SELECT issues.* FROM issue_items JOIN issues ON issues.id = issue_items.issue_id
           WHERE item_key = ?""",
        [key],
    )
    return rows[0] if rows else None


def _item(db: Database, key: str) -> dict[str, Any]:
    return one_row(db, "SELECT * FROM items WHERE key = ?", [key], f"没有这个条目：{key}")


def _check_free(db: Database, key: str, new_status: str) -> None:
    """An item placed in an issue must stay accepted until it is taken out of the issue."""
    issue = item_issue(db, key)
    if issue and new_status != "accepted":
        raise StoreError(f"条目已编入总第{issue['total_number']}期，请先从该期移除")


def decide(db: Database, key: str, action: str, actor: str) -> None:
    """Accept, reject or restore (to pending) one item, with its audit event."""
    allowed, new_status = TRANSITIONS[action]
    with transaction(db):
        item = _item(db, key)
        if item["status"] == new_status:
            return
        if new_status != "rejected" and item["sector"] in (None, "off_topic"):
            raise StoreError("该条目未归入行业，请先用“改分类”选择行业")
        if item["status"] not in allowed:
            label = STATUS_NAMES.get(item["status"], item["status"])
            raise StoreError(f"状态为「{label}」的条目不能执行此操作")
        _check_free(db, key, new_status)
        db.execute(
            "UPDATE items SET status = ?, reviewer = ?, reviewed_at = ? WHERE key = ?",
            [new_status, actor, utc_now(), key],
        )
        record_event(db, actor, action, key, {"status": item["status"]}, {"status": new_status})


def decide_many(db: Database, keys: Sequence[str], action: str, actor: str) -> list[str]:
    """Apply `decide` to several items at once; return the problems of those skipped."""
    problems: list[str] = []
    with transaction(db):
        for key in keys:
            try:
                decide(db, key, action, actor)
            except (StoreError, NotFoundError) as exc:
                problems.append(str(exc))
    return problems


def resector(db: Database, key: str, sector: str, actor: str) -> None:
    """Move an item to another sector; an off_topic item becomes pending (a rule-quality signal)."""
    if sector not in SECTOR_IDS:
        raise StoreError(f"未知行业：{sector}")
    with transaction(db):
        item = _item(db, key)
        if item["status"] == "used":
            raise StoreError("已定稿刊物中的条目不能改分类")
        if item["sector"] == sector:
            return
        status = "pending" if item["status"] == "off_topic" else item["status"]
        db.execute("UPDATE items SET sector = ?, status = ? WHERE key = ?", [sector, status, key])
        record_event(
            db, actor, "resector", key,
            {"sector": item["sector"], "status": item["status"]},
            {"sector": sector, "status": status},
        )  # fmt: skip


def edit_item(db: Database, key: str, title: str, summary: str, actor: str) -> None:
    """Change an item's title and summary (the FTS trigger re-indexes a new title)."""
    title, summary = " ".join(title.split()), summary.strip()
    if not title:
        raise StoreError("标题不能为空")
    with transaction(db):
        item = _item(db, key)
        if item["status"] == "used":
            raise StoreError("已定稿刊物中的条目不能修改")
        before = {"title": item["title"], "summary": item["summary"]}
        after = {"title": title, "summary": summary}
        if before == after:
            return
        db.execute("UPDATE items SET title = ?, summary = ? WHERE key = ?", [title, summary, key])
        record_event(db, actor, "edit", key, before, after)


def undo_last(db: Database, key: str, actor: str) -> str:
    """Revert the latest not-yet-undone editor action on an item; return that action's name."""
    with transaction(db):
        events = rows_of(
            db, "SELECT * FROM events WHERE subject = ? ORDER BY id DESC LIMIT 200", [key]
        )
        undone = {
            json.loads(e["after"] or "{}").get("undid") for e in events if e["action"] == "undo"
        }
        target = next(
            (e for e in events if e["action"] in UNDOABLE and e["id"] not in undone), None
        )
        if target is None:
            raise StoreError("没有可撤销的操作")
        before, after = json.loads(target["before"]), json.loads(target["after"])
        item = _item(db, key)
        if item["status"] == "used" or any(item[k] != v for k, v in after.items()):
            raise StoreError("条目已被再次修改或已定稿，无法撤销")
        if "status" in before:
            _check_free(db, key, before["status"])
        assignments = ", ".join(f"{name} = ?" for name in before)
        db.execute(f"UPDATE items SET {assignments} WHERE key = ?", [*before.values(), key])
        record_event(db, actor, "undo", key, after, {**before, "undid": target["id"]})
    return str(target["action"])


def resector_counts(db: Database) -> list[dict[str, Any]]:
    """How often editors moved items from one sector to another (rule-quality signal)."""
    return rows_of(
        db,
        """SELECT json_extract(before, '$.sector') AS from_sector,
                  json_extract(after, '$.sector') AS to_sector, count(*) AS n
           FROM events WHERE action = 'resector' GROUP BY 1, 2 ORDER BY n DESC, 1, 2""",
    )
