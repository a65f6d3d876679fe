"""Socket.IO against real `concord serve` processes: origin allowlist, and scale-out over Redis."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import socketio

from tests.live import (
    ADMIN_PASSWORD,
    LiveServer,
    demo_incident_id,
    init_instance,
    server_pair,
    shared_redis_env,
)
from tests.realtime.clients import Listener, login

pytestmark = pytest.mark.slow
DEMO_PASSWORD = "concord-demo"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_instance(tmp_path_factory.mktemp("rt") / "instance")


@pytest.fixture(scope="module")
def server(instance: Path) -> Iterator[LiveServer]:
    srv = LiveServer(instance).start()
    yield srv
    srv.stop()


def test_foreign_origin_is_refused_and_own_origin_accepted(server: LiveServer):
    http = login(server.url, "leader", DEMO_PASSWORD)
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener().connect(server.url, http, origin="http://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):  # same host, other port: still foreign
        Listener().connect(server.url, http, origin="http://127.0.0.1:1")
    ok = Listener().connect(server.url, http, origin=server.url)
    try:
        assert ok.sio.connected
        assert ok.join(demo_incident_id(server.instance))["ok"]
    finally:
        ok.close()


def test_unauthenticated_connect_is_refused(server: LiveServer):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener().connect(server.url)  # right origin, no login cookie


def test_admin_login_works_for_sanity(server: LiveServer):
    assert login(server.url, "admin", ADMIN_PASSWORD).get(server.url + "/api/v1/me").json()["username"] == "admin"


@pytest.fixture
def redis_pair(instance: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    with server_pair(instance, shared_redis_env()) as pair:
        yield pair


def test_event_committed_on_one_process_reaches_a_client_on_the_other(redis_pair):
    one, two = redis_pair
    incident_id = demo_incident_id(one.instance)
    watcher = Listener().connect(two.url, login(two.url, "leader", DEMO_PASSWORD))
    peer = Listener().connect(one.url, login(one.url, "leader", DEMO_PASSWORD))
    try:
        last = watcher.join(incident_id)["last_seq"]
        peer.join(incident_id)
        writer = login(one.url, "leader", DEMO_PASSWORD)
        resp = writer.post(f"{one.url}/api/v1/incidents/{incident_id}/notes", json={"text": "跨进程消息"})
        assert resp.status_code == 201, resp.text

        assert watcher.wait_for(lambda c: any(e["seq"] == last + 1 for e in c.events()))
        got = [e for e in watcher.events() if e["seq"] == last + 1]
        assert len(got) == 1 and got[0]["payload"]["text"] == "跨进程消息"

        # presence is shared too: process one knows about the socket on process two (and vice versa)
        users = writer.get(f"{one.url}/api/v1/incidents/{incident_id}/presence").json()["users"]
        assert [u["name"] for u in users] == ["王建国（组长）"]
        peer.close()
        watcher.close()
        gone = writer.get(f"{two.url}/api/v1/incidents/{incident_id}/presence").json()["users"]
        assert gone == []
    finally:
        peer.close()
        watcher.close()
