"""20 login sessions idle for longer than the pool's recycle time, then acting at once (issue 17).

A real `concord serve` on SQLite with CONCORD_POOL_RECYCLE=1: every pooled connection is older
than the recycle time when the crowd comes back, and every login session was last seen ten
minutes ago (set in the database: the same state as ten idle minutes, without waiting them), so
each request also refreshes its session. Half read, half write, all released together: 0 x 5xx.
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
        time.sleep(1.5)  # past the recycle time: every pooled connection is replaced before use
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
    assert [a for a in answers if a[0] >= 500] == []  # 0 x 5xx
    assert sorted({a[0] for a in answers}) == [200, 201], answers
    assert "Traceback" not in log, log[-3000:]
