"""Test data builders: real rows through the real services, never mocks of the database."""
from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service
from incident.accounts import service as accounts
from incident.accounts.models import User
from incident.intake.schema import parse_intake
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from incident.timeline.models import Event
from playbooks import config

PASSWORD = "correct-horse-1"
_seq = itertools.count(1)


def make_user(session: Session, role: str = "staff", username: str | None = None,
              display_name: str | None = None, locale: str = "zh_CN", is_legal: bool = False) -> User:
    n = next(_seq)
    return accounts.create_user(session, username=username or f"{role}{n}", password=PASSWORD,
                                display_name=display_name or f"{role.title()} {n}", role=role, locale=locale,
                                is_legal=is_legal)


def intake_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "core_demand": "电梯坏了三天没人修，要求三天内修好",
        "headcount": 10,
        "scope_text": "1号楼1单元，10户",
        "channel": "phone",
        "complaint_object": "service",
        "contacts": [{"name": "刘先生", "phone": "13812345678"}],
    }
    data.update(overrides)
    return data


def make_incident(session: Session, actor: User, **overrides: Any) -> Incident:
    return service.open_incident(session, actor=actor.actor, intake=parse_intake(intake_data(**overrides)))


def give_seat(session: Session, incident: Incident, user: User, seat: str, by: User | None = None,
              label: str = "") -> SeatAssignment:
    """Put a user on a seat directly (test set-up; the task-group service is tested on its own)."""
    row = SeatAssignment(incident_id=incident.id, seat=seat, user_id=user.id, label=label,
                         assumed_at=clock.now(), assumed_by_id=(by or user).id)
    session.add(row)
    session.flush()
    return row


def seat_demo_service(session: Session) -> Incident:
    """The demo incident (the first), with the demo user 'service' on its customer-service seat (given by
    'leader' unless it is already held): the second viewer of the browser tests."""
    from incident.taskgroup.queries import seats_of
    inc = session.scalars(select(Incident).order_by(Incident.id)).first()
    service_user = session.scalar(select(User).where(User.username == "service"))
    leader = session.scalar(select(User).where(User.username == "leader"))
    if not seats_of(session, inc.id, service_user.id):
        give_seat(session, inc, service_user, "customer_service", by=leader)
    return inc


def events(session: Session, incident_id: int, type_: str) -> list[Event]:
    """The incident's timeline events of one type, in order."""
    return list(session.scalars(select(Event).where(Event.incident_id == incident_id, Event.type == type_)
                                .order_by(Event.seq)))


# -- fixtures a test folder's conftest takes by importing them (the name it binds is the fixture's name)
@pytest.fixture(autouse=True)
def default_config() -> Iterator[None]:
    """The playbooks' default configuration for every test of the folder, whatever a test before it set."""
    config._config = config.Config()
    yield
    config._config = config.Config()


def frozen_at(at: datetime) -> Callable[[], Iterator[clock.FrozenClock]]:
    """A `frozen` fixture: the clock stopped at *at* for the test."""
    @pytest.fixture
    def frozen() -> Iterator[clock.FrozenClock]:
        with clock.frozen(at) as c:
            yield c
    return frozen


# -- closing (issue 13)
def file_archive(session: Session, actor: User, incident: Incident, root_cause: str = "停车收费标准未公示") -> Any:
    """Fill in the archive record (a seeded problem type, a root cause) through the closing service."""
    from sqlalchemy import select

    from incident.closing import service as closing
    from incident.closing.models import ProblemType
    type_id = session.scalar(select(ProblemType.id).where(ProblemType.parent_id.is_not(None))
                             .order_by(ProblemType.id))
    return closing.save_archive(session, actor=actor.actor, incident_id=incident.id,
                                data={"problem_type_id": type_id, "root_cause": root_cause})


def close_incident(session: Session, incident: Incident, reason: str = "测试结案") -> Incident:
    """Close through the real gate: a manager files the archive record and overrides what is open."""
    from incident.closing.status import change_status
    manager = make_user(session, "manager")
    file_archive(session, manager, incident)
    return change_status(session, actor=manager.actor, incident_id=incident.id, status="closed",
                         override_reason=reason)


def call_everyone_back(session: Session, incident: Incident, actor: Any) -> None:
    """Test set-up: one callback round per claimant (or the complainant), each reached and 满意 — what the
    callbacks' gate condition waits for in a group case (issue 13)."""
    from incident.callbacks import gate as callbacks_gate
    from incident.callbacks import service as callbacks
    session.refresh(incident)  # its head may have moved through the app since it was loaded
    declared = [pair for fn in callbacks_gate._declared for pair in fn(session, incident)]
    rows = []
    for spec_key, anchor in declared or [("test#callback", "demands_fulfilled")]:
        rows += callbacks.schedule(session, incident, spec_key=spec_key, anchor=anchor, anchor_at=clock.now(),
                                   offset_minutes=0, window_minutes=60, per="claimant", attempts=3)
    for cb in rows:
        callbacks.record_attempt(session, actor=actor, incident_id=incident.id, callback_id=cb.id, channel="phone",
                                 reached=True, satisfaction="satisfied")
    session.flush()
