"""Who did what: desk accounts, desk secrets, and the append-only audit log (events)."""

from __future__ import annotations

import json
from typing import Any

from pipeline.errors import NotFoundError, StoreError
from store.db import Database, one_row, rows_of, transaction, utc_now


def record_event(
    db: Database,
    actor: str,
    action: str,
    subject: str = "",
    before: Any = None,
    after: Any = None,
    at: str | None = None,
) -> None:
    """Append one audit event (inside the caller's transaction when there is one)."""

    def dump(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    with transaction(db):
        db.execute(
            "INSERT INTO events (at, actor, action, subject, before, after) VALUES (?,?,?,?,?,?)",
            [at or utc_now(), actor, action, subject, dump(before), dump(after)],
        )


def item_events(db: Database, key: str) -> list[dict[str, Any]]:
    """The audit events of one item, oldest first."""
    return rows_of(db, "SELECT * FROM events WHERE subject = ? ORDER BY id", [key])


def events_page(
    db: Database, limit: int, before_id: int = 0, actor: str = "", action: str = ""
) -> list[dict[str, Any]]:
    """Audit events newest first, `limit` at a time below `before_id` (0: from the newest)."""
    conds: list[str] = ["1 = 1"]
    params: list[Any] = []
    if before_id:
        conds.append("events.id < ?")
        params.append(before_id)
    if actor:
        conds.append("actor = ?")
        params.append(actor)
    if action:
        conds.append("action = ?")
        params.append(action)
    return rows_of(
        db,
        f"""SELECT events.*, items.title AS item_title FROM events
            LEFT JOIN items ON items.key = events.subject
            WHERE {" AND ".join(conds)} ORDER BY events.id DESC LIMIT ?""",
        [*params, limit],
    )


ROLES = ("editor", "admin")


def add_user(
    db: Database, name: str, password_hash: str, display_name: str = "", role: str = "editor",
    actor: str = "cli",
) -> None:  # fmt: skip
    """Create an account, an editor unless `role` says admin (StoreError if the name is taken)."""
    if role not in ROLES:
        raise StoreError(f"role must be one of {', '.join(ROLES)}; got '{role}'")
    with transaction(db):
        if rows_of(db, "SELECT name FROM users WHERE name = ?", [name]):
            raise StoreError(f"user '{name}' already exists")
        db.execute(
            """INSERT INTO users (name, password_hash, display_name, created_at, role)
               VALUES (?,?,?,?,?)""",
            [name, password_hash, display_name, utc_now(), role],
        )
        record_event(db, actor, "user_add", f"user:{name}", after={"role": role})


def set_role(db: Database, name: str, role: str, actor: str = "cli") -> None:
    """Make an account an editor or an admin."""
    if role not in ROLES:
        raise StoreError(f"role must be one of {', '.join(ROLES)}; got '{role}'")
    with transaction(db):
        account = get_user(db, name)
        if account is None:
            raise NotFoundError(f"no user '{name}'")
        if account["role"] == role:
            return
        db.execute("UPDATE users SET role = ? WHERE name = ?", [role, name])
        record_event(db, actor, "user_role", f"user:{name}", {"role": account["role"]},
                     {"role": role})  # fmt: skip


def record_login_failure(
    db: Database, name: str, address: str, throttled: bool, at: str | None = None
) -> None:
    """Remember one refused login (wrong password, unknown name, or throttled)."""
    with transaction(db):
        db.execute(
            "INSERT INTO login_failures (at, name, address, throttled) VALUES (?, ?, ?, ?)",
            [at or utc_now(), name, address, int(throttled)],
        )


def recent_login_failures(db: Database, name: str, address: str, since: str) -> tuple[int, int]:
    """Refused logins since `since`: (for this account name, from this address)."""
    by_name = db.execute(
        "SELECT count(*) FROM login_failures WHERE name = ? AND at >= ?", [name, since]
    ).fetchone()[0]
    by_address = db.execute(
        "SELECT count(*) FROM login_failures WHERE address = ? AND at >= ?", [address, since]
    ).fetchone()[0]
    return int(by_name), int(by_address)


def login_failure_report(db: Database, since: str) -> list[dict[str, Any]]:
    """Refused logins since `since`, per account name and address, most first (ops page)."""
    return rows_of(
        db,
        """SELECT name, address, count(*) AS failures, sum(throttled) AS throttled,
                  max(at) AS last_at FROM login_failures WHERE at >= ?
           GROUP BY name, address ORDER BY failures DESC, last_at DESC LIMIT 50""",
        [since],
    )


def get_user(db: Database, name: str) -> dict[str, Any] | None:
    """An account by name, or None."""
    rows = rows_of(db, "SELECT * FROM users WHERE name = ?", [name])
    return rows[0] if rows else None


def list_users(db: Database) -> list[dict[str, Any]]:
    """Every account (without password hashes)."""
    return rows_of(
        db, "SELECT name, display_name, role, active, created_at FROM users ORDER BY name"
    )


def update_user(
    db: Database, name: str, password_hash: str | None = None, active: bool | None = None,
    actor: str = "cli",
) -> None:  # fmt: skip
    """Change an account's password or switch it on or off."""
    with transaction(db):
        if get_user(db, name) is None:
            raise NotFoundError(f"no user '{name}'")
        if password_hash is not None:
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name])
            record_event(db, actor, "user_password", f"user:{name}")
        if active is not None:
            db.execute("UPDATE users SET active = ? WHERE name = ?", [int(active), name])
            record_event(db, actor, "user_active", f"user:{name}", after=active)


def desk_secret(db: Database, name: str, new_value: str) -> str:
    """The stored secret `name`, storing `new_value` first if there is none yet."""
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO desk_secrets (name, value) VALUES (?, ?)", [name, new_value]
        )
        return str(
            one_row(db, "SELECT value FROM desk_secrets WHERE name = ?", [name], name)["value"]
        )
