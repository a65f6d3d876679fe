"""Webhook and e-mail leave through the outbox: queued by the firing, sent later, retried with backoff."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from incident import clock
from playbooks import config
from playbooks.notify import outbox
from playbooks.notify.models import OutboxMessage
from playbooks.scheduler import jobs
from tests.live import free_port
from tests.playbooks.conftest import fresh


class Hook:
    """A loopback HTTP receiver; answers `status` (500 to simulate a broken receiver)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append(json.loads(body))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.server.shutdown()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    yield box, port
    ctl.stop()


def test_overdue_goes_out_by_webhook_and_mail(session, session_factory, crew, frozen, hook, mailbox):
    box, port = mailbox
    config._config = config.Config(webhook_url=hook.url, smtp_url=f"smtp://127.0.0.1:{port}",
                                   mail_to=["duty@example.test"], public_url="http://concord.test")
    inc = crew["incident"]
    frozen.advance(minutes=16)
    jobs.run_due(session_factory)
    assert hook.received == [] and box.messages == []  # firing only queued them
    result = outbox.deliver_due(session_factory)
    assert result == {"sent": 2, "failed": 0}
    assert hook.received[0]["event"] == "playbook.step_overdue"
    assert hook.received[0]["incident"]["ref"] == inc.ref
    assert hook.received[0]["item"]["step"] == "first_contact"
    assert hook.received[0]["url"] == f"http://concord.test/incidents/{inc.id}"
    mail = box.messages[0].content.decode("utf-8", "replace")
    assert box.messages[0].rcpt_tos == ["duty@example.test"] and "Subject:" in mail
    assert outbox.deliver_due(session_factory) == {"sent": 0, "failed": 0}  # sent once


def test_failing_webhook_is_retried_with_backoff_then_given_up(session, session_factory, crew, frozen, hook):
    config._config = config.Config(webhook_url=hook.url)
    hook.status = 500
    frozen.advance(minutes=16)
    jobs.run_due(session_factory)
    assert outbox.deliver_due(session_factory) == {"sent": 0, "failed": 1}
    msg = fresh(session).scalar(select(OutboxMessage))
    assert msg.attempts == 1 and "HTTP 500" in msg.last_error
    assert msg.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert outbox.deliver_due(session_factory) == {"sent": 0, "failed": 0}  # not before its time
    for expected in (10, 20):
        frozen.advance(seconds=expected // 2)
        assert outbox.deliver_due(session_factory)["failed"] == 1
        assert fresh(session).scalar(select(OutboxMessage)).next_attempt_at == clock.now() + timedelta(seconds=expected)
    hook.status = 204
    frozen.advance(seconds=20)
    assert outbox.deliver_due(session_factory) == {"sent": 1, "failed": 0}
    assert len(hook.received) == 4
    msg = fresh(session).scalar(select(OutboxMessage))
    assert msg.sent_at is not None and msg.attempts == 4
    bad = outbox.enqueue(session, "webhook", hook.url, {"event": "x"})
    session.commit()
    hook.status = 500
    for _ in range(outbox.MAX_ATTEMPTS):
        frozen.advance(hours=2)
        outbox.deliver_due(session_factory)
    assert fresh(session).get(OutboxMessage, bad.id).failed_at is not None
