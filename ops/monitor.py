"""After each cycle: gather source health from the store, decide (pipeline.health), apply.

Shell code in the cosmicpython shape: `health_inputs` gathers, `pipeline.health` decides,
`apply_verdicts` and `raise_alerts` write the store and deliver alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import store.db
import store.runs
from ops import alerts
from pipeline import health
from pipeline.config import Config
from pipeline.config_fields import duration_seconds
from pipeline.models import Source

log = logging.getLogger("newsdesk.health")
# A cron source's backoff unit when its interval is not known from the scheduler.
CRON_INTERVAL = 86400
# The alert kinds one post-cycle evaluation decides (others, e.g. maintenance, resolve elsewhere).
CYCLE_SCOPE = ("source_failing", "source_quarantined", "source_quiet", "extraction_rise",
               "cycle_crashed", "cycle_failed", "scheduler_error")  # fmt: skip


def source_interval(source: Source, default_every: str) -> int:
    """The seconds between a source's scheduled runs (cron: one day)."""
    if source.cron:
        return CRON_INTERVAL
    return duration_seconds(source.every or default_every)


def policy(config: Config) -> health.HealthPolicy:
    """The health thresholds of settings.toml [schedule]."""
    sched = config.settings.schedule
    return health.HealthPolicy(
        quarantine_after=sched.quarantine_after,
        alert_after=sched.alert_after,
        backoff_max_seconds=duration_seconds(sched.backoff_max),
        gone_quiet_factor=sched.gone_quiet_factor,
    )


def health_inputs(db: store.db.Database, config: Config) -> list[health.SourceHealthInput]:
    """Every enabled source's health input, from the store."""
    sources = [s for s in config.sources if s.enabled]
    rows = store.runs.health_rows(db, [s.id for s in sources])
    inputs = []
    for source in sources:
        row = rows[source.id]
        state = row["state"]
        inputs.append(health.SourceHealthInput(
            source_id=source.id,
            interval_seconds=source_interval(source, config.settings.schedule.every),
            consecutive_failures=int(state.get("consecutive_failures") or 0),
            failing_since=state.get("failing_since"),
            last_error_kind=state.get("last_error_kind"),
            last_error=state.get("last_error"),
            last_run_at=store.runs.parse_time(state.get("last_run_at")),
            quarantined=bool(state.get("quarantined")),
            yields=row["yields"],
            runs_since_yield=row["runs_since_yield"],
            extraction=row["extraction"],
            flag=state.get("flag"),
        ))  # fmt: skip
    return inputs


def evaluate(
    db: store.db.Database, config: Config, now: datetime, run: dict[str, object] | None = None
) -> list[health.Alert]:
    """Decide and store every source's backoff/quarantine; return the alerts that hold now."""
    current: list[health.Alert] = []
    for inp in health_inputs(db, config):
        verdict = health.evaluate_source(inp, now, policy(config))
        due = verdict.next_due_at.isoformat(timespec="seconds") if verdict.next_due_at else None
        if store.runs.save_source_verdict(
            db, inp.source_id, due, verdict.quarantine, now.isoformat(timespec="seconds")
        ):
            log.warning("quarantined after %s failures", inp.consecutive_failures,
                        extra={"source_id": inp.source_id})  # fmt: skip
        current.extend(verdict.alerts)
    if run is not None:
        current.extend(health.cycle_alerts(
            str(run["status"]), int(str(run["id"])), _text(run.get("error")),
            _text(run.get("error_kind")),
        ))  # fmt: skip
    return current


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def raise_alerts(
    db: store.db.Database, config: Config, current: Sequence[health.Alert], now: datetime,
    scope: Sequence[str] | None = CYCLE_SCOPE,
) -> health.AlertPlan:  # fmt: skip
    """De-duplicate against stored alerts, store them, and deliver what is new or due again."""
    plan = health.plan_alerts(
        current, store.runs.stored_alerts(db), now, config.settings.alerts.repeat_hours, scope
    )
    store.runs.save_alert_plan(db, plan, now.isoformat(timespec="seconds"))
    alerts.deliver(config.settings.alerts, plan.notify, plan.resolved)
    return plan


def after_cycle(db: store.db.Database, config: Config, run_id: int, now: datetime) -> (
    health.AlertPlan
):  # fmt: skip
    """The health pass that follows every cycle."""
    run = store.runs.get_run(db, run_id)
    return raise_alerts(db, config, evaluate(db, config, now, run), now)
