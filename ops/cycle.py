"""One crawl cycle from the outside: the crawl in a child process with a hard timeout, then the
pipeline over what it stored, with the run recorded whatever happens.

This is shell code (subprocess, clock, store), shared by the CLI and scheduler.py. It never
imports Scrapy: the crawl runs as `python -m crawler` because Twisted's reactor cannot restart.
The child gets its own session (a Ctrl-C or SIGTERM meant for the scheduler does not reach it;
the scheduler decides when it stops) and, on Linux, dies with its parent, so a killed scheduler
leaves no orphan crawl writing on.
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

import store.db
import store.runs
from ops import monitor
from ops.logs import log_context
from ops.process import ProcessStats, process_new
from pipeline import health
from pipeline.config import Config

log = logging.getLogger("newsdesk.cycle")
crawl_log = logging.getLogger("newsdesk.crawl")
# This machine's name, recorded on every run (crash recovery checks pids of its own host only).
HOST = socket.gethostname()
# How much of a crashed child's output is kept on the run record for ops.
LOG_TAIL_CHARS = 4000
# After SIGTERM the crawl gets this long to close its spiders (and record them) before SIGKILL.
KILL_GRACE_SECONDS = 10.0
# How often the waiting thread checks the deadline and the stop request.
POLL_SECONDS = 0.2
# A Scrapy log line starts with a timestamp; other lines continue the previous event.
_EVENT_START = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
_LOGGER_NAME = re.compile(r"\[([a-z0-9][a-z0-9_-]*)\]|source=([a-z0-9][a-z0-9_-]*)")
# Scrapy's start-up boilerplate (versions, settings, middlewares): logged at DEBUG, not INFO.
_BOILERPLATE = re.compile(
    r"\[scrapy\.(utils\.log|addons|middleware|crawler|extensions\.\w+)\] INFO"
)
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What a cycle did."""

    run_id: int
    status: str  # ok | failed | crashed | interrupted
    returncode: int | None
    processed: ProcessStats
    error: str | None
    error_kind: str | None = None


@dataclass(frozen=True, slots=True)
class _Crawl:
    returncode: int | None
    status: str
    error_kind: str | None
    error: str | None
    tail: str


def crawl_command(
    config_dir: str, db_path: str, run_id: int, source_ids: Sequence[str], polite: bool
) -> list[str]:
    """The child-process command line of one crawl."""
    cmd = [sys.executable, "-m", "crawler", "--config", config_dir, "--db", db_path]
    cmd += ["--run-id", str(run_id), *source_ids]
    return cmd if polite else [*cmd, "--no-polite"]


def _child_setup(parent: int) -> Callable[[], None]:
    """In the forked child, before exec: die with the parent (Linux prctl PDEATHSIG)."""

    def setup() -> None:
        if _LIBC is not None:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return setup


def _pipe_output(stream: IO[str], run_id: int, ids: set[str], tail: collections.deque[str]) -> (
    None
):  # fmt: skip
    """Forward the child's output into the log, one event per line, tagged with run and source."""
    event: list[str] = []

    def flush() -> None:
        if event:
            text = " ⏎ ".join(event)
            source = "-"
            for found in _LOGGER_NAME.finditer(text[:300]):
                if (found.group(1) or found.group(2)) in ids:
                    source = found.group(1) or found.group(2)
                    break
            level = logging.DEBUG if _BOILERPLATE.search(text[:80]) else logging.INFO
            crawl_log.log(level, "%s", text, extra={"run_id": str(run_id), "source_id": source})
            event.clear()

    for line in stream:
        line = line.rstrip("\n")
        tail.append(line)
        if _EVENT_START.match(line):
            flush()
        event.append(line)
    flush()


def _stop_child(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the crawl's process group, then SIGKILL it after the grace period."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, 30.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _crawl(
    cmd: list[str], env: dict[str, str], timeout: float, run_id: int, ids: Sequence[str],
    should_stop: Callable[[], bool],
) -> _Crawl:  # fmt: skip
    """Run the crawl child to its end, its timeout, or a stop request."""
    tail: collections.deque[str] = collections.deque(maxlen=200)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, errors="replace", env=env, start_new_session=True,
        # The setup only calls prctl (resolved before the fork): it takes no lock that another
        # thread could hold at fork time, which is what makes preexec_fn unsafe in general.
        preexec_fn=_child_setup(os.getpid()),
    )  # fmt: skip
    assert proc.stdout is not None
    reader = threading.Thread(
        target=_pipe_output, args=(proc.stdout, run_id, set(ids), tail), daemon=True
    )
    reader.start()
    log.info("crawl child pid %s started", proc.pid)
    deadline = time.monotonic() + timeout
    status, kind, error = "ok", None, None
    while proc.poll() is None:
        if time.monotonic() >= deadline:
            status, kind = "crashed", "timeout"
            error = f"crawl process killed after the cycle timeout of {timeout:.0f} s"
            _stop_child(proc)
        elif should_stop():
            status, kind = "interrupted", "stopped"
            error = "crawl stopped: the scheduler is stopping"
            _stop_child(proc)
        else:
            time.sleep(POLL_SECONDS)
    reader.join(5)
    proc.stdout.close()
    code = proc.returncode
    if status == "ok" and code != 0:
        status = "crashed"
        if code < 0:
            kind = "killed"
            error = f"crawl process killed by signal {signal.Signals(-code).name}"
        else:
            kind = "crawl_exit"
            error = f"crawl process exited with code {code}"
    return _Crawl(code, status, kind, error, "\n".join(tail)[-LOG_TAIL_CHARS:])


def run_cycle(
    config: Config,
    db_path: str,
    source_ids: Sequence[str] = (),
    trigger: str = "manual",
    env: dict[str, str] | None = None,
    polite: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    check_health: bool = True,
) -> CycleResult:
    """Crawl (child process, hard timeout), then process new items; the run row records both.

    :param should_stop: polled while the crawl runs; True stops it (scheduler shutdown).
    :param check_health: afterwards update source backoff/quarantine and raise alerts.
    """
    db = store.db.open_db(db_path)
    # Cycles of one process run one at a time, so a run still "running" under our own pid is a
    # leftover of a dead process whose pid was reused (common in containers).
    store.runs.recover_abandoned_runs(
        db, lambda pid: pid != os.getpid() and pid_alive(pid), store.db.utc_now(), HOST
    )
    ids = list(source_ids) or [s.id for s in config.sources if s.enabled]
    started = store.db.utc_now()
    run_id = store.runs.start_run(db, trigger, started, os.getpid(), HOST)
    store.runs.mark_run_owner(db, run_id, os.getpid(), ids, HOST)
    with log_context(run_id=run_id):
        log.info("cycle starts (%s): %s", trigger, ", ".join(ids))
        began = time.monotonic()
        cmd = crawl_command(config.directory, db_path, run_id, source_ids, polite)
        crawl = _crawl(cmd, {**os.environ, **(env or {})}, config.settings.crawl.cycle_timeout,
                       run_id, ids, should_stop)  # fmt: skip
        status, kind, error = crawl.status, crawl.error_kind, crawl.error
        if status == "interrupted":
            # Spiders closed by our stop record themselves as crashed: not the sources' fault.
            store.runs.forgive_failures(db, run_id, "crashed")
        if status != "ok":
            log.error("%s; output tail: %s", error, crawl.tail[-500:])
            store.runs.record_missing_source_runs(
                db, run_id, ids, "cycle_timeout" if kind == "timeout" else "crashed",
                error or "", started, store.db.utc_now(), count_failure=kind == "timeout",
            )  # fmt: skip
        else:
            rows = store.runs.source_runs_of(db, run_id)
            if rows and all(r["error_kind"] for r in rows):
                status, kind = "failed", "all_sources_failed"
                error = "; ".join(f"{r['source_id']}: {r['error_kind']}" for r in rows)[:500]
                if health.is_outage([r["error_kind"] for r in rows]):
                    kind = "network_outage"
                    store.runs.forgive_failures(db, run_id)
        # Whatever the crawl did, what it stored is processed: nothing is left behind.
        processed = ProcessStats()
        try:
            processed = process_new(db, config)
        except Exception as exc:  # a pipeline bug must still leave a closed run record
            log.exception("processing failed")
            status, kind, error = "crashed", "process_error", f"{type(exc).__name__}: {exc}"
        store.runs.finish_run(db, run_id, status, store.db.utc_now(), error,
                         crawl.tail if status in ("crashed", "interrupted") else None)  # fmt: skip
        store.runs.set_run_error_kind(db, run_id, kind)
        log.info(
            "cycle ends: %s in %.1f s; processed %s (pending %s, duplicate %s, off_topic %s)",
            status, time.monotonic() - began, processed.processed, processed.pending,
            processed.duplicate, processed.off_topic,
        )  # fmt: skip
        if check_health:
            monitor.after_cycle(db, config, run_id, datetime.now(UTC))
    return CycleResult(run_id, status, crawl.returncode, processed, error, kind)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (not Linux): trust kill(0)
        return True
