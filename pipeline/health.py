"""Source health and alerts, decided from values (pure; `now` is always passed in).

The shell (ops/monitor.py) gathers each source's state and recent runs from the store,
calls `evaluate_source` and `cycle_alerts`, then `plan_alerts` against the alerts already stored,
and applies the result. Nothing here reads the clock, the database or the network.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Exponent cap of the backoff: 2^16 intervals is far past any sane backoff_max anyway.
_MAX_DOUBLINGS = 16
# "Gone quiet" needs this many item-yielding runs to know a source's usual gap (3 gaps)...
MIN_YIELDS = 4
# ...and this many runs without an item since the last yield (one empty run is normal).
MIN_RUNS_SINCE_YIELD = 2
# Field-extraction alarm: the last RECENT runs that tried to extract are compared with up to
# BASELINE earlier ones; a ratio of empty titles (or dates) that jumps by RISE and reaches FLOOR
# is what a redesign looks like (the selectors still match the page but pick up nothing).
RECENT = 2
BASELINE = 10
MIN_BASELINE = 3
RISE = 0.3
FLOOR = 0.5

# Error kinds that a dead network line produces at every site at once.
OUTAGE_KINDS = ("dns", "connect", "timeout")
MIN_OUTAGE_SOURCES = 2
ALERT_KINDS = (
    "source_failing", "source_quarantined", "source_quiet", "extraction_rise",
    "cycle_crashed", "cycle_failed", "maintenance_failed", "scheduler_error", "selectors_broken",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExtractionPoint:
    """One source run that extracted articles: how many were tried and how many came out empty."""

    at: datetime
    attempted: int  # detail pages that reached the extractor (stored + failed)
    no_title: int  # pages with no usable title or body (detail_extract_failed)
    stored: int
    no_date: int  # stored items without a publication date


@dataclass(frozen=True, slots=True)
class SourceHealthInput:
    """What the store knows about one enabled source."""

    source_id: str
    interval_seconds: int
    consecutive_failures: int = 0
    failing_since: str | None = None
    last_error_kind: str | None = None
    last_error: str | None = None
    last_run_at: datetime | None = None
    quarantined: bool = False
    # Start times of the recent runs that stored new items, oldest first.
    yields: tuple[datetime, ...] = ()
    runs_since_yield: int = 0
    extraction: tuple[ExtractionPoint, ...] = ()  # oldest first
    # Set while the source's list selectors are broken and automatic detection carries it.
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """Thresholds from [schedule] in settings.toml."""

    quarantine_after: int = 10
    alert_after: int = 3
    backoff_max_seconds: int = 86400
    gone_quiet_factor: float = 3.0


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert condition that holds now; `key` de-duplicates it across evaluations."""

    kind: str
    subject: str
    message: str

    @property
    def key(self) -> str:
        """kind:subject, e.g. source_failing:henan-kjt."""
        return alert_key(self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class SourceVerdict:
    """What the shell should store for one source, and the alerts that hold for it."""

    source_id: str
    next_due_at: datetime | None
    quarantine: bool
    alerts: tuple[Alert, ...]


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """The stored state of an alert key (the `alerts` table)."""

    key: str
    active: bool
    notified_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertPlan:
    """What to do with the alerts of one evaluation."""

    notify: tuple[Alert, ...]  # newly raised, or still active and due for a reminder
    seen: tuple[Alert, ...]  # every alert that holds now (stored as active)
    resolved: tuple[str, ...]  # keys that were active and hold no longer


def alert_key(kind: str, subject: str = "") -> str:
    """The de-duplication key of an alert."""
    return f"{kind}:{subject}"


def backoff_seconds(failures: int, interval: float, maximum: float) -> float:
    """How long a source waits after `failures` consecutive failures: interval × 2^(failures-1)."""
    if failures <= 0:
        return interval
    doublings: int = min(failures - 1, _MAX_DOUBLINGS)
    return min(interval * (1 << doublings), max(maximum, interval))


def next_due(last_run: datetime | None, failures: int, interval: float, maximum: float) -> (
    datetime | None
):  # fmt: skip
    """When a failing source may run again; None for a healthy one (its schedule decides)."""
    if failures <= 1 or last_run is None:
        return None
    return last_run + timedelta(seconds=backoff_seconds(failures, interval, maximum))


def is_due(next_due_at: datetime | None, now: datetime, interval: float) -> bool:
    """Whether a source may run now; half an interval of slack absorbs jitter and cycle length."""
    return next_due_at is None or now >= next_due_at - timedelta(seconds=interval / 2)


def usual_gap(yields: Sequence[datetime]) -> float | None:
    """The median seconds between item-yielding runs, or None without enough history."""
    if len(yields) < MIN_YIELDS:
        return None
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(yields)]
    return float(statistics.median(gaps))


def gone_quiet(inp: SourceHealthInput, now: datetime, factor: float) -> str | None:
    """Why a source that usually yields items counts as gone quiet, or None."""
    gap = usual_gap(inp.yields)
    if gap is None or inp.runs_since_yield < MIN_RUNS_SINCE_YIELD:
        return None
    expected = max(gap, float(inp.interval_seconds))
    silent = (now - inp.yields[-1]).total_seconds()
    if silent <= factor * expected:
        return None
    return (
        f"no new item for {format_seconds(silent)} (usually one every {format_seconds(expected)}; "
        f"{inp.runs_since_yield} runs since the last, at {inp.yields[-1].isoformat()})"
    )


def _ratio(points: Sequence[ExtractionPoint], part: str, whole: str) -> float | None:
    total = sum(getattr(p, whole) for p in points)
    return None if total == 0 else sum(getattr(p, part) for p in points) / total


def extraction_rise(points: Sequence[ExtractionPoint]) -> str | None:
    """Why empty titles or dates look like a redesign (a sudden rise), or None."""
    tried = [p for p in points if p.attempted > 0]
    if len(tried) < RECENT + MIN_BASELINE:
        return None
    recent, baseline = tried[-RECENT:], tried[-RECENT - BASELINE : -RECENT]
    problems = []
    for label, part, whole in (("titles/bodies", "no_title", "attempted"),
                               ("dates", "no_date", "stored")):  # fmt: skip
        now_ratio, before = _ratio(recent, part, whole), _ratio(baseline, part, whole)
        if now_ratio is None or before is None:
            continue
        if now_ratio >= FLOOR and now_ratio - before >= RISE:
            problems.append(
                f"empty {label} rose to {now_ratio:.0%} of the last {RECENT} runs "
                f"(was {before:.0%})"
            )
    if not problems:
        return None
    return "; ".join(problems) + ": the site was probably redesigned, check its selectors"


def evaluate_source(inp: SourceHealthInput, now: datetime, policy: HealthPolicy) -> SourceVerdict:
    """Backoff, quarantine and the alerts that hold for one source."""
    failures = inp.consecutive_failures
    quarantine = inp.quarantined or failures >= policy.quarantine_after
    due = next_due(inp.last_run_at, failures, inp.interval_seconds, policy.backoff_max_seconds)
    reason = f"{inp.last_error_kind}: {inp.last_error or ''}".strip(": ")
    alerts: list[Alert] = []
    if quarantine:
        alerts.append(Alert(
            "source_quarantined", inp.source_id,
            f"quarantined after {failures} consecutive failures since {inp.failing_since} "
            f"({reason}); fix it, then: newsdesk sources resume {inp.source_id}",
        ))  # fmt: skip
    elif failures >= policy.alert_after:
        retry = f"; next try after {due.isoformat()}" if due else ""
        alerts.append(Alert(
            "source_failing", inp.source_id,
            f"failing since {inp.failing_since}, {failures} runs in a row ({reason}){retry}",
        ))  # fmt: skip
    elif failures == 0 and (quiet := gone_quiet(inp, now, policy.gone_quiet_factor)):
        alerts.append(Alert("source_quiet", inp.source_id, quiet))
    if inp.flag and not quarantine:
        alerts.append(Alert("selectors_broken", inp.source_id, inp.flag))
    if not quarantine and (rise := extraction_rise(inp.extraction)):
        alerts.append(Alert("extraction_rise", inp.source_id, rise))
    return SourceVerdict(inp.source_id, None if quarantine else due, quarantine, tuple(alerts))


def is_outage(error_kinds: Sequence[str | None]) -> bool:
    """Whether a cycle in which every source failed on the network looks like our outage.

    Then the sources are not to blame: counting it against each of them would back off and
    finally quarantine every source after a long outage of the office line.
    """
    return len(error_kinds) >= MIN_OUTAGE_SOURCES and all(
        kind in OUTAGE_KINDS for kind in error_kinds
    )


def cycle_alerts(status: str, run_id: int, error: str | None, error_kind: str | None) -> (
    tuple[Alert, ...]
):  # fmt: skip
    """The alerts a finished cycle raises: a crash, or every source failing at once."""
    if status == "crashed":  # "interrupted" is ops stopping the scheduler: no alert
        return (Alert("cycle_crashed", "", f"run {run_id} {status} ({error_kind}): {error}"),)
    if status == "failed" and error_kind == "network_outage":
        return (Alert("cycle_failed", "", f"run {run_id}: no site reachable, is the network "
                      f"down? ({error})"),)  # fmt: skip
    if status == "failed":
        return (Alert("cycle_failed", "", f"run {run_id}: every source failed ({error})"),)
    return ()


def plan_alerts(
    current: Sequence[Alert],
    stored: Mapping[str, StoredAlert],
    now: datetime,
    repeat_hours: float,
    scope: Sequence[str] | None = None,
) -> AlertPlan:
    """Which alerts to send (new, or reminders after repeat_hours) and which are resolved.

    :param scope: alert keys' kinds this evaluation covers; active alerts of other kinds are left
        alone (None: every kind).
    """
    notify = []
    for alert in current:
        prev = stored.get(alert.key)
        fresh = prev is None or not prev.active or prev.notified_at is None
        reminder = (
            prev is not None and prev.notified_at is not None and repeat_hours > 0
            and now - prev.notified_at >= timedelta(hours=repeat_hours)
        )  # fmt: skip
        if fresh or reminder:
            notify.append(alert)
    holding = {a.key for a in current}
    resolved = tuple(
        key for key, prev in sorted(stored.items())
        if prev.active and key not in holding
        and (scope is None or key.split(":", 1)[0] in scope)
    )  # fmt: skip
    return AlertPlan(tuple(notify), tuple(current), resolved)


def format_seconds(seconds: float) -> str:
    """1d 4h, 3h 20m, 45m, 12s: a duration for people."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"
