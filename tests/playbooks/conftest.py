"""Playbook fixtures: a frozen clock, an incident with a leader and a customer-service seat."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from incident.timeline.models import Event
from playbooks.models import ChecklistItem
from tests.factories import default_config, frozen_at, give_seat, make_incident, make_user  # noqa: F401
from tests.factories import events as timeline_events

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # a Wednesday, 10:00 in Shanghai


frozen = frozen_at(T0)  # default_config (imported) resets the playbooks' configuration around each test


@pytest.fixture
def crew(session, frozen):  # type: ignore[no-untyped-def]
    """leader (manager who opened it), cs (customer service seat), outsider; a property group complaint."""
    leader, cs, outsider = make_user(session, "staff"), make_user(session, "staff"), make_user(session, "staff")
    inc = make_incident(session, leader)
    give_seat(session, inc, cs, "customer_service")
    session.commit()
    return {"leader": leader, "cs": cs, "outsider": outsider, "incident": inc}


def fresh(session: Any) -> Any:
    """End the test session's read transaction so it sees what the scheduler's sessions committed."""
    session.commit()
    session.expire_all()
    return session


def item(session: Any, incident_id: int, step: str, playbook: str = "property_mass", round: int = 1) -> ChecklistItem:
    fresh(session)
    return session.scalar(select(ChecklistItem).where(
        ChecklistItem.incident_id == incident_id, ChecklistItem.playbook == playbook,
        ChecklistItem.step == step, ChecklistItem.round == round).execution_options(populate_existing=True))


def events(session: Any, incident_id: int, type_: str) -> list[Event]:
    """The events of one type, as the scheduler's sessions committed them."""
    return timeline_events(fresh(session), incident_id, type_)


def count(session: Any, model: Any, *where: Any) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0
