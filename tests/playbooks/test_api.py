"""HTTP: checklist, tick (JSON and multipart), add/drop, inbox API and page; bad input stores nothing."""
from __future__ import annotations

import io

from playbooks.notify.models import Notification
from playbooks.scheduler import jobs
from tests.playbooks.conftest import count, fresh, item


def test_checklist_and_deadlines_with_the_formation_clock(api_as, session, crew):
    inc = crew["incident"]
    body = api_as(crew["cs"]).get(f"/api/v1/incidents/{inc.id}/checklist").get_json()
    assert [p["key"] for p in body["playbooks"]] == ["property_mass"]
    steps = [d["step"] for d in body["deadlines"]]
    assert steps[0] == "first_contact" and "formation" in steps
    assert body["deadlines"] == sorted(body["deadlines"], key=lambda d: d["due_at"])
    assert api_as(crew["outsider"]).get(f"/api/v1/incidents/{inc.id}/checklist").status_code == 403


def test_bad_ticks_are_refused_naming_the_field_and_store_nothing(api_as, session, crew):
    inc, cs = crew["incident"], crew["cs"]
    api = api_as(cs)
    first = item(session, inc.id, "first_contact")
    url = f"/api/v1/incidents/{inc.id}/checklist/{first.id}/tick"
    seq = inc.last_seq
    cases = [({"note": ""}, 400, "note"), ({"note": 5}, 400, "note"), ({"note": "x" * 2001}, 400, "note"),
             ({"note": "ok", "attachment_id": "a"}, 400, "attachment_id"),
             ({"note": "ok", "attachment_id": 999}, 400, "attachment_id")]
    for body, status, field in cases:
        resp = api.post(url, json=body)
        assert resp.status_code == status and resp.get_json()["field"] == field, (body, resp.get_json())
    assert api.post(url, data="nope", headers={"Content-Type": "text/plain"}).get_json()["field"] == "body"
    assert api.post(f"/api/v1/incidents/{inc.id}/checklist/999999/tick", json={"note": "x"}).status_code == 404
    assert api_as(crew["outsider"]).post(url, json={"note": "x"}).status_code == 403
    assert item(session, inc.id, "first_contact").status == "pending"
    assert fresh(session).get(type(inc), inc.id).last_seq == seq

    resp = api.post(url, json={"note": "已联系"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "done"
    assert api.post(url, json={"note": "again"}).status_code == 409


def test_multipart_tick_stores_the_evidence_file(api_as, session, crew):
    inc, leader = crew["incident"], crew["leader"]
    api = api_as(leader)
    first = item(session, inc.id, "first_contact")
    api.post(f"/api/v1/incidents/{inc.id}/checklist/{first.id}/tick", json={"note": "联系过"})
    reply = item(session, inc.id, "written_reply")
    url = f"/api/v1/incidents/{inc.id}/checklist/{reply.id}/tick"
    missing = api.post(url, data={"note": ""}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["field"] == "attachment_id"
    resp = api.post(url, data={"note": "书面答复", "file": (io.BytesIO(b"%PDF-1.4 x"), "reply.pdf", "application/pdf")},
                    content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["evidence"]["attachment_id"] is not None


def test_add_and_drop_playbook_over_http(api_as, session, crew):
    inc = crew["incident"]
    leader, cs = api_as(crew["leader"]), api_as(crew["cs"])
    assert cs.post(f"/api/v1/incidents/{inc.id}/playbooks", json={"playbook": "mall_complaint"}).status_code == 403
    bad = leader.post(f"/api/v1/incidents/{inc.id}/playbooks", json={"playbook": 3})
    assert bad.status_code == 400 and bad.get_json()["field"] == "playbook"
    ok = leader.post(f"/api/v1/incidents/{inc.id}/playbooks", json={"playbook": "mall_complaint"})
    assert ok.status_code == 201 and "mall_complaint" in [p["key"] for p in ok.get_json()["playbooks"]]
    assert leader.delete(f"/api/v1/incidents/{inc.id}/playbooks/mall_complaint").status_code == 200
    assert leader.delete(f"/api/v1/incidents/{inc.id}/playbooks/mall_complaint").status_code == 404


def test_inbox_api_and_page(api_as, session, session_factory, crew, frozen):
    inc, leader, cs = crew["incident"], crew["leader"], crew["cs"]
    frozen.advance(minutes=16)
    jobs.run_due(session_factory)
    api = api_as(leader)
    body = api.get("/api/v1/notifications").get_json()
    assert body["unread"] >= 2
    texts = [n["text"] for n in body["notifications"]]
    assert any(inc.ref in t and "首次联系投诉人" in t for t in texts)  # zh_CN user: Chinese text and title
    first = body["notifications"][0]["id"]
    assert api.post(f"/api/v1/notifications/{first}/read").get_json()["read"] is True
    assert api.get("/api/v1/notifications?unread=1").get_json()["unread"] == body["unread"] - 1
    assert api.get("/api/v1/notifications?unread=yes").status_code == 400
    other = api_as(cs)
    assert other.post(f"/api/v1/notifications/{first}/read").status_code == 404  # not their message
    assert api.post("/api/v1/notifications/read-all").get_json()["unread"] == 0
    assert count(session, Notification, Notification.user_id == leader.id, Notification.read_at.is_(None)) == 0
    page = api.client.get("/inbox").get_data(as_text=True)
    assert "收件箱" in page and inc.ref in page
    board = api.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="deadlines"' in board and "deadlines.js" in board and "escalates" not in board
    fragment = api.client.get(f"/incidents/{inc.id}/sections/deadlines").get_data(as_text=True)
    assert 'class="deadline overdue"' in fragment  # overdue deadlines render in red
