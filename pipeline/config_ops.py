"""Parse the operations sections of settings.toml: [schedule], [alerts], [maintenance], [logs].

Pure like pipeline/config.py, which calls these with one FieldReader per section; every problem
names the file and the field.
"""

from __future__ import annotations

import re

from pipeline.config_fields import FieldReader
from pipeline.models import AlertSettings, LogSettings, MaintenanceSettings, ScheduleSettings

_URL = re.compile(r"^https?://[^\s/]+[^\s]*$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def parse_schedule(r: FieldReader) -> ScheduleSettings:
    """[schedule]: cadence, quiet hours, jitter, source health thresholds, stop grace."""
    return ScheduleSettings(
        every=r.duration("every", "2h") or "2h",
        quiet_hours=r.text("quiet_hours"),
        jitter_seconds=r.integer("jitter_seconds", 60, 0, 3600),
        quarantine_after=r.integer("quarantine_after", 10, 1, 1000),
        backoff_max=r.duration("backoff_max", "1d") or "1d",
        alert_after=r.integer("alert_after", 3, 1, 1000),
        gone_quiet_factor=r.number("gone_quiet_factor", 3.0, minimum=1.0),
        misfire_grace_seconds=r.integer("misfire_grace_seconds", 3600, 1, 7 * 86400),
        stop_grace_seconds=r.integer("stop_grace_seconds", 120, 0, 3600),
    )


def parse_alerts(r: FieldReader) -> AlertSettings:
    """[alerts]: repeat interval, optional webhook and email."""
    result = AlertSettings(
        repeat_hours=r.number("repeat_hours", 24.0, minimum=0.0),
        webhook_url=r.text("webhook_url"),
        email_to=r.texts("email_to"),
        email_from=r.text("email_from", "newsdesk@localhost"),
        smtp_host=r.text("smtp_host"),
        smtp_port=r.integer("smtp_port", 25, 1, 65535),
        smtp_user=r.text("smtp_user"),
        smtp_password_env=r.text("smtp_password_env", "NEWSDESK_SMTP_PASSWORD"),
        smtp_starttls=r.flag("smtp_starttls", False),
        timeout=r.number("timeout", 10.0, minimum=1.0),
    )
    if result.webhook_url and not _URL.match(result.webhook_url):
        r.fail("webhook_url", f"must be an http(s) URL; got '{result.webhook_url}'")
    for address in (*result.email_to, result.email_from):
        if not _EMAIL.match(address):
            r.fail("email_to", f"must hold e-mail addresses like ops@example.cn; got '{address}'")
    if result.email_to and not result.smtp_host:
        r.fail("smtp_host", "is required when 'email_to' is set")
    return result


def parse_maintenance(r: FieldReader) -> MaintenanceSettings:
    """[maintenance]: when the nightly jobs run, where backups go and how many are kept."""
    result = MaintenanceSettings(
        at=r.text("at", "03:30"),
        backup_dir=r.text("backup_dir"),
        backup_keep=r.integer("backup_keep", 7, 1, 365),
        snapshot_days=r.integer("snapshot_days", 30, 1, 3650),
    )
    if not _CLOCK.match(result.at):
        r.fail("at", f"must be a local time like 03:30; got '{result.at}'")
    return result


def parse_logs(r: FieldReader) -> LogSettings:
    """[logs]: directory, level and rotation of the log files."""
    return LogSettings(
        dir=r.text("dir"),
        level=r.text("level", "INFO", choices=LOG_LEVELS),
        max_mb=r.integer("max_mb", 10, 1, 1000),
        keep=r.integer("keep", 5, 1, 100),
    )
