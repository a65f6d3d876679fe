"""kill -9 rounds under concurrent writes (issue 17), on SQLite and PostgreSQL.

Each round: a real `concord serve` (restarted through tests/faults/zygote.py, so a round costs
the server's start-up, not Python's imports), writers posting notes on several threads, and
SIGKILL to the server's process group while they write. Afterwards: every acknowledged write
(201) is in the database, no answer was a 5xx, SQLite's integrity_check is ok and the incident's
hash chain verifies. CONCORD_KILL_ROUNDS sets the rounds (default 20; 100 for a long run).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select, text

from incident.models import IncidentNote
from incident.timeline import verify_chain
from tests.factories import PASSWORD
from tests.faults.conftest import arrange, rounds
from tests.faults.zygote import Zygote
from tests.realtime.clients import login

pytestmark = pytest.mark.slow
BURST = 6  # acknowledged writes per round before the kill (the kill lands while more are in flight)


class Round:
    def __init__(self, url: str, sessions: list[requests.Session], incident_id: int, n: int) -> None:
        self.url, self.sessions, self.incident_id, self.n = url, sessions, incident_id, n
        self.acked: list[str] = []
        self.server_errors: list[str] = []
        self.lock = threading.Condition()

    def _write(self, http: requests.Session, k: int) -> None:
        http.close()  # the last round's pooled connections died with its server
        i = 0
        while True:
            i += 1
            note = f"r{self.n}-t{k}-{i} 现场 𠮷"
            try:
                r = http.post(f"{self.url}/api/v1/incidents/{self.incident_id}/notes", json={"text": note},
                              timeout=30)
            except requests.RequestException:
                return  # the server is gone: unacknowledged, may or may not have committed
            with self.lock:
                if r.status_code == 201:
                    self.acked.append(note)
                elif r.status_code >= 500:
                    self.server_errors.append(f"{r.status_code} {r.text[:200]}")
                self.lock.notify_all()

    def run(self, zygote: Zygote) -> None:
        threads = [threading.Thread(target=self._write, args=(h, k), daemon=True)
                   for k, h in enumerate(self.sessions)]
        for t in threads:
            t.start()
        with self.lock:
            self.lock.wait_for(lambda: len(self.acked) >= BURST or self.server_errors, timeout=60)
        zygote.kill()
        for t in threads:
            t.join(30)


def _kill_rounds(instance: Path, env: dict[str, str] | None) -> dict[str, Any]:
    world = arrange(instance, env)
    acked: list[str] = []
    errors: list[str] = []
    began = time.monotonic()
    with Zygote(instance, {"CONCORD_WRITE_GUARD": "1", **(env or {})}) as z:
        z.start()
        sessions = [login(z.url, u, PASSWORD) for u in world["users"]]
        for n in range(rounds()):
            if n:
                z.start()
            rnd = Round(z.url, sessions, world["incident_id"], n)
            rnd.run(z)
            acked += rnd.acked
            errors += rnd.server_errors
        starts = z.starts
    with world["factory"]() as s:
        stored = set(s.scalars(select(IncidentNote.text).where(IncidentNote.incident_id == world["incident_id"])))
        chain = verify_chain(s, world["incident_id"])
        integrity = s.execute(text("PRAGMA integrity_check")).scalar_one() \
            if s.get_bind().dialect.name == "sqlite" else "ok"
    return {"acked": acked, "lost": [a for a in acked if a not in stored], "errors": errors, "chain": chain,
            "integrity": integrity, "seconds": time.monotonic() - began, "starts": starts}


def _check(result: dict[str, Any]) -> None:
    assert result["errors"] == [], result["errors"][:5]  # 0 x 5xx
    assert result["lost"] == [], result["lost"][:5]  # 0 acknowledged writes lost
    assert len(result["acked"]) >= BURST * rounds()
    assert result["integrity"] == "ok"
    assert result["chain"].ok, result["chain"].reason
    print(f"\n{rounds()} kill -9 rounds: {len(result['acked'])} acknowledged writes, none lost, "
          f"{result['seconds']:.1f} s (server start {min(result['starts']):.2f}-{max(result['starts']):.2f} s)")


def test_kill_9_rounds_under_concurrent_writes_on_sqlite(faults_instance):
    _check(_kill_rounds(faults_instance, None))


def test_kill_9_rounds_under_concurrent_writes_on_postgresql(pg_instance):
    instance, env = pg_instance
    _check(_kill_rounds(instance, env))
