"""Segment actions (issue 11): one answer for a demand item across a segment or a selection; one
timeline event per state change, a per-row outcome, failures alone, forbidden for who may not offer."""
from __future__ import annotations

from sqlalchemy import func, select

from incident.crowd.demands.models import DemandItem
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.crowd.helpers import add_claimants
from tests.factories import give_seat, make_incident, make_user


def _events(session, inc, type_):  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count(Event.id)).where(Event.incident_id == inc.id, Event.type == type_))


def _world(session, api_as):  # type: ignore[no-untyped-def]
    leader = make_user(session, "staff")
    inc = make_incident(session, leader, headcount=30)
    people = add_claimants(session, inc, {"3号楼": 26, "4号楼": 3})
    people[0].name = "张𠮷"
    session.commit()
    api = api_as(leader)
    base = f"/api/v1/incidents/{inc.id}/demands"
    tpl = api.post(base + "/templates", json={"type": "compensation", "remedy": "减免一个月电梯费",
                                              "amount": "120.00", "owner": "客服部"}).get_json()
    assert api.post(f"{base}/templates/{tpl['id']}/offers", json={}).status_code == 201
    return inc, leader, api, base, tpl


def test_accept_for_a_whole_segment_in_one_call(session, api_as):
    inc, _leader, api, base, tpl = _world(session, api_as)
    r = api.post(f"{base}/templates/{tpl['id']}/decisions", json={"decision": "accepted", "segment": "3号楼",
                                                                   "note": "业主大会表决通过 <script>"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["total"] == 26 and body["done"] == 26 and body["failed"] == 0
    assert {row["outcome"] for row in body["rows"]} == {"accepted"}
    assert body["rows"][0]["claimant_name"] == "张𠮷"
    assert _events(session, inc, "demand.accepted") == 26  # one event per state change, as one by one
    statuses = {s: n for s, n in session.execute(select(DemandItem.status, func.count()).where(
        DemandItem.template_id == tpl["id"]).group_by(DemandItem.status))}
    assert statuses == {"accepted": 26, "offered": 3}
    assert verify_chain(session, inc.id).ok


def test_a_selection_reports_each_row_and_failures_stay_alone(session, api_as):
    inc, _leader, api, base, tpl = _world(session, api_as)
    ids = [it["id"] for it in tpl["items"]]
    url = f"{base}/templates/{tpl['id']}/decisions"
    assert api.post(url, json={"decision": "accepted", "item_ids": ids[:2]}).get_json()["done"] == 2
    stale = ids[3]
    r = api.post(url, json={"decision": "rejected", "item_ids": [ids[0], ids[2], stale, 2**31 - 2],
                            "versions": {str(stale): 1}})
    assert r.status_code == 200
    rows = {row["item_id"]: row for row in r.get_json()["rows"]}
    assert rows[ids[2]]["outcome"] == "rejected"
    assert rows[ids[0]]["outcome"] == "failed" and rows[ids[0]]["field"] == "status"   # already accepted
    assert rows[stale]["outcome"] == "failed" and rows[stale]["field"] == "version"    # changed meanwhile
    assert rows[2**31 - 2]["outcome"] == "failed" and rows[2**31 - 2]["field"] == "item_ids"
    assert "已" in rows[ids[0]]["reason"] or "cannot" in rows[ids[0]]["reason"]
    assert r.get_json()["failed"] == 3
    assert _events(session, inc, "demand.accepted") == 2 and _events(session, inc, "demand.rejected") == 1


def test_bad_requests_and_permissions(session, api_as):
    inc, _leader, api, base, tpl = _world(session, api_as)
    url = f"{base}/templates/{tpl['id']}/decisions"
    for body, field in [({"decision": "maybe", "segment": "3号楼"}, "decision"),
                        ({"decision": "accepted"}, "item_ids"),
                        ({"decision": "accepted", "item_ids": []}, "item_ids"),
                        ({"decision": "accepted", "item_ids": ["1"]}, "item_ids"),
                        ({"decision": "accepted", "item_ids": list(range(1, 502))}, "item_ids"),
                        ({"decision": "accepted", "segment": 3}, "segment"),
                        ({"decision": "accepted", "segment": "3号楼", "note": "好🦄"}, "note"),
                        ({"decision": "accepted", "segment": "3号楼", "versions": [1]}, "versions")]:
        r = api.post(url, json=body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    assert api.post(f"{base}/templates/999999/decisions", json={"decision": "accepted", "segment": ""}
                    ).status_code == 404
    outsider = make_user(session, "staff")
    session.commit()
    assert api_as(outsider).post(url, json={"decision": "accepted", "segment": "3号楼"}).status_code == 403
    legal = make_user(session, "staff", is_legal=True)
    give_seat(session, inc, legal, "legal")
    session.commit()
    assert api_as(legal).post(url, json={"decision": "accepted", "segment": "3号楼"}).status_code == 403
    assert _events(session, inc, "demand.accepted") == 0


def test_segment_page_lists_items_and_offers_the_actions(session, api_as):
    inc, _leader, api, _base, tpl = _world(session, api_as)
    r = api.client.get(f"/incidents/{inc.id}/demands/templates/{tpl['id']}/segment-actions")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "张𠮷" in html and 'id="bulk-accept"' in html and "bulk.js" in html
    assert html.count('class="bulk-pick"') == 29


def test_the_incident_page_links_to_the_segment_actions_and_the_review_screen(session, api_as):
    inc, _leader, api, _base, tpl = _world(session, api_as)
    html = api.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert f"/incidents/{inc.id}/demands/templates/{tpl['id']}/segment-actions" in html
    assert f"/incidents/{inc.id}/agreements/review" in html
