"""Shared helpers of the operations tests: config dirs, the ops fixture sites, processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from demo.fixture_server import serve

ROOT = Path(__file__).parent.parent.parent
WWW = Path(__file__).parent.parent / "fixtures" / "ops" / "www"
T = TypeVar("T")

SETTINGS = """
[database]
path = "data/unused.db"

[crawl]
delay = 0
timeout = 2
retries = 0
cycle_timeout = {cycle_timeout}

[schedule]
every = "{every}"
quiet_hours = ""
jitter_seconds = 0
quarantine_after = {quarantine_after}
alert_after = 1
stop_grace_seconds = {stop_grace}

{extra}

[newsletter]
title = "竞争情报快递"
publisher = "许昌市科学技术情报所"
sections = ["发展态势"]
"""

# One [[source]] table per behaviour of the fixture sites (tests/fixtures/ops/build.py).
SOURCES = {
    "good-feed": """
[[source]]
id = "good-feed"
name = "行业协会"
kind = "feed"
authority = "association"
urls = ["http://good.example/atom.xml"]
""",
    "good-list": """
[[source]]
id = "good-list"
name = "许昌市科技局"
kind = "listing"
authority = "municipal"
urls = ["http://list.example/news/index.html"]
[source.list]
item = "ul.list li"
title = "a::attr(title)"
date = "span.date::text"
""",
    "slow-list": """
[[source]]
id = "slow-list"
name = "慢速网站"
kind = "listing"
urls = ["http://slow.example/news/index.html"]
delay = {slow_delay}
[source.list]
item = "ul.list li"
title = "a::attr(title)"
""",
    "broken-selector": """
[[source]]
id = "broken-selector"
name = "改版网站"
kind = "listing"
urls = ["http://broken.example/news/index.html"]
[source.list]
item = "ul.list li"
""",
    "bad-feed": """
[[source]]
id = "bad-feed"
name = "坏订阅源"
kind = "feed"
urls = ["http://badfeed.example/rss.xml"]
""",
    "times-out": """
[[source]]
id = "times-out"
name = "超时网站"
kind = "listing"
urls = ["http://faults.example/slow/8/list.html"]
[source.list]
item = "ul.list li"
""",
    "http-500": """
[[source]]
id = "http-500"
name = "500网站"
kind = "listing"
urls = ["http://faults.example/status/500/list.html"]
[source.list]
item = "ul.list li"
""",
}


def make_config(
    directory: Path,
    sources: list[str],
    every: str = "2s",
    quarantine_after: int = 3,
    cycle_timeout: int = 60,
    stop_grace: int = 20,
    slow_delay: float = 0.5,
    extra: str = "",
) -> Path:
    """A config dir with test-friendly settings, the repo's sectors and the named sources."""
    (directory / "sources").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config" / "sectors.toml", directory / "sectors.toml")
    (directory / "settings.toml").write_text(
        SETTINGS.format(every=every, quarantine_after=quarantine_after, extra=extra,
                        cycle_timeout=cycle_timeout, stop_grace=stop_grace),
        encoding="utf-8",
    )  # fmt: skip
    body = "".join(SOURCES[s].replace("{slow_delay}", str(slow_delay)) for s in sources)
    (directory / "sources" / "ops.toml").write_text(body, encoding="utf-8")
    return directory


@contextmanager
def fixture_sites() -> Iterator[dict[str, str]]:
    """Serve the ops sites; yield the environment that routes *.example hosts there."""
    with serve(WWW) as server:
        yield {"NEWSDESK_HOST_MAP": f"*.example={server.proxy}"}


def wait_until(condition: Callable[[], T], timeout: float, what: str, step: float = 0.1) -> T:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def start_scheduler(
    config: Path, db: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """`python scheduler.py` as ops would start it, output into `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config), "--db", str(db)],
            cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def crawl_children(pid: int) -> list[int]:
    """Pids of live `python -m crawler` processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == pid and state != "Z" and b"crawler" in cmdline and b"-m" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM a process and wait for its exit code (SIGKILL if it does not stop)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        raise
