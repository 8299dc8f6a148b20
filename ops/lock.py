"""One scheduler per database: an flock on a file beside it, which the kernel drops when the
holding process dies (a crash never leaves it stuck). Shell code (files, pids)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import store.db
from pipeline.errors import LockedError

LOCK_SUFFIX = ".scheduler.lock"


@dataclass
class SchedulerLock:
    """An flock held on a file beside the database; the kernel drops it when the process dies."""

    path: Path
    fd: int

    def release(self) -> None:
        """Unlock and close (the file stays: removing it would race with a new scheduler)."""
        if self.fd >= 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1


def lock_path(db_path: str | Path) -> Path:
    """The lock file of a database: `newsdesk.db.scheduler.lock` beside it."""
    return Path(str(db_path) + LOCK_SUFFIX)


def acquire_scheduler_lock(db_path: str | Path, wait: float = 2.0, role: str = "scheduler") -> (
    SchedulerLock
):  # fmt: skip
    """Take the database's scheduler lock, or raise LockedError naming the holder.

    :param wait: seconds to keep trying (a `newsdesk status` probe holds it for microseconds).
    """
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(path)
                os.close(fd)
                raise LockedError(
                    f"{db_path}: another {holder.get('role', 'scheduler')} already runs on this "
                    f"database (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, since "
                    f"{holder.get('since', '?')}); stop it first, e.g. "
                    "`systemctl stop newsdesk-scheduler`"
                ) from None
            time.sleep(0.05)
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": store.db.utc_now()}
    info["role"] = role
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return SchedulerLock(path, fd)


def _read_holder(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def scheduler_holder(db_path: str | Path) -> dict[str, Any] | None:
    """Who holds the scheduler lock ({pid, host, since, role}), or None when nobody does."""
    path = lock_path(db_path)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_holder(path) or {"pid": "?"}
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_ops(db_path: str | Path, role: str) -> Iterator[SchedulerLock]:
    """Hold the scheduler lock for an ops action that must not overlap a scheduler (restore)."""
    lock = acquire_scheduler_lock(db_path, role=role)
    try:
        yield lock
    finally:
        lock.release()
