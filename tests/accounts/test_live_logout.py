"""Sessions end everywhere: a user's sockets on two `concord serve` processes sharing Redis are
disconnected within a second of a logout (and of a disable), receive no later event, and leave
presence."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy import select

from incident.accounts.models import User
from tests.live import (
    ADMIN_PASSWORD,
    LiveServer,
    demo_incident_id,
    init_instance,
    server_pair,
    session_for,
    shared_redis_env,
)
from tests.realtime.clients import Listener, login

pytestmark = pytest.mark.slow
DEMO_PASSWORD = "concord-demo"


class Watched(Listener):
    """A Listener that notes when the server disconnected it and what it was told."""

    def __init__(self) -> None:
        super().__init__()
        self.gone = threading.Event()
        self.gone_at = 0.0
        self.sio.on("session_ended", self._recorder("session_ended"))

        @self.sio.event
        def disconnect(*_a):  # type: ignore[no-untyped-def]
            self.gone_at = time.monotonic()
            self.gone.set()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = shared_redis_env()
    instance = init_instance(tmp_path_factory.mktemp("acc") / "instance")
    with server_pair(instance, env) as both:
        yield both


def _user_id(instance: Path, username: str) -> int:
    with session_for(instance)() as s:
        return s.scalars(select(User.id).where(User.username == username)).one()


def _presence(http: requests.Session, url: str, incident_id: int) -> list[str]:
    return [u["name"] for u in http.get(f"{url}/api/v1/incidents/{incident_id}/presence").json()["users"]]


def _two_sockets(one: LiveServer, two: LiveServer, username: str, incident_id: int):  # type: ignore[no-untyped-def]
    http = login(one.url, username, DEMO_PASSWORD)  # one login session, a socket on each process
    a = Watched().connect(one.url, http)
    b = Watched().connect(two.url, http)
    assert a.join(incident_id)["ok"] and b.join(incident_id)["ok"]
    return http, a, b


def _after(watchers, ended_at: float, writer: requests.Session, url: str, incident_id: int) -> None:  # type: ignore[no-untyped-def]
    for w in watchers:
        assert w.gone.wait(5), "socket not disconnected"
        assert w.gone_at - ended_at < 1.0, f"disconnected after {w.gone_at - ended_at:.3f} s"
        assert w.events("session_ended"), "the page is told why"
    before = [len(w.events()) for w in watchers]
    r = writer.post(f"{url}/api/v1/incidents/{incident_id}/notes", json={"text": "登出之后的消息"})
    assert r.status_code == 201
    time.sleep(1.0)
    assert [len(w.events()) for w in watchers] == before  # no later event


def test_logout_disconnects_sockets_on_both_processes(pair):
    one, two = pair
    inc = demo_incident_id(one.instance)
    watcher = login(two.url, "leader", DEMO_PASSWORD)
    http, a, b = _two_sockets(one, two, "engineer", inc)
    try:
        assert "张强（工程部）" in _presence(watcher, two.url, inc)
        t = time.monotonic()
        r = http.post(one.url + "/logout", allow_redirects=False)
        assert r.status_code == 302
        _after([a, b], t, watcher, one.url, inc)
        assert "张强（工程部）" not in _presence(watcher, one.url, inc)
        assert "张强（工程部）" not in _presence(watcher, two.url, inc)
        assert http.get(two.url + "/api/v1/me").status_code == 401
    finally:
        a.close()
        b.close()


def test_disable_disconnects_sockets_on_both_processes(pair):
    one, two = pair
    inc = demo_incident_id(one.instance)
    admin = login(two.url, "admin", ADMIN_PASSWORD)
    watcher = login(one.url, "leader", DEMO_PASSWORD)
    _http, a, b = _two_sockets(one, two, "logistics", inc)
    uid = _user_id(one.instance, "logistics")
    try:
        assert "赵磊（后勤）" in _presence(watcher, one.url, inc)
        t = time.monotonic()
        r = admin.post(f"{two.url}/api/v1/admin/users/{uid}/disable", json={})
        assert r.status_code == 200 and r.json()["sessions_ended"] >= 1
        _after([a, b], t, watcher, two.url, inc)
        assert "赵磊（后勤）" not in _presence(watcher, one.url, inc)
        with pytest.raises(Exception):  # and it cannot come back
            Watched().connect(one.url, _http)
    finally:
        a.close()
        b.close()
        admin.post(f"{two.url}/api/v1/admin/users/{uid}/enable", json={})


def test_ending_sessions_from_the_cli_with_redis_down_does_not_hang_or_fail():
    """A lost Redis: the CLI says the sockets end within 15 s (the sweep) instead of a traceback."""
    from realtime.sessions.control import publish_outside
    assert publish_outside("redis://127.0.0.1:1/0", "concord", ["abc"], "disabled") is False
    assert publish_outside(None, "concord", ["abc"], "disabled") is False
