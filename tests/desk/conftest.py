"""Fixtures for the desk: a real demo database (crawled once), a live server, a logged-in browser."""

from __future__ import annotations

import os
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

import store.accounts
import store.db
from demo.run import run_demo
from desk.auth import hash_password
from desk.web import create_app
from ops.config_files import load_config
from pipeline.config import Config

ROOT = Path(__file__).parent.parent.parent
CONFIG_DIR = str(ROOT / "config")
EDITOR, PASSWORD = "wangli", "xuchang-2026"
ADMIN = "zhangwei"  # an ops admin with the same password
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium's own connections are refused on a closed
# network and slow every page down.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("NEWSDESK_ARTIFACTS", ROOT / "data" / "test-artifacts"))


@pytest.fixture(scope="session")
def config() -> Config:
    """The repository's real config."""
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    """One real crawl of the demo sites per session, plus an editor and an admin account."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    run_demo(config, str(path))
    db = store.db.open_db(path)
    store.accounts.add_user(db, EDITOR, hash_password(PASSWORD), "王丽")
    store.accounts.add_user(db, ADMIN, hash_password(PASSWORD), "张伟", role="admin")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture
def db_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database for one test."""
    target = tmp_path / "newsdesk.db"
    with sqlite3.connect(demo_template) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def db(db_path: Path) -> Iterator[store.db.Database]:
    """The test's database, opened through the store."""
    conn = store.db.open_db(db_path)
    yield conn
    conn.conn.close()


@pytest.fixture
def app(db_path: Path) -> Any:
    """The desk app over the test's database."""
    flask_app = create_app(str(db_path), CONFIG_DIR, secret_key="test-secret")
    flask_app.config["TESTING"] = True
    return flask_app


@dataclass
class LiveServer:
    """A desk served over HTTP on 127.0.0.1 for the browser."""

    url: str
    db_path: Path


@pytest.fixture
def live_server(db_path: Path) -> Iterator[LiveServer]:
    """The desk on a free port in a thread; ready when it answers, stopped after the test."""
    server = make_server(
        "127.0.0.1", 0, create_app(str(db_path), CONFIG_DIR, "live"), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    _wait_until_up(url + "/login")
    yield LiveServer(url, db_path)
    server.shutdown()
    thread.join(10)


def _wait_until_up(url: str, attempts: int = 200) -> None:
    """Poll until the server answers (no fixed sleep): the listening socket exists already."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            threading.Event().wait(0.02)
    raise RuntimeError(f"{url} never answered")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser build)."""
    if not Path(CHROMIUM).exists():
        # A missing browser is a broken setup, not a reason to pass: fail and say how to fix it.
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs the chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A logged-in browser tab on the live desk."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN"
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(live_server.url + "/queue")
    tab.fill("input[name=name]", EDITOR)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/queue")
    yield tab
    context.close()


def login(client: Any, name: str = EDITOR) -> str:
    """Log a Flask test client in; return the CSRF token for its session."""
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": token[1]}
    )
    assert response.status_code == 302
    page = client.get("/queue").text
    header = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert header
    return header[1]
