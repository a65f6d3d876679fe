"""The case workbook: every sheet, labels in the reader's language, masked contacts, no formula cells."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import api_world
from tests.conftest import login

# the demo watches a post (issue 14), so its workbook has the opinion sheet
SHEETS_ZH = ["诉求人", "诉求事项", "方案", "抽样核实", "协议", "回访", "舆情监测", "付款", "时间线"]
HOSTILE = "=HYPERLINK(\"http://evil\",\"点我\")"


@pytest.fixture
def case(settings, engine, session_factory, tmp_path):  # type: ignore[no-untyped-def]
    from exports.signing.certificates import write_p12
    from incident.crowd.claimants.models import Claimant
    from incident.db import begin_write
    from realtime.app import create_app
    p12 = write_p12(tmp_path / "org.p12", "锦绣物业管理有限公司", "wb-seal")
    s = replace(settings, signing_p12=str(p12), signing_password="wb-seal", org_name="锦绣物业管理有限公司")
    app = create_app(s, config={"TESTING": True}, engine=engine)
    with session_factory() as session:
        world = api_world.build(session, s)
        session.commit()
        begin_write(session)
        first = session.scalars(select(Claimant).where(Claimant.incident_id == world.incident_id)
                                .order_by(Claimant.id)).first()
        first.name = HOSTILE  # what a hostile import could have stored
        session.commit()
        phones = [c.phone_masked for c in session.scalars(select(Claimant))]
    client = app.test_client()
    login(client, "leader", "concord-demo")
    yield client, world, phones
    unsubscribe = app.extensions.get("concord.bus_unsubscribe")
    if unsubscribe:
        unsubscribe()


def test_the_workbook_holds_every_sheet_in_chinese_with_masked_contacts_and_no_formula(case):
    client, world, phones = case
    r = client.get(f"/api/v1/incidents/{world.incident_id}/workbook.xlsx", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == SHEETS_ZH
    opinion = [str(v) for row in wb["舆情监测"].iter_rows(values_only=True) for v in row if v is not None]
    assert any("520" in v for v in opinion), opinion  # the demo post's third count
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]  # all neutralised
    assert "'" + HOSTILE in texts
    claimants = list(wb["诉求人"].iter_rows(values_only=True))
    assert len(claimants) == 1 + 86 and claimants[0][4] == "电话"
    assert {row[4] for row in claimants[1:]} <= set(phones) and all("****" in row[4] for row in claimants[1:])
    assert "在册" in {row[6] for row in claimants[1:]} or "已和解" in {row[6] for row in claimants[1:]}
    assert "北京时间" in claimants[0][7]
    timeline = list(wb["时间线"].iter_rows(values_only=True))
    assert len(timeline) > 20 and timeline[1][0] == 1 and timeline[1][3] == "事件立案"
    raw = {"None", "in_review", "approved", "offered", "accepted", "compensation", "system"}
    assert not raw & set(texts), raw & set(texts)
    agreements = list(wb["协议"].iter_rows(values_only=True))
    assert any(row[4] == "已签章" and row[8] for row in agreements[1:])


def test_each_table_is_a_csv_and_an_unknown_one_is_a_clear_404(case):
    client, world, _ = case
    r = client.get(f"/api/v1/incidents/{world.incident_id}/tables/demand_items.csv",
                   headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "诉求人", "类型"] and len(rows) > 1  # the leader reads Chinese
    r = client.get(f"/api/v1/incidents/{world.incident_id}/tables/passwords.csv",
                   headers={"Accept-Language": "zh-CN", "Accept": "application/json"})
    assert r.status_code == 404
    body = r.get_json()
    assert body["field"] == "sheet" and "claimants" in body["message"] and "没有名为" in body["message_local"]


def test_another_incidents_workbook_is_refused(case, session_factory):
    client, world, _ = case
    r = client.get(f"/api/v1/incidents/{world.incident_id + 999}/workbook.xlsx",
                   headers={"Accept": "application/json"})
    assert r.status_code in (403, 404)


def test_the_english_workbook_speaks_english(case, session_factory):
    from exports.workbook import writer
    from incident.accounts.models import User
    client, world, _ = case
    with session_factory() as session:
        leader = session.scalars(select(User).where(User.username == "leader")).one()
        _inc, data = writer.workbook(session, actor=leader.actor, incident_id=world.incident_id, locale="en")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Claimants", "Demand items", "Offers", "Samples", "Agreements", "Callbacks", "Opinion watch", "Payments",
                             "Timeline"]
    header = next(wb["Timeline"].iter_rows(values_only=True))
    assert header[1] == "Time (Beijing time)"
    statuses = {row[4] for row in list(wb["Agreements"].iter_rows(values_only=True))[1:]}
    assert "sealed" in statuses and "in legal review" in statuses


def test_the_charts_come_as_svg_for_the_page(case):
    client, world, _ = case
    r = client.get(f"/api/v1/incidents/{world.incident_id}/charts/funnel.svg", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    svg = r.get_data(as_text=True)
    assert "<svg" in svg and "已登记" in svg and ">86<" in svg
    r = client.get(f"/api/v1/incidents/{world.incident_id}/charts/pie.svg", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.get_json()["field"] == "name"
