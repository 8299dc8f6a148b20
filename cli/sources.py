"""`newsdesk sources ...`: check, list and test the configured sources."""

from __future__ import annotations

import click

import store.runs
from cli.context import Env, friendly_errors, pass_env
from ops.config_files import load_config
from pipeline.errors import ConfigError


@click.group()
def sources() -> None:
    """Check, list and test sources (config/sources/*.toml).

    Example:

        newsdesk sources check
    """


@sources.command()
@pass_env
def check(env: Env) -> None:
    """Validate every config file; print each problem with its file, entry and field.

    Example:

        newsdesk --config config sources check
    """
    try:
        config = load_config(env.config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in {env.config_dir}/") from exc
    enabled = sum(s.enabled for s in config.sources)
    click.echo(
        f"{env.config_dir}/: OK: {len(config.sources)} sources ({enabled} enabled), "
        f"{len(config.rules.sectors)} sectors"
    )


@sources.command("list")
@pass_env
@friendly_errors
def list_(env: Env) -> None:
    """List every source with its kind, schedule, authority and health.

    Example:

        newsdesk sources list
    """
    from ops.report import health_label, table

    states = store.runs.source_states(env.db())
    rows = [
        [s.id, s.kind, s.every or s.cron or env.config.settings.schedule.every, s.authority,
         "yes" if s.enabled else "no", health_label(states.get(s.id)), s.name]
        for s in env.config.sources
    ]  # fmt: skip
    click.echo(table(["id", "kind", "schedule", "authority", "enabled", "health", "name"], rows))
