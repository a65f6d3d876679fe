"""Claimants through the API: add, validation, duplicates, optimistic edit, withdraw, headcount → triage."""
from __future__ import annotations

from sqlalchemy import func, select

from incident.crowd.claimants.models import Claimant
from incident.timeline.models import Event
from tests.crowd.helpers import crowd_incident, seated

P = "/api/v1/incidents/{}/claimants"


def _count(session, inc_id):
    session.rollback()  # end the test's read snapshot so the API's commits are visible
    return session.scalar(select(func.count(Claimant.id)).where(Claimant.incident_id == inc_id))


def test_add_claimant_is_masked_and_recorded(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    r = api.post(P.format(inc.id), {"name": "王𠮷", "unit": "3-1-1201", "phone": "138 1234 5678",
                                     "id_number": "110105199001011232", "segment": "3号楼"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["phone"] == "138****5678" and body["id_number"] == "110***********1232"
    assert "13812345678" not in r.get_data(as_text=True)
    ev = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == "claimant.added")).one()
    assert ev.payload["phone"] == "138****5678" and "13812345678" not in str(ev.payload)
    listing = api.get(P.format(inc.id)).get_json()
    assert listing["total"] == 1 and listing["claimants"][0]["phone"] == "138****5678"


def test_bad_input_names_the_field_and_stores_nothing(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    cases = [({"unit": "1", "phone": "13812345678"}, "name"),
             ({"name": "a", "phone": "13812345678"}, "unit"),
             ({"name": "a", "unit": "1"}, "phone"),
             ({"name": "a", "unit": "1", "phone": "12012345678"}, "phone"),
             ({"name": "a", "unit": "1", "phone": "13812345678", "id_number": "12-3"}, "id_number"),
             ({"name": "x" * 121, "unit": "1", "phone": "13812345678"}, "name"),
             ({"name": 5, "unit": "1", "phone": "13812345678"}, "name")]
    for body, field in cases:
        r = api.post(P.format(inc.id), body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    r = api.post(P.format(inc.id), data="nope", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and r.get_json()["field"] == "body"
    assert _count(session, inc.id) == 0


def test_duplicate_phone_or_unit_is_refused(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    assert api.post(P.format(inc.id), {"name": "甲", "unit": "3-1-1201", "phone": "13812345678"}).status_code == 201
    r = api.post(P.format(inc.id), {"name": "乙", "unit": "3-1-1202", "phone": "+86 138-1234-5678"})
    assert r.status_code == 400 and r.get_json()["field"] == "phone"
    r = api.post(P.format(inc.id), {"name": "丙", "unit": " 3－1－1201 ", "phone": "13900000000"})
    assert r.status_code == 400 and r.get_json()["field"] == "unit"
    assert _count(session, inc.id) == 1


def test_edit_with_stale_version_conflicts(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    c = api.post(P.format(inc.id), {"name": "甲", "unit": "3-1-1201", "phone": "13812345678"}).get_json()
    url = P.format(inc.id) + f"/{c['id']}"
    r = api.patch(url, {"version": c["version"], "phone": "13900001111", "segment": "3号楼"})
    assert r.status_code == 200 and r.get_json()["phone"] == "139****1111" and r.get_json()["version"] == 2
    stale = api.patch(url, {"version": c["version"], "name": "乙"})
    assert stale.status_code == 409 and stale.get_json()["current_version"] == 2
    assert api.patch(url, {"name": "乙"}).get_json()["field"] == "version"
    ev = session.scalars(select(Event).where(Event.type == "claimant.updated")).one()
    assert ev.payload["diff"]["phone"] == {"from": "138****5678", "to": "139****1111"}
    assert "13900001111" not in str(ev.payload)


def test_headcount_follows_registry_and_regrades(session, api_as):
    inc, leader = crowd_incident(session, headcount=1)
    assert inc.scope == "individual"
    api = api_as(leader)
    ids = []
    for i in range(6):
        r = api.post(P.format(inc.id), {"name": f"业主{i}", "unit": f"3-1-{i}01", "phone": f"1381234560{i}"})
        ids.append(r.get_json())
    session.rollback()
    session.refresh(inc)
    assert inc.headcount == 6 and inc.scope == "group"
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == inc.id).order_by(Event.seq))]
    assert "grade.changed" in types
    assert types.index("grade.changed") > types.index("claimant.added")
    r = api.post(P.format(inc.id) + f"/{ids[0]['id']}/withdraw", {"version": ids[0]["version"], "reason": "已私下解决"})
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    again = api.post(P.format(inc.id) + f"/{ids[0]['id']}/withdraw", {"version": 2})
    assert again.status_code == 409
    session.rollback()
    session.refresh(inc)
    assert inc.headcount == 5


def test_outsider_and_wrong_seat_are_refused(session, api_as):
    inc, leader = crowd_incident(session)
    outsider = seated(session, inc, "logistics")
    r = api_as(outsider).post(P.format(inc.id), {"name": "甲", "unit": "1", "phone": "13812345678"})
    assert r.status_code == 403
    assert _count(session, inc.id) == 0


def test_withdraw_and_edit_bad_input(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    c = api.post(P.format(inc.id), {"name": "甲", "unit": "3-1-1201", "phone": "13812345678"}).get_json()
    url = P.format(inc.id) + f"/{c['id']}"
    assert api.post(url + "/withdraw", {}).get_json()["field"] == "version"
    assert api.post(url + "/withdraw", {"version": 1, "reason": "x" * 501}).get_json()["field"] == "reason"
    assert api.patch(url, {"version": 1, "phone": "abc"}).get_json()["field"] == "phone"
    assert api.patch(url, {"version": 1, "name": ""}).get_json()["field"] == "name"
    assert api.patch(P.format(inc.id) + "/99999", {"version": 1, "name": "乙"}).status_code == 404
    assert api.get(P.format(inc.id) + "?status=gone").get_json()["field"] == "status"
    assert api.get(P.format(inc.id) + "?limit=0").get_json()["field"] == "limit"
    session.rollback()
    row = session.get(Claimant, c["id"])
    assert (row.name, row.status, row.version) == ("甲", "active", 1)


def test_settle_recounts_the_headcount(session, api_as):
    from incident.crowd.claimants.service import settle
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    ids = [api.post(P.format(inc.id), {"name": f"业主{i}", "unit": f"3-1-{i}01", "phone": f"1381234560{i}"})
           .get_json()["id"] for i in range(3)]
    session.rollback()
    session.refresh(inc)
    assert settle(session, actor=leader.actor, inc=inc, claimant_ids=ids[:2], cause="agreement.signed") == \
        {"from": 3, "to": 1, "claimant_ids": ids[:2]}
    session.commit()
    assert api.get(f"/api/v1/incidents/{inc.id}/crowd").get_json()["counts"]["settled"] == 2


def test_registry_exists_once_a_claimant_is_added(session, api_as):
    from incident.crowd.claimants.models import registry_exists
    inc, leader = crowd_incident(session)
    assert not registry_exists(session, inc.id)
    api_as(leader).post(P.format(inc.id), {"name": "甲", "unit": "3-1-1201", "phone": "13812345678"})
    session.rollback()
    assert registry_exists(session, inc.id)
