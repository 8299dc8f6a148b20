"""What every `newsdesk` command shares: the global options (Env) and error translation.

Command modules import this one, never cli/main.py, so the command line has no import circle.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

import store.db
from ops.config_files import load_config
from pipeline.config import Config
from pipeline.errors import NewsdeskError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Env:
    """Global options, resolved lazily so `--help` never needs a valid config."""

    def __init__(self, config_dir: str, db_path: str | None) -> None:
        self.config_dir = config_dir
        self._db_path = db_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The validated config (loaded once)."""
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    @property
    def db_path(self) -> str:
        """--db, else $NEWSDESK_DB, else settings.toml's database.path."""
        return self._db_path or self.config.settings.database

    def db(self) -> store.db.Database:
        """Open the database."""
        return store.db.open_db(self.db_path)


def friendly_errors(func: F) -> F:
    """Turn newsdesk errors into one clear line and exit code 1 instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsdeskError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


pass_env = click.make_pass_decorator(Env)
