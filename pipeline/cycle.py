"""One crawl cycle from the outside: the crawl in a child process with a hard timeout, then the
pipeline over what it stored, with the run recorded whatever happens.

This is shell code (subprocess, clock, store), shared by the CLI and scheduler.py. It never
imports Scrapy: the crawl runs as `python -m crawler` because Twisted's reactor cannot restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline import store
from pipeline.config import Config
from pipeline.run import ProcessStats, process_new

# How much of a crashed child's output is kept on the run record for ops.
LOG_TAIL_CHARS = 4000


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What a cycle did."""

    run_id: int
    status: str
    returncode: int | None
    processed: ProcessStats
    error: str | None


def crawl_command(
    config_dir: str, db_path: str, run_id: int, source_ids: Sequence[str], polite: bool
) -> list[str]:
    """The child-process command line of one crawl."""
    cmd = [sys.executable, "-m", "crawler", "--config", config_dir, "--db", db_path]
    cmd += ["--run-id", str(run_id), *source_ids]
    return cmd if polite else [*cmd, "--no-polite"]


def run_cycle(
    config: Config,
    db_path: str,
    source_ids: Sequence[str] = (),
    trigger: str = "manual",
    env: dict[str, str] | None = None,
    polite: bool = True,
    log_path: str | None = None,
) -> CycleResult:
    """Crawl (child process, hard timeout), then process new items; the run row records both."""
    db = store.open_db(db_path)
    run_id = store.start_run(db, trigger, store.utc_now())
    cmd = crawl_command(config.directory, db_path, run_id, source_ids, polite)
    status, error, tail, returncode = "ok", None, None, None
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, errors="replace",
            timeout=config.settings.crawl.cycle_timeout, env={**os.environ, **(env or {})},
        )  # fmt: skip
        returncode = proc.returncode
        output = proc.stderr
        if proc.returncode != 0:
            status = "crashed"
            error = f"crawl process exited with code {proc.returncode}"
    except subprocess.TimeoutExpired as exc:
        status = "crashed"
        error = f"crawl process killed after {config.settings.crawl.cycle_timeout:.0f} s"
        raw = exc.stderr or b""
        output = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if log_path:
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(output)
    if status != "ok":
        tail = output[-LOG_TAIL_CHARS:]
    else:
        rows = store.source_runs_of(db, run_id)
        if rows and all(r["error_kind"] for r in rows):
            status = "failed"
    # Whatever the crawl did, what it stored is processed: nothing is left behind.
    processed = process_new(db, config)
    store.finish_run(db, run_id, status, store.utc_now(), error, tail)
    return CycleResult(run_id, status, returncode, processed, error)
