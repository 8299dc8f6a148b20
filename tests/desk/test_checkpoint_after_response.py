"""The desk copies its writes from the WAL into the database after the response, not before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import store.db
from tests.desk.conftest import login


def test_a_click_that_writes_checkpoints_after_its_response_and_a_read_does_not(
    app: Any, db: store.db.Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = store.db.checkpoint
    monkeypatch.setattr(store.db, "checkpoint", lambda path: (calls.append(str(path)), real(path)))
    client = app.test_client()
    token = login(client)
    key = db.execute("SELECT key FROM items WHERE status = 'pending' LIMIT 1").fetchone()[0]
    calls.clear()
    client.get("/queue")
    assert calls == []  # a page view writes nothing, so it has nothing to copy
    response = client.post(
        f"/items/{key}/accept", headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    response.close()  # the server closes the response after sending it: then the copy runs
    assert calls == [str(db_path)]
    assert db.execute("SELECT status FROM items WHERE key = ?", [key]).fetchone()[0] == "accepted"
    # The request's own commit did not copy the WAL: a request connection never checkpoints.
    request_conn = store.db.open_db(db_path, auto_checkpoint=False)
    assert request_conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    request_conn.conn.close()
    # Everything is in the database file, and the desk holds the database open meanwhile.
    busy, log, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == done
    assert app.extensions["newsdesk_keep_open"].execute("SELECT 1").fetchone() == (1,)
