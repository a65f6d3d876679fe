"""Helpers of the batch fault tests: arranged incidents with segments, writer threads, batch calls."""
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
from tests.live import session_for
from tests.realtime.clients import login

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
                service.sign(s, actor=w["actors"]["cs"], agreement_id=i, signature=STROKES,
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


