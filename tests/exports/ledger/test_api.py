"""The ledger and the closing gate over HTTP: a payment with an uploaded proof, a waiver, the section,
CSV/XLSX exports (formula-safe), the 409 with localized open items, the override, read-only after close,
reopen with a reason, and the admin's problem types."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from incident.closing.models import ProblemType
from incident.crowd.demands import service as demands
from incident.db import begin_write
from tests.factories import call_everyone_back
from tests.exports.conftest import add_claimant
from tests.factories import give_seat, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _setup(session, world):  # type: ignore[no-untyped-def]
    inc, cs = world["inc"], world["cs"].actor
    biz = make_user(session, "staff")
    give_seat(session, inc, biz, "business")
    add_claimant(session, inc, "=cmd|' /C calc'!A0", unit="3号楼1单元602")
    t = demands.create_template(session, actor=cs, incident_id=inc.id, data={
        "type": "indemnity", "remedy": "漏水赔偿", "amount": "1000.10", "owner": "工程部", "deadline": "2026-12-10"})
    demands.approve_template(session, actor=world["legal"].actor, incident_id=inc.id, template_id=t.id)
    demands.offer_template(session, actor=cs, incident_id=inc.id, template_id=t.id, data={})
    from incident.crowd.demands.models import DemandItem
    items = list(session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id).order_by(DemandItem.id)))
    for it in items:
        demands.decide(session, actor=cs, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    session.commit()
    return biz, [it.id for it in items]


def test_payment_waiver_exports_gate_override_and_read_only(session, world, api_as):
    inc = world["inc"]
    biz, (first, second) = _setup(session, world)
    b, leader, legal = api_as(biz), api_as(world["leader"]), api_as(world["legal"])
    base = f"/api/v1/incidents/{inc.id}/ledger"
    # legal sees, but may not record a payment
    assert legal.get(base).status_code == 200
    r = legal.post(f"{base}/items/{first}/payments", data={"amount": "1000.10", "method": "cash",
                                                           "file": (io.BytesIO(PNG), "回单.png", "image/png")},
                   content_type="multipart/form-data")
    assert r.status_code == 403
    r = b.post(f"{base}/items/{first}/payments", data={"amount": "1000.10", "method": "bank_transfer",
                                                        "reference": "=HYPERLINK(1)", "paid_on": "2026-11-26",
                                                        "file": (io.BytesIO(PNG), "回单.png", "image/png")},
               content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()
    assert entry["amount"] == "1000.10" and entry["kind"] == "indemnity" and len(entry["proof_sha256"]) == 64
    assert b.get(f"{base}/entries/{entry['id']}/proof").data == PNG
    r = b.post(f"{base}/items/{first}/payments", data={"amount": "1", "method": "cash",
                                                        "file": (io.BytesIO(PNG), "x.png", "image/png")},
               content_type="multipart/form-data")
    assert r.status_code == 409  # already settled
    r = b.post(f"{base}/items/{second}/payments", data={"amount": "1000.10", "method": "cash"},
               content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["field"] == "file"
    over = b.post(f"{base}/items/{second}/payments", data={"amount": "1000.11", "method": "cash",
                                                           "file": (io.BytesIO(PNG), "x.png", "image/png")},
                  content_type="multipart/form-data")
    assert over.status_code == 400 and over.get_json()["field"] == "amount"

    # the gate refuses with the open items in the user's language (zh_CN by default)
    r = leader.post(f"/api/v1/incidents/{inc.id}/status", json={"status": "resolved", "version": inc.version})
    assert r.status_code == 409 and r.get_json()["field"] == "gate"
    texts = {i["key"]: i["text"] for i in r.get_json()["open_items"]}
    assert "仍有 1 笔款项未付" in texts["ledger.payments"]
    assert "业务负责人" in texts["signoff.business"] or "signoff.business" in texts

    assert leader.post(f"{base}/items/{second}/waive", json={"reason": "业主放弃 <script>"}).status_code == 201
    data = leader.get(base).get_json()
    assert data["reconciliation"]["incident"]["indemnity"] == {
        "agreed": "2000.20", "paid": "1000.10", "waived": "1000.10", "outstanding": "0.00", "items": 2, "settled": 2}
    assert "业主放弃 &lt;script&gt;" in leader.get(f"/incidents/{inc.id}/sections/ledger").get_data(as_text=True)
    csv = leader.get(f"{base}.csv").get_data(as_text=True)
    assert "'=cmd|" in csv and "'=HYPERLINK(1)" in csv and "2000.20" in csv
    wb = load_workbook(io.BytesIO(leader.get(f"{base}.xlsx").data))
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in cells

    page = leader.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="ledger"' in page and 'id="closing"' in page and "结算台账" in page and "仍有" not in page
    assert "赔偿" in page and "¥2000.20" in page
    session.rollback()
    begin_write(session)
    call_everyone_back(session, inc, leader.user.actor)  # a group case is called back (issue 13)
    session.commit()
    gate = leader.get(f"/api/v1/incidents/{inc.id}/gate").get_json()
    assert not gate["passes"] and {i["key"] for i in gate["items"] if not i["ok"]} == {
        "signoff.customer_service", "signoff.business", "signoff.legal", "archive.record"}
    assert b.post(f"/api/v1/incidents/{inc.id}/gate/sign-off", json={"seat": "legal"}).status_code == 409
    assert b.post(f"/api/v1/incidents/{inc.id}/gate/sign-off", json={"seat": "business"}).status_code == 201
    # a staff leader cannot override; a manager can, with a reason (recorded)
    type_id = session.scalar(select(ProblemType.id).where(ProblemType.name == "管道漏水"))
    session.rollback()
    assert leader.put(f"/api/v1/incidents/{inc.id}/archive",
                      json={"problem_type_id": type_id, "root_cause": "管道老化"}).status_code == 200
    inc_now = leader.get(f"/api/v1/incidents/{inc.id}").get_json()
    session.rollback()
    begin_write(session)
    from incident import clock
    from incident.taskgroup.models import SeatAssignment
    for row in session.scalars(select(SeatAssignment).where(SeatAssignment.incident_id == inc.id,
                                                            SeatAssignment.seat == "leader")):
        row.released_at = clock.now()  # the manager hands the seat to a staff deputy (still a manager)
    session.flush()
    deputy = make_user(session, "staff")
    give_seat(session, inc, deputy, "leader")
    r = api_as(deputy).post(f"/api/v1/incidents/{inc.id}/status",
                            json={"status": "closed", "version": inc_now["version"], "override_reason": "法务出差"})
    assert r.status_code == 403  # a staff leader may not override the gate
    manager = leader  # the incident's leader is a manager
    r = manager.post(f"/api/v1/incidents/{inc.id}/status",
                     json={"status": "closed", "version": inc_now["version"], "override_reason": "法务出差，已电话确认"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    types = [e["type"] for e in leader.get(f"/api/v1/incidents/{inc.id}/events").get_json()["events"]]
    assert types[-3:] == ["closing.gate_overridden", "archive.recorded", "status.changed"]

    closed_page = leader.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    assert 'id="closing-status"' in closed_page and "重新打开（新一轮）" in closed_page
    assert 'class="ledger-pay"' not in closed_page  # nothing to record on a closed case
    # read-only after close: a note is refused with a localized 409; reopening needs a reason
    r = leader.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "还想补充"})
    assert r.status_code == 409 and "重新打开" in r.get_json()["message_local"]
    v = leader.get(f"/api/v1/incidents/{inc.id}").get_json()["version"]
    assert leader.post(f"/api/v1/incidents/{inc.id}/status", json={"status": "command", "version": v}).status_code == 400
    r = leader.post(f"/api/v1/incidents/{inc.id}/status", json={"status": "command", "version": v, "reason": "业主再次投诉"})
    assert r.status_code == 200
    gate = leader.get(f"/api/v1/incidents/{inc.id}/gate").get_json()
    assert gate["round"] == 2 and gate["archive"] is None
    assert all(s["name"] is None for s in gate["sign_offs"])  # a new round signs off again


def test_problem_types_are_the_admins(session, world, api_as):
    admin = api_as(make_user(session, "admin"))
    staff = api_as(world["cs"])
    types = staff.get("/api/v1/problem-types").get_json()["types"]
    groups = {t["name"]: t["id"] for t in types if t["parent_id"] is None}
    assert {"停车/收费", "电梯", "漏水", "物业服务", "商品质量", "退款"} <= set(groups)
    assert staff.post("/api/v1/problem-types", json={"name": "噪音"}).status_code == 403
    r = admin.post("/api/v1/problem-types", json={"name": "夜间施工𠮷", "parent_id": groups["物业服务"]})
    assert r.status_code == 201
    assert admin.post("/api/v1/problem-types", json={"name": "夜间施工𠮷", "parent_id": groups["物业服务"]}).status_code == 409
    assert admin.patch(f"/api/v1/problem-types/{r.get_json()['id']}", json={"active": False}).get_json()["active"] is False
    page = admin.client.get("/admin/problem-types").get_data(as_text=True)
    assert "夜间施工𠮷" in page and "已停用" in page
    assert staff.client.get("/admin/problem-types").status_code == 403
