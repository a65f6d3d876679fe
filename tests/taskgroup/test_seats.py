"""Assign, replace (handoff) and release seats; the single-leader rule; permissions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident import privacy
from incident.errors import Conflict, Forbidden, NotFound, ValidationError
from incident.taskgroup import service as tg
from incident.taskgroup.models import SeatAssignment
from incident.taskgroup.queries import (
    active_seats,
    group_version,
    holder_of,
    seat_history,
)
from incident.timeline.models import Event


def events(session, inc, prefix="taskgroup."):  # type: ignore[no-untyped-def]
    return [e for e in session.scalars(select(Event).where(Event.incident_id == inc.id).order_by(Event.seq))
            if e.type.startswith(prefix)]


def test_assign_records_one_event_and_keeps_who_and_when(session, group):
    g = group
    row = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="customer_service",
                         holder={"user_id": g.cs.id})
    session.commit()
    assert (row.seat, row.user_id, row.assumed_by_id, row.released_at) == \
        ("customer_service", g.cs.id, g.leader.id, None)
    evs = events(session, g.inc)
    assert [e.type for e in evs] == ["taskgroup.seat_assigned"]
    assert evs[0].payload["holder"]["user_id"] == g.cs.id
    assert evs[0].payload["holder"]["name"] == g.cs.display_name


def test_handoff_keeps_the_history(session, group):
    g = group
    first = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                           holder={"user_id": g.legal.id})
    g.clock.advance(minutes=5)
    second = tg.replace_seat(session, actor=g.manager.actor, incident_id=g.inc.id,
                             assignment_id=first.id, holder={"user_id": g.legal2.id})
    session.commit()
    history = [a for a in seat_history(session, g.inc.id) if a.seat == "legal"]
    assert [a.user_id for a in history] == [g.legal.id, g.legal2.id]
    assert history[0].released_at == second.assumed_at
    assert history[0].released_by_id == g.manager.id
    assert second.predecessor_id == first.id and second.assumed_by_id == g.manager.id
    assert holder_of(session, g.inc.id, "legal").user_id == g.legal2.id
    ev = events(session, g.inc)[-1]
    assert ev.type == "taskgroup.seat_replaced"
    assert ev.payload["previous"]["user_id"] == g.legal.id and ev.payload["holder"]["user_id"] == g.legal2.id


def test_exactly_one_leader(session, group):
    g = group
    leader_row = holder_of(session, g.inc.id, "leader")
    assert leader_row.user_id == g.leader.id
    with pytest.raises(Conflict) as err:  # a second leader
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="leader",
                       holder={"user_id": g.other.id})
    assert err.value.field == "seat" and err.value.details["current"]["holder"]["user_id"] == g.leader.id
    session.rollback()
    with pytest.raises(Conflict):  # releasing the only leader
        tg.release_seat(session, actor=g.leader.actor, incident_id=g.inc.id, assignment_id=leader_row.id)
    session.rollback()
    new = tg.replace_seat(session, actor=g.leader.actor, incident_id=g.inc.id, assignment_id=leader_row.id,
                          holder={"user_id": g.other.id})
    session.commit()
    leaders = [a for a in active_seats(session, g.inc.id) if a.seat == "leader"]
    assert [a.id for a in leaders] == [new.id]
    # The old leader handed over, so it may no longer change the group; the new one may.
    with pytest.raises(Forbidden):
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                       holder={"user_id": g.legal.id})
    session.rollback()
    tg.assign_seat(session, actor=g.other.actor, incident_id=g.inc.id, seat="legal",
                   holder={"user_id": g.legal.id})


def test_release_ends_the_tenure(session, group):
    g = group
    row = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="translator",
                         holder={"user_id": g.aux.id})
    g.clock.advance(minutes=1)
    tg.release_seat(session, actor=g.leader.actor, incident_id=g.inc.id, assignment_id=row.id)
    session.commit()
    assert holder_of(session, g.inc.id, "translator") is None
    assert row.released_by_id == g.leader.id and row.released_at > row.assumed_at
    assert [e.type for e in events(session, g.inc)][-1] == "taskgroup.seat_released"


def test_stale_replace_is_a_conflict_with_the_current_state(session, group):
    g = group
    row = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="business",
                         holder={"user_id": g.biz.id})
    session.commit()
    # Two people replace the same tenure: the first wins, the second sees a conflict.
    winner = tg.replace_seat(session, actor=g.leader.actor, incident_id=g.inc.id, assignment_id=row.id,
                             holder={"user_id": g.aux.id})
    session.commit()
    before = len(events(session, g.inc))
    with pytest.raises(Conflict) as err:
        tg.replace_seat(session, actor=g.manager.actor, incident_id=g.inc.id, assignment_id=row.id,
                        holder={"user_id": g.other.id})
    session.rollback()
    assert err.value.field == "assignment_id"
    assert err.value.details["current"]["assignment_id"] == winner.id
    assert err.value.details["current_version"] == group_version(session, g.inc.id)
    assert len(events(session, g.inc)) == before
    assert holder_of(session, g.inc.id, "business").user_id == g.aux.id


def test_stale_group_version_is_a_conflict(session, group):
    g = group
    v = group_version(session, g.inc.id)
    tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="recorder",
                   holder={"user_id": g.aux.id}, expected_version=v)
    session.commit()
    assert group_version(session, g.inc.id) == v + 1
    with pytest.raises(Conflict) as err:
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="translator",
                       holder={"user_id": g.other.id}, expected_version=v)
    assert err.value.details["current_version"] == v + 1


def test_outside_person_only_on_auxiliary_seats_phone_encrypted(session, group):
    g = group
    with pytest.raises(ValidationError) as err:
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                       holder={"outside_name": "外聘律师", "outside_phone": "13900001111"})
    assert err.value.field == "outside_name"
    session.rollback()
    row = tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="auxiliary",
                         label="方言翻译（温州话）",
                         holder={"outside_name": "陈阿姨", "outside_phone": "139 0000 1111"})
    session.commit()
    assert row.label == "方言翻译（温州话）" and row.user_id is None
    assert row.outside_phone_masked == "139****1111"
    assert "13900001111" not in row.outside_phone_cipher
    assert privacy.cipher().decrypt(row.outside_phone_cipher) == "13900001111"
    ev = events(session, g.inc)[-1]
    assert "13900001111" not in str(ev.payload) and ev.payload["holder"]["phone"] == "139****1111"


BAD_INPUT = [
    ("chef", "", {"user_id": 1}, "seat"),
    ("auxiliary", "", {"user_id": 1}, "label"),
    ("auxiliary", "x" * 121, {"user_id": 1}, "label"),
    ("legal", "extra", {"user_id": 1}, "label"),
    ("legal", "", {}, "user_id"),
    ("legal", "", {"user_id": "7"}, "user_id"),
    ("legal", "", {"user_id": 999999}, "user_id"),
    ("logistics", "", {"user_id": 1, "outside_name": "x"}, "user_id"),
    ("logistics", "", {"outside_name": "司机"}, "outside_phone"),
    ("logistics", "", {"outside_name": "司机", "outside_phone": "12ab"}, "outside_phone"),
    ("logistics", "", {"outside_name": " ", "outside_phone": "13900001111"}, "outside_name"),
]


def test_bad_input_names_the_field_and_stores_nothing(session, group):
    g = group
    before = session.scalar(select(SeatAssignment.id).order_by(SeatAssignment.id.desc()).limit(1))
    for seat, label, holder, field in BAD_INPUT:
        holder = {k: (g.cs.id if v == 1 and k == "user_id" else v) for k, v in holder.items()}
        with pytest.raises(ValidationError) as err:
            tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat=seat, label=label,
                           holder=holder)
        assert err.value.field == field, (seat, label, holder)
        session.rollback()
    assert session.scalar(select(SeatAssignment.id).order_by(SeatAssignment.id.desc()).limit(1)) == before
    assert events(session, g.inc) == []


def test_outsiders_cannot_change_the_group(session, group):
    g = group
    tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                   holder={"user_id": g.legal.id})
    session.commit()
    for who in (g.other, g.legal):  # a non-member, and a member without the leader seat
        with pytest.raises(Forbidden):
            tg.assign_seat(session, actor=who.actor, incident_id=g.inc.id, seat="translator",
                           holder={"user_id": who.id})
        session.rollback()


def test_unknown_assignment_is_not_found(session, group):
    with pytest.raises(NotFound) as err:
        tg.release_seat(session, actor=group.leader.actor, incident_id=group.inc.id, assignment_id=424242)
    assert err.value.field == "assignment_id"


def test_closed_incident_refuses_changes(session, group):
    from tests.factories import close_incident
    g = group
    close_incident(session, g.inc)  # -- closing (issue 13): through the gate
    session.commit()
    with pytest.raises(Conflict):
        tg.assign_seat(session, actor=g.leader.actor, incident_id=g.inc.id, seat="legal",
                       holder={"user_id": g.legal.id})


def test_seats_asked_twice_in_a_transaction_are_read_once_and_follow_a_change(session, engine):
    """The permission hook and the service ask the same question; the answer follows a seat
    change in the same transaction, flushed or not (incident.access.memo)."""
    from sqlalchemy import event

    from incident import clock
    from incident.taskgroup.models import SeatAssignment
    from incident.taskgroup.queries import seats_of
    from tests.factories import give_seat, make_incident, make_user
    lead, member = make_user(session, "manager"), make_user(session)
    inc = make_incident(session, lead)
    give_seat(session, inc, member, "customer_service")
    session.commit()
    seen: list[str] = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert seats_of(session, inc.id, member.id) == {"customer_service"}
        assert seats_of(session, inc.id, member.id) == {"customer_service"}
        assert len([q for q in seen if "seat_assignments" in q]) == 1
        row = session.query(SeatAssignment).filter_by(incident_id=inc.id, user_id=member.id).one()
        row.released_at = clock.now()  # not flushed yet
        assert seats_of(session, inc.id, member.id) == set()
        give_seat(session, inc, member, "business")  # flushed
        assert seats_of(session, inc.id, member.id) == {"business"}
        session.rollback()
        assert seats_of(session, inc.id, member.id) == {"customer_service"}
    finally:
        event.remove(engine, "before_cursor_execute", listener)
