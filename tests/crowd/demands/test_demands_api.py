"""Demands over HTTP: the flow, 409 on stale writes, and bad input → 4xx JSON naming the field, nothing stored."""
from __future__ import annotations

from sqlalchemy import func, select

from incident.crowd.demands.models import (
    ComplianceCeiling,
    DemandItem,
    DemandOffer,
    DemandTemplate,
)
from incident.timeline.models import Event
from tests.crowd.helpers import add_claimants
from tests.factories import give_seat, make_incident, make_user


def _counts(session):
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in
                 (Event, DemandTemplate, DemandItem, DemandOffer, ComplianceCeiling))


def test_demand_api_flow_and_refusals(session, api_as):
    leader = make_user(session, "staff")
    legal = make_user(session, "staff", is_legal=True)
    inc = make_incident(session, leader, headcount=3)
    give_seat(session, inc, legal, "legal")
    people = add_claimants(session, inc, {"3号楼": 2, "4号楼": 1})
    api, law = api_as(leader), api_as(legal)
    base = f"/api/v1/incidents/{inc.id}/demands"
    before = _counts(session)
    bad_templates = [({"type": "bribe", "owner": "x", "remedy": "r"}, "type"),
                     ({"type": "repair", "remedy": "r"}, "owner"),
                     ({"type": "repair", "owner": "x"}, "remedy"),
                     ({"type": "refund", "owner": "x", "amount": 12.5}, "amount"),
                     ({"type": "refund", "owner": "x", "amount": "-3"}, "amount"),
                     ({"type": "refund", "owner": "x", "amount": "1.234"}, "amount"),
                     ({"type": "repair", "owner": "x", "remedy": "r", "deadline": "tomorrow"}, "deadline"),
                     ({"type": "repair", "owner": "x", "remedy": "r", "deadline": "2026-11-28T10:00:00"}, "deadline"),
                     ({"type": "repair", "owner": "x", "remedy": "r", "segment": 3}, "segment")]
    for body, field in bad_templates:
        r = api.post(base + "/templates", json=body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    assert api.post(base + "/templates", data="x").get_json()["field"] == "body"
    for body, field in [({"demand_type": "x", "amount": "1"}, "demand_type"), ({"demand_type": "*"}, "amount"),
                        ({"demand_type": "*", "amount": "abc"}, "amount")]:
        r = law.put(base + "/ceilings", json=body)
        assert r.status_code == 400 and r.get_json()["field"] == field
    assert api.put(base + "/ceilings", json={"demand_type": "*", "amount": "1"}).status_code == 403
    assert _counts(session) == before

    r = api.post(base + "/templates", json={"type": "compensation", "remedy": "减免一个月电梯费",
                                            "amount": "120.00", "owner": "客服部", "deadline": "2026-11-28"})
    assert r.status_code == 201, r.get_json()
    tpl = r.get_json()
    assert len(tpl["items"]) == 3 and tpl["items"][0]["kind"] == "compensation"
    assert law.put(base + "/ceilings", json={"demand_type": "compensation", "amount": "150"}).status_code == 200
    item = tpl["items"][0]
    url = f"{base}/items/{item['id']}"
    mid = _counts(session)
    for path, body, field, status in [
            ("", {"amount": "1"}, "version", 400),
            ("", {"version": item["version"]}, "body", 400),
            ("", {"version": item["version"], "amount": "x"}, "amount", 400),
            ("", {"version": 99, "amount": "130"}, "version", 409),
            ("/offers", {"version": item["version"], "amount": "150.01"}, "amount", 400),
            ("/offers", {"version": 99}, "version", 409),
            ("/decision", {"version": item["version"], "decision": "accepted"}, "status", 409),
            ("/decision", {"version": item["version"], "decision": "maybe"}, "decision", 400),
            ("/fulfil", {"version": item["version"]}, "status", 409),
            ("/confirm", {"version": item["version"], "confirmed_by": "x" * 200}, "confirmed_by", 400),
            ("/approve", {}, "type", 409)]:
        send = api.patch if path == "" else (law.post if path == "/approve" else api.post)
        r = send(url + path, json=body)
        assert r.status_code == status and r.get_json()["field"] == field, (path, body, r.get_json())
    r = api.post(url + "/offers", json={"version": item["version"], "amount": "200"})
    assert "¥150.00" in r.get_json()["message"] and r.get_json()["ceiling"] == "150.00"
    assert api.get(f"{base}/items/99999").status_code == 404
    assert api.post(f"{base}/templates/99999/offers", json={}).status_code == 404
    assert _counts(session) == mid

    r = api.post(url + "/offers", json={"version": item["version"], "amount": "150"})
    assert r.status_code == 201 and r.get_json()["status"] == "offered"
    r = api.post(url + "/decision", json={"version": r.get_json()["version"], "decision": "accepted"})
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    acc = api.get(f"/api/v1/incidents/{inc.id}/claimants/{people[0].id}/accepted-demands").get_json()
    assert acc["items"][0]["amount"] == "150.00" and acc["items"][0]["kind"] == "compensation"
    summary = api.get(base + "/summary").get_json()
    assert summary["by_type"]["compensation"]["accepted"] == 1
    assert summary["by_segment"]["3号楼"]["by_type"]["compensation"]["accepted_total"] == "150.00"
    assert summary["by_segment"]["3号楼"]["accepted"] == 1 and summary["by_segment"]["4号楼"]["accepted"] == 0
    detail = api.get(url).get_json()
    assert [h["action"] for h in detail["history"]] == ["created", "offered", "accepted"]
    html = api.get(f"/incidents/{inc.id}/sections/demands").get_data(as_text=True)
    assert 'id="demands"' in html and "¥150.00" in html and "kind-compensation" in html
    events = api.get(f"/api/v1/incidents/{inc.id}/events").get_json()["events"]
    assert [e["type"] for e in events][-3:] == ["demand.ceiling_set", "demand.offered", "demand.accepted"]
