"""Segment actions in Chromium on a phone (issue 11): accept a demand item for a whole building in one
action, watch the progress, see each household's outcome; the other building stays as it was."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from incident.accounts.models import User
from incident.crowd.demands.models import DemandItem
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from tests.factories import intake_data

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CONCORD_SCREENSHOTS", "/tmp/concord-screenshots"))


def _offered(live_sessions) -> tuple[int, int, list[int]]:  # type: ignore[no-untyped-def]
    """A fresh incident: 26 households in 3栋 and 2 in 5栋, one compensation offered to all of them."""
    from incident import service
    from incident.crowd.demands import service as demands
    from tests.exports.conftest import add_claimant
    with unit_of_work(live_sessions) as s:
        leader = s.scalars(select(User).where(User.username == "leader")).one()
        inc = service.open_incident(s, actor=leader.actor, intake=parse_intake(intake_data(title="分组答复（浏览器测试）")))
        for k in range(26):
            add_claimant(s, inc, "张𠮷" if k == 0 else f"3栋业主{k}", segment="3栋", unit=f"3栋1单元{k + 1:02d}01")
        for k in range(2):
            add_claimant(s, inc, f"5栋业主{k}", segment="5栋", unit=f"5栋1单元{k + 1:02d}01")
        t = demands.create_template(s, actor=leader.actor, incident_id=inc.id, data={
            "type": "compensation", "remedy": "减免一个月电梯费", "amount": "120.00", "owner": "客服部"})
        demands.offer_template(s, actor=leader.actor, incident_id=inc.id, template_id=t.id, data={})
        return inc.id, t.id, []


def _by_status(live_sessions, template_id):  # type: ignore[no-untyped-def]
    with live_sessions() as s:
        return {st: n for st, n in s.execute(select(DemandItem.status, func.count()).where(
            DemandItem.template_id == template_id).group_by(DemandItem.status))}


def test_accept_for_a_building_on_a_phone(new_page, live_server, live_sessions):
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident_id, template_id, _ = _offered(live_sessions)
    page = new_page("leader", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}/demands/templates/{template_id}/segment-actions")
    assert page.locator("#bulk-rows li[data-id]").count() == 28
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option("#bulk-segment", "3栋")
    assert page.locator("#bulk-rows li[data-id]:visible").count() == 26
    page.fill("#bulk-note", "业主大会表决通过 <script>")
    page.click("#bulk-accept")
    page.wait_for_function("() => document.getElementById('segment-actions').dataset.finished === '1'")
    assert "26 / 26" in page.locator("#bulk-progress").inner_text()
    assert page.locator("#bulk-rows li[data-outcome=accepted]").count() == 26
    assert "已接受" in page.locator("#bulk-rows li[data-id]").first.inner_text()
    assert page.locator("#bulk-error").is_hidden()
    page.screenshot(path=str(SHOTS / "segment-actions-zh.png"), full_page=False)
    assert _by_status(live_sessions, template_id) == {"accepted": 26, "offered": 2}
    # The same building again: every row says why it did not change.
    page.click("#bulk-accept")
    page.wait_for_function("() => document.querySelectorAll('#bulk-rows li[data-outcome=failed]').length === 26")
    assert page.locator("#bulk-error").is_visible() and "26" in page.locator("#bulk-error").inner_text()
    # A selection in the other building: reject one.
    page.select_option("#bulk-segment", "")
    page.locator("#bulk-rows li[data-segment='5栋'] .bulk-pick").first.check()
    page.click("#bulk-reject")
    page.wait_for_function("() => document.querySelectorAll('#bulk-rows li[data-outcome=rejected]').length === 1")
    assert _by_status(live_sessions, template_id) == {"accepted": 26, "offered": 1, "rejected": 1}
