"""The closing section's forms, server side: the problem type select starts on "choose…", saving without
a choice is refused in the user's language; an item without agreed money is closed with a reason."""
from __future__ import annotations

from sqlalchemy import select

from incident.crowd.demands.models import DemandItem
from tests.accounts.test_accounts import _csrf
from tests.conftest import login
from tests.factories import PASSWORD


def test_the_closing_section_forms(app, session, mall):
    inc, leader = mall["incident"], mall["leader"]
    session.commit()  # the fixture's writer transaction ends: the app writes now
    c = app.test_client()
    login(c, leader.username, PASSWORD)
    html = c.get(f"/incidents/{inc.id}/sections/closing").get_data(as_text=True)
    assert '<option value="" selected>请选择问题类型…</option>' in html
    assert 'id="item-close-form"' in html and html.count("退款 · 退还11月多收的停车费") == 5
    h = {"X-CSRF-Token": _csrf(c), "Accept": "application/json"}
    r = c.put(f"/api/v1/incidents/{inc.id}/archive", json={"problem_type_id": None, "root_cause": "未公示"}, headers=h)
    assert r.status_code == 400 and r.get_json()["field"] == "problem_type_id"
    assert r.get_json()["message_local"] == "请选择问题类型"
    r = c.put(f"/api/v1/incidents/{inc.id}/archive", json={"problem_type_id": "x"}, headers=h)
    assert r.status_code == 400 and "整数" in r.get_json()["message_local"]
    session.rollback()
    item = session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id).order_by(DemandItem.id)).first()
    r = c.post(f"/api/v1/incidents/{inc.id}/demands/items/{item.id}/close", json={"reason": "租户撤回该项"}, headers=h)
    assert r.status_code == 201
    html = c.get(f"/incidents/{inc.id}/sections/closing").get_data(as_text=True)
    assert html.count("退款 · 退还11月多收的停车费") == 4 and f'value="{item.id}"' not in html
