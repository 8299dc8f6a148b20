"""An editor clicking in the desk over HTTP while a large backlog is processed: nothing is lost.

The processing pass computes outside any write transaction and writes in short ones, so a click
never waits long for the write lock, and none fails. Latency figures live in bench/pipeline.py.
"""

from __future__ import annotations

import http.cookiejar
import random
import re
import threading
import tomllib
import urllib.parse
import urllib.request

import store.db
import store.items
from ops.process import process_new
from pipeline.config import Config
from pipeline.models import RawItem
from pipeline.normalize import canonical_url, url_key
from tests.desk.conftest import EDITOR, PASSWORD, ROOT, LiveServer

BACKLOG = 1000


def backlog(n: int) -> list[RawItem]:
    """N new items with varied text: sentences of the golden set recombined."""
    golden = tomllib.loads((ROOT / "tests/fixtures/golden.toml").read_text(encoding="utf-8"))
    sentences = [s + "。" for g in golden["item"] for s in g["text"].split("。") if len(s) > 10]
    rng = random.Random(14)
    items = []
    for i in range(n):
        text = "\n".join(
            "".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(rng.randint(2, 6))
        )
        items.append(
            RawItem(url=f"https://backlog.example/{i}", source_id="demo-xinwen",
                    title=text[:20], text=text, fetched_at="2026-11-23T08:00:00+00:00",
                    published_at="2026-11-23")
        )  # fmt: skip
    return items


class Editor:
    """A logged-in browser session over plain HTTP: cookies and the CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token
        form = {"name": EDITOR, "password": PASSWORD, "csrf_token": token[1]}
        self.opener.open(self.base + "/login", urllib.parse.urlencode(form).encode(), timeout=60)
        header = re.search(r'"X-CSRFToken": "([^"]+)"', self.get("/queue"))
        assert header, "not logged in"
        self.csrf = header[1]

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return str(response.read().decode("utf-8"))

    def click(self, key: str, action: str) -> int:
        """POST one decision the way the desk's buttons do (htmx, CSRF header)."""
        request = urllib.request.Request(
            f"{self.base}/items/{key}/{action}", data=b"", method="POST",
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true"},
        )  # fmt: skip
        with self.opener.open(request, timeout=60) as response:
            response.read()
            return int(response.status)


def test_every_click_during_processing_is_recorded(live_server: LiveServer, config: Config) -> None:
    db = store.db.open_db(live_server.db_path)
    raw = backlog(BACKLOG)
    store.items.save_raw_items(
        db, [(url_key(canonical_url(i.url)), canonical_url(i.url), i) for i in raw]
    )
    pending = [
        r[0]
        for r in db.execute(
            "SELECT key FROM items WHERE status = 'pending' AND sector != 'off_topic' "
            "AND key NOT IN (SELECT item_key FROM issue_items) ORDER BY key LIMIT 40"
        )
    ]
    assert len(pending) >= 10
    events_before = db.execute("SELECT max(id) FROM events").fetchone()[0] or 0
    editor = Editor(live_server.url)
    errors: list[BaseException] = []

    def run() -> None:
        conn = store.db.open_db(live_server.db_path)
        try:
            process_new(conn, config)
        except BaseException as exc:  # surfaced below: a failed pass must fail the test
            errors.append(exc)
        finally:
            conn.conn.close()

    worker = threading.Thread(target=run)
    worker.start()
    clicks: list[tuple[str, str]] = []
    state = dict.fromkeys(pending, "pending")
    while worker.is_alive():
        key = pending[len(clicks) % len(pending)]
        action = "accept" if state[key] == "pending" else "restore"
        assert editor.click(key, action) == 200
        state[key] = "accepted" if action == "accept" else "pending"
        clicks.append((key, action))
    worker.join()
    print(f"\n{len(clicks)} clicks during the processing of {BACKLOG} items")
    assert errors == []
    assert db.execute("SELECT count(*) FROM items WHERE status = 'new'").fetchone()[0] == 0
    assert len(clicks) >= 20, "the pass ended before the editor could click during it"
    recorded = db.execute(
        "SELECT subject, action FROM events WHERE id > ? AND actor = ? AND action IN "
        "('accept', 'restore') ORDER BY id",
        [events_before, EDITOR],
    ).fetchall()
    assert [tuple(r) for r in recorded] == clicks
    for key, status in state.items():
        assert store.items.get_item(db, key)["status"] == status
    db.conn.close()
