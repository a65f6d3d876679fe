"""Batches against a real `concord serve` on SQLite with its in-process scheduler (what `make run`
sets up): three segments of 100 under concurrent writers, and kill -9 in the middle of a seal batch."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import select

import playbooks  # noqa: F401  (opening an incident attaches its default playbooks)
from exports.agreements import service
from exports.agreements.models import Agreement
from exports.signing import service as sealing
from incident import attachments
from incident.accounts import service as accounts
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from incident.service import open_incident
from incident.settings import load_settings
from incident.timeline import verify_chain
from incident.timeline.models import Event
from playbooks.models import ChecklistItem
from tests.exports.conftest import ITEMS, STROKES, add_claimant
from tests.factories import PASSWORD, give_seat, intake_data
from tests.live import LiveServer, init_instance, session_for
from tests.realtime.clients import login

pytestmark = pytest.mark.slow
SCHEDULER_ON = {"CONCORD_EMBEDDED_SCHEDULER": "1"}


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """A bounded wait for the server to act (not a speed assertion)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what}: not reached in {timeout} s")


def _arrange(factory: Any, incidents: int, claimants: int) -> dict[str, Any]:
    """Users with seats and incidents with a segment of claimants each (written as one writer)."""
    with unit_of_work(factory) as s:
        tag = random.randrange(10**6)
        lead = accounts.create_user(s, username=f"lead{tag}", password=PASSWORD, display_name="赵𠮷", role="manager")
        legal = accounts.create_user(s, username=f"legal{tag}", password=PASSWORD, display_name="法务钱", is_legal=True)
        cs = accounts.create_user(s, username=f"cs{tag}", password=PASSWORD, display_name="客服孙")
        out: dict[str, Any] = {"lead": lead.username, "legal": legal.username, "cs": cs.username, "incidents": []}
        for k in range(incidents):
            inc = open_incident(s, actor=lead.actor, intake=parse_intake(intake_data(headcount=claimants)))
            give_seat(s, inc, legal, "legal")
            give_seat(s, inc, cs, "customer_service")
            for n in range(claimants):
                add_claimant(s, inc, f"业主{k}-{n}", segment=f"{k + 1}号楼", unit=f"{k + 1}-{n // 10 + 1}-{n:03d}")
            out["incidents"].append((inc.id, f"{k + 1}号楼"))
        out["actors"] = {"legal": legal.actor, "cs": cs.actor}
    return out


def _approve_and_sign(factory: Any, w: dict[str, Any], inc_id: int) -> int:
    """Legal approves and the claimant side signs every agreement under review (20 per transaction)."""
    with factory() as s:
        ids = list(s.scalars(select(Agreement.id).where(Agreement.incident_id == inc_id,
                                                        Agreement.status == "in_review").order_by(Agreement.id)))
    for k in range(0, len(ids), 20):
        with unit_of_work(factory) as s:
            for i in ids[k:k + 20]:
                ag = service.approve(s, actor=w["actors"]["legal"], agreement_id=i,
                                     expected_version=service.get(s, i).version)
                service.sign(s, agreed=True, actor=w["actors"]["cs"], agreement_id=i, signature=STROKES,
                             expected_version=ag.version)
    return len(ids)


class Writers:
    """Threads writing notes and ticking checklist steps (and reading the page) until stopped."""

    def __init__(self, url: str, user: str, incidents: list[int], factory: Any, n: int = 10) -> None:
        self.url, self.incidents, self.stop = url, incidents, threading.Event()
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        with factory() as s:
            self.steps = list(s.scalars(select(ChecklistItem.id, ).where(
                ChecklistItem.incident_id.in_(incidents), ChecklistItem.kind == "step")))
        self.inc_of = {}
        with factory() as s:
            for item in s.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(self.steps))):
                self.inc_of[item.id] = item.incident_id
        self.threads = [threading.Thread(target=self._run, args=(login(url, user, PASSWORD), k), daemon=True)
                        for k in range(n)]

    def _run(self, http: Any, k: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            inc = self.incidents[(k + n) % len(self.incidents)]
            try:
                if n % 3 == 0 and self.steps:
                    item = self.steps[(k * 7 + n) % len(self.steps)]
                    r = http.post(f"{self.url}/api/v1/incidents/{self.inc_of[item]}/checklist/{item}/tick",
                                  json={"note": f"已处理 {k}-{n}"}, timeout=60)
                elif n % 3 == 1:
                    r = http.post(f"{self.url}/api/v1/incidents/{inc}/notes", json={"text": f"现场记录 {k}-{n} 𠮷"},
                                  timeout=60)
                else:
                    r = http.get(f"{self.url}/api/v1/incidents/{inc}/events?after=0", timeout=60)
                self.statuses[r.status_code] += 1
                if r.status_code >= 500:
                    self.errors.append(f"{r.request.method} {r.url}: {r.status_code} {r.text[:300]}")
            except Exception as err:  # a reset connection counts as a failure too
                self.errors.append(repr(err))
            time.sleep(0.05)

    def __enter__(self) -> "Writers":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def _start(http: Any, url: str, inc_id: int, kind: str, segment: str) -> int:
    r = http.post(f"{url}/api/v1/incidents/{inc_id}/agreement-batches",
                  json={"kind": kind, "segment": segment, "items": ITEMS, "password": PASSWORD}, timeout=60)
    assert r.status_code == 202, r.text
    return r.json()["id"]


def _finished(http: Any, url: str, ids: list[int]) -> list[dict[str, Any]] | None:
    views = [http.get(f"{url}/api/v1/agreement-batches/{i}", timeout=60).json() for i in ids]
    return views if all(v["finished"] for v in views) else None


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    inst = init_instance(tmp_path / "instance")
    attachments.configure(inst / "attachments")
    return inst


def test_three_segments_of_100_generated_then_sealed_under_concurrent_writers(instance: Path):
    factory = session_for(instance)
    w = _arrange(factory, incidents=3, claimants=100)
    server = LiveServer(instance, env=SCHEDULER_ON).start()
    try:
        cs, legal = login(server.url, w["cs"], PASSWORD), login(server.url, w["legal"], PASSWORD)
        incidents = [i for i, _ in w["incidents"]]
        with Writers(server.url, w["lead"], incidents, factory) as writers:
            ids = [_start(cs, server.url, i, "generate", seg) for i, seg in w["incidents"]]
            gen = wait_until(lambda: _finished(cs, server.url, ids), 300, "generate batches")
            signed = [_approve_and_sign(factory, w, i) for i in incidents]
            ids = [_start(legal, server.url, i, "seal", seg) for i, seg in w["incidents"]]
            # 300 seals on the 2-core machine: ≈ 20 s quiet, ≈ 100 s when other suites load it
            seal = wait_until(lambda: _finished(legal, server.url, ids), 420, "seal batches")
        assert [(b["status"], b["total"], b["done"], b["failed"]) for b in gen] == [("done", 100, 100, 0)] * 3
        assert signed == [100] * 3
        assert [(b["status"], b["total"], b["done"], b["failed"]) for b in seal] == [("done", 100, 100, 0)] * 3
        assert not writers.errors, writers.errors[:5]
        assert sum(writers.statuses.values()) > 100 and 201 in writers.statuses
        with factory() as s:
            for inc_id in incidents:
                assert verify_chain(s, inc_id).ok
                n = s.scalars(select(Agreement).where(Agreement.incident_id == inc_id, Agreement.status == "sealed"))
                assert len(n.all()) == 100
        log = server.log.read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]
    finally:
        server.stop()


def test_kill_9_mid_seal_batch_then_resume(instance: Path):
    factory = session_for(instance)
    w = _arrange(factory, incidents=1, claimants=30)
    (inc_id, segment), = w["incidents"]
    server = LiveServer(instance, env=SCHEDULER_ON).start()
    try:
        cs = login(server.url, w["cs"], PASSWORD)
        gen = _start(cs, server.url, inc_id, "generate", segment)
        wait_until(lambda: _finished(cs, server.url, [gen]), 120, "generate batch")
        assert _approve_and_sign(factory, w, inc_id) == 30
        legal = login(server.url, w["legal"], PASSWORD)
        batch_id = _start(legal, server.url, inc_id, "seal", segment)
        wait_until(lambda: legal.get(f"{server.url}/api/v1/agreement-batches/{batch_id}").json()["done"] >= 4,
                   120, "first sealed documents")
    finally:
        server.stop(sig=9)
    with factory() as s:
        dead = s.scalars(select(Agreement).where(Agreement.incident_id == inc_id, Agreement.status == "sealed")).all()
    assert 4 <= len(dead) < 30, "the kill came too late to test anything"
    server = LiveServer(instance, env=SCHEDULER_ON).start()
    try:
        legal = login(server.url, w["legal"], PASSWORD)
        view = legal.get(f"{server.url}/api/v1/agreement-batches/{batch_id}").json()
        assert view["status"] == "interrupted"  # at start-up: its owner's pid is dead
        assert view["can_resume"] and 0 < view["pending"] < 30
        # nothing the dead batch left blocks the incident: a new batch could start (it would find no
        # segment left to generate); resume it instead
        r = legal.post(f"{server.url}/api/v1/agreement-batches/{batch_id}/resume", json={"password": PASSWORD})
        assert r.status_code == 202, r.text
        done = wait_until(lambda: _finished(legal, server.url, [batch_id]), 180, "resumed batch")[0]
        assert (done["status"], done["total"], done["done"], done["failed"]) == ("done", 30, 30, 0)
    finally:
        server.stop()
    settings = load_settings(instance)
    trust = sealing.trust_roots(settings)
    with factory() as s:
        ags = s.scalars(select(Agreement).where(Agreement.incident_id == inc_id)).all()
        assert [a.status for a in ags] == ["sealed"] * 30
        sealed = Counter(e.payload["agreement_id"] for e in s.scalars(
            select(Event).where(Event.incident_id == inc_id, Event.type == "agreement.sealed")))
        assert set(sealed) == {a.id for a in ags} and set(sealed.values()) == {1}  # none sealed twice
        for ag in ags:
            pdf = attachments.read(s, ag.attachment_id, inc_id)[1]
            report = sealing.verify_document(s, pdf, trust)
            assert report["verdict"] == "intact" and report["agreement"]["matches_record"], ag.ref
        types = [e.type for e in s.scalars(select(Event).where(Event.incident_id == inc_id))]
        assert types.count("agreement.batch_interrupted") == 1 and types.count("agreement.batch_resumed") == 1
        assert verify_chain(s, inc_id).ok
