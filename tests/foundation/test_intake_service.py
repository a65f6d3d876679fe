"""Opening an incident, editing it, notes, read-back and escalation through the domain service."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from incident import clock, service, timeline
from incident.errors import Conflict, Forbidden, ValidationError
from incident.intake.readback import readback_text
from incident.intake.schema import parse_intake
from incident.models import Incident
from incident.taskgroup.queries import seats_of
from tests.factories import intake_data, make_incident, make_user

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


def test_open_records_intake_triage_deadlines_and_leader(session):
    user = make_user(session, "staff")
    with clock.frozen(T0):
        inc = make_incident(session, user, headcount=86, scope_text="3-5号楼，86户",
                            core_demand="电梯坏了，今天不解决就找媒体", channel="on_site",
                            circumstances=["elderly"])
    session.commit()
    assert inc.ref.startswith("GC-20261125-")
    assert inc.scope == "group" and inc.urgent
    assert inc.response_due_at == T0 + timedelta(minutes=30)
    assert inc.first_contact_due_at == T0 + timedelta(minutes=15)
    assert inc.formation_due_at == T0 + timedelta(minutes=30)
    assert seats_of(session, inc.id, user.id) == {"leader"}
    ev = timeline.list_since(session, inc.id)[0]
    assert ev.type == "incident.opened"
    assert ev.payload["intake"]["contacts"][0]["phone"] == "138****5678"
    assert "13812345678" not in str(ev.payload)


def test_reference_carries_the_local_date(session):
    user = make_user(session, "staff")
    with clock.frozen(datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)):  # 01:30 on the 26th in Beijing
        inc = make_incident(session, user)
    session.commit()
    assert inc.ref == "GC-20261126-001"


def test_contacts_are_encrypted_and_indexed(session):
    user = make_user(session)
    inc = make_incident(session, user)
    c = inc.contacts[0]
    assert "13812345678" not in c.phone_cipher
    from incident import privacy
    assert privacy.cipher().decrypt(c.phone_cipher) == "13812345678"
    assert c.phone_index == privacy.cipher().index("13812345678")


def test_note_with_risk_keyword_regrades_with_reason(session):
    user = make_user(session, "manager")
    inc = make_incident(session, user, headcount=1, scope_text="个人", core_demand="楼道灯不亮")
    assert inc.grade == "F"
    service.add_note(session, actor=user.actor, incident_id=inc.id, text="业主说要打12345投诉")
    session.commit()
    types = [e.type for e in timeline.list_since(session, inc.id)]
    assert types == ["incident.opened", "note.added", "grade.changed"]
    change = timeline.list_since(session, inc.id)[-1].payload
    assert change["from"] == "F" and change["to"] == inc.grade != "F"
    assert any(r["code"] == "keywords" for r in change["reasons"])


def test_headcount_edit_regrades_and_voids_readback(session):
    user = make_user(session, "manager")
    inc = make_incident(session, user, headcount=2)
    service.confirm_readback(session, actor=user.actor, incident_id=inc.id, confirmed_by="刘先生")
    assert inc.readback_confirmed_at is not None
    v = inc.version
    service.update_intake(session, actor=user.actor, incident_id=inc.id, data={"headcount": 40},
                          expected_version=v)
    session.commit()
    assert inc.readback_confirmed_at is None and inc.scope == "group"
    evs = timeline.list_since(session, inc.id)
    # Becoming a group starts the formation clock and proposes the group playbook (issue 12).
    assert [e.type for e in evs][-4:] == ["intake.updated", "grade.changed", "taskgroup.formation_started",
                                          "playbook.proposed"]
    assert evs[-4].payload["diff"]["headcount"] == {"from": 2, "to": 40}
    assert evs[-4].payload["readback_voided"] is True


def test_stale_edit_is_a_conflict_with_current_version(session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    service.update_intake(session, actor=user.actor, incident_id=inc.id, data={"place": "大厅"},
                          expected_version=1)
    with pytest.raises(Conflict) as err:
        service.update_intake(session, actor=user.actor, incident_id=inc.id, data={"place": "会议室"},
                              expected_version=1)
    assert err.value.details["current_version"] == 2


def test_readback_text_in_both_languages(session):
    user = make_user(session)
    inc = make_incident(session, user, circumstances=["elderly", "children"], demand_type="repair")
    zh, en = readback_text(inc, "zh_CN"), readback_text(inc, "en")
    assert "1号楼1单元，10户" in zh and "共10人" in zh and "老人、儿童" in zh and "仅用于官方沟通" in zh
    assert "138****5678" in zh and "13812345678" not in zh
    assert "10 people" in en and "elderly people, children" in en and "Is this correct?" in en


def test_escalation_raises_floor_and_survives_retriage(session):
    manager = make_user(session, "manager")
    inc = make_incident(session, manager, headcount=1, scope_text="个人", core_demand="灯坏了")
    service.escalate(session, actor=manager.actor, incident_id=inc.id, reason="超时未联系")
    assert inc.grade == "E"
    service.add_note(session, actor=manager.actor, incident_id=inc.id, text="已联系")
    assert inc.grade == "E"  # re-triage does not drop below the floor
    ev = [e for e in timeline.list_since(session, inc.id) if e.type == "grade.changed"][0]
    assert ev.payload["reason"] == "超时未联系"


def test_outsider_cannot_see_or_change(session):
    owner = make_user(session, "staff")
    other = make_user(session, "staff")
    inc = make_incident(session, owner)
    with pytest.raises(Forbidden):
        service.add_note(session, actor=other.actor, incident_id=inc.id, text="x")
    assert [i.id for i in service.visible_incidents(session, other.actor)] == []
    assert [i.id for i in service.visible_incidents(session, owner.actor)] == [inc.id]


@pytest.mark.parametrize("field,value", [
    ("core_demand", ""), ("headcount", 0), ("headcount", "ten"), ("headcount", True),
    ("scope_text", None), ("channel", "fax"), ("complaint_object", "food"), ("circumstances", ["drunk"]),
    ("occurred_at", "yesterday"), ("emotion", "furious"), ("demand_type", "money"), ("anonymous", "maybe"),
    ("contacts", [{"name": "x", "phone": "12"}]), ("contacts", "13812345678"),
])
def test_bad_intake_names_the_field(field, value):
    with pytest.raises(ValidationError) as err:
        parse_intake(intake_data(**{field: value}))
    assert err.value.field.startswith(field)


def test_contacts_required_unless_anonymous():
    with pytest.raises(ValidationError) as err:
        parse_intake(intake_data(contacts=[]))
    assert err.value.field == "contacts"
    assert parse_intake(intake_data(contacts=[], anonymous=True)).anonymous


def test_failed_open_stores_nothing(session):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError):
        make_incident(session, user, headcount=-1)
    session.rollback()
    assert session.scalar(select(func.count(Incident.id))) == 0


def test_headcount_follows_the_registry_once_it_exists(session):
    from incident.crowd.claimants.models import Claimant
    user = make_user(session, "manager")
    inc = make_incident(session, user, headcount=3)
    session.add(Claimant(incident_id=inc.id, name="赵一", joined_at=clock.now()))
    session.flush()
    with pytest.raises(Conflict) as err:
        service.update_intake(session, actor=user.actor, incident_id=inc.id, data={"headcount": 50},
                              expected_version=inc.version)
    assert err.value.field == "headcount"


def test_a_note_neither_loads_earlier_notes_nor_rescans_them(session, monkeypatch):
    """Issue 16 (write path): adding the n-th note costs what the first did. The re-triage reads the
    earlier notes' texts alone and takes their keyword hits from memory; a keyword in an old note
    still counts, and a loaded notes collection shows the new note."""
    from sqlalchemy import event

    from incident.triage import lexicon
    user = make_user(session, "manager")
    inc = make_incident(session, user, headcount=1, scope_text="个人", core_demand="楼道灯不亮")
    service.add_note(session, actor=user.actor, incident_id=inc.id, text="业主说要打12345投诉")
    for i in range(30):
        service.add_note(session, actor=user.actor, incident_id=inc.id, text=f"现场情况记录第{i}条")
    session.commit()
    session.expire_all()
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    scanned: list[str] = []
    real = lexicon.normalize
    monkeypatch.setattr(lexicon, "normalize", lambda text: (scanned.append(text), real(text))[1])
    try:
        service.add_note(session, actor=user.actor, incident_id=inc.id, text="第三十一条")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [s for s in statements if "incident_notes.author_name" in s] == []  # no note objects loaded
    assert not [t for t in scanned if "现场情况记录" in t], "an earlier note was scanned again"
    assert any(r["code"] == "keywords" for r in inc.triage["reasons"])  # the old note's 12345 still counts
    assert len(inc.notes) == 32 and inc.notes[-1].text == "第三十一条"
