"""`newsdesk schedule | backup | restore | sources resume`: the ops commands of unattended runs."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

import store.accounts
import store.backup
import store.db
import store.runs
from cli.context import Env, friendly_errors, pass_env
from cli.sources import sources
from ops import lock, maintenance


@click.command()
@pass_env
def schedule(env: Env) -> None:
    """Run the unattended scheduler in the foreground (same as `python scheduler.py`).

    It refuses to start on an invalid config or when another scheduler holds the database, and
    stops cleanly on SIGTERM or Ctrl-C. Under systemd use deploy/newsdesk-scheduler.service.

    Example:

        newsdesk --config config --db data/newsdesk.db schedule
    """
    from scheduler import main as scheduler_main

    args = ["--config", env.config_dir]
    if env._db_path:  # else the scheduler reads settings.toml itself (after validating it)
        args += ["--db", env._db_path]
    sys.exit(scheduler_main(args))


@click.command()
@click.option("--to", "target", type=click.Path(path_type=Path), default=None,
              help="Write the backup to this file (default: the backup directory).")  # fmt: skip
@pass_env
@friendly_errors
def backup(env: Env, target: Path | None) -> None:
    """Write an online, checked backup of the database (safe while crawls and editors write).

    Example:

        newsdesk backup
        newsdesk backup --to /mnt/usb/newsdesk-before-upgrade.db
    """
    db = env.db()
    now = datetime.now(UTC).astimezone()
    if target is None:
        path = maintenance.backup(db, env.config, env.db_path, now)
    else:
        path = store.backup.backup_to(db, target)
    store.accounts.record_event(db, _actor(), "backup", str(path))
    click.echo(f"backup written: {path} ({path.stat().st_size / 1e6:.1f} MB)")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_env
@friendly_errors
def restore(env: Env, file: Path, yes: bool) -> None:
    """Replace the database with a backup (the scheduler must be stopped first).

    The backup is checked before anything changes, and the current database is saved as
    backups/pre-restore-*.db first. Editors' open pages see the restored data on reload.

    Example:

        systemctl stop newsdesk-scheduler
        newsdesk restore data/backups/newsdesk-20261124-033000.db
        systemctl start newsdesk-scheduler
    """
    version = store.backup.check_backup_file(file)
    with lock.exclusive_ops(env.db_path, role="restore"):
        db = env.db()
        counts = store.db.count_by(db, "status")
        click.echo(f"current database {env.db_path}: {sum(counts.values())} items")
        click.echo(f"backup {file}: schema version {version}, integrity ok")
        if not yes:
            click.confirm("Replace the current database with this backup?", abort=True)
        now = datetime.now(UTC).astimezone()
        folder = maintenance.backup_dir(env.config, env.db_path)
        safety = store.backup.backup_to(db, folder / maintenance.backup_name(now, "pre-restore-"))
        store.backup.restore_from(db, file)
        store.accounts.record_event(
            db, _actor(), "restore", str(file), None, {"saved_as": str(safety)}
        )
        restored = sum(store.db.count_by(db, "status").values())
    click.echo(f"restored {file}: {restored} items; the previous database was saved as {safety}")


@sources.command()
@click.argument("source_id")
@pass_env
@friendly_errors
def resume(env: Env, source_id: str) -> None:
    """Take a source out of quarantine (after fixing it) and clear its failures and backoff.

    Example:

        newsdesk sources resume henan-kjt
    """
    env.config.source(source_id)
    db = env.db()
    before = store.runs.resume_source(db, source_id, _actor(), store.db.utc_now())
    was = "quarantined" if before.get("quarantined") else "not quarantined"
    click.echo(
        f"{source_id}: resumed (was {was}, {before.get('consecutive_failures') or 0} failures); "
        "the next scheduled cycle crawls it"
    )


def _actor() -> str:
    """Who ran an ops command, for the audit log."""
    try:
        return f"ops:{getpass.getuser()}"
    except (KeyError, OSError):
        return "ops"


def register(group: click.Group) -> None:
    """Add the top-level ops commands to `newsdesk` (`sources resume` is on its group already)."""
    for command in (schedule, backup, restore):
        group.add_command(command)
