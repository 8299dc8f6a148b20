"""Issues of the newsletter: numbering, sections, items and their order, finalize and reopen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.errors import StoreError
from store.accounts import record_event
from store.db import Database, one_row, rows_of, transaction, utc_now
from store.review import ROW_COLUMNS, SECTOR_ORDER, item_issue

# The 6+3+3 order as SQL: sector ids sort alphabetically (生物医药 before 新一代信息技术).
SECTOR_RANK_SQL = (
    "CASE sector "
    + " ".join(f"WHEN '{sid}' THEN {i}" for i, sid in enumerate(SECTOR_ORDER))
    + f" ELSE {len(SECTOR_ORDER)} END"
)


def sector_rank(sector: str | None) -> int:
    """A sector's place in the 6+3+3 order (unknown sectors last)."""
    return SECTOR_ORDER.index(sector) if sector in SECTOR_ORDER else len(SECTOR_ORDER)


_ISSUE_FIELDS = ("year", "number", "total_number", "special_title", "subtitle", "issue_date",
                 "editor_note")  # fmt: skip


def list_issues(db: Database) -> list[dict[str, Any]]:
    """Every issue, newest first, with its item count."""
    return rows_of(
        db,
        """SELECT issues.*, (SELECT count(*) FROM issue_items WHERE issue_id = issues.id) AS items
           FROM issues ORDER BY total_number DESC""",
    )


def get_issue(db: Database, issue_id: int) -> dict[str, Any]:
    """One issue by id; NotFoundError otherwise."""
    return one_row(db, "SELECT * FROM issues WHERE id = ?", [issue_id], f"没有这一期：{issue_id}")


def find_issue(db: Database, total_number: int = 0, year: int = 0, number: int = 0) -> int:
    """The id of the issue 总第`total_number`期, or of `year` 第`number`期."""
    if total_number:
        sql, params = "SELECT id FROM issues WHERE total_number = ?", [total_number]
    else:
        sql, params = "SELECT id FROM issues WHERE year = ? AND number = ?", [year, number]
    what = f"总第{total_number}期" if total_number else f"{year}年第{number}期"
    return int(one_row(db, sql, params, f"没有这一期：{what}")["id"])


def last_issue(db: Database) -> dict[str, Any] | None:
    """The issue with the highest 总期号, or None on a new database."""
    rows = rows_of(db, "SELECT * FROM issues ORDER BY total_number DESC LIMIT 1")
    return rows[0] if rows else None


def _check_numbers(db: Database, fields: dict[str, Any], issue_id: int) -> None:
    clash = rows_of(
        db,
        """SELECT year, number, total_number FROM issues WHERE id != ?
           AND ((year = ? AND number = ?) OR total_number = ?)""",
        [issue_id, fields["year"], fields["number"], fields["total_number"]],
    )
    if clash:
        c = clash[0]
        raise StoreError(
            f"期号已被占用：{c['year']}年第{c['number']}期（总第{c['total_number']}期）"
        )


def _draft(db: Database, issue_id: int) -> dict[str, Any]:
    issue = get_issue(db, issue_id)
    if issue["status"] != "draft":
        raise StoreError("本期已定稿，请先重新打开")
    return issue


def create_issue(db: Database, fields: dict[str, Any], actor: str) -> int:
    """Create a draft issue from the masthead fields; return its id."""
    row = {k: fields[k] for k in _ISSUE_FIELDS}
    with transaction(db):
        _check_numbers(db, row, 0)
        cursor = db.execute(
            f"""INSERT INTO issues ({", ".join(row)}, created_at, created_by)
                VALUES ({", ".join("?" * len(row))}, ?, ?)""",
            [*row.values(), utc_now(), actor],
        )
        issue_id = int(cursor.lastrowid or 0)
        record_event(db, actor, "issue_new", f"issue:{issue_id}", after=row)
    return issue_id


def update_issue(db: Database, issue_id: int, fields: dict[str, Any], actor: str) -> None:
    """Change a draft's masthead fields and 编者的话."""
    with transaction(db):
        issue = _draft(db, issue_id)
        row = {k: fields.get(k, issue[k]) for k in _ISSUE_FIELDS}
        _check_numbers(db, row, issue_id)
        changed = {k: v for k, v in row.items() if issue[k] != v}
        if not changed:
            return
        sets = ", ".join(f"{k} = ?" for k in changed)
        db.execute(f"UPDATE issues SET {sets} WHERE id = ?", [*changed.values(), issue_id])
        before = {k: issue[k] for k in changed}
        record_event(db, actor, "issue_edit", f"issue:{issue_id}", before, changed)


def issue_items(db: Database, issue_id: int) -> list[dict[str, Any]]:
    """An issue's items with their overrides, by section then position."""
    return rows_of(
        db,
        """SELECT items.key, items.title AS item_title, items.summary AS item_summary, items.text,
                  items.source_name, items.attribution, items.published_at, items.url,
                  items.sector, items.status, issue_items.section, issue_items.position,
                  issue_items.title AS title_override, issue_items.summary AS summary_override,
                  issue_items.body, issue_items.prior_status, items.rank,
                  coalesce(items.cluster_id, items.key) AS cluster_id,
                  (SELECT json_group_array(name) FROM (SELECT name FROM attachments
                   WHERE item_key = items.key AND status IN ('read', 'kept') ORDER BY rowid))
                  AS attachment_names
           FROM issue_items JOIN items ON items.key = issue_items.item_key
           WHERE issue_id = ? ORDER BY section, position""",
        [issue_id],
    )


def available_items(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """Accepted items not yet placed in any issue, in 6+3+3 order then best rank first."""
    return rows_of(
        db,
        f"""SELECT {ROW_COLUMNS} FROM items WHERE status = 'accepted'
            AND NOT EXISTS (SELECT 1 FROM issue_items WHERE item_key = items.key)
            ORDER BY {SECTOR_RANK_SQL}, rank DESC LIMIT ?""",
        [limit],
    )


def add_to_issue(
    db: Database, issue_id: int, keys: Sequence[str], section: str, actor: str
) -> list[str]:
    """Append accepted, unplaced items to a section of a draft; return problems of those skipped."""
    problems: list[str] = []
    with transaction(db):
        _draft(db, issue_id)
        for key in keys:
            item = one_row(db, "SELECT * FROM items WHERE key = ?", [key], f"没有这个条目：{key}")
            placed = item_issue(db, key)
            if item["status"] != "accepted" or placed:
                where = f"，已在总第{placed['total_number']}期" if placed else ""
                problems.append(f"{item['title']}：只能加入已采用且未编入刊物的条目{where}")
                continue
            _insert_in_order(db, issue_id, key, section, item["sector"])
            record_event(db, actor, "issue_add", key, after={"issue": issue_id, "section": section})
    return problems


def _insert_in_order(
    db: Database, issue_id: int, key: str, section: str, sector: str | None, **extra: Any
) -> None:
    """Place an item in a section after every item of its own or an earlier 6+3+3 industry.

    The items already there keep the editor's order; a new one goes before the first item of a
    later industry, so a section filled item by item still reads in the newsletter's order.
    """
    placed = rows_of(
        db,
        """SELECT issue_items.position, items.sector FROM issue_items
           JOIN items ON items.key = issue_items.item_key
           WHERE issue_id = ? AND section = ? ORDER BY position""",
        [issue_id, section],
    )
    mine = sector_rank(sector)
    later = [r["position"] for r in placed if sector_rank(r["sector"]) > mine]
    position = later[0] if later else (placed[-1]["position"] + 1 if placed else 0)
    db.execute(
        """UPDATE issue_items SET position = position + 1
           WHERE issue_id = ? AND section = ? AND position >= ?""",
        [issue_id, section, position],
    )
    columns = {"issue_id": issue_id, "item_key": key, "section": section, "position": position}
    columns |= extra
    db.execute(
        f"INSERT INTO issue_items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        list(columns.values()),
    )


def remove_from_issue(db: Database, issue_id: int, key: str, actor: str) -> None:
    """Take an item out of a draft: it stays accepted, or goes back to pending if a proposal
    accepted it; either way it is not proposed again for this draft."""
    with transaction(db):
        _draft(db, issue_id)
        _take_out(db, issue_id, key)
        record_event(db, actor, "issue_remove", key, before={"issue": issue_id})


def arrange_issue(
    db: Database, issue_id: int, placement: Sequence[tuple[str, str]], actor: str
) -> None:
    """Set every item's section and order from (section, key) pairs in reading order."""
    with transaction(db):
        _draft(db, issue_id)
        current = {r["item_key"] for r in rows_of(
            db, "SELECT item_key FROM issue_items WHERE issue_id = ?", [issue_id])}  # fmt: skip
        if {key for _, key in placement} != current or len(placement) != len(current):
            raise StoreError("排序数据与本期条目不一致，请刷新页面")
        positions: dict[str, int] = {}
        for section, key in placement:
            positions[section] = positions.get(section, -1) + 1
            db.execute(
                """UPDATE issue_items SET section = ?, position = ?
                   WHERE issue_id = ? AND item_key = ?""",
                [section, positions[section], issue_id, key],
            )
        record_event(db, actor, "issue_arrange", f"issue:{issue_id}", after=list(placement))


def set_issue_item(
    db: Database, issue_id: int, key: str, fields: dict[str, str | None], actor: str
) -> None:
    """Set this issue's title/summary override or body mode ('text' | 'summary') of an item."""
    allowed = {k: v for k, v in fields.items() if k in ("title", "summary", "body")}
    if allowed.get("body", "text") not in ("text", "summary"):
        raise StoreError("正文方式只能是全文或摘要")
    with transaction(db):
        _draft(db, issue_id)
        sets = ", ".join(f"{k} = ?" for k in allowed)
        db.execute(
            f"UPDATE issue_items SET {sets} WHERE issue_id = ? AND item_key = ?",
            [*allowed.values(), issue_id, key],
        )
        record_event(db, actor, "issue_item", key, after={"issue": issue_id, **allowed})


def finalize_issue(db: Database, issue_id: int, actor: str) -> int:
    """Make a draft final: its items become `used`; return how many."""
    with transaction(db):
        _draft(db, issue_id)
        keys = [r["key"] for r in issue_items(db, issue_id)]
        if not keys:
            raise StoreError("本期还没有条目，不能定稿")
        for key in keys:
            db.execute("UPDATE items SET status = 'used' WHERE key = ?", [key])
        db.execute(
            "UPDATE issues SET status = 'final', finalized_at = ? WHERE id = ?",
            [utc_now(), issue_id],
        )
        record_event(db, actor, "issue_finalize", f"issue:{issue_id}", after=keys)
    return len(keys)


def reopen_issue(db: Database, issue_id: int, actor: str) -> None:
    """Turn a final issue back into a draft; its items become `accepted` again."""
    with transaction(db):
        if get_issue(db, issue_id)["status"] != "final":
            raise StoreError("本期尚未定稿")
        for row in issue_items(db, issue_id):
            db.execute("UPDATE items SET status = 'accepted' WHERE key = ?", [row["key"]])
        db.execute(
            "UPDATE issues SET status = 'draft', finalized_at = NULL WHERE id = ?", [issue_id]
        )
        record_event(db, actor, "issue_reopen", f"issue:{issue_id}")


def delete_issue(db: Database, issue_id: int, actor: str) -> None:
    """Delete a draft; its items stay accepted (a proposal's picks go back to pending)."""
    with transaction(db):
        issue = _draft(db, issue_id)
        for row in issue_items(db, issue_id):
            _take_out(db, issue_id, row["key"])
        db.execute("DELETE FROM issue_skipped WHERE issue_id = ?", [issue_id])
        db.execute("DELETE FROM issues WHERE id = ?", [issue_id])
        before = {k: issue[k] for k in _ISSUE_FIELDS}
        record_event(db, actor, "issue_delete", f"issue:{issue_id}", before=before)


def last_finalized_at(db: Database) -> str | None:
    """When the latest issue was finalized, or None before the first one."""
    row = rows_of(db, "SELECT max(finalized_at) AS at FROM issues WHERE status = 'final'")[0]
    return row["at"] or None


def item_texts(db: Database, keys: Sequence[str]) -> dict[str, str]:
    """The texts of these items by key (only the few a proposal picks are read)."""
    marks = ",".join("?" * len(keys))
    rows = rows_of(db, f"SELECT key, text FROM items WHERE key IN ({marks})", list(keys))
    return {r["key"]: r["text"] for r in rows}


# Above this many recent candidates a proposal walks each industry's best items in the queue index
# instead of reading every candidate row (a first run that crawled a whole archive at once).
BROAD_PROPOSAL = 5000
_FREE = """status IN ('pending', 'accepted') AND fetched_at > ?
    AND key NOT IN (SELECT item_key FROM issue_items)
    AND key NOT IN (SELECT item_key FROM issue_skipped WHERE issue_id = ?)
    AND (cluster_id IS NULL OR cluster_id NOT IN
        (SELECT cluster_id FROM items WHERE status = 'used' AND cluster_id IS NOT NULL))"""


def proposal_candidates(
    db: Database, since: str, issue_id: int = 0, with_text: bool = True, depth: int = 0
) -> list[dict[str, Any]]:
    """Items that may go into a proposed issue: pending or accepted, fetched after `since`.

    Never an item already in an issue, one whose reprint cluster was used in a finalized issue,
    or one an editor took out of draft `issue_id`. With `depth`, each industry gives only its
    `depth` best reprint clusters (one item each), found inside SQLite: a proposal over 78,000
    candidates reads a few hundred rows (bench/desk.py). Without `with_text` texts stay unread.
    """
    text = "(SELECT text FROM items AS t WHERE t.key = c.key)" if with_text else "''"
    columns = "c.key, sector, rank, title, coalesce(cluster_id, c.key) AS cluster_id, status"
    columns += f", {text} AS text"
    recent = db.execute(
        "SELECT count(*) FROM items WHERE status IN ('pending', 'accepted') AND fetched_at > ?",
        [since],
    ).fetchone()[0]
    if depth and recent > BROAD_PROPOSAL:
        # Each (status, industry) read best-first from the queue index, stopping early; the pure
        # core keeps one item per cluster (reprints are mostly status 'duplicate' already).
        rows: list[dict[str, Any]] = []
        for sector in SECTOR_ORDER:
            for status in ("pending", "accepted"):
                rows += rows_of(
                    db,
                    # INDEXED BY: rank order straight from the index, stopping after the limit
                    # (the planner may otherwise read every recent row and sort them).
                    f"""SELECT {columns} FROM items AS c INDEXED BY items_queue
                        WHERE status = ? AND sector = ?
                        AND {_FREE} ORDER BY rank DESC LIMIT ?""",
                    [status, sector, since, issue_id, 2 * depth],
                )
        return sorted(rows, key=lambda r: (sector_rank(r["sector"]), -r["rank"], r["key"]))
    return rows_of(
        db,
        f"""WITH found AS (
                SELECT key, sector, rank, title, cluster_id, status FROM items
                WHERE sector IN ({", ".join("?" * len(SECTOR_ORDER))}) AND {_FREE}
            ), single AS (
                SELECT *, row_number() OVER (
                    PARTITION BY coalesce(cluster_id, key) ORDER BY rank DESC, key
                ) AS in_cluster FROM found
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY sector ORDER BY rank DESC, key)
                    AS in_sector FROM single WHERE in_cluster = 1
            )
            SELECT {columns} FROM ranked AS c WHERE ? = 0 OR in_sector <= ?
            ORDER BY {SECTOR_RANK_SQL}, rank DESC, c.key""",
        [*SECTOR_ORDER, since, issue_id, depth, depth],
    )


def _place_proposed(
    db: Database, issue_id: int, key: str, section: str, summary: str, body: str, actor: str,
    position: int | None = None,
) -> None:  # fmt: skip
    """Accept a proposed item (remembering its status) and put it in the draft."""
    item = one_row(db, "SELECT * FROM items WHERE key = ?", [key], f"没有这个条目：{key}")
    if item["status"] not in ("pending", "accepted") or item_issue(db, key):
        raise StoreError(f"{item['title']}：已不能编入本期（已处理或已在其他刊物中）")
    if item["status"] == "pending":
        db.execute(
            "UPDATE items SET status = 'accepted', reviewer = ?, reviewed_at = ? WHERE key = ?",
            [actor, utc_now(), key],
        )
        record_event(db, actor, "accept", key, {"status": "pending"},
                     {"status": "accepted", "via": "propose"})  # fmt: skip
    extra = {"summary": summary, "body": body, "prior_status": item["status"]}
    if position is None:
        _insert_in_order(db, issue_id, key, section, item["sector"], **extra)
        return
    db.execute(
        """UPDATE issue_items SET position = position + 1
           WHERE issue_id = ? AND section = ? AND position >= ?""",
        [issue_id, section, position],
    )
    db.execute(
        """INSERT INTO issue_items (issue_id, item_key, section, position, summary, body,
                                    prior_status) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [issue_id, key, section, position, summary, body, item["status"]],
    )


def create_proposed_issue(
    db: Database, fields: dict[str, Any], picks: Sequence[tuple[str, str, str]], body: str,
    actor: str,
) -> int:  # fmt: skip
    """A new draft holding (key, section, summary) picks in reading order; return its id."""
    with transaction(db):
        issue_id = create_issue(db, fields, actor)
        positions: dict[str, int] = {}
        for key, section, summary in picks:
            positions[section] = positions.get(section, -1) + 1
            _place_proposed(db, issue_id, key, section, summary, body, actor, positions[section])
        record_event(db, actor, "issue_propose", f"issue:{issue_id}",
                     after=[key for key, _, _ in picks])  # fmt: skip
    return issue_id


def _take_out(db: Database, issue_id: int, key: str) -> dict[str, Any]:
    """Remove an item from a draft; a proposal's pick returns to the status it had before."""
    rows = rows_of(
        db, "SELECT * FROM issue_items WHERE issue_id = ? AND item_key = ?", [issue_id, key]
    )
    if not rows:
        raise StoreError("该条目不在本期中，请刷新页面")
    db.execute("DELETE FROM issue_items WHERE issue_id = ? AND item_key = ?", [issue_id, key])
    db.execute(
        "UPDATE issue_items SET position = position - 1 WHERE issue_id = ? AND section = ? "
        "AND position > ?",
        [issue_id, rows[0]["section"], rows[0]["position"]],
    )
    db.execute("INSERT OR IGNORE INTO issue_skipped VALUES (?, ?)", [issue_id, key])
    if rows[0]["prior_status"] == "pending":
        db.execute(
            "UPDATE items SET status = 'pending', reviewer = NULL, reviewed_at = NULL "
            "WHERE key = ? AND status = 'accepted'",
            [key],
        )
    return rows[0]


def swap_item(db: Database, issue_id: int, key: str, runner: str, summary: str, actor: str) -> None:
    """Put `runner` where `key` was (same section and place); `key` leaves the draft."""
    with transaction(db):
        issue = _draft(db, issue_id)
        old = _take_out(db, issue_id, key)
        body = old["body"]  # the new item prints as the one it replaces did
        _place_proposed(db, issue["id"], runner, old["section"], summary, body, actor,
                        old["position"])  # fmt: skip
        record_event(db, actor, "issue_swap", f"issue:{issue_id}",
                     before={"key": key}, after={"key": runner})  # fmt: skip
