"""Legal reviews a generate batch in one screen (issue 11): terms and diffs of each document, approve
all / approve selected / return selected with a comment, one outcome and one event per document."""
from __future__ import annotations

from sqlalchemy import func, select

from exports.agreements import service
from exports.agreements.models import Agreement
from exports.signing import batch_runner
from exports.signing import batches as batch
from incident import clock
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.exports.conftest import ITEMS, T0, add_claimant

NAMES = ["张𠮷", "<script>alert(1)</script>", "=1+1", "李䶮", "王五", "赵六"]


def _batch(session, session_factory, world, seal_settings):  # type: ignore[no-untyped-def]
    inc, cs = world["inc"], world["cs"].actor
    with clock.frozen(T0):
        for n, name in enumerate(NAMES):
            add_claimant(session, inc, name, segment="5号楼", unit=f"5-1-{n}01")
        b = batch.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="5号楼",
                        data={"items": ITEMS})
        session.commit()
    assert batch_runner.run(session_factory, b.id, cs, seal_settings).done == len(NAMES)
    session.expire_all()
    return b


def _count(session, inc, type_):  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count(Event.id)).where(Event.incident_id == inc.id, Event.type == type_))


def test_review_screen_data_then_approve_selected_return_selected_approve_all(
        app, session, session_factory, world, seal_settings, api_as):
    app.extensions["concord.settings"] = seal_settings
    b = _batch(session, session_factory, world, seal_settings)
    inc = world["inc"]
    legal = api_as(world["legal"])
    url = f"/api/v1/incidents/{inc.id}/agreements/review"
    docs = legal.get(f"{url}?batch_id={b.id}").get_json()["agreements"]
    assert [d["terms"]["signer"]["name"] for d in docs] == NAMES
    assert all(d["status"] == "in_review" and isinstance(d["against_template"], list) for d in docs)
    ids = [d["id"] for d in docs]
    # One document changed after review started: its screen version is stale, it fails alone.
    session.rollback()
    ag = session.get(Agreement, ids[2])
    from incident.db import begin_write
    begin_write(session)
    service.update_terms(session, actor=world["cs"].actor, agreement_id=ag.id, data={"facts": "补充事实"},
                         expected_version=ag.version)
    service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=ag.version)
    session.commit()
    r = legal.post(url, json={"decision": "approve", "agreement_ids": ids[:3],
                              "versions": {str(i): 1 for i in ids[:3]}})
    assert r.status_code == 200, r.get_json()
    rows = {row["agreement_id"]: row for row in r.get_json()["rows"]}
    assert [rows[i]["outcome"] for i in ids[:2]] == ["approved", "approved"]
    assert rows[ids[2]]["outcome"] == "failed" and rows[ids[2]]["reason"]
    assert rows[ids[0]]["signer"] == "张𠮷" and rows[ids[0]]["status"] == "approved"
    r = legal.post(url, json={"decision": "return", "agreement_ids": [ids[3], ids[0]], "comments": "金额需复核 <b>"})
    rows = {row["agreement_id"]: row for row in r.get_json()["rows"]}
    assert rows[ids[3]]["outcome"] == "returned" and rows[ids[0]]["outcome"] == "failed"  # already approved
    assert _count(session, inc, "agreement.returned") == 1
    r = legal.post(url, json={"decision": "approve", "batch_id": b.id})  # approve all still in review
    body = r.get_json()
    assert body["total"] == 3 and body["done"] == 3 and {row["agreement_id"] for row in body["rows"]} == \
        {ids[2], ids[4], ids[5]}
    assert _count(session, inc, "agreement.approved") == 5
    statuses = [session.get(Agreement, i).status for i in ids]
    assert statuses == ["approved", "approved", "approved", "returned", "approved", "approved"]
    assert session.get(Agreement, ids[3]).review_comments == "金额需复核 <b>"
    assert verify_chain(session, inc.id).ok
    # Nothing left in review: the batch-wide approval says so.
    r = legal.post(url, json={"decision": "approve", "batch_id": b.id})
    assert r.status_code == 400 and r.get_json()["field"] == "batch_id"


def test_refusals_name_the_field_and_only_legal_may_decide(app, session, session_factory, world, seal_settings,
                                                         api_as):
    app.extensions["concord.settings"] = seal_settings
    b = _batch(session, session_factory, world, seal_settings)
    url = f"/api/v1/incidents/{world['inc'].id}/agreements/review"
    legal, cs = api_as(world["legal"]), api_as(world["cs"])
    for body, field in [({"decision": "sign", "batch_id": b.id}, "decision"),
                        ({"decision": "approve"}, "agreement_ids"),
                        ({"decision": "approve", "agreement_ids": []}, "agreement_ids"),
                        ({"decision": "approve", "agreement_ids": [True]}, "agreement_ids"),
                        ({"decision": "return", "batch_id": b.id}, "comments"),
                        ({"decision": "return", "batch_id": b.id, "comments": "  "}, "comments"),
                        ({"decision": "approve", "batch_id": b.id, "versions": []}, "versions")]:
        r = legal.post(url, json=body)
        assert r.status_code == 400 and r.get_json()["field"] == field, (body, r.get_json())
    assert legal.post(url, json={"decision": "approve", "batch_id": 2**31 - 2}).status_code == 404
    assert cs.post(url, json={"decision": "approve", "batch_id": b.id}).status_code == 403
    assert legal.get(f"{url}?batch_id=abc").status_code == 400
    r = legal.post(url, json={"decision": "approve", "agreement_ids": [2**31 - 2]})
    assert r.get_json()["rows"][0]["outcome"] == "failed"
    assert _count(session, world["inc"], "agreement.approved") == 0


def test_review_page_shows_each_document_with_its_terms_and_diff(app, session, session_factory, world,
                                                                seal_settings, api_as):
    app.extensions["concord.settings"] = seal_settings
    b = _batch(session, session_factory, world, seal_settings)
    page = api_as(world["legal"]).client.get(f"/incidents/{world['inc'].id}/agreements/review?batch={b.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "张𠮷" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert html.count('class="bulk-pick"') == len(NAMES) and 'id="bulk-approve-all"' in html
    assert "电梯维修" in html and "bulk-terms" in html
