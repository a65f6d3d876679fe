"""Outbound webhook and e-mail: queued in the caller's transaction, delivered later with backoff.

The request (or the scheduler firing a deadline) only inserts rows; delivery runs in the scheduler
process, so a slow or dead receiver never blocks anyone.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import clock, privacy
from incident.db import unit_of_work
from playbooks import config
from playbooks.notify import robots, transports
from playbooks.notify.models import NotifyChannel, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM = timedelta(seconds=60)  # a claimed message is retried after this if its sender died


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(0, attempts - 1), 3600))


def enqueue(session: Session, channel: str, recipient: str, payload: dict[str, Any]) -> OutboxMessage:
    now = clock.now()
    msg = OutboxMessage(channel=channel, recipient=recipient, payload=payload, created_at=now, attempts=0,
                        next_attempt_at=now, last_error="")
    session.add(msg)
    return msg


def enqueue_event(session: Session, payload: dict[str, Any], subject: str = "", body: str = "") -> None:
    """Queue the webhook POST and the e-mails configured for an event (nothing when unconfigured)."""
    cfg = config.current()
    if cfg.webhook_url:
        enqueue(session, "webhook", cfg.webhook_url, payload)
    if cfg.smtp_url and subject:
        for addr in cfg.mail_to:
            enqueue(session, "email", addr, {"subject": subject, "body": body, "event": payload.get("event")})


def _send(msg: OutboxMessage, robot: tuple[str, str] | None = None) -> None:
    cfg = config.current()
    if msg.channel in robots.PLATFORMS:  # -- a WeChat Work / DingTalk group robot (issue 12)
        if robot is None:
            raise RuntimeError("the robot was removed")
        robots.send(msg.channel, robot[0], robot[1], msg.payload["body"])
    elif msg.channel == "webhook":
        transports.post_json(msg.recipient, msg.payload)
    elif msg.channel == "email":
        if not cfg.smtp_url:
            raise RuntimeError("smtp_url is not configured")
        transports.send_mail(cfg.smtp_url, cfg.mail_from, msg.recipient, msg.payload["subject"],
                             msg.payload["body"])
    else:
        raise RuntimeError(f"unknown channel {msg.channel}")


def _robot(session: Session, msg: OutboxMessage) -> tuple[str, str] | None:
    """A group robot's URL and secret, decrypted just before sending (None: removed since it was queued)."""
    if msg.channel not in robots.PLATFORMS or not msg.recipient.isdigit():
        return None
    c = session.get(NotifyChannel, int(msg.recipient))
    if c is None or not c.active:
        return None
    cp = privacy.cipher()
    return cp.decrypt(c.url_cipher), cp.decrypt(c.secret_cipher) if c.secret_cipher else ""


def deliver_due(factory: Callable[[], Session], limit: int = 50, now: datetime | None = None) -> dict[str, int]:
    """Send what is due: claim each row (conditional UPDATE), send outside any transaction, record the result."""
    now = now or clock.now()
    sent = failed = 0
    with unit_of_work(factory) as s:
        due = list(s.execute(select(OutboxMessage.id, OutboxMessage.next_attempt_at).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now).order_by(OutboxMessage.id).limit(limit)).all())
    for msg_id, seen in due:
        with unit_of_work(factory) as s:
            claimed = s.execute(update(OutboxMessage).where(
                OutboxMessage.id == msg_id, OutboxMessage.next_attempt_at == seen, OutboxMessage.sent_at.is_(None))
                .values(next_attempt_at=now + CLAIM)).rowcount
        if claimed != 1:
            continue  # another sender took it
        with unit_of_work(factory) as s:
            msg = s.get(OutboxMessage, msg_id)
            assert msg is not None
            robot = _robot(s, msg)
            s.expunge(msg)
        error = ""
        try:
            _send(msg, robot)
        except Exception as err:  # any failure is retried later; the reason is kept
            error = f"{type(err).__name__}: {err}"[:2000]
        with unit_of_work(factory) as s:
            row = s.get(OutboxMessage, msg_id)
            assert row is not None
            row.attempts += 1
            if not error:
                row.sent_at, row.last_error = clock.now(), ""
                sent += 1
            else:
                row.last_error = error
                if row.attempts >= MAX_ATTEMPTS:
                    row.failed_at = clock.now()
                else:
                    row.next_attempt_at = clock.now() + backoff(row.attempts)
                failed += 1
                log.warning("outbox %s to %s failed (attempt %s): %s", row.channel, row.recipient,
                            row.attempts, error)
    return {"sent": sent, "failed": failed}

