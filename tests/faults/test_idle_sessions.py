"""20 login sessions idle for longer than the pool's recycle time, then acting at once (issue 17).

A real `concord serve` on SQLite with CONCORD_POOL_RECYCLE=1: every pooled connection is older
than the recycle time when the crowd comes back, and every login session was last seen ten
minutes ago (set in the database: the same state as ten idle minutes, without waiting them), so
each request also refreshes its session. Half read, half write, all released together: 0 x 5xx,
and every client's idle keep-alive connection is still open (no reset at gunicorn's 2-second mark).
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from incident import clock
from incident.accounts.models import LoginSession
from incident.db import unit_of_work
from tests.factories import PASSWORD
from tests.faults.conftest import arrange
from tests.faults.zygote import Zygote
from tests.realtime.clients import login

pytestmark = pytest.mark.slow
SESSIONS = 20


def _connections(http: requests.Session, url: str) -> list[int]:
    """Local ports of this client's pooled connections to the server: a connection the server closed
    is replaced by one on another port (urllib3 reconnects the same pooled object silently)."""
    pools = http.get_adapter(url).poolmanager.pools
    return sorted(c.sock.getsockname()[1] for key in pools.keys() for c in list(pools[key].pool.queue)
                  if c is not None and c.sock is not None)


def test_twenty_idle_sessions_acting_at_once_get_no_5xx(faults_instance):
    world = arrange(faults_instance, writers=4)
    inc = world["incident_id"]
    with Zygote(faults_instance, {"CONCORD_POOL_RECYCLE": "1", "CONCORD_WRITE_GUARD": "1"}) as z:
        z.start()
        crowd = [login(z.url, world["users"][k % 4], PASSWORD) for k in range(SESSIONS)]
        for http in crowd:
            assert http.get(f"{z.url}/api/v1/incidents/{inc}", timeout=30).status_code == 200
        with unit_of_work(world["factory"]) as s:
            s.execute(update(LoginSession).values(last_seen_at=clock.now() - timedelta(minutes=10)))
        opened = [_connections(http, z.url) for http in crowd]
        # past the recycle time (every pooled database connection is replaced before use) and past
        # gunicorn's default keep-alive of 2 s (CONCORD_KEEPALIVE keeps the clients' connections)
        time.sleep(2.5)
        gate = threading.Barrier(SESSIONS)
        answers: list[tuple[int, str]] = []

        def act(k: int, http: requests.Session) -> None:
            gate.wait()
            if k % 2:
                r = http.post(f"{z.url}/api/v1/incidents/{inc}/notes", json={"text": f"回来了 {k} 𠮷"}, timeout=60)
            else:
                r = http.get(f"{z.url}/api/v1/incidents/{inc}/events?after=0", timeout=60)
            answers.append((r.status_code, r.text[:200]))
        threads = [threading.Thread(target=act, args=(k, h)) for k, h in enumerate(crowd)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        log = z.log.read_text(errors="replace")
        z.kill(15)
    assert len(answers) == SESSIONS
    assert all(opened) and [_connections(http, z.url) for http in crowd] == opened  # the keep-alive held
    assert [a for a in answers if a[0] >= 500] == []  # 0 x 5xx
    assert sorted({a[0] for a in answers}) == [200, 201], answers
    assert "Traceback" not in log, log[-3000:]
