"""Split demand in two browsers: an item created by the leader appears live for legal; the ceiling refuses."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident.models import Incident

pytestmark = pytest.mark.browser


def test_demand_item_reaches_the_other_browser_and_the_ceiling_refuses(new_page, live_server, live_sessions):
    with live_sessions() as s:
        inc_id = s.scalars(select(Incident).order_by(Incident.id)).first().id
    url = f"{live_server.url}/incidents/{inc_id}"
    leader, legal = new_page("leader"), new_page("legal", phone=True)
    leader.goto(url)
    legal.goto(url)
    for page in (leader, legal):
        page.wait_for_function("() => window.Concord && window.Concord.socket.connected")
    form = leader.locator("#demand-template-form")
    form.locator("select[name=type]").select_option("compensation")
    form.locator("input[name=remedy]").fill("赠送三个月保洁服务")
    form.locator("input[name=amount]").fill("200")
    form.locator("input[name=owner]").fill("客服部 李敏")
    form.locator("input[name=segment]").fill("锦绣花园5号楼")
    form.locator("button[type=submit]").click()
    # legal never reloads: the section is re-fetched when the timeline event arrives
    legal.locator("#demands details.demand-template", has_text="赠送三个月保洁服务").wait_for()
    assert "补偿" in legal.locator("#demands details.demand-template", has_text="赠送三个月保洁服务").inner_text()
    tpl = leader.locator("#demands details.demand-template", has_text="赠送三个月保洁服务")
    tpl.wait_for()
    offer = tpl.locator("form.b2-form", has_text="向所有待处理项提出方案")
    offer.locator("button[type=submit]").click()
    error = offer.locator(".b2-error")
    error.wait_for()
    leader.wait_for_function("el => el.textContent.includes('¥120.00')", arg=error.element_handle())
    assert "超出" in error.inner_text() and "amount" not in error.inner_text()  # localized, no raw key
