"""The workbook's 回访 (callbacks) and 付款 (payments) sheets and their CSV tables, read back with openpyxl:
labels in the reader's language, times in the display zone, money as numbers, phones masked, formula-like
names kept as text."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from exports.workbook import writer
from incident.callbacks import service as callbacks
from incident.callbacks.models import Callback
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem
from incident.ledger import queries as ledger_queries
from incident.ledger import service as ledger
from playbooks.scheduler import jobs
from tests.callbacks.conftest import again
from tests.callbacks.test_scheduling import issue_reply
from tests.conftest import login
from tests.exports.ledger.test_scenario import PNG
from tests.factories import PASSWORD, give_seat, make_user


def _sheet(data: bytes, title: str) -> list[list]:  # type: ignore[type-arg]
    ws = load_workbook(io.BytesIO(data), read_only=True)[title]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _world(session, session_factory, mall, frozen):  # type: ignore[no-untyped-def]
    inc, cs, leader = mall["incident"], mall["cs"], mall["leader"]
    issue_reply(session, mall)
    jobs.run_due(session_factory)
    frozen.advance(hours=49)
    jobs.run_due(session_factory)
    again(session)
    rows = list(session.scalars(select(Callback).where(Callback.incident_id == inc.id).order_by(Callback.id)))
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=rows[0].id, channel="phone",
                             reached=True, satisfaction="very_satisfied")
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=rows[1].id, channel="visit",
                             reached=False)
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=rows[4].id, channel="phone",
                             reached=True, satisfaction="dissatisfied", reasons=["compensation_low"], note="退一半")
    biz = make_user(session, "staff", display_name="商务 钱")
    give_seat(session, inc, biz, "business", by=leader)
    items = list(session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id).order_by(DemandItem.id)))
    demands.offer_template(session, actor=cs.actor, incident_id=inc.id, template_id=items[0].template_id,
                           data={"amount": "120.00"})
    for it in items:
        demands.decide(session, actor=cs.actor, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    obs = ledger_queries.obligations(session, inc.id)
    ledger.record_payment(session, actor=biz.actor, incident_id=inc.id, item_id=obs[0].item_id,
                          data={"amount": "100.10", "paid_on": "2026-11-27", "method": "bank_transfer",
                                "reference": "=HYPERLINK(1)"}, proof=("回单.png", "image/png", PNG))
    ledger.waive(session, actor=leader.actor, incident_id=inc.id, item_id=obs[1].item_id, reason="租户自愿放弃")
    session.commit()
    return inc, biz


def test_callbacks_and_payments_sheets_in_the_workbook(session, session_factory, mall, frozen):
    inc, _biz = _world(session, session_factory, mall, frozen)
    _, data = writer.workbook(session, actor=mall["cs"].actor, incident_id=inc.id, locale="zh_CN")
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert {"回访", "付款"} <= set(wb.sheetnames)
    cbs = _sheet(data, "回访")
    head = cbs[0]
    assert head[:3] == ["序号", "轮次", "人员"] and "期限（北京时间）" in " ".join(head).replace(" (", "（").replace(")", "）")
    by_name = {r[2]: dict(zip(head, r)) for r in cbs[1:]}
    assert len(cbs) == 1 + 6  # five tenants and the unhappy one's second-round callback
    wang = by_name["王芳"]
    assert wang["满意度"] == "非常满意" and wang["回访对象"] == "诉求人" and wang["起算节点"] == "书面答复发出"
    assert wang["电话"] == "139****5670"  # masked: a workbook travels
    assert "13912345670" not in repr(cbs)
    li = by_name["李强"]
    assert li["尝试次数"] == "1/3" and li["方式"] == "上门" and li["状态"] == "应回访"
    formula_named = [r for r in cbs[1:] if str(r[2]).endswith("calc'!A0")]
    assert formula_named and all(str(r[2]).startswith("'=") for r in formula_named)
    unhappy = [dict(zip(head, r)) for r in formula_named]
    assert {u["轮次"] for u in unhappy} == {1, 2} and "补偿太少" in {u["原因"] for u in unhappy}
    # the times in the display zone: due 48 h after the reply, 10:00 + 20 h... shown as Beijing time
    assert all(str(dict(zip(head, r))[head[7]]).startswith("2026-11-") for r in cbs[1:])

    pays = _sheet(data, "付款")
    ph = pays[0]
    assert ph[:5] == ["诉求人", "分组", "类型", "约定金额（元）", "记录类型"]
    rows = [dict(zip(ph, r)) for r in pays[1:]]
    assert len(rows) == 5
    paid = next(r for r in rows if r["记录类型"] == "付款")
    assert paid["诉求人"] == "王芳" and paid["金额（元）"] == 100.1 and paid["约定金额（元）"] == 120
    assert paid["未付（元）"] == 19.9 and paid["方法"] == "银行转账" and paid["凭证"] == "银行回单"
    assert paid["凭证号"] == "'=HYPERLINK(1)"  # stays text
    waived = next(r for r in rows if r["记录类型"] == "放弃")
    assert waived["放弃理由"] == "租户自愿放弃" and waived["未付（元）"] == 0 and waived["进度"] == "已放弃"
    assert sum(1 for r in rows if r["记录类型"] in ("", None)) == 3  # owed, nothing recorded yet


def test_callbacks_and_payments_as_csv_in_english_through_the_api(app, session, session_factory, mall, frozen):
    inc, _biz = _world(session, session_factory, mall, frozen)
    mall["legal"].locale = "en"  # a reader whose language is English
    stranger = make_user(session, "staff")
    session.commit()
    c = app.test_client()
    login(c, mall["legal"].username, PASSWORD)
    r = c.get(f"/api/v1/incidents/{inc.id}/tables/payments.csv")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Claimant", "Segment", "Kind", "Agreed (CNY)", "Entry"]
    paid = next(x for x in rows if "payment" in x)
    assert Decimal(paid[5]) == Decimal("100.10") and "'=HYPERLINK(1)" in paid
    r = c.get(f"/api/v1/incidents/{inc.id}/tables/callbacks.csv")
    text = r.data.decode("utf-8-sig")
    assert r.status_code == 200 and "Called as" in text and "very satisfied" in text and "13912345670" not in text
    assert "compensation too low" in text and "139****5670" in text
    other = app.test_client()
    login(other, stranger.username, PASSWORD)
    assert other.get(f"/api/v1/incidents/{inc.id}/tables/callbacks.csv").status_code in (403, 404)
