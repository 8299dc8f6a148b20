"""`newsdesk rules ...`: keyword-rule proposals learnt from editors' corrections."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.context import Env, friendly_errors, pass_env
from ops.config_files import load_config
from ops.report import sector_names, table
from ops.rules import Suggestion

EVIDENCE_SHOWN = 5
RESTART_HINT = (
    "调度器在启动时读取规则：请重启调度器（systemctl restart newsdesk-scheduler），"
    "新采集的条目才按新规则分类"
)


def _show(suggestion: Suggestion, names: dict[str, str]) -> str:
    """One proposal: the change, why, its evidence and its impact matrix."""
    p, im = suggestion.proposal, suggestion.impact
    lines = [f"#{suggestion.number} {p.change.describe()}", f"    理由: {p.reason}"]
    lines += [f"    证据: {e.title} [{e.key}]" for e in p.evidence[:EVIDENCE_SHOWN]]
    if len(p.evidence) > EVIDENCE_SHOWN:
        lines.append(f"    …另有 {len(p.evidence) - EVIDENCE_SHOWN} 条")
    lines.append(f"    影响: 待定条目 {im.examined} 条中 {im.moved} 条将改变行业")
    if im.moves:
        rows = [[names.get(a, a), names.get(b, b), n] for a, b, n in im.moves]
        lines += ["    " + line for line in table(["from", "to", "items"], rows).splitlines()]
        for a, b, sample in im.samples:
            lines += [f"      {names.get(a, a)} → {names.get(b, b)}: {e.title}" for e in sample]
    return "\n".join(lines)


@click.group()
def rules() -> None:
    """Keyword-rule proposals from editors' corrections (改分类, 采用/不用).

    Example:

        newsdesk rules suggest && newsdesk rules apply 1
    """


@rules.command("suggest")
@pass_env
@friendly_errors
def suggest_cmd(env: Env) -> None:
    """List the proposals with their evidence and a reprocess dry run of each.

    Example:

        newsdesk rules suggest
    """
    from ops.rules import suggestions

    found = suggestions(env.db(), env.config_dir)
    if not found:
        click.echo("没有规则建议（编辑的改分类还不够多，或规则已经覆盖了它们）")
        return
    names = sector_names(env.config)
    click.echo("\n\n".join(_show(s, names) for s in found))


@rules.command("apply")
@click.argument("number", type=int)
@click.option("--yes", is_flag=True, help="Apply without asking.")
@click.option(
    "--reprocess/--no-reprocess", default=None,
    help="Re-classify undecided items with the new rules afterwards (asked when omitted).",
)  # fmt: skip
@click.option("--actor", default="cli", show_default=True, help="Who applies it (audit log).")
@pass_env
@friendly_errors
def apply_cmd(env: Env, number: int, yes: bool, reprocess: bool | None, actor: str) -> None:
    """Edit config/sectors.toml as proposal NUMBER says (backup first, audit logged).

    Example:

        newsdesk rules apply 2 --yes --reprocess
    """
    from ops.reprocess import apply_reprocess, plan_reprocess
    from ops.rules import apply_suggestion, pick, suggestions

    db = env.db()
    chosen = pick(suggestions(db, env.config_dir), number)
    click.echo(_show(chosen, sector_names(env.config)))
    if not yes and not click.confirm("apply this change to sectors.toml?", default=False):
        raise click.ClickException("nothing changed")
    now = datetime.now(UTC)
    backup = apply_suggestion(db, env.config_dir, chosen, actor, now)
    click.echo(f"已修改 sectors.toml（原文件备份：{backup}）；撤销：newsdesk rules undo")
    click.echo(RESTART_HINT)
    if reprocess is None:
        reprocess = yes or click.confirm("re-classify the undecided items now?", default=True)
    if reprocess:
        moves, examined = plan_reprocess(db, load_config(env.config_dir), "", now)
        apply_reprocess(db, moves, actor=actor)
        click.echo(f"重新分类：检查 {examined} 条待定条目，{len(moves)} 条改变")
    else:
        click.echo("新规则将作用于新条目；待定条目可用 newsdesk reprocess 重新分类")


@rules.command("undo")
@click.option("--actor", default="cli", show_default=True, help="Who undoes it (audit log).")
@pass_env
@friendly_errors
def undo_cmd(env: Env, actor: str) -> None:
    """Restore sectors.toml from before the latest applied proposal.

    Example:

        newsdesk rules undo
    """
    from ops.rules import undo_last

    target = undo_last(env.db(), env.config_dir, actor)
    click.echo(f"已撤销：{target['after']['describe']}（{target['actor']} 于 {target['at']} 应用）")
    click.echo("待定条目可用 newsdesk reprocess 按恢复后的规则重新分类")
    click.echo(RESTART_HINT)
