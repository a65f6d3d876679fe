"""Redis goes away and comes back (issue 17), against a private `redis-server` on a free port that
the test stops and restarts, and two real `concord serve` processes sharing it.

While Redis is down: a board opened then still joins (the answer comes from this server's own
presence), live updates still reach the sockets of the server that committed, /healthz and
/readyz say Redis is gone. When Redis returns: live updates cross servers again and presence is
whole again, for boards that stayed connected through the outage too.
"""
from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.live import LiveServer, demo_incident_id, free_port, init_instance, server_pair
from tests.realtime.clients import Listener, login
from tests.realtime.test_live_sockets import DEMO_PASSWORD

pytestmark = pytest.mark.slow


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # gone at once, with everything it held (no persistence)
            self.proc.wait(10)


def _until(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    """Wait for a state the servers reach on their own (a bounded wait, not a speed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[PrivateRedis, LiveServer, LiveServer]]:
    redis = PrivateRedis(tmp_path).start()
    instance = init_instance(tmp_path / "instance")
    env = {"CONCORD_REDIS_URL": redis.url, "CONCORD_SOCKETIO_CHANNEL": f"concord-outage-{uuid.uuid4().hex}"}
    with server_pair(instance, env) as (one, two):
        yield redis, one, two
        redis.stop()


def _names(http: requests.Session, url: str, incident_id: int) -> list[str]:
    return [u["name"] for u in http.get(f"{url}/api/v1/incidents/{incident_id}/presence").json()["users"]]


def test_redis_outage_joins_answer_and_presence_and_live_updates_come_back(world):
    redis, one, two = world
    inc = demo_incident_id(one.instance)
    leader_one, legal_two = login(one.url, "leader", DEMO_PASSWORD), login(two.url, "legal", DEMO_PASSWORD)
    stays_on_one = Listener().connect(one.url, leader_one)
    stays_on_two = Listener().connect(two.url, legal_two)
    opened_late: Listener | None = None
    try:
        assert stays_on_one.join(inc)["ok"] and stays_on_two.join(inc)["ok"]
        assert len(_names(leader_one, one.url, inc)) == 2  # shared through Redis

        redis.stop()
        # a board opened during the outage gets its answer, from this server's own presence
        opened_late = Listener().connect(one.url, login(one.url, "leader", DEMO_PASSWORD))
        ack = opened_late.join(inc)
        assert ack["ok"] and [u["name"] for u in ack["users"]] == ["王建国（组长）"], ack
        health = requests.get(one.url + "/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["redis"] is False
        assert health.json()["presence"] == "process" and health.json()["status"] == "degraded"
        ready = requests.get(one.url + "/readyz", timeout=5)
        assert ready.status_code == 503 and ready.json()["redis"] is False and ready.json()["database"] is True
        # live updates still reach this server's own sockets
        r = leader_one.post(f"{one.url}/api/v1/incidents/{inc}/notes", json={"text": "停电期间的记录 𠮷"})
        assert r.status_code == 201, r.text
        assert opened_late.wait_for(lambda c: any(e["payload"].get("text") == "停电期间的记录 𠮷"
                                                  for e in c.events()))

        redis.start()  # same port, empty: every presence entry is gone with the old process
        assert _until(lambda: requests.get(one.url + "/readyz", timeout=5).status_code == 200)
        # presence is whole again, for the boards that stayed connected (no one re-joined)
        assert _until(lambda: sorted(_names(legal_two, two.url, inc)) == sorted(_names(leader_one, one.url, inc))
                      and len(_names(legal_two, two.url, inc)) == 2), _names(legal_two, two.url, inc)
        assert requests.get(two.url + "/healthz", timeout=5).json()["redis"] is True

        # live updates cross servers again, by themselves (the listener reconnects with backoff)
        def crosses() -> bool:
            text = f"恢复后的记录 {uuid.uuid4().hex[:6]}"
            assert leader_one.post(f"{one.url}/api/v1/incidents/{inc}/notes", json={"text": text}).status_code == 201
            return stays_on_two.wait_for(lambda c: any(e["payload"].get("text") == text for e in c.events()),
                                         timeout=2)
        assert _until(crosses, timeout=40)
    finally:
        for c in (stays_on_one, stays_on_two, opened_late):
            if c is not None:
                c.close()
