"""The formation clock: formed once, when leader + customer service + business + legal are seated."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incident import clock, service
from incident.intake.schema import parse_intake
from incident.taskgroup import service as tg
from incident.taskgroup.formation import formation_status
from incident.timeline.models import Event
from tests.factories import intake_data
from tests.taskgroup.conftest import T0


def _formed_events(session, inc):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Event).where(Event.incident_id == inc.id,
                                                    Event.type == "taskgroup.formed")))


def _seat_core(session, g, minutes_between=0):  # type: ignore[no-untyped-def]
    for seat, user in (("customer_service", g.cs), ("business", g.biz), ("legal", g.legal)):
        g.clock.advance(minutes=minutes_between)
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat=seat,
                       holder={"user_id": user.id})
    session.commit()


def test_default_clock_is_30_minutes_and_counts_down(session, group):
    g = group
    assert g.inc.formation_due_at == T0 + timedelta(minutes=30)
    st = formation_status(g.inc, T0 + timedelta(minutes=10))
    assert st == {"due_at": (T0 + timedelta(minutes=30)).isoformat(), "formed_at": None, "formed": False,
                  "remaining_seconds": 1200, "missed": False, "overdue": False, "late_seconds": 0}
    late = formation_status(g.inc, T0 + timedelta(minutes=31))
    assert (late["remaining_seconds"], late["missed"], late["overdue"], late["late_seconds"]) == (0, True, True, 60)


def test_formation_minutes_is_configurable(session, group):
    with clock.frozen(T0):
        inc = service.open_incident(session, actor=group.leader.actor, intake=parse_intake(intake_data()),
                                    formation_minutes=45)
    assert inc.formation_due_at == T0 + timedelta(minutes=45)


def test_formed_in_time_exactly_once(session, group):
    g = group
    tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="customer_service",
                   holder={"user_id": g.cs.id})
    tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="business",
                   holder={"user_id": g.biz.id})
    session.commit()
    assert g.inc.formed_at is None and _formed_events(session, g.inc) == []
    g.clock.advance(minutes=12)
    legal = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                           holder={"user_id": g.legal.id})
    session.commit()
    assert g.inc.formed_at == T0 + timedelta(minutes=12)
    (ev,) = _formed_events(session, g.inc)
    assert ev.payload["late"] is False and ev.payload["late_seconds"] == 0
    assert ev.payload["members"]["legal"] == g.legal.display_name
    # Releasing and refilling a core seat does not form the group a second time.
    g.clock.advance(minutes=40)
    tg.release_seat(session, actor=g.leader.actor, incident_id=g.inc.id, assignment_id=legal.id)
    tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                   holder={"user_id": g.legal2.id})
    session.commit()
    assert g.inc.formed_at == T0 + timedelta(minutes=12)
    assert len(_formed_events(session, g.inc)) == 1
    st = formation_status(g.inc, clock.now())
    assert st["formed"] and not st["missed"] and st["remaining_seconds"] is None


def test_formed_late_says_by_how_much(session, group):
    g = group
    _seat_core(session, g, minutes_between=15)  # last seat filled at +45 min
    (ev,) = _formed_events(session, g.inc)
    assert ev.payload["late"] is True and ev.payload["late_seconds"] == 15 * 60
    st = formation_status(g.inc, clock.now())
    assert st["missed"] and not st["overdue"] and st["late_seconds"] == 900


def test_formed_event_follows_the_seat_event(session, group):
    g = group
    _seat_core(session, g)
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == g.inc.id)
                                              .order_by(Event.seq))]
    assert types[-2:] == ["taskgroup.seat_assigned", "taskgroup.formed"]
    assert types.count("taskgroup.seat_assigned") == 3
