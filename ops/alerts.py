"""Send alerts: the alerts log always, and e-mail (smtplib) or a webhook (urllib) when set.

Shell code: the decisions (what to send, when to repeat) are in pipeline/health.py. A delivery
that fails is logged and returned, never raised: a dead mail server must not stop the scheduler.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import urllib.request
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

from ops.logs import ALERT_LOGGER
from pipeline.health import Alert
from pipeline.models import AlertSettings

log = logging.getLogger(ALERT_LOGGER)
SUBJECT_PREFIX = "[newsdesk]"


def alert_text(alerts: Sequence[Alert], resolved: Sequence[str], host: str) -> str:
    """The plain-text body of one batch of alerts."""
    lines = [f"newsdesk on {host}:"]
    lines += [f"- {a.kind} {a.subject}: {a.message}".replace("  ", " ") for a in alerts]
    lines += [f"- resolved: {key}" for key in resolved]
    lines.append("Details: newsdesk status (运行状态), or the desk's /ops page.")
    return "\n".join(lines)


def send_email(settings: AlertSettings, subject: str, body: str, env: Mapping[str, str]) -> None:
    """One e-mail to every `email_to` address through the configured SMTP server."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, env.get(settings.smtp_password_env, ""))
        smtp.send_message(message)


def send_webhook(settings: AlertSettings, text: str, alerts: Sequence[Alert]) -> None:
    """POST the batch as JSON; the msgtype/text shape is what WeCom and DingTalk robots take."""
    payload = {
        "msgtype": "text",
        "text": {"content": text},
        "alerts": [{"kind": a.kind, "subject": a.subject, "message": a.message} for a in alerts],
    }
    request = urllib.request.Request(
        settings.webhook_url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.timeout) as response:
        response.read()


def deliver(
    settings: AlertSettings,
    alerts: Sequence[Alert],
    resolved: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Log every alert and send the batch by e-mail/webhook; return the delivery errors."""
    for alert in alerts:
        log.warning("ALERT %s %s: %s", alert.kind, alert.subject or "-", alert.message,
                    extra={"source_id": alert.subject or "-"})  # fmt: skip
    for key in resolved:
        log.info("RESOLVED %s", key)
    if not alerts and not resolved:
        return []
    host = socket.gethostname()
    text = alert_text(alerts, resolved, host)
    errors = []
    if settings.email_to:
        first = alerts[0].kind if alerts else "resolved"
        subject = f"{SUBJECT_PREFIX} {len(alerts)} alert(s) on {host}: {first}"
        try:
            send_email(settings, subject, text, env if env is not None else os.environ)
        except (OSError, smtplib.SMTPException) as exc:
            errors.append(f"e-mail to {', '.join(settings.email_to)} failed: {exc}")
    if settings.webhook_url:
        try:
            send_webhook(settings, text, alerts)
        except (OSError, ValueError) as exc:
            errors.append(f"webhook {settings.webhook_url} failed: {exc}")
    for error in errors:
        log.error("alert delivery: %s", error)
    return errors
