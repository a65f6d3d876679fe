"""The intake edited on the page (issue 12): the re-triage preview writes nothing; proposals are decided
through the API; the section offers the editor and the one-tap attach to whoever may use them."""
from __future__ import annotations

from sqlalchemy import func, select

from incident.models import Incident
from incident.timeline import Event
from playbooks.proposals.models import PlaybookProposal
from tests.factories import give_seat, make_incident, make_user


def _events(session, inc_id):  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count(Event.id)).where(Event.incident_id == inc_id))


def test_preview_shows_the_re_triage_and_writes_nothing(api_as, session):
    leader = make_user(session, "staff")
    inc = make_incident(session, leader, headcount=3, scope_text="3户", core_demand="停车位被占")
    session.commit()
    before, version = _events(session, inc.id), inc.version
    api = api_as(leader)
    resp = api.post(f"/api/v1/incidents/{inc.id}/intake/preview",
                    json={"headcount": 20, "scope_text": "3-5号楼，20户", "note": "业主说要找记者曝光 =cmd|"})
    assert resp.status_code == 200, resp.get_json()
    p = resp.get_json()
    assert p["current"]["scope"] == "individual" and p["preview"]["scope"] == "group"
    assert p["grade_changes"] and p["scope_changes"] and p["formation_clock_starts"] and p["formation_due_at"]
    assert sorted(p["changed"]) == ["headcount", "scope_text"]
    assert {x["playbook"] for x in p["proposals"]} >= {"public_opinion", "property_mass"}
    assert p["words"]["reasons_text"] and all("%(" not in t for t in p["words"]["reasons_text"])
    assert _events(session, inc.id) == before
    assert session.get(Incident, inc.id).headcount == 3 and session.get(Incident, inc.id).version == version
    assert session.scalar(select(func.count(PlaybookProposal.id))) == 0


def test_preview_refuses_bad_input_by_field_and_needs_the_edit_right(api_as, session):
    leader, outsider = make_user(session, "staff"), make_user(session, "staff")
    inc = make_incident(session, leader)
    session.commit()
    api = api_as(leader)
    bad = api.post(f"/api/v1/incidents/{inc.id}/intake/preview", json={"headcount": "２０x"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "headcount"
    bad = api.post(f"/api/v1/incidents/{inc.id}/intake/preview", json={"ref": "x"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "ref"
    empty = api.post(f"/api/v1/incidents/{inc.id}/intake/preview", json={})
    assert empty.status_code == 400
    assert api_as(outsider).post(f"/api/v1/incidents/{inc.id}/intake/preview",
                                 json={"headcount": 30}).status_code == 403


def test_the_leader_attaches_a_proposal_from_the_page_section(api_as, session):
    leader, cs = make_user(session, "staff"), make_user(session, "staff")
    inc = make_incident(session, leader)
    give_seat(session, inc, cs, "customer_service")
    session.commit()
    assert api_as(cs).post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "有记者在门口拍摄"}).status_code == 201
    api = api_as(leader)
    listed = api.get(f"/api/v1/incidents/{inc.id}/proposals").get_json()["proposals"]
    assert [p["playbook"] for p in listed] == ["public_opinion"]
    pid = listed[0]["id"]
    page = api.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="intake-edit"' in page and f'id="proposal-{pid}"' in page and "attach-proposal" in page
    assert "intake_edit.js" in page
    cs_page = api_as(cs).client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert f'id="proposal-{pid}"' in cs_page and "attach-proposal" not in cs_page
    assert api_as(cs).post(f"/api/v1/incidents/{inc.id}/proposals/{pid}/attach").status_code == 403
    done = api.post(f"/api/v1/incidents/{inc.id}/proposals/{pid}/attach")
    assert done.status_code == 200 and done.get_json()["status"] == "attached"
    again = api.post(f"/api/v1/incidents/{inc.id}/proposals/{pid}/dismiss")
    assert again.status_code == 409
    assert api.post(f"/api/v1/incidents/{inc.id}/proposals/999999/attach").status_code == 404
    fragment = api.client.get(f"/incidents/{inc.id}/sections/intake-edit").get_data(as_text=True)
    assert f'id="proposal-{pid}"' not in fragment and 'id="intake-form"' in fragment
