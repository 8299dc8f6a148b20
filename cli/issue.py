"""`newsdesk issue ...`: the same issue work as the desk, from the command line."""

from __future__ import annotations

import getpass
import os
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import click

import store.accounts
import store.db
import store.issues
import store.review
from cli.context import Env, friendly_errors, pass_env
from ops.report import table
from pipeline.errors import NotFoundError

CHINA = timezone(timedelta(hours=8))
ISSUE_HELP = "N is the 总期号 (e.g. 205) or year-number (e.g. 2026-3)."


def _actor() -> str:
    """Who the audit log names: $NEWSDESK_EDITOR, else the login name."""
    return os.environ.get("NEWSDESK_EDITOR") or f"cli:{getpass.getuser()}"


def _issue_id(db: store.db.Database, ref: str) -> int:
    match = re.fullmatch(r"(\d{4})-(\d+)", ref.strip())
    if match:
        return store.issues.find_issue(db, year=int(match[1]), number=int(match[2]))
    if not ref.strip().isdigit():
        raise NotFoundError(f"'{ref}' is not an issue: {ISSUE_HELP}")
    return store.issues.find_issue(db, total_number=int(ref))


@click.group()
def issue() -> None:
    """Create, fill, show and export issues of 竞争情报快递.

    Example:

        newsdesk issue new && newsdesk issue list
    """


@issue.command("new")
@click.option("--year", type=int, help="Year (default: this year).")
@click.option("--number", type=int, help="第N期 (default: the next one; restarts each year).")
@click.option("--total", type=int, help="总第M期 (default: the next one).")
@click.option("--date", "issue_date", help="Issue date YYYY-MM-DD (default: today).")
@click.option("--special-title", default=None, help="Special title (default from settings.toml).")
@click.option("--subtitle", default=None, help="Subtitle, e.g. 新一代信息技术产业专刊.")
@click.option("--note", default=None, help="编者的话 (default from settings.toml).")
@pass_env
@friendly_errors
def new(
    env: Env, year: int | None, number: int | None, total: int | None, issue_date: str | None,
    special_title: str | None, subtitle: str | None, note: str | None,
) -> None:  # fmt: skip
    """Create the next draft issue; numbers are suggested from the last one.

    Example:

        newsdesk issue new --subtitle 新一代信息技术产业专刊
    """
    from desk.issue import suggest_numbers

    db, masthead = env.db(), env.config.settings.newsletter
    day = (
        date.fromisoformat(issue_date) if issue_date else datetime.now(UTC).astimezone(CHINA).date()
    )
    numbers = suggest_numbers(store.issues.last_issue(db), day, masthead)
    fields = {
        "year": year or day.year, "number": number or numbers.number,
        "total_number": total or numbers.total_number, "issue_date": day.isoformat(),
        "special_title": masthead.special_title if special_title is None else special_title,
        "subtitle": masthead.subtitle if subtitle is None else subtitle,
        "editor_note": masthead.editor_note if note is None else note,
    }  # fmt: skip
    store.issues.create_issue(db, fields, _actor())
    click.echo(
        f"draft {fields['year']}年第{fields['number']}期 总第{fields['total_number']}期 created"
    )


@issue.command("propose")
@click.option("--date", "issue_date", help="Issue date YYYY-MM-DD (default: today).")
@click.option("--subtitle", default=None, help="Subtitle, e.g. 新一代信息技术产业专刊.")
@click.option("--dry-run", is_flag=True, help="Print the proposal without creating a draft.")
@pass_env
@friendly_errors
def propose(env: Env, issue_date: str | None, subtitle: str | None, dry_run: bool) -> None:
    """Propose a full draft (一键生成初稿) from the items since the last finalized issue.

    Per-industry quotas, best rank first, reprints counted once, sections and summaries as set
    in settings.toml [proposal]; editors then trim it in the desk.

    Example:

        newsdesk issue propose --dry-run
    """
    from desk.issue import suggest_numbers
    from desk.proposal import plan, propose_issue, sector_names

    db, masthead = env.db(), env.config.settings.newsletter
    day = (
        date.fromisoformat(issue_date) if issue_date else datetime.now(UTC).astimezone(CHINA).date()
    )
    numbers = suggest_numbers(store.issues.last_issue(db), day, masthead)
    fields = {
        "year": numbers.year, "number": numbers.number, "total_number": numbers.total_number,
        "issue_date": day.isoformat(), "special_title": masthead.special_title,
        "subtitle": masthead.subtitle if subtitle is None else subtitle, "editor_note": "",
    }  # fmt: skip
    if dry_run:
        proposal = plan(db, env.config)
    else:
        issue_id, proposal = propose_issue(db, env.config, fields, _actor())
    names = sector_names(env.config)
    section = ""
    for pick in proposal.picks:
        if pick.section != section:
            section = pick.section
            click.echo(f"\n● {section}")
        click.echo(f"  {pick.key}  [{names.get(pick.sector, pick.sector)}] {pick.summary[:60]}")
    click.echo(
        f"\n编者的话：{proposal.editor_note.splitlines()[0] if proposal.editor_note else ''}"
    )
    if dry_run:
        click.echo(f"\n{len(proposal.picks)} item(s) proposed (dry run: nothing written)")
    else:
        click.echo(
            f"\ndraft {fields['year']}年第{fields['number']}期 总第{fields['total_number']}期 "
            f"created with {len(proposal.picks)} item(s); trim it in the desk (/issues/{issue_id})"
        )


@issue.command("list")
@pass_env
@friendly_errors
def list_(env: Env) -> None:
    """List every issue, newest first.

    Example:

        newsdesk issue list
    """
    rows = [
        [i["total_number"], f"{i['year']}-{i['number']}", i["issue_date"], i["status"], i["items"],
         i["subtitle"] or i["special_title"]]
        for i in store.issues.list_issues(env.db())
    ]  # fmt: skip
    click.echo(table(["总期号", "year-number", "date", "status", "items", "title"], rows))


@issue.command("show")
@click.argument("ref", metavar="N")
@pass_env
@friendly_errors
def show(env: Env, ref: str) -> None:
    """Show an issue's sections and items, and the accepted items that can still be added.

    Example:

        newsdesk issue show 205
    """
    from desk.issue import assemble

    db = env.db()
    issue_id = _issue_id(db, ref)
    built = assemble(store.issues.get_issue(db, issue_id), store.issues.issue_items(db, issue_id),
                     env.config.settings.newsletter)  # fmt: skip
    click.echo(f"{built.title} {built.year}年{built.numbers_line} [{built.status}] {built.date}")
    for line in (built.special_title, built.subtitle):
        if line:
            click.echo(line)
    for section in built.sections:
        click.echo(f"\n● {section.name}")
        for article in section.articles:
            click.echo(f"  {article.key}  {article.title}（{article.source} {article.date}）")
    available = store.issues.available_items(db)
    if available and built.status == "draft":
        click.echo("\naccepted, not yet in an issue (add with `newsdesk issue add N KEY...`):")
        for row in available:
            click.echo(f"  {row['key']}  [{row['sector']}] {row['title']}")


@issue.command("add")
@click.argument("ref", metavar="N")
@click.argument("keys", nargs=-1, required=True)
@click.option("--section", "-s", help="Section name (default: the first in settings.toml).")
@click.option("--accept", is_flag=True, help="Accept pending items first instead of refusing them.")
@pass_env
@friendly_errors
def add(env: Env, ref: str, keys: tuple[str, ...], section: str | None, accept: bool) -> None:
    """Add accepted items (by key) to a section of a draft issue.

    Example:

        newsdesk issue add 205 3f2a9c0e1b7d4c55aa01e2f3b4c5d6e7 --section 政策动向
    """
    db, sections = env.db(), env.config.settings.newsletter.sections
    section = section or sections[0]
    if section not in sections:
        raise click.BadParameter(f"must be one of {', '.join(sections)}", param_hint="--section")
    issue_id = _issue_id(db, ref)
    if accept:
        for problem in store.review.decide_many(db, keys, "accept", _actor()):
            click.echo(problem, err=True)
    problems = store.issues.add_to_issue(db, issue_id, keys, section, _actor())
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"added {len(keys) - len(problems)} item(s) to {section}")


@issue.command("export")
@click.argument("ref", metavar="N")
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "html", "md"]), default="docx",
    show_default=True, help="Word document, standalone HTML page, or Markdown.",
)  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write.")
@click.option(
    "--no-attachments", is_flag=True,
    help="Do not list each item's kept attachments (附件：…) under it in the Word file.",
)  # fmt: skip
@pass_env
@friendly_errors
def export_(env: Env, ref: str, fmt: str, output: str | None, no_attachments: bool) -> None:
    """Export an issue in the newsletter layout.

    Example:

        newsdesk issue export 205 --format docx -o 竞争情报快递-205.docx
    """
    from desk.export import FORMATS, export
    from desk.issue import assemble

    db = env.db()
    issue_id = _issue_id(db, ref)
    rows = store.issues.issue_items(db, issue_id)
    if no_attachments:
        rows = [{**row, "attachment_names": None} for row in rows]
    built = assemble(store.issues.get_issue(db, issue_id), rows, env.config.settings.newsletter)
    path = Path(output or f"{built.file_stem}.{FORMATS[fmt][0]}")
    path.write_bytes(export(built, fmt))
    store.accounts.record_event(db, _actor(), "issue_export", f"issue:{issue_id}", after=fmt)
    click.echo(f"wrote {path}")


@issue.command("finalize")
@click.argument("ref", metavar="N")
@click.option("--reopen", is_flag=True, help="Turn a final issue back into a draft instead.")
@pass_env
@friendly_errors
def finalize(env: Env, ref: str, reopen: bool) -> None:
    """Finalize a draft (its items become used), or reopen a final issue.

    Example:

        newsdesk issue finalize 205
    """
    db = env.db()
    issue_id = _issue_id(db, ref)
    if reopen:
        store.issues.reopen_issue(db, issue_id, _actor())
        click.echo("reopened as a draft")
    else:
        count = store.issues.finalize_issue(db, issue_id, _actor())
        click.echo(f"finalized: {count} item(s) marked used")
