"""Issues of the newsletter: numbering, sections, items and their order, finalize and reopen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.errors import StoreError
from store.accounts import record_event
from store.db import Database, one_row, rows_of, transaction, utc_now
from store.review import ROW_COLUMNS, item_issue

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
                  issue_items.body,
                  (SELECT json_group_array(name) FROM (SELECT name FROM attachments
                   WHERE item_key = items.key AND status IN ('read', 'kept') ORDER BY position))
                  AS attachment_names
           FROM issue_items JOIN items ON items.key = issue_items.item_key
           WHERE issue_id = ? ORDER BY section, position""",
        [issue_id],
    )


def available_items(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """Accepted items not yet placed in any issue, by sector then rank."""
    return rows_of(
        db,
        f"""SELECT {ROW_COLUMNS} FROM items WHERE status = 'accepted'
            AND NOT EXISTS (SELECT 1 FROM issue_items WHERE item_key = items.key)
            ORDER BY sector, rank DESC LIMIT ?""",
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
            db.execute(
                """INSERT INTO issue_items (issue_id, item_key, section, position)
                   VALUES (?, ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM issue_items
                                     WHERE issue_id = ? AND section = ?))""",
                [issue_id, key, section, issue_id, section],
            )
            record_event(db, actor, "issue_add", key, after={"issue": issue_id, "section": section})
    return problems


def remove_from_issue(db: Database, issue_id: int, key: str, actor: str) -> None:
    """Take an item out of a draft (it stays accepted)."""
    with transaction(db):
        _draft(db, issue_id)
        db.execute("DELETE FROM issue_items WHERE issue_id = ? AND item_key = ?", [issue_id, key])
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
    """Delete a draft; its items stay accepted and can go into another issue."""
    with transaction(db):
        issue = _draft(db, issue_id)
        db.execute("DELETE FROM issue_items WHERE issue_id = ?", [issue_id])
        db.execute("DELETE FROM issues WHERE id = ?", [issue_id])
        before = {k: issue[k] for k in _ISSUE_FIELDS}
        record_event(db, actor, "issue_delete", f"issue:{issue_id}", before=before)
