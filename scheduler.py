"""Unattended entry point: run crawl cycles on a schedule, one at a time, for months.

    python scheduler.py --config config [--db data/newsdesk.db]     (or: newsdesk schedule)

Each cycle runs the crawl as a child process (ops.cycle), so a crash or hang in one cycle
cannot take the scheduler down, and Twisted's reactor never needs a restart. This module never
imports Scrapy or Twisted. One scheduler per database (an flock beside it); SIGTERM/SIGINT stop
it cleanly, letting the running cycle finish for schedule.stop_grace_seconds.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import store.db
import store.runs
from ops import alerts, lock, maintenance, monitor
from ops.config_files import load_config
from ops.cycle import HOST, pid_alive, run_cycle
from ops.logs import log_context, log_dir, setup_logging
from pipeline import health
from pipeline.config import Config
from pipeline.config_fields import duration_seconds
from pipeline.errors import LockedError, NewsdeskError

log = logging.getLogger("newsdesk.scheduler")
MAINTENANCE_JOB = "maintenance"
# After a cycle was cut short by a crash of the scheduler itself, the next start retries it no
# sooner than this: a crash loop under systemd must not hammer the sites every few seconds.
RETRY_AFTER_CRASH = timedelta(minutes=15)
# How long shutdown waits for the crawl it killed to be recorded, after the grace period.
FINAL_WAIT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: which sources, and when (every N seconds or a cron expression)."""

    id: str
    source_ids: tuple[str, ...]
    every_seconds: int = 0
    cron: str = ""
    kind: str = "crawl"  # crawl | maintenance

    @property
    def interval_seconds(self) -> int:
        """The job's period for backoff purposes (cron: one day)."""
        return self.every_seconds or monitor.CRON_INTERVAL


def build_jobs(config: Config) -> list[JobSpec]:
    """One crawl job per distinct `every`/`cron` of the enabled sources, plus the nightly job."""
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
    hour, minute = config.settings.maintenance.at.split(":")
    jobs.append(JobSpec(MAINTENANCE_JOB, (), cron=f"{int(minute)} {int(hour)} * * *",
                        kind="maintenance"))  # fmt: skip
    return jobs


def _window(quiet: str) -> tuple[time, time]:
    start_text, end_text = quiet.split("-")
    return time.fromisoformat(start_text), time.fromisoformat(end_text)


def in_quiet_hours(quiet: str, moment: time) -> bool:
    """Whether `moment` falls in a window such as 23:00-06:00 (which may wrap midnight)."""
    if not quiet:
        return False
    start, end = _window(quiet)
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_end(quiet: str, now: datetime) -> datetime:
    """The first moment after `now` when the quiet window is over."""
    _, end = _window(quiet)
    candidate = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def first_run_time(
    spec: JobSpec,
    last_start: datetime | None,
    last_end: datetime | None,
    now: datetime,
    cron_next: Callable[[datetime], datetime | None] | None = None,
) -> datetime | None:
    """When a job should first run after a (re)start; None leaves it to its trigger.

    Overdue jobs run once now (coalesced: one catch-up, not one per missed period). A cycle that
    the scheduler's own death cut short is retried, but no sooner than RETRY_AFTER_CRASH.
    """
    interrupted = last_start is not None and (last_end is None or last_start > last_end)
    floor = now
    if interrupted and last_start is not None:
        wait = min(timedelta(seconds=spec.interval_seconds), RETRY_AFTER_CRASH)
        floor = max(now, last_start + wait)
    if spec.every_seconds:
        if last_end is None:
            return floor
        return max(floor, last_end + timedelta(seconds=spec.every_seconds))
    if last_end is None:
        return floor if spec.kind == "crawl" else None
    following = cron_next(last_end) if cron_next else None
    return floor if following is not None and following <= now else None


def due_sources(
    spec: JobSpec, states: Mapping[str, Mapping[str, Any]], now: datetime
) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a job's sources into those to crawl now and (id, why not) for the others."""
    due, skipped = [], []
    for source_id in spec.source_ids:
        state = states.get(source_id) or {}
        next_due = store.runs.parse_time(state.get("next_due_at"))
        if state.get("quarantined"):
            skipped.append((source_id, f"quarantined since {state.get('quarantined_at')}"))
        elif not health.is_due(next_due, now, spec.interval_seconds):
            assert next_due is not None
            skipped.append((source_id, f"backing off after failures until {next_due.isoformat()}"))
        else:
            due.append(source_id)
    return due, skipped


class Runner:
    """The scheduler's shell: runs jobs one at a time, tracks the running cycle, stops cleanly."""

    def __init__(self, config: Config, db_path: str) -> None:
        self.config = config
        self.db_path = db_path
        self.scheduler: BlockingScheduler | None = None
        self.stopping = threading.Event()
        self.kill = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self._sent: dict[str, float] = {}

    def run_job(self, spec: JobSpec) -> None:
        """What APScheduler calls: one crawl cycle or the nightly maintenance."""
        if self.stopping.is_set():
            return
        self.idle.clear()
        db = store.db.open_db(self.db_path)
        start = datetime.now(UTC)
        try:
            if spec.kind == "maintenance":
                store.runs.set_state(db, f"job:{spec.id}:start", start.isoformat())
                maintenance.nightly(self.config, self.db_path, self._log_dir())
            elif not self._crawl(db, spec, start):
                return
            store.runs.set_state(db, f"job:{spec.id}:end", datetime.now(UTC).isoformat())
        except Exception as exc:  # the scheduler must outlive any one job
            log.exception("job %s failed", spec.id)
            kind = "maintenance_failed" if spec.kind == "maintenance" else "scheduler_error"
            self._emergency_alert(health.Alert(kind, "", f"job {spec.id}: {exc!r}"))
        finally:
            self.idle.set()
            self.save_next_cycle()

    def _crawl(self, db: store.db.Database, spec: JobSpec, start: datetime) -> bool:
        quiet = self.config.settings.schedule.quiet_hours
        local = start.astimezone()
        if in_quiet_hours(quiet, local.time()):
            end = quiet_end(quiet, local)
            log.info("job %s deferred: quiet hours %s, until %s", spec.id, quiet, end)
            if self.scheduler is not None:
                self.scheduler.modify_job(spec.id, next_run_time=end)
            return False
        due, skipped = due_sources(spec, store.runs.source_states(db), start)
        for source_id, why in skipped:
            log.info("skipped: %s", why, extra={"source_id": source_id})
        if not due:
            log.info("job %s: no source is due", spec.id)
            return False
        store.runs.set_state(db, f"job:{spec.id}:start", start.isoformat())
        run_cycle(self.config, self.db_path, due, trigger=f"schedule:{spec.id}",
                  should_stop=self.kill.is_set)  # fmt: skip
        return True

    def _log_dir(self) -> Path:
        return log_dir(self.config.settings.logs, self.db_path)

    def _emergency_alert(self, alert: health.Alert) -> None:
        """Raise an alert when a job broke; without the database (disk full?) send it directly."""
        try:
            db = store.db.open_db(self.db_path)
            monitor.raise_alerts(db, self.config, [alert], datetime.now(UTC), scope=())
        except Exception:  # the database itself may be what broke
            log.exception("cannot store the alert; sending it directly")
            repeat = self.config.settings.alerts.repeat_hours * 3600
            last = self._sent.get(alert.key)
            if last is None or (repeat > 0 and clock.monotonic() - last >= repeat):
                self._sent[alert.key] = clock.monotonic()
                alerts.deliver(self.config.settings.alerts, [alert])

    def save_next_cycle(self) -> None:
        """Store when the next crawl cycle starts, for `newsdesk status` and the desk."""
        if self.scheduler is None or self.stopping.is_set():
            return
        upcoming = [
            (job.next_run_time, job.id) for job in self.scheduler.get_jobs()
            if job.id != MAINTENANCE_JOB and job.next_run_time is not None
        ]  # fmt: skip
        try:
            db = store.db.open_db(self.db_path)
            value = None
            if upcoming:
                at, job_id = min(upcoming)
                value = {"at": at.isoformat(timespec="seconds"), "job": job_id}
            store.runs.set_state(db, "next_cycle", value)
        except Exception:  # status must never stop the scheduler
            log.exception("cannot store the next cycle time")

    def request_stop(self, signum: int, frame: FrameType | None = None) -> None:
        """SIGTERM/SIGINT: stop scheduling; a second signal also kills the running crawl."""
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            log.warning("%s again: killing the running crawl now", name)
            self.kill.set()
            return
        grace = self.config.settings.schedule.stop_grace_seconds
        log.info("%s: stopping; a running cycle may finish within %s s", name, grace)
        self.stopping.set()
        if self.scheduler is not None:
            # shutdown() takes the scheduler's locks: never from inside the signal handler.
            threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": False}).start()

    def finish(self) -> None:
        """After the scheduler loop ended: let the cycle finish (grace), else kill its crawl."""
        grace = self.config.settings.schedule.stop_grace_seconds
        if not self.idle.wait(grace):
            log.warning("the cycle is still running after %s s: killing its crawl", grace)
            self.kill.set()
            if not self.idle.wait(FINAL_WAIT_SECONDS):
                log.error("the cycle did not end; exiting anyway")


def cron_trigger(expression: str, jitter: int = 0) -> CronTrigger:
    """A CronTrigger from 5 crontab fields (from_crontab takes no jitter)."""
    minute, hour, day, month, day_of_week = expression.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
                       jitter=jitter or None)  # fmt: skip


def _trigger(spec: JobSpec, jitter: int, start: datetime | None) -> Any:
    if spec.cron:
        return cron_trigger(spec.cron, jitter)
    return IntervalTrigger(seconds=spec.every_seconds, jitter=jitter or None, start_date=start)


def build_scheduler(config: Config, db_path: str, runner: Runner) -> BlockingScheduler:
    """A BlockingScheduler with one job per JobSpec, one worker: one cycle at a time."""
    sched = config.settings.schedule
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": sched.misfire_grace_seconds,
        },
    )
    db = store.db.open_db(db_path)
    now = datetime.now().astimezone()
    for spec in build_jobs(config):
        jitter = sched.jitter_seconds if spec.kind == "crawl" else 0
        last_start = store.runs.parse_time(store.runs.get_state(db, f"job:{spec.id}:start"))
        last_end = store.runs.parse_time(store.runs.get_state(db, f"job:{spec.id}:end"))
        cron = cron_trigger(spec.cron) if spec.cron else None

        def cron_next(after: datetime, cron: CronTrigger | None = cron) -> datetime | None:
            return cron.get_next_fire_time(None, after) if cron else None

        first = first_run_time(spec, last_start, last_end, now, cron_next)
        options: dict[str, Any] = {"next_run_time": first} if first is not None else {}
        trigger = _trigger(spec, jitter, first if spec.every_seconds else None)
        scheduler.add_job(runner.run_job, trigger, args=[spec], id=spec.id, name=spec.id,
                          **options)  # fmt: skip
        log.info("job %s: sources %s; first run %s", spec.id, ", ".join(spec.source_ids) or "-",
                 first.isoformat(timespec="seconds") if first else "by its schedule")  # fmt: skip

    def on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run time %s", event.job_id, event.scheduled_run_time)
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.info("job %s skipped: a cycle is still running or queued", event.job_id)
        else:
            log.error("job %s raised %r", event.job_id, event.exception)

    scheduler.add_listener(on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    runner.scheduler = scheduler
    return scheduler


def main(argv: Sequence[str] | None = None) -> int:
    """Validate config, take the database's scheduler lock, then schedule until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="scheduler.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", default=os.environ.get("NEWSDESK_CONFIG", "config"),
                        help="config directory (env NEWSDESK_CONFIG)")  # fmt: skip
    parser.add_argument("--db", default=os.environ.get("NEWSDESK_DB"),
                        help="database (env NEWSDESK_DB; default: settings.toml)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except NewsdeskError as exc:
        print(f"scheduler.py: refusing to start, the config is invalid:\n{exc}", file=sys.stderr)
        return 2
    db_path = args.db or config.settings.database
    try:
        held = lock.acquire_scheduler_lock(db_path)
    except LockedError as exc:
        print(f"scheduler.py: refusing to start: {exc}", file=sys.stderr)
        return 3
    try:
        return _serve(config, db_path)
    finally:
        held.release()


def _serve(config: Config, db_path: str) -> int:
    setup_logging(log_dir(config.settings.logs, db_path), config.settings.logs)
    runner = Runner(config, db_path)
    with log_context(run_id="-"):
        db = store.db.open_db(db_path)
        # A manual `newsdesk run` may be running; only runs of dead processes are recovered.
        recovered = store.runs.recover_abandoned_runs(
            db, lambda pid: pid != os.getpid() and pid_alive(pid), store.db.utc_now(), HOST
        )
        if recovered:
            log.warning("recovered runs left running by a killed process: %s", recovered)
            for run_id in recovered:
                monitor.after_cycle(db, config, run_id, datetime.now(UTC))
        scheduler = build_scheduler(config, db_path, runner)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, runner.request_stop)
        store.runs.set_state(db, "scheduler", {"pid": os.getpid(), "started_at": store.db.utc_now(),
                                              "config": config.directory})  # fmt: skip
        log.info("scheduler started (pid %s) on %s", os.getpid(), db_path)
        scheduler.add_listener(lambda _event: runner.save_next_cycle(), EVENT_SCHEDULER_STARTED)
        try:
            scheduler.start()
        except KeyboardInterrupt:  # a SIGINT before the handler was installed
            runner.stopping.set()
        runner.finish()
        store.runs.set_state(db, "next_cycle", None)
        store.runs.set_state(db, "scheduler", {"pid": None, "stopped_at": store.db.utc_now()})
        log.info("scheduler stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
