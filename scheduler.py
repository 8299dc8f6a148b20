"""Unattended entry point: run crawl cycles on a schedule, one at a time, for months.

Each cycle runs the crawl as a child process (pipeline.cycle), so a crash or hang in one cycle
cannot take the scheduler down, and Twisted's reactor never needs a restart. This module never
imports Scrapy or Twisted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pipeline.config import Config, load_config
from pipeline.config_fields import duration_seconds
from pipeline.cycle import run_cycle
from pipeline.errors import NewsdeskError

log = logging.getLogger("newsdesk.scheduler")


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: which sources, and when (every N seconds or a cron expression)."""

    id: str
    source_ids: tuple[str, ...]
    every_seconds: int = 0
    cron: str = ""


def build_jobs(config: Config) -> list[JobSpec]:
    """Group enabled sources by schedule: one job per distinct `every`/`cron` (pure)."""
    groups: dict[tuple[str, str], list[str]] = {}
    default = config.settings.schedule.every
    for source in config.sources:
        if source.enabled:
            key = ("cron", source.cron) if source.cron else ("every", source.every or default)
            groups.setdefault(key, []).append(source.id)
    jobs = []
    for (kind, value), ids in sorted(groups.items()):
        if kind == "cron":
            jobs.append(JobSpec(f"cron {value}", tuple(ids), cron=value))
        else:
            jobs.append(
                JobSpec(f"every {value}", tuple(ids), every_seconds=duration_seconds(value))
            )
    return jobs


def in_quiet_hours(quiet: str, moment: time) -> bool:
    """Whether `moment` falls in a window such as 23:00-06:00 (which may wrap midnight)."""
    if not quiet:
        return False
    start_text, end_text = quiet.split("-")
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def make_job(
    config: Config, db_path: str, spec: JobSpec, cycle: Callable[..., object] = run_cycle
) -> Callable[[], None]:
    """The callable APScheduler runs for one JobSpec (skips quiet hours)."""

    def job() -> None:
        if in_quiet_hours(config.settings.schedule.quiet_hours, datetime.now().time()):
            log.info(
                "job=%s skipped: quiet hours %s", spec.id, config.settings.schedule.quiet_hours
            )
            return
        log.info("job=%s cycle starts: %s", spec.id, ", ".join(spec.source_ids))
        result = cycle(config, db_path, spec.source_ids, trigger=f"schedule:{spec.id}")
        log.info("job=%s cycle ends: %s", spec.id, result)

    return job


def build_scheduler(config: Config, db_path: str) -> BlockingScheduler:
    """A BlockingScheduler with one job per JobSpec; never two cycles of a job at once."""
    scheduler = BlockingScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    jitter = config.settings.schedule.jitter_seconds
    for spec in build_jobs(config):
        if spec.cron:
            trigger = CronTrigger.from_crontab(spec.cron, jitter=jitter)
        else:
            trigger = IntervalTrigger(seconds=spec.every_seconds, jitter=jitter)
        job = scheduler.add_job(make_job(config, db_path, spec), trigger, id=spec.id, name=spec.id)
        if not spec.cron:
            # An interval job's first cycle starts at start-up, not one whole interval later.
            job.modify(next_run_time=datetime.now().astimezone())

    def on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job=%s missed its run time %s", event.job_id, event.scheduled_run_time)
        else:
            log.error("job=%s raised %r", event.job_id, event.exception)

    scheduler.add_listener(on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def main(argv: list[str] | None = None) -> int:
    """Validate config first, then schedule until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="scheduler.py", description=__doc__)
    parser.add_argument("--config", default="config", help="config directory")
    parser.add_argument("--db", default=None, help="database (default: settings.toml)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config = load_config(args.config)
    except NewsdeskError as exc:
        print(f"scheduler.py: refusing to start, the config is invalid:\n{exc}", file=sys.stderr)
        return 2
    db_path = args.db or config.settings.database
    scheduler = build_scheduler(config, db_path)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
