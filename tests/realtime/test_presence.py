"""Presence: who is on an incident's board, pushed to the room, served by the API, expiring."""
from __future__ import annotations

import os
import time
import uuid

import pytest

from realtime.presence import Coalescer, MemoryPresence, RedisPresence
from tests.factories import give_seat, make_incident, make_user
from tests.realtime.test_sockets import received, socket_as


def users_in(msgs: list, incident_id: int) -> list[list[int]]:
    return [[u["id"] for u in m["users"]] for m in msgs if m["incident_id"] == incident_id]


def next_presence(sock, incident_id: int, timeout: float = 5.0) -> list[int]:  # type: ignore[no-untyped-def]
    """The user ids of the next presence push (pushes are coalesced, so they come a moment later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = users_in(received(sock, "presence"), incident_id)
        if seen:
            return seen[-1]
        time.sleep(0.05)
    raise AssertionError("no presence push")


def test_presence_follows_joins_and_disconnects(app, session, api_as):
    opener = make_user(session, "manager")
    a, b = make_user(session, "staff", display_name="A 客服"), make_user(session, "staff", display_name="B 法务")
    inc = make_incident(session, opener)
    give_seat(session, inc, a, "customer_service")
    give_seat(session, inc, b, "legal")
    sock_a, sock_b = socket_as(app, session, a), socket_as(app, session, b)

    reply = sock_a.emit("join", {"incident_id": inc.id}, callback=True)
    assert reply["users"] == [{"id": a.id, "name": "A 客服"}]
    assert next_presence(sock_a, inc.id) == [a.id]
    sock_b.emit("join", {"incident_id": inc.id}, callback=True)
    assert next_presence(sock_a, inc.id) == sorted([a.id, b.id])

    api = api_as(a)
    body = api.get(f"/api/v1/incidents/{inc.id}/presence").get_json()
    assert body == {"incident_id": inc.id, "users": [{"id": a.id, "name": "A 客服"}, {"id": b.id, "name": "B 法务"}]}

    sock_b.disconnect()
    assert next_presence(sock_a, inc.id) == [a.id]
    assert [u["id"] for u in api.get(f"/api/v1/incidents/{inc.id}/presence").get_json()["users"]] == [a.id]


def test_two_tabs_of_one_user_count_once_and_leave_removes(app, session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    tab1, tab2 = socket_as(app, session, user), socket_as(app, session, user)
    tab1.emit("join", {"incident_id": inc.id}, callback=True)
    assert len(tab2.emit("join", {"incident_id": inc.id}, callback=True)["users"]) == 1
    assert tab1.emit("leave", {"incident_id": inc.id}, callback=True)["ok"]
    assert tab1.emit("presence", {"incident_id": inc.id}, callback=True)["users"] == [
        {"id": user.id, "name": user.display_name}]  # the other tab is still there
    tab2.disconnect()
    assert tab1.emit("presence", {"incident_id": inc.id}, callback=True)["users"] == []


def test_presence_api_rejects_outsiders_and_unknown_incidents(app, session, api_as):
    opener, outsider = make_user(session, "manager"), make_user(session, "staff")
    inc = make_incident(session, opener)
    api = api_as(outsider)
    assert api.get(f"/api/v1/incidents/{inc.id}/presence").status_code == 403
    assert api.get("/api/v1/incidents/987654/presence").status_code == 404


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t


def check_store(store, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    store.add(7, "sid-1", {"id": 1, "name": "王"})
    store.add(7, "sid-2", {"id": 2, "name": "李"})
    store.add(8, "sid-3", {"id": 3, "name": "赵"})
    assert [u["id"] for u in store.users(7)] == [2, 1]  # sorted by name
    clock.t += 40
    store.touch(7, "sid-2", {"id": 2, "name": "李"})  # only sid-2's process is alive
    clock.t += 30
    assert store.users(7) == [{"id": 2, "name": "李"}]  # sid-1 expired
    assert store.users(8) == []
    store.remove(7, "sid-2")
    assert store.users(7) == []


def test_memory_store_expires_stale_entries():
    clock = FakeClock()
    check_store(MemoryPresence(ttl=60, now=clock), clock)


def test_redis_store_expires_stale_entries():
    url = os.environ.get("CONCORD_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis not configured: set CONCORD_TEST_REDIS_URL")
    clock = FakeClock()
    store = RedisPresence(url, prefix=f"concord-test-{uuid.uuid4().hex}", ttl=60, now=clock)
    try:
        check_store(store, clock)
    finally:
        for key in store.redis.scan_iter(store.prefix + ":*"):
            store.redis.delete(key)


def test_a_burst_of_changes_is_pushed_once_per_incident():
    pushed: list[int] = []
    tasks: list = []
    burst = Coalescer(pushed.append, start=lambda fn: tasks.append(fn), sleep=lambda _s: None)
    for incident_id in (5, 5, 6, 5):
        burst.mark(incident_id)
    assert len(tasks) == 1  # one flush scheduled for the whole burst
    tasks.pop()()
    assert pushed == [5, 6]
    burst.mark(5)  # after a flush, the next change schedules a new one
    assert len(tasks) == 1
