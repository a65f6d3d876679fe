"""Representatives: the board's 3–5 warning, election, signed mandate, replacement, revocation, mandate_covers."""
from __future__ import annotations

import io

from sqlalchemy import select

from incident.crowd.board import RepView, representative_warnings
from incident.crowd.representatives.models import Representative, RepresentativeHistory
from incident.crowd.representatives.service import mandate_covers
from incident.timeline.models import Event
from tests.crowd.helpers import crowd_incident, seated

PNG = b"\x89PNG\r\n\x1a\n" + b"signed mandate scan" * 10


def test_warnings_are_a_pure_function_of_counts():
    neg, signed, unsigned = RepView("negotiate_only", False), RepView("sign_on_behalf", True), \
        RepView("sign_on_behalf", False)
    assert representative_warnings(10, []) == []
    assert [w["code"] for w in representative_warnings(11, [])] == ["no_representatives"]
    assert [w["code"] for w in representative_warnings(86, [neg, neg])] == ["too_few_representatives"]
    assert representative_warnings(86, [neg, signed, neg]) == []
    assert representative_warnings(86, [neg] * 5) == []
    assert [w["code"] for w in representative_warnings(86, [neg] * 6)] == ["too_many_representatives"]
    assert [w["code"] for w in representative_warnings(86, [neg, neg, unsigned])] == ["mandate_document_missing"]


def _crowd(api, inc_id, n=12):
    out = []
    for i in range(n):
        seg = f"{3 + i % 3}号楼"
        out.append(api.post(f"/api/v1/incidents/{inc_id}/claimants", {
            "name": f"业主{i}", "unit": f"{3 + i % 3}-1-{i + 1}01", "phone": f"139{i:08d}", "segment": seg}).get_json())
    return out


def test_board_asks_for_representatives_above_ten(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    _crowd(api, inc.id, 10)
    assert api.get(f"/api/v1/incidents/{inc.id}/crowd").get_json()["warnings"] == []
    api.post(f"/api/v1/incidents/{inc.id}/claimants", {"name": "新", "unit": "9-9-909", "phone": "13700000009"})
    view = api.get(f"/api/v1/incidents/{inc.id}/crowd").get_json()
    assert [w["code"] for w in view["warnings"]] == ["no_representatives"]
    assert view["counts"]["active"] == 11 and view["headcount"] == 11


def test_elect_attach_replace_revoke_with_history(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    cs = _crowd(api, inc.id)
    base = f"/api/v1/incidents/{inc.id}/representatives"
    # bad input names the field and stores nothing
    assert api.post(base, {"claimant_id": cs[0]["id"], "mandate": "all"}).get_json()["field"] == "mandate"
    assert api.post(base, {"claimant_id": cs[0]["id"], "mandate": "sign_on_behalf"}).get_json()["field"] == "claimant_ids"
    assert api.post(base, {"claimant_id": cs[0]["id"], "mandate": "sign_on_behalf",
                           "segments": ["99号楼"]}).get_json()["field"] == "segments"
    assert api.post(base, {"claimant_id": 99999, "mandate": "negotiate_only",
                           "segments": ["3号楼"]}).status_code == 404
    session.rollback()
    assert session.scalars(select(Representative)).all() == []

    r = api.post(base, {"claimant_id": cs[0]["id"], "mandate": "sign_on_behalf", "segments": ["3号楼"],
                        "claimant_ids": [cs[1]["id"]], "reason": "3号楼业主推选"})
    assert r.status_code == 201, r.get_json()
    rep = r.get_json()
    assert rep["coverage"] == {"claimant_ids": [cs[1]["id"]], "segments": ["3号楼"]}
    assert api.post(base, {"claimant_id": cs[0]["id"], "mandate": "negotiate_only",
                           "segments": ["3号楼"]}).status_code == 409  # already a representative
    assert mandate_covers(session, rep["id"]) == []  # no signed document yet
    bad = api.post(f"{base}/{rep['id']}/mandate", content_type="multipart/form-data",
                   data={"file": (io.BytesIO(b"hello"), "m.txt", "text/plain")})
    assert bad.status_code == 400 and bad.get_json()["field"] == "file"
    up = api.post(f"{base}/{rep['id']}/mandate", content_type="multipart/form-data",
                  data={"file": (io.BytesIO(PNG), "授权书.png", "image/png")})
    assert up.status_code == 201 and up.get_json()["mandate_document"]["purpose"] == "mandate"
    assert api.get(f"{base}/{rep['id']}/mandate").data == PNG
    session.rollback()
    expected = sorted({c["id"] for c in cs if c["segment"] == "3号楼"} | {cs[1]["id"]})
    assert mandate_covers(session, rep["id"]) == expected
    # a representative cannot simply withdraw
    w = api.post(f"/api/v1/incidents/{inc.id}/claimants/{cs[0]['id']}/withdraw", {"version": cs[0]["version"]})
    assert w.status_code == 409

    assert api.post(f"{base}/{rep['id']}/replace", {"claimant_id": cs[3]["id"]}).get_json()["field"] == "reason"
    new = api.post(f"{base}/{rep['id']}/replace", {"claimant_id": cs[3]["id"], "reason": "原代表生病住院"}).get_json()
    assert new["coverage"] == rep["coverage"] and new["mandate_document"] is None
    session.rollback()
    assert mandate_covers(session, rep["id"]) == [] and mandate_covers(session, new["id"]) == []
    assert api.post(f"{base}/{rep['id']}/revoke", {"reason": "x"}).status_code == 409  # already replaced
    assert api.post(f"{base}/{new['id']}/revoke", {"reason": "业主撤回授权"}).status_code == 200
    session.rollback()
    actions = [(h.representative_id, h.action) for h in session.scalars(
        select(RepresentativeHistory).order_by(RepresentativeHistory.id))]
    assert actions == [(rep["id"], "elected"), (rep["id"], "mandate_attached"), (new["id"], "elected"),
                       (rep["id"], "replaced"), (new["id"], "revoked")]
    types = [e.type for e in session.scalars(select(Event).where(
        Event.incident_id == inc.id, Event.type.like("representative.%")).order_by(Event.seq))]
    assert types == ["representative.elected", "representative.mandate_attached", "representative.replaced",
                     "representative.revoked"]


def test_negotiate_only_mandate_signs_for_nobody_and_seats_are_checked(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    cs = _crowd(api, inc.id, 4)
    base = f"/api/v1/incidents/{inc.id}/representatives"
    rep = api.post(base, {"claimant_id": cs[0]["id"], "mandate": "negotiate_only", "segments": ["3号楼"]}).get_json()
    api.post(f"{base}/{rep['id']}/mandate", content_type="multipart/form-data",
             data={"file": (io.BytesIO(PNG), "m.png", "image/png")})
    covers = api.get(f"{base}/{rep['id']}/covers").get_json()
    assert covers["claimant_ids"] == [] and covers["covered"]
    business = seated(session, inc, "business")
    assert api_as(business).post(base, {"claimant_id": cs[1]["id"], "mandate": "negotiate_only",
                                        "segments": ["4号楼"]}).status_code == 403


def test_mandate_upload_needs_a_file(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    cs = _crowd(api, inc.id, 3)
    base = f"/api/v1/incidents/{inc.id}/representatives"
    rep = api.post(base, {"claimant_id": cs[0]["id"], "mandate": "sign_on_behalf", "segments": ["3号楼"]}).get_json()
    r = api.post(f"{base}/{rep['id']}/mandate", content_type="multipart/form-data", data={})
    assert r.status_code == 400 and r.get_json()["field"] == "file"
    assert api.get(f"{base}/{rep['id']}/mandate").get_json()["field"] == "representative_id"
    assert api.post(f"{base}/999/revoke", {"reason": "x"}).status_code == 404
    assert api.post(f"{base}/{rep['id']}/revoke", {}).get_json()["field"] == "reason"
