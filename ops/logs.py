"""Logging for the unattended scheduler: rotating files, one line per event, and the run id and
source id on every line (`run=12 source=henan-kjt`, or `-` when a line is about neither).

Shell code: it configures file handlers. Entry points call `setup_logging` once; code that works
on one run or source wraps itself in `log_context(...)`, or passes `extra={"run_id": ...}` from
threads that do not inherit the context (the crawl-output reader in ops/cycle.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.models import LogSettings

FORMAT = "%(asctime)s %(levelname)s run=%(run_id)s source=%(source_id)s %(name)s: %(message)s"
MAIN_LOG = "newsdesk.log"
ALERT_LOG = "alerts.log"
ALERT_LOGGER = "newsdesk.alerts"

_RUN: contextvars.ContextVar[str] = contextvars.ContextVar("run_id", default="-")
_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("source_id", default="-")


class ContextFilter(logging.Filter):
    """Put run_id and source_id on every record (explicit `extra` values win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the ids; never drops a record."""
        if not hasattr(record, "run_id"):
            record.run_id = _RUN.get()
        if not hasattr(record, "source_id"):
            record.source_id = _SOURCE.get()
        return True


class OneLineFormatter(logging.Formatter):
    """Fold tracebacks and multi-line messages into one line, so one event is one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The usual format, with line breaks shown as ` ⏎ `."""
        return super().format(record).replace("\r", "").replace("\n", " ⏎ ")


@contextlib.contextmanager
def log_context(run_id: int | str | None = None, source_id: str | None = None) -> Iterator[None]:
    """Tag every log line written inside the block with this run and/or source."""
    tokens = []
    if run_id is not None:
        tokens.append((_RUN, _RUN.set(str(run_id))))
    if source_id is not None:
        tokens.append((_SOURCE, _SOURCE.set(source_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def log_dir(settings: LogSettings, db_path: str | Path) -> Path:
    """The log directory: [logs] dir, else logs/ beside the database (data/logs by default)."""
    return Path(settings.dir) if settings.dir else Path(db_path).parent / "logs"


def logging_config(directory: Path | None, settings: LogSettings, console: bool) -> dict[str, Any]:
    """The dictConfig of newsdesk's loggers: console, newsdesk.log, and alerts.log for alerts."""
    handlers: dict[str, dict[str, Any]] = {}
    rotate = {"maxBytes": settings.max_mb * 1024 * 1024, "backupCount": settings.keep,
              "encoding": "utf-8", "formatter": "line", "filters": ["ids"]}  # fmt: skip
    if directory is not None:
        handlers["file"] = {"class": "logging.handlers.RotatingFileHandler",
                            "filename": str(directory / MAIN_LOG), **rotate}  # fmt: skip
        handlers["alerts"] = {"class": "logging.handlers.RotatingFileHandler",
                              "filename": str(directory / ALERT_LOG), **rotate}  # fmt: skip
    if console:
        handlers["console"] = {"class": "logging.StreamHandler", "formatter": "line",
                               "filters": ["ids"], "stream": "ext://sys.stderr"}  # fmt: skip
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"ids": {"()": ContextFilter}},
        "formatters": {"line": {"()": OneLineFormatter, "format": FORMAT}},
        "handlers": handlers,
        "loggers": {
            # APScheduler's own INFO lines ("Adding job tentatively", "Running job") repeat what
            # newsdesk.scheduler logs with more context.
            "apscheduler": {"level": "WARNING"},
            ALERT_LOGGER: {
                "handlers": ["alerts"] if "alerts" in handlers else [],
                "level": "INFO",
                "propagate": True,
            },
        },
        "root": {
            "handlers": [h for h in ("file", "console") if h in handlers],
            "level": settings.level,
        },
    }


def setup_logging(directory: Path | None, settings: LogSettings, console: bool = True) -> None:
    """Configure logging once for an entry point (scheduler.py, `newsdesk schedule`)."""
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    logging.config.dictConfig(logging_config(directory, settings, console))
