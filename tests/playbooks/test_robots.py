"""Group robots (issue 12): when a deadline goes overdue, a WeChat Work and a DingTalk message reach a
loopback receiver in each platform's documented format, DingTalk's URL signed with 加签."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from incident import clock
from incident.db import begin_write
from incident.errors import Forbidden, NotFound, ValidationError
from playbooks import config
from playbooks.notify import channels, outbox, robots
from playbooks.notify.models import Notification, NotifyChannel, OutboxMessage
from playbooks.scheduler import jobs
from tests.factories import make_user
from tests.playbooks.conftest import events, fresh, item

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "0123456789abcdef"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


class Receiver:
    """Answers like the platforms: HTTP 200 and {"errcode": 0} only for a well-formed (and signed) message."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.problems: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                u = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                code, msg = outer.check(u.path, q, self.headers.get("Content-Type", ""), raw)
                data = json.dumps({"errcode": code, "errmsg": msg}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, path: str, q: dict[str, str], ctype: str, raw: bytes) -> tuple[int, str]:
        if not ctype.startswith("application/json"):
            return 40008, "invalid message type"
        body = json.loads(raw.decode("utf-8"))
        if path == "/cgi-bin/webhook/send":  # WeChat Work group robot
            ok = (q.get("key") == WECOM_KEY and body.get("msgtype") == "markdown"
                  and set(body) == {"msgtype", "markdown"} and set(body["markdown"]) == {"content"}
                  and 0 < len(body["markdown"]["content"].encode("utf-8")) <= 4096)
            if not ok:
                self.problems.append(f"wecom: {q} {body}")
                return 40008, "invalid message"
            self.got.append({"platform": "wecom", "body": body})
            return 0, "ok"
        if path == "/robot/send":  # DingTalk custom robot with 加签
            ts, sign = q.get("timestamp", ""), q.get("sign", "")
            want = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
            if q.get("access_token") != DING_TOKEN or not ts.isdigit() or sign != want:
                self.problems.append(f"dingtalk sign: {q}")
                return 310000, "sign not match"
            if abs(int(ts) - time.time() * 1000) > 3600 * 1000:
                return 310000, "timestamp too far"
            md = body.get("markdown") or {}
            if body.get("msgtype") != "markdown" or set(md) != {"title", "text"} or not md["title"] or not md["text"]:
                self.problems.append(f"dingtalk body: {body}")
                return 40035, "missing parameter"
            self.got.append({"platform": "dingtalk", "body": body})
            return 0, "ok"
        return 404, "unknown path"


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _robots(session, crew, receiver, secret=DING_SECRET):  # type: ignore[no-untyped-def]
    config.current().robot_hosts = ["127.0.0.1"]  # the loopback receiver stands in for both platforms
    admin = make_user(session, "admin")
    begin_write(session)
    org = channels.add(session, actor=admin.actor, incident_id=None, data={
        "platform": "wecom", "url": f"{receiver.url}/cgi-bin/webhook/send?key={WECOM_KEY}", "name": "物业客服群"})
    mine = channels.add(session, actor=crew["leader"].actor, incident_id=crew["incident"].id, data={
        "platform": "dingtalk", "url": f"{receiver.url}/robot/send?access_token={DING_TOKEN}", "secret": secret,
        "kinds": ["overdue", "formation"], "name": "3号楼专项组"})
    session.commit()
    return org, mine


def test_an_overdue_deadline_reaches_wecom_and_dingtalk_in_their_documented_formats(
        session, session_factory, crew, frozen, receiver):
    inc = crew["incident"]
    inc.title = "电梯<script>停运 =cmd|"
    session.commit()
    org, mine = _robots(session, crew, receiver)
    first = item(session, inc.id, "first_contact")
    frozen.advance(minutes=16)  # first contact was due after 15 minutes
    jobs.run_due(session_factory)
    assert [e.payload["step"] for e in events(session, inc.id, "playbook.step_overdue")][:1] == ["first_contact"]
    queued = fresh(session).scalars(select(OutboxMessage).where(OutboxMessage.channel.in_(robots.PLATFORMS))).all()
    assert {m.channel for m in queued} == {"wecom", "dingtalk"}
    assert all(WECOM_KEY not in json.dumps(m.payload) and DING_SECRET not in json.dumps(m.payload) for m in queued)

    result = outbox.deliver_due(session_factory)
    assert receiver.problems == []
    assert result["failed"] == 0 and result["sent"] >= 2
    wecom = [g["body"]["markdown"]["content"] for g in receiver.got if g["platform"] == "wecom"]
    ding = [g["body"]["markdown"] for g in receiver.got if g["platform"] == "dingtalk"]
    overdue_wecom = [c for c in wecom if "首次联系投诉人" in c]
    assert overdue_wecom and inc.ref in overdue_wecom[0]
    assert f"/incidents/{inc.id}#deadlines-{first.id}" in overdue_wecom[0]
    assert "<script>" not in overdue_wecom[0] and "＜script＞" in overdue_wecom[0]
    overdue_ding = [m for m in ding if "首次联系投诉人" in m["text"]]
    assert overdue_ding and "首次联系投诉人" in overdue_ding[0]["title"]
    assert f"#deadlines-{first.id}" in overdue_ding[0]["text"]
    sent = fresh(session).scalars(select(OutboxMessage).where(OutboxMessage.channel.in_(robots.PLATFORMS))).all()
    assert all(m.sent_at is not None and m.attempts == 1 for m in sent)

    # The inbox entry links to the same item.
    note = fresh(session).scalar(select(Notification).where(Notification.user_id == crew["leader"].id,
                                                            Notification.kind == "overdue"))
    from playbooks.notify.inbox import to_dict
    assert to_dict(note, "zh_CN")["url"] == f"/incidents/{inc.id}#deadlines-{first.id}"


def test_a_wrong_dingtalk_secret_is_refused_and_retried_later(session, session_factory, crew, frozen, receiver):
    _robots(session, crew, receiver, secret="SECwrong")
    frozen.advance(minutes=16)
    jobs.run_due(session_factory)
    outbox.deliver_due(session_factory)
    ding = fresh(session).scalars(select(OutboxMessage).where(OutboxMessage.channel == "dingtalk")).all()
    assert ding and all(m.sent_at is None and m.attempts == 1 and "310000" in m.last_error for m in ding)
    assert all(m.next_attempt_at > clock.now() for m in ding)  # backoff, not a loop
    assert [g["platform"] for g in receiver.got] and {g["platform"] for g in receiver.got} == {"wecom"}


def test_kinds_select_what_a_robot_hears_and_a_removed_robot_hears_nothing(
        session, session_factory, crew, frozen, receiver):
    org, mine = _robots(session, crew, receiver)
    frozen.advance(minutes=11)  # reminders only: the DingTalk robot asked for overdue and formation
    jobs.run_due(session_factory)
    queued = fresh(session).scalars(select(OutboxMessage).where(OutboxMessage.channel.in_(robots.PLATFORMS))).all()
    assert queued and {m.channel for m in queued} == {"wecom"}
    begin_write(session)
    channels.remove(session, actor=make_user(session, "admin").actor, incident_id=None, channel_id=org.id)
    session.commit()
    outbox.deliver_due(session_factory)
    assert receiver.got == []
    assert all("removed" in m.last_error for m in fresh(session).scalars(select(OutboxMessage).where(
        OutboxMessage.channel == "wecom")))


def test_who_may_configure_robots_and_what_is_refused(session, crew, frozen):
    admin = make_user(session, "admin")
    begin_write(session)
    with pytest.raises(Forbidden):
        channels.add(session, actor=crew["cs"].actor, incident_id=crew["incident"].id,
                     data={"platform": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    with pytest.raises(Forbidden):
        channels.add(session, actor=crew["leader"].actor, incident_id=None,
                     data={"platform": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    for data, field in (({"platform": "slack", "url": "https://x"}, "platform"),
                        ({"platform": "wecom", "url": "http://127.0.0.1:6379/cgi-bin/webhook/send?key=k"}, "url"),
                        ({"platform": "wecom", "url": "javascript:alert(1)"}, "url"),
                        ({"platform": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                          "kinds": ["everything"]}, "kinds")):
        with pytest.raises(ValidationError) as err:
            channels.add(session, actor=admin.actor, incident_id=None, data=data)
        assert err.value.field == field
    c = channels.add(session, actor=crew["leader"].actor, incident_id=crew["incident"].id,
                     data={"platform": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
                           "secret": "SECxyz"})
    session.commit()
    view = channels.listing(session, crew["incident"].id)
    assert view == [channels.to_dict(c)] and view[0]["url"] == "https://oapi.dingtalk.com/robot/send?…"
    assert view[0]["signed"] and "abc" not in json.dumps(view) and "SECxyz" not in json.dumps(view)
    assert "abc" not in session.get(NotifyChannel, c.id).url_cipher
    assert [e.type for e in events(session, crew["incident"].id, "notify.channel_added")] == ["notify.channel_added"]
    begin_write(session)
    with pytest.raises(NotFound):
        channels.remove(session, actor=admin.actor, incident_id=None, channel_id=c.id)  # not an org robot


def test_the_dingtalk_signature_matches_the_documented_example():
    # timestamp + "\n" + secret, HMAC-SHA256 keyed with the secret, base64, then URL-encoded.
    ts, secret = 1700000000000, "this is secret"
    raw = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert robots.dingtalk_sign(secret, ts) == raw.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    url = robots.signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, ts)
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp={ts}&sign={robots.dingtalk_sign(secret, ts)}"
    assert robots.body("dingtalk", "标题", ["一行"], "")["markdown"]["title"] == "标题"
    long = robots.body("wecom", "𠮷" * 3000, [], "https://x")
    assert len(long["markdown"]["content"].encode("utf-8")) <= robots.WECOM_MAX_BYTES
