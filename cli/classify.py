"""`newsdesk classify` and `newsdesk reprocess`: debug the keyword rules, apply rule changes."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from cli.context import Env, friendly_errors, pass_env
from ops.report import sector_names, table


@click.command("classify")
@click.option("--explain", "headline", default=None, help="Classify this headline; print a table.")
@pass_env
@friendly_errors
def classify_cmd(env: Env, headline: str | None) -> None:
    """Classify JSON lines ({"title": ..., "text": ...}) from stdin, one JSON line out each.

    Example:

        echo '{"title": "瑞贝卡假发出口增长"}' | newsdesk classify
        newsdesk classify --explain "许继集团中标特高压项目"
    """
    from pipeline.classify import classify, compile_rules

    classifier = compile_rules(env.config.rules)
    names = sector_names(env.config)
    if headline is not None:
        result = classify(classifier, headline, "")
        click.echo(f"sector: {names.get(result.sector, result.sector)} ({result.sector}), "
                   f"score {result.score:.2f}")  # fmt: skip
        runner = names[result.runner_up] if result.runner_up else "-"
        click.echo(f"runner-up: {runner} {result.runner_up_score:.2f}; tie-break: "
                   f"{result.tie_break or '-'}")  # fmt: skip
        rows = [[names.get(h.sector, h.sector), h.term, h.field, h.count, h.weight,
                 round(h.contribution, 2)] for h in result.hits]  # fmt: skip
        click.echo(table(["sector", "term", "field", "count", "weight", "score"], rows))
        return
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            result = classify(classifier, str(data.get("title", "")), str(data.get("text", "")))
        except (json.JSONDecodeError, AttributeError) as exc:
            click.echo(json.dumps({"line": number, "error": f"not a JSON object: {exc}"}))
            continue
        out = {
            "sector": result.sector,
            "score": result.score,
            "runner_up": result.runner_up,
            "runner_up_score": result.runner_up_score,
            "explanation": result.explanation(),
        }
        click.echo(json.dumps(out, ensure_ascii=False))


@click.command()
@click.option("--since", default="", help="Only items fetched on or after this date (2026-11-01).")
@click.option("--dry-run", is_flag=True, help="Only show what would move.")
@click.option("--yes", is_flag=True, help="Apply without asking.")
@pass_env
@friendly_errors
def reprocess(env: Env, since: str, dry_run: bool, yes: bool) -> None:
    """Re-classify stored items after a rule change; editor decisions are never touched.

    Example:

        newsdesk reprocess --since 2026-11-01 --dry-run
    """
    from ops.reprocess import apply_reprocess, plan_reprocess
    from pipeline.reprocess import move_matrix, move_samples

    db = env.db()
    moves, examined = plan_reprocess(db, env.config, since, datetime.now(UTC))
    names = sector_names(env.config)
    rows = [[names.get(a, a or "-"), names.get(b, b), n]
            for (a, b), n in sorted(move_matrix(moves).items(), key=lambda kv: -kv[1])]  # fmt: skip
    click.echo(f"examined {examined} undecided items; {len(moves)} would change")
    if rows:
        click.echo(table(["from", "to", "items"], rows))
        for (a, b), titles in move_samples(moves).items():
            click.echo(f"  {names.get(a, a or '-')} → {names.get(b, b)}: " + " | ".join(titles))
    if dry_run or not moves:
        return
    if not yes and not click.confirm("apply these changes?", default=False):
        raise click.ClickException("nothing changed")
    apply_reprocess(db, moves, actor="cli")
    click.echo(f"applied: {len(moves)} items re-classified")
