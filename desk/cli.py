"""`newsdesk`: the command line for ops and editors; thin over pipeline and crawler."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipeline import store
from pipeline.config import Config, load_config
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

    def db(self) -> store.Database:
        """Open the database."""
        return store.open_db(self.db_path)


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


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--config", "config_dir", envvar="NEWSDESK_CONFIG", default="config", show_default=True,
    help="Config directory (env NEWSDESK_CONFIG).",
)  # fmt: skip
@click.option(
    "--db", "db_path", envvar="NEWSDESK_DB", default=None,
    help="SQLite database (env NEWSDESK_DB; default: settings.toml database.path).",
)  # fmt: skip
@click.version_option(package_name="newsdesk")
@click.pass_context
def cli(ctx: click.Context, config_dir: str, db_path: str | None) -> None:
    """newsdesk: collect, sort and publish news for 竞争情报快递.

    Example:

        newsdesk sources check && newsdesk run
    """
    ctx.obj = Env(config_dir, db_path)


@cli.command()
@click.option("--source", "-s", "sources", multiple=True, help="Only this source id (repeatable).")
@pass_env
@friendly_errors
def run(env: Env, sources: tuple[str, ...]) -> None:
    """Crawl every enabled source once, then process what was stored.

    Example:

        newsdesk run --source demo-xc-kjj
    """
    from pipeline.cycle import run_cycle

    for source_id in sources:
        env.config.source(source_id)
    result = run_cycle(env.config, env.db_path, sources)
    _print_cycle(env, result.run_id)
    if result.status == "crashed":
        raise click.ClickException(f"run {result.run_id}: {result.error}")


@cli.command()
@click.option("--source", "-s", "sources", multiple=True, help="Only this source id (repeatable).")
@pass_env
@friendly_errors
def crawl(env: Env, sources: tuple[str, ...]) -> None:
    """Crawl once and store new items without processing them.

    Example:

        newsdesk crawl -s demo-hn-kjt
    """
    import subprocess

    from pipeline.cycle import crawl_command

    for source_id in sources:
        env.config.source(source_id)
    db = env.db()
    run_id = store.start_run(db, "crawl", store.utc_now())
    proc = subprocess.run(crawl_command(env.config.directory, env.db_path, run_id, sources, True))
    status = "ok" if proc.returncode == 0 else "crashed"
    store.finish_run(db, run_id, status, store.utc_now())
    _print_cycle(env, run_id)


@cli.command()
@pass_env
@friendly_errors
def process(env: Env) -> None:
    """Normalize, deduplicate, classify and rank every new item.

    Example:

        newsdesk process
    """
    from pipeline.run import process_new

    stats = process_new(env.db(), env.config)
    click.echo(
        f"processed {stats.processed}: pending {stats.pending}, duplicate {stats.duplicate}, "
        f"off_topic {stats.off_topic}"
    )


@cli.command()
@pass_env
@friendly_errors
def status(env: Env) -> None:
    """Show the last cycle, the queue per sector and each source's health.

    Example:

        newsdesk status
    """
    from desk.report import status_report

    click.echo(status_report(env.db(), env.config))


@cli.command()
@click.option(
    "--keep-db", is_flag=True, help="Add to the existing database instead of a fresh one."
)
@pass_env
@friendly_errors
def demo(env: Env, keep_db: bool) -> None:
    """Serve the bundled offline demo sites on 127.0.0.1 and run one cycle over them.

    Example:

        newsdesk --db data/demo.db demo
    """
    from desk.demo import run_demo

    click.echo(run_demo(env.config, env.db_path, fresh=not keep_db))


def _print_cycle(env: Env, run_id: int) -> None:
    from desk.report import cycle_report

    click.echo(cycle_report(env.db(), run_id))


# Command groups live in their own modules to keep this one small.
from desk import cli_sources  # noqa: E402  (registers the `sources` group on `cli`)

cli.add_command(cli_sources.sources)
import desk.cli_opml  # noqa: E402, F401  (adds `sources export` and `sources import`)
from desk import cli_ops  # noqa: E402  (schedule, backup, restore; `sources resume`)

cli_ops.register(cli)
from desk import cli_crawl  # noqa: E402  (`sources test` and `extract`)

cli.add_command(cli_crawl.extract)
from desk import cli_pipeline  # noqa: E402  (`classify` and `reprocess`)

cli.add_command(cli_pipeline.classify_cmd)
cli.add_command(cli_pipeline.reprocess)
from desk import cli_users  # noqa: E402  (the `users` group)

cli.add_command(cli_users.users)
from desk import cli_issue  # noqa: E402  (the `issue` group)

cli.add_command(cli_issue.issue)
from desk import cli_serve  # noqa: E402  (the `serve` command)

cli.add_command(cli_serve.serve)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsdesk")


if __name__ == "__main__":
    sys.exit(main())
