"""`newsdesk sources export/import --opml`: exchange feed sources with feed readers."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import click

from cli.context import Env, friendly_errors, pass_env
from cli.sources import sources
from pipeline.config import parse_sources
from pipeline.errors import ConfigError
from pipeline.opml import export_opml, feeds_of, import_feeds, parse_opml

IMPORT_HEADER = """# Feed sources imported from OPML (`newsdesk sources import --opml FILE`).
# Each is written `enabled = false`: review authority, sector_hint, schedule (every/cron),
# set `enabled = true`, then run `newsdesk sources check`.
# 从 OPML 导入的订阅源默认停用：请核对权威级别、行业提示和采集间隔后改为 enabled = true。

"""


@sources.command("export")
@click.option("--opml", "as_opml", is_flag=True, help="Write OPML 2.0, the format of feed readers.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file instead of standard output.",
)  # fmt: skip
@pass_env
@friendly_errors
def export(env: Env, as_opml: bool, output: Path | None) -> None:
    """Export every feed source, RSSHub routes resolved, for a feed reader.

    Example:

        newsdesk sources export --opml -o newsdesk.opml
    """
    if not as_opml:
        raise click.UsageError("choose an export format: --opml")
    feeds = feeds_of(env.config.sources)
    title = f"{env.config.settings.newsletter.title} · newsdesk feeds"
    text = export_opml(feeds, title, format_datetime(datetime.now(UTC), usegmt=True))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(feeds)} feeds to {output}", err=True)


@sources.command("import")
@click.option(
    "--opml", "opml_file", required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The OPML file to read (a feed reader's export).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Sources file to add the new tables to (default: CONFIG/sources/imported.toml).",
)  # fmt: skip
@pass_env
@friendly_errors
def import_(env: Env, opml_file: Path, output: Path | None) -> None:
    """Add the feeds of an OPML file as new feed sources (existing ids and URLs are kept).

    Example:

        newsdesk sources import --opml feeds.opml -o config/sources/imported.toml
    """
    try:
        feeds = parse_opml(opml_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{opml_file}: {exc}") from exc
    config = env.config
    output = output or Path(env.config_dir) / "sources" / "imported.toml"
    result = import_feeds(feeds, config.sources, config.settings.rsshub_instance, opml_file.name)
    for title, url, reason in result.skipped:
        click.echo(f"skipped {title} <{url}>: {reason}")
    if not result.added:
        click.echo(f"nothing to add from {opml_file} ({len(feeds)} feeds)")
        return
    before = output.read_text(encoding="utf-8") if output.exists() else IMPORT_HEADER
    text = before.rstrip("\n") + "\n\n" + result.toml if output.exists() else before + result.toml
    try:  # the tables are generated; a problem here is a bug, caught before the file is touched
        parse_sources(tomllib.loads(text), str(output))
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"generated sources do not validate: {exc}") from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"added {len(result.added)} feed sources to {output}:")
    for source_id, name, where in result.added:
        click.echo(f"  {source_id:<24} {name}  {where}")
    click.echo("they are written enabled = false: review each, set enabled = true,")
    click.echo("then run `newsdesk sources check`")
