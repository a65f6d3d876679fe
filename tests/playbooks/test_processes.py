"""Real scheduler processes: SIGKILL and restart after a deadline passed; two schedulers + two servers on Redis."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import func, select, update

from incident import clock
from incident.db import unit_of_work
from incident.models import Incident
from incident.timeline.models import Event
from playbooks.models import ChecklistItem, SchedulerLease
from playbooks.notify.models import Notification
from tests.live import LiveServer, init_instance, session_for, shared_redis_env
from tests.realtime.clients import Listener, login

pytestmark = pytest.mark.slow
DEMO_PASSWORD = "concord-demo"


class Scheduler:
    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.log = instance / f"scheduler-{uuid.uuid4().hex[:6]}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "concord", "--instance", str(instance), "scheduler", "--poll", "0.5",
             "--lease-ttl", "2"], stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})}, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(10)


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    """A bounded wait for another process to act (not a speed assertion)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def arrange(factory: Any, seconds: float, steps: int = 1) -> tuple[int, list[int]]:
    """Push every deadline a day away, then make `steps` step deadlines of the demo incident due soon."""
    with unit_of_work(factory) as s:  # a writer from the start: the scheduler writes concurrently
        inc_id = s.scalars(select(Incident.id).order_by(Incident.id)).first()
        later = clock.now() + timedelta(days=1)
        s.execute(update(ChecklistItem).where(ChecklistItem.status == "pending")
                  .values(due_at=later, remind_at=None, fired_at=None, fired_by=None))
        ids = list(s.scalars(select(ChecklistItem.id).where(
            ChecklistItem.incident_id == inc_id, ChecklistItem.kind == "step", ChecklistItem.status == "pending",
            ChecklistItem.anchor == "incident.opened").order_by(ChecklistItem.id).limit(steps)))
        s.execute(update(ChecklistItem).where(ChecklistItem.id.in_(ids))
                  .values(due_at=clock.now() + timedelta(seconds=seconds)))
    return inc_id, ids


def last_seq(factory: Any) -> int:
    with factory() as s:
        return s.scalar(select(Incident.last_seq).order_by(Incident.id)) or 0


def overdue_events(factory: Any, inc_id: int, after: int = 0) -> dict[int, int]:
    """Overdue events per checklist item recorded after seq `after` (the module's instance is shared)."""
    with factory() as s:
        rows = s.scalars(select(Event).where(Event.incident_id == inc_id, Event.seq > after,
                                             Event.type == "playbook.step_overdue"))
        out: dict[int, int] = {}
        for e in rows:
            out[e.payload["item_id"]] = out.get(e.payload["item_id"], 0) + 1
        return out


def fired(factory: Any, ids: list[int]) -> list[ChecklistItem]:
    with factory() as s:
        return list(s.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(ids),
                                                          ChecklistItem.fired_at.is_not(None))))


def lease_holder(factory: Any) -> str | None:
    with factory() as s:
        row = s.get(SchedulerLease, "scheduler")
        return row.holder if row else None


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_instance(tmp_path_factory.mktemp("pb") / "instance")


def test_killed_scheduler_restarted_after_the_deadline_fires_it_exactly_once(instance: Path):
    factory = session_for(instance)
    first = Scheduler(instance)
    try:
        wait_until(lambda: lease_holder(factory))  # it runs and holds the lease
        seq = last_seq(factory)
        inc_id, ids = arrange(factory, seconds=3)
        first.kill(signal.SIGKILL)  # kill -9 before the deadline
        time.sleep(4)  # the deadline passes while no scheduler runs
        assert fired(factory, ids) == [] and overdue_events(factory, inc_id, seq) == {}
        second = Scheduler(instance)
        try:
            wait_until(lambda: fired(factory, ids))  # takes over once the dead holder's lease expired
            time.sleep(1.5)  # a few more polls: nothing fires again
            assert overdue_events(factory, inc_id, seq) == {ids[0]: 1}
            assert len(fired(factory, ids)) == 1
        finally:
            second.kill(signal.SIGTERM)
    finally:
        first.kill()


@pytest.fixture
def redis_env() -> dict[str, str]:
    return shared_redis_env()


@pytest.fixture
def cluster(instance: Path, redis_env: dict[str, str]) -> Iterator[tuple[list[LiveServer], list[Scheduler]]]:
    servers: list[LiveServer] = []
    schedulers: list[Scheduler] = []
    try:
        servers = [LiveServer(instance, env=redis_env).start(), LiveServer(instance, env=redis_env).start()]
        schedulers = [Scheduler(instance, redis_env), Scheduler(instance, redis_env)]
        yield servers, schedulers
    finally:
        for sch in schedulers:
            sch.kill(signal.SIGTERM)
        for srv in servers:
            srv.stop()


def test_two_schedulers_fire_once_and_clients_on_both_servers_see_the_notifications(instance: Path, cluster):
    servers, _ = cluster
    factory = session_for(instance)
    listeners = [Listener().connect(srv.url, login(srv.url, "leader", DEMO_PASSWORD)) for srv in servers]
    try:
        with factory() as s:
            leader_id = s.scalar(select(Incident.opened_by_id).order_by(Incident.id))
            ref = s.scalar(select(Incident.ref).order_by(Incident.id))
        seq = last_seq(factory)
        with factory() as s:
            before = s.scalar(select(func.max(Notification.id))) or 0
        inc_id, ids = arrange(factory, seconds=3, steps=3)
        wait_until(lambda: len(fired(factory, ids)) == len(ids))
        time.sleep(1.5)
        assert overdue_events(factory, inc_id, seq) == {i: 1 for i in ids}  # each deadline fired exactly once
        assert len({f.fired_by for f in fired(factory, ids)}) == 1  # by the lease holder
        with factory() as s:
            expected = set(s.scalars(select(Notification.id).where(
                Notification.user_id == leader_id, Notification.incident_id == inc_id, Notification.id > before)))
        assert expected
        for lis in listeners:
            assert lis.wait_for(lambda c: {n["id"] for n in c.events("notification")} >= expected)
            got = lis.events("notification")
            assert len(got) == len({n["id"] for n in got})  # each toast once
            assert all(ref in n["text"] for n in got)
    finally:
        for lis in listeners:
            lis.close()
