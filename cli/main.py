"""`newsdesk`: the command line for ops and editors; the top-level group and its cycle commands."""

from __future__ import annotations

import os

import click

import store.db
import store.runs
from cli import (
    add_source,  # noqa: F401  (adds `sources add`)
    classify,
    extract,
    issue,
    operate,
    opml,  # noqa: F401  (adds `sources export` and `sources import`)
    rules,
    serve,
    sources,
    users,
)
from cli.context import CONTEXT_SETTINGS, Env, friendly_errors, pass_env


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
    from ops.cycle import run_cycle

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

    from ops.cycle import HOST, crawl_command

    for source_id in sources:
        env.config.source(source_id)
    db = env.db()
    # The run names this process: a scheduler starting meanwhile must not take it for dead.
    run_id = store.runs.start_run(db, "crawl", store.db.utc_now(), os.getpid(), HOST)
    store.runs.mark_run_owner(db, run_id, os.getpid(), list(sources), HOST)
    proc = subprocess.run(crawl_command(env.config.directory, env.db_path, run_id, sources, True))
    status = "ok" if proc.returncode == 0 else "crashed"
    store.runs.finish_run(db, run_id, status, store.db.utc_now())
    _print_cycle(env, run_id)


@cli.command()
@pass_env
@friendly_errors
def process(env: Env) -> None:
    """Normalize, deduplicate, classify and rank every new item.

    Example:

        newsdesk process
    """
    from ops.process import process_new

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
    from ops.report import status_report

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
    from demo.run import run_demo

    click.echo(run_demo(env.config, env.db_path, fresh=not keep_db))


def _print_cycle(env: Env, run_id: int) -> None:
    from ops.report import cycle_report

    click.echo(cycle_report(env.db(), run_id))


# Each command group lives in its own module; they import cli.context, never this module.
cli.add_command(sources.sources)
operate.register(cli)
cli.add_command(extract.extract)
cli.add_command(classify.classify_cmd)
cli.add_command(classify.reprocess)
cli.add_command(rules.rules)
cli.add_command(users.users)
cli.add_command(issue.issue)
cli.add_command(serve.serve)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsdesk")


if __name__ == "__main__":
    main()
