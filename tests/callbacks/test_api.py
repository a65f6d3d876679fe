"""The written reply and callbacks through the API: documented statuses, field-named errors, the PDF,
the template legal edits, the callbacks board and its section."""
from __future__ import annotations

from incident.crowd.claimants.models import Claimant
from playbooks.scheduler import jobs
from tests.callbacks.conftest import again
from tests.factories import make_user


def test_reply_lifecycle_through_the_api(api_as, session, mall, tmp_path):
    inc = mall["incident"]
    base = f"/api/v1/incidents/{inc.id}/replies"
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    r = cs.post(base, json={})
    assert r.status_code == 201, r.get_json()
    reply = r.get_json()
    assert reply["needs_legal"] and len(reply["content"]["entitlements"]) == 5
    assert cs.post(base, json={}).status_code == 409  # one reply in preparation at a time
    bad = cs.patch(f"{base}/{reply['id']}", json={"measures": "not a list", "version": 1})
    assert bad.status_code == 400 and bad.get_json()["field"] == "measures"
    ok = cs.patch(f"{base}/{reply['id']}", json={"measures": ["退还11月多收的停车费", "=HYPERLINK(\"x\")"], "version": 1})
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    assert cs.patch(f"{base}/{reply['id']}", json={"facts": "x", "version": 1}).status_code == 409  # stale
    assert cs.post(f"{base}/{reply['id']}/approve", json={}).status_code == 403  # the leader approves
    assert legal.post(f"{base}/{reply['id']}/approve-legal", json={"version": 2}).status_code == 200
    assert cs.post(f"{base}/{reply['id']}/issue", json={}).status_code == 409  # the leader has not approved
    assert leader.post(f"{base}/{reply['id']}/approve", json={"version": 2}).status_code == 200
    preview = cs.get(f"{base}/{reply['id']}/pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    issued = cs.post(f"{base}/{reply['id']}/issue", json={"version": 2})
    assert issued.status_code == 200, issued.get_json()
    body = issued.get_json()
    assert body["status"] == "issued" and body["recipients"][0]["name"] == "王芳" and body["attachment_id"]
    pdf = cs.get(f"{base}/{reply['id']}/pdf").get_data()
    assert pdf.startswith(b"%PDF") and __import__("hashlib").sha256(pdf).hexdigest() == body["pdf_sha256"]
    assert cs.patch(f"{base}/{reply['id']}", json={"facts": "改"}).status_code == 409
    listing = cs.get(base).get_json()
    assert listing["replies"][0]["status"] == "issued" and listing["due_at"]


def test_a_name_the_pdf_font_cannot_print_stops_the_issue(api_as, session, mall):
    inc = mall["incident"]
    c = session.get(Claimant, mall["tenants"][1].id)
    c.name = "李🦄"  # stored before the input check existed; no font of the chain holds it
    session.commit()
    again(session)
    base = f"/api/v1/incidents/{inc.id}/replies"
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    reply = cs.post(base, json={}).get_json()
    leader.post(f"{base}/{reply['id']}/approve", json={})
    legal.post(f"{base}/{reply['id']}/approve-legal", json={})
    r = cs.post(f"{base}/{reply['id']}/issue", json={})
    assert r.status_code == 400 and r.get_json()["field"] == "content" and "🦄" in r.get_json()["message"]


def test_the_reply_template_is_legal_staffs(api_as, session, mall):
    legal, cs = api_as(mall["legal"]), api_as(mall["cs"])
    assert cs.get("/api/v1/reply-template?locale=zh_CN").get_json()["version"] == 0
    assert cs.put("/api/v1/reply-template", json={"parts": {"closing": "谢谢"}}).status_code == 403
    assert legal.put("/api/v1/reply-template", json={"parts": {"colour": "x"}}).status_code == 400
    r = legal.put("/api/v1/reply-template", json={"parts": {"closing": "如有疑问请致电客服中心。%(ref)s"},
                                                  "version": 0})
    assert r.status_code == 200 and r.get_json()["version"] == 1
    reply = cs.post(f"/api/v1/incidents/{mall['incident'].id}/replies", json={}).get_json()
    assert reply["template_version"] == 1 and reply["content"]["closing"].endswith(mall["incident"].ref)
    assert cs.get("/api/v1/reply-template?locale=fr").status_code == 400
    names = {t["name"] for t in cs.get("/api/v1/agreement-templates").get_json()["templates"]}
    assert "written_reply" not in names  # the agreement templates' history lists agreement wording only


def test_callbacks_board_and_recording_through_the_api(api_as, session, session_factory, mall, frozen):
    inc = mall["incident"]
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    base = f"/api/v1/incidents/{inc.id}/replies"
    reply = cs.post(base, json={}).get_json()
    leader.post(f"{base}/{reply['id']}/approve", json={})
    legal.post(f"{base}/{reply['id']}/approve-legal", json={})
    cs.post(f"{base}/{reply['id']}/issue", json={})
    jobs.run_due(session_factory)
    board = cs.get(f"/api/v1/incidents/{inc.id}/callbacks").get_json()
    assert board["counts"]["scheduled"] == 5 and board["answered"] == 0 and board["satisfied_share"] is None
    first = board["callbacks"][0]
    r = cs.post(f"/api/v1/incidents/{inc.id}/callbacks/{first['id']}/attempts",
                json={"channel": "phone", "reached": True, "satisfaction": "very_satisfied", "version": first["version"]})
    assert r.status_code == 201 and r.get_json()["state"] == "done"
    bad = cs.post(f"/api/v1/incidents/{inc.id}/callbacks/{board['callbacks'][1]['id']}/attempts",
                  json={"channel": "phone", "reached": True, "satisfaction": "ok"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "satisfaction"
    outsider = api_as(make_user(session, "staff"))
    assert outsider.post(f"/api/v1/incidents/{inc.id}/callbacks/{first['id']}/attempts",
                         json={"channel": "phone", "reached": False}).status_code == 403
    assert cs.post(f"/api/v1/incidents/{inc.id}/callbacks/999999/attempts",
                   json={"channel": "phone", "reached": False}).status_code == 404
    page = cs.get(f"/incidents/{inc.id}/sections/callbacks").get_data(as_text=True)
    assert 'id="cb-dist-very_satisfied">1<' in page and "非常满意" in page and "记录回访" in page
    assert "very_satisfied</" not in page and "None" not in page


def test_the_reply_section_offers_what_each_seat_may_do(api_as, session, mall):
    inc = mall["incident"]
    cs, leader, legal = api_as(mall["cs"]), api_as(mall["leader"]), api_as(mall["legal"])
    page = cs.get(f"/incidents/{inc.id}/sections/replies").get_data(as_text=True)
    assert "起草书面答复" in page and "组长审批" not in page
    reply = cs.post(f"/api/v1/incidents/{inc.id}/replies", json={}).get_json()
    lead = leader.get(f"/incidents/{inc.id}/sections/replies").get_data(as_text=True)
    assert "组长审批" in lead and "法务审核" not in lead and "起草书面答复" not in lead
    law = legal.get(f"/incidents/{inc.id}/sections/replies").get_data(as_text=True)
    assert "法务审核" in law and "组长审批" not in law
    leader.post(f"/api/v1/incidents/{inc.id}/replies/{reply['id']}/approve", json={})
    legal.post(f"/api/v1/incidents/{inc.id}/replies/{reply['id']}/approve-legal", json={})
    assert "发给投诉人代表" in cs.get(f"/incidents/{inc.id}/sections/replies").get_data(as_text=True)
    board = cs.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="replies"' in board and 'id="callbacks"' in board and "replies.js" in board
