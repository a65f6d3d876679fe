"""Task-group fixtures: an incident opened by a staff leader, and a few more users."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from tests.factories import frozen_at, make_incident
from tests.taskgroup.users import quick_user as make_user

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


frozen = frozen_at(T0)


@pytest.fixture
def group(session, frozen):  # type: ignore[no-untyped-def]
    """leader (staff, opened the incident), cs, biz, legal, aux users, a manager and an outsider."""
    ns = SimpleNamespace(leader=make_user(session, "staff"), cs=make_user(session, "staff"),
                         biz=make_user(session, "staff"), legal=make_user(session, "staff", is_legal=True),
                         legal2=make_user(session, "staff", is_legal=True),
                         aux=make_user(session, "staff"), other=make_user(session, "staff"),
                         manager=make_user(session, "manager"), clock=frozen)
    ns.inc = make_incident(session, ns.leader)
    session.commit()
    return ns
