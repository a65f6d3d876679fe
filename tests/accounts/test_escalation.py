"""The escalation walk of issue 10: a staff user alone cannot issue an organisation-sealed agreement.

Open an incident (becoming leader), seat oneself as legal, edit the organisation template, set a
ceiling, draft an agreement paying 50,000, approve it, record the signature, seal it: every step that
needs the legal qualification is refused with 403 naming it (in zh-CN too). Then the real path:
legal staff seated by the leader, four eyes on approval, sealing only with the password re-entered.
"""
from __future__ import annotations

import pytest

from incident.access.permissions import Action
from tests.exports.conftest import STROKES, add_claimant
from tests.factories import PASSWORD, give_seat, intake_data, make_user

PAY = [{"description": "房屋渗水损失", "remedy": "一次性补偿", "amount": "50000", "payment_kind": "compensation",
        "deadline": "2026-12-31"}]


@pytest.fixture
def app_sealing(app, seal_settings):  # type: ignore[no-untyped-def]
    app.extensions["concord.settings"] = seal_settings
    return app


def _refused_naming_legal(resp) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == 403, resp.get_json()
    body = resp.get_json()
    assert body["qualification"] == "legal", body
    assert "legal" in body["message"] and "法务" in body["message_local"], body


def test_a_staff_user_alone_is_refused_at_every_legal_step(app_sealing, session, api_as):
    staff = make_user(session, "staff", display_name="孙𠮷祥")
    session.commit()
    me = api_as(staff)
    r = me.post("/api/v1/incidents", intake_data(title="渗水 <script>alert(1)</script>", headcount=12))
    assert r.status_code == 201
    inc_id = r.get_json()["id"]
    base = f"/api/v1/incidents/{inc_id}"
    group = me.get(base + "/taskgroup").get_json()
    assert [s["holder"]["user_id"] for s in group["seats"] if s["seat"] == "leader"] == [staff.id]

    _refused_naming_legal(me.post(base + "/taskgroup/seats", {"seat": "legal", "user_id": staff.id}))
    _refused_naming_legal(me.post("/api/v1/agreement-templates",
                                  {"locale": "zh_CN", "clauses": {"dispute_resolution": "=1+1 甲方说了算"}}))
    _refused_naming_legal(me.put(base + "/demands/ceilings", {"demand_type": "compensation", "amount": "999999"}))

    from incident import service
    inc = service.get(session, inc_id)
    claimant = add_claimant(session, inc, "王𠮷")
    session.commit()
    r = me.post(base + "/agreements", {"claimant_id": claimant.id, "items": PAY})
    assert r.status_code == 201, r.get_json()  # drafting is the leader's job
    ag = r.get_json()
    assert ag["total"] == "50000.00"
    assert me.post(f"/api/v1/agreements/{ag['id']}/submit", {"version": 1}).status_code == 200
    _refused_naming_legal(me.post(f"/api/v1/agreements/{ag['id']}/approve", {"version": 1}))
    r = me.post(f"/api/v1/agreements/{ag['id']}/sign", {"version": 1, "signature": STROKES})
    assert r.status_code == 409  # nothing approved, nothing to sign
    _refused_naming_legal(me.post(f"/api/v1/agreements/{ag['id']}/seal", {"version": 1, "password": PASSWORD}))
    _refused_naming_legal(me.post(base + "/agreement-batches", {"kind": "seal", "segment": "", "password": PASSWORD}))
    assert me.get(f"/api/v1/agreements/{ag['id']}").get_json()["status"] == "in_review"


def test_legal_staff_seated_by_the_leader_four_eyes_and_reauthenticated_seal(app_sealing, session, api_as):
    leader = make_user(session, "staff")
    drafter = make_user(session, "staff", is_legal=True, display_name="陈律")
    approver = make_user(session, "staff", is_legal=True, display_name="周律")
    session.commit()
    lead = api_as(leader)
    inc_id = lead.post("/api/v1/incidents", intake_data()).get_json()["id"]
    base = f"/api/v1/incidents/{inc_id}"
    # the legal seat takes legal staff only, never someone seating themselves
    plain = make_user(session)
    session.commit()
    r = lead.post(base + "/taskgroup/seats", {"seat": "legal", "user_id": plain.id})
    assert r.status_code == 403 and r.get_json()["field"] == "user_id"
    seat = lead.post(base + "/taskgroup/seats", {"seat": "legal", "user_id": drafter.id})
    assert seat.status_code == 201
    holder = [s for s in seat.get_json()["seats"] if s["seat"] == "legal"][0]["holder"]
    assert holder["qualifications"] == ["legal"] and holder["role"] == "staff"  # shown next to the person

    from incident import service
    claimant = add_claimant(session, service.get(session, inc_id), "刘先生")
    session.commit()
    law = api_as(drafter)
    assert law.put(base + "/demands/ceilings", {"demand_type": "compensation", "amount": "60000"}).status_code in (200, 201)
    ag = law.post(base + "/agreements", {"claimant_id": claimant.id, "items": PAY}).get_json()
    assert law.post(f"/api/v1/agreements/{ag['id']}/submit", {"version": 1}).status_code == 200
    r = law.post(f"/api/v1/agreements/{ag['id']}/approve", {"version": 1})
    assert r.status_code == 403 and r.get_json()["rule"] == "four_eyes" and "四眼" in r.get_json()["message_local"]

    # another legal user takes over the seat and approves; the claimant side signs
    assignment = holder_assignment(lead, base)
    assert lead.post(base + f"/taskgroup/seats/{assignment}/replace", {"user_id": approver.id}).status_code == 200
    law2 = api_as(approver)
    assert law2.post(f"/api/v1/agreements/{ag['id']}/approve", {"version": 1}).status_code == 200
    assert lead.post(f"/api/v1/agreements/{ag['id']}/sign", {"version": 1, "signature": STROKES, "agreed": True}).status_code == 200

    r = law2.post(f"/api/v1/agreements/{ag['id']}/seal", {"version": 1})
    assert r.status_code == 403 and r.get_json()["error"] == "reauth_required" and r.get_json()["field"] == "password"
    r = law2.post(f"/api/v1/agreements/{ag['id']}/seal", {"version": 1, "password": "not-my-password"})
    assert r.status_code == 403 and r.get_json()["error"] == "reauth_required"
    assert law2.get(f"/api/v1/agreements/{ag['id']}").get_json()["status"] == "signed"
    r = law2.post(f"/api/v1/agreements/{ag['id']}/seal", {"version": 1, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "sealed" and r.get_json()["sealed"]["by"] == "周律"
    # the drafter lost the seat, so lost the legal powers on this incident (qualification alone is not enough)
    r = law.put(base + "/demands/ceilings", {"demand_type": "compensation", "amount": "1"})
    assert r.status_code == 403 and "法务席位" in r.get_json()["message_local"]


def holder_assignment(api, base: str) -> int:  # type: ignore[no-untyped-def]
    seats = api.get(base + "/taskgroup").get_json()["seats"]
    return [s for s in seats if s["seat"] == "legal"][0]["assignment_id"]


def test_a_legal_leader_cannot_seat_themselves_and_an_unqualified_holder_has_no_legal_powers(app_sealing, session,
                                                                                             api_as):
    legal_leader = make_user(session, "staff", is_legal=True)
    session.commit()
    me = api_as(legal_leader)
    inc_id = me.post("/api/v1/incidents", intake_data()).get_json()["id"]
    r = me.post(f"/api/v1/incidents/{inc_id}/taskgroup/seats", {"seat": "legal", "user_id": legal_leader.id})
    assert r.status_code == 403 and "自己" in r.get_json()["message_local"]
    # a legal seat held from before the qualification existed (or granted in the database) confers nothing
    from incident import service
    legacy = make_user(session, "staff")
    give_seat(session, service.get(session, inc_id), legacy, "legal")
    session.commit()
    r = api_as(legacy).put(f"/api/v1/incidents/{inc_id}/demands/ceilings", {"demand_type": "*", "amount": "10"})
    assert r.status_code == 403 and r.get_json()["qualification"] == "legal"
    page = api_as(legacy).client.get(f"/incidents/{inc_id}").get_data(as_text=True)
    assert "非法务人员" in page  # the board says so next to the person


def test_templates_are_legal_staffs_not_the_admins(app_sealing, session, api_as):
    admin, legal = make_user(session, "admin"), make_user(session, "staff", is_legal=True)
    session.commit()
    body = {"locale": "zh_CN", "clauses": {"dispute_resolution": "协商不成的，向物业所在地人民法院起诉。"}}
    r = api_as(admin).post("/api/v1/agreement-templates", body)
    assert r.status_code == 403 and r.get_json()["action"] == Action.TEMPLATE_EDIT.value
    assert api_as(legal).post("/api/v1/agreement-templates", body).status_code == 201
