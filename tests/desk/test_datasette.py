"""Datasette over the demo database: it finds the search index on `items` and searches it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette

ROOT = Path(__file__).parent.parent.parent
METADATA = ROOT / "deploy" / "datasette.yml"


def run(coroutine_function: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on a loop of its own thread: Playwright's sync API (the browser tests of
    the same session) keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function())).result()


def get_json(ds: Datasette, path: str) -> Any:
    """One request through Datasette's own test client."""

    async def fetch() -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    return run(fetch)


def status(ds: Datasette, path: str) -> int:
    async def fetch() -> int:
        return (await ds.client.get(path)).status_code

    return run(fetch)


def page(ds: Datasette, path: str) -> str:
    async def fetch() -> str:
        return (await ds.client.get(path)).text

    return str(run(fetch))


def test_datasette_searches_items_by_the_schema_alone(db_path: Path) -> None:
    # No metadata: Datasette must recognise items_fts from its declaration (content="items").
    path = db_path  # a private copy named newsdesk.db: Datasette calls the database "newsdesk"
    ds = Datasette([str(path)])
    table = get_json(ds, "/newsdesk/items.json?_search=许昌市&_shape=objects&_size=100")
    hits = table["rows"]
    assert hits and all("许昌市" in row["title"] + row["text"] for row in hits)
    assert get_json(ds, "/newsdesk/items.json?_search=数字化转型&_shape=objects")["rows"]


def test_datasette_metadata_titles_facets_and_two_character_search(db_path: Path) -> None:
    path = db_path  # a private copy named newsdesk.db: Datasette calls the database "newsdesk"
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    ds = Datasette([str(path)], metadata=metadata)
    tables = get_json(ds, "/newsdesk.json")["tables"]
    titled = {t["name"]: t for t in tables}
    assert titled["items"]["fts_table"] == "items_fts"
    items = get_json(ds, "/newsdesk/items.json?_search=许昌市&_shape=objects")
    assert items["rows"]
    assert {"status", "sector", "source_id"} <= set(items["facet_results"])
    html = page(ds, "/newsdesk/items")
    assert "采集条目" in html
    # Datasette's own search box hands a 2-character word to the trigram index: nothing matches.
    assert get_json(ds, "/newsdesk/items.json?_search=许昌市&_shape=objects")["rows"]
    assert not get_json(ds, "/newsdesk/items.json?_search=假发&_shape=objects")["rows"]
    # The canned query expands it over the index vocabulary, as the desk does.
    found = get_json(ds, "/newsdesk/short_word_search.json?word=假发&_shape=objects")["rows"]
    texts = dict(sqlite3.connect(db_path).execute("SELECT key, title || text FROM items"))
    assert found and all("假发" in texts[row["key"]] for row in found)
    # Accounts and the desk's signing secret are not served.
    assert status(ds, "/newsdesk/desk_secrets") == 403
    assert status(ds, "/newsdesk/users.json") == 403
