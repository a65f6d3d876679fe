"""Socket limits: per-connection and per-user rates, a maximum message size, bounded ids — every
refused event is answered with an error acknowledgement (in-process Socket.IO test clients)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from incident.security.models import SecurityEvent
from realtime.extensions import socketio
from realtime.security import socket_limits as limits
from realtime.security.buckets import Buckets
from tests.conftest import login
from tests.factories import PASSWORD, give_seat, make_incident, make_user

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def member(session):  # type: ignore[no-untyped-def]
    user = make_user(session, "staff")
    inc = make_incident(session, user)
    give_seat(session, inc, user, "customer_service")
    session.commit()
    return user, inc


def connect(app, user):  # type: ignore[no-untyped-def]
    http = app.test_client()
    login(http, user.username, PASSWORD)
    sock = socketio.test_client(app, flask_test_client=http)
    assert sock.is_connected()
    return sock


def test_buckets_refill_at_their_rate():
    t = [0.0]
    b = Buckets(3, 2.0, now=lambda: t[0])
    assert [b.take("k") for _ in range(4)] == [True, True, True, False]
    assert b.retry_after("k") == pytest.approx(0.5)
    t[0] += 0.5
    assert b.take("k") and not b.take("k")
    assert b.take("other")  # keys are independent


@sqlite_only
def test_a_thousand_events_in_five_seconds_are_throttled(app, session, member):
    user, inc = member
    sock = connect(app, user)
    started = time.monotonic()
    acks = [sock.emit("presence", {"incident_id": inc.id}, callback=True) for _ in range(1000)]
    elapsed = time.monotonic() - started
    ok = [a for a in acks if a.get("ok")]
    throttled = [a for a in acks if a.get("status") == 429]
    assert len(ok) + len(throttled) == 1000  # every event got an answer
    assert len(ok) <= limits.PER_CONNECTION + limits.CONNECTION_RATE * elapsed + 1
    assert elapsed > 5 or len(throttled) >= 900
    t = throttled[0]
    assert t["error"] == "throttled" and t["retry_after"] >= 1 and t["message_local"].startswith("实时事件")
    session.rollback()
    logged = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "socket_refused")).all()
    # one row per connection and 10 s, however many events were refused
    assert 1 <= len(logged) <= 1 + elapsed / limits.SocketLimits.LOG_EVERY and logged[0].detail["reason"] == "throttled"
    sock.disconnect()


@sqlite_only
def test_a_users_connections_share_one_allowance(app, session, member):
    user, inc = member
    # a stopped clock: on a loaded machine 80 round trips take long enough to refill the buckets
    app.extensions["concord.socket_limits"] = limits.SocketLimits(now=lambda: 1000.0)
    socks = [connect(app, user) for _ in range(4)]
    acks = [s.emit("presence", {"incident_id": inc.id}, callback=True) for s in socks for _ in range(limits.PER_CONNECTION)]
    ok = sum(1 for a in acks if a.get("ok"))
    # four connections could each send their own burst; the user's bucket stops them at about 60
    assert limits.USER_BURST <= ok < 4 * limits.PER_CONNECTION
    assert sum(1 for a in acks if a.get("status") == 429) >= 4 * limits.PER_CONNECTION - ok
    other = make_user(session, "manager")
    session.commit()
    assert connect(app, other).emit("presence", {"incident_id": inc.id}, callback=True)["ok"]  # per user
    for s in socks:
        s.disconnect()


@sqlite_only
def test_an_oversized_message_gets_an_error_answer(app, session, member):
    user, inc = member
    sock = connect(app, user)
    big = sock.emit("join", {"incident_id": inc.id, "pad": "字" * 6000}, callback=True)  # 18 KB of UTF-8
    assert big["ok"] is False and big["status"] == 413 and big["error"] == "too_large"
    assert big["max"] == limits.MAX_MESSAGE and "消息超过" in big["message_local"]
    assert sock.emit("join", {"incident_id": inc.id, "pad": "x" * 1000}, callback=True)["ok"]
    assert limits.MAX_MESSAGE * 4 <= limits.BUFFER == app.extensions["socketio"].server.eio.max_http_buffer_size
    sock.disconnect()


OUT_OF_RANGE = [2**63 + 5, 2**64, 2**31, -1, 0, 1.5, "1", True, None, [1], {"a": 1}]


@sqlite_only
@pytest.mark.parametrize("bad", OUT_OF_RANGE, ids=repr)
def test_bad_ids_are_answered_with_an_error(app, session, member, bad):
    user, _inc = member
    sock = connect(app, user)
    for event in ("join", "presence", "leave"):
        ack = sock.emit(event, {"incident_id": bad}, callback=True)
        assert ack["ok"] is False and ack["status"] == 400 and ack["field"] == "incident_id", (event, ack)
    sock.disconnect()


@sqlite_only
def test_bad_sequence_numbers_and_payloads_are_answered(app, session, member):
    user, inc = member
    sock = connect(app, user)
    assert sock.emit("join", {"incident_id": inc.id, "after": 2**63}, callback=True)["field"] == "after"
    assert sock.emit("join", {"incident_id": inc.id, "after": -3}, callback=True)["field"] == "after"
    assert sock.emit("join", ["not", "an", "object"], callback=True)["status"] == 400
    assert sock.emit("join", callback=True)["status"] == 400  # no payload at all
    assert sock.emit("join", {"incident_id": inc.id}, "extra", callback=True)["ok"]
    unknown = sock.emit("drop_table", {"incident_id": inc.id}, callback=True)
    assert unknown["ok"] is False and unknown["status"] == 404 and unknown["field"] == "event"
    sock.disconnect()


def test_payload_size_counts_utf8_and_binary_and_refuses_the_unreadable():
    assert limits.payload_size(({"a": "字"},)) == len('[{"a":"字"}]'.encode())
    assert limits.payload_size((b"\x00" * 100,)) == 104
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert limits.payload_size((deep,)) is None


def test_the_per_user_allowance_can_be_raised_and_is_checked():
    lifted = limits.SocketLimits(env={"CONCORD_SOCKET_USER_BURST": "500", "CONCORD_SOCKET_USER_RATE": "100"})
    assert sum(lifted.admit(f"sid{i}", 7) for i in range(400)) == 400
    default = limits.SocketLimits(env={})
    assert sum(default.admit(f"sid{i}", 7) for i in range(400)) == limits.USER_BURST
    with pytest.raises(ValueError, match="CONCORD_SOCKET_USER_RATE"):
        limits.SocketLimits(env={"CONCORD_SOCKET_USER_RATE": "fast"})
