"""Callbacks in Chromium: customer service records a callback with a satisfaction score on a 390 px
phone; the leader's board in a second browser shows the distribution change without a reload."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incident import clock
from incident.callbacks.models import Callback
from incident.crowd.claimants.models import Claimant
from incident.db import unit_of_work
from tests.factories import seat_demo_service

pytestmark = pytest.mark.browser


@pytest.fixture
def due_callbacks(live_sessions) -> int:  # type: ignore[no-untyped-def]
    """The demo incident with two callbacks due now and the demo 'service' user on customer service."""
    with unit_of_work(live_sessions) as s:  # a writer from the start: the live server writes too
        inc = seat_demo_service(s)
        now = clock.now()
        for c in s.scalars(select(Claimant).where(Claimant.incident_id == inc.id).order_by(Claimant.id).limit(2)):
            s.add(Callback(incident_id=inc.id, round=1, spec_key="browser#1", anchor="reply_issued",
                           anchor_at=now - timedelta(hours=49), due_at=now - timedelta(hours=1), offset_minutes=48 * 60,
                           window_minutes=24 * 60, max_attempts=3, target="claimant", claimant_id=c.id, name=c.name,
                           covers=[c.id], status="open", reasons=[], note="", created_at=now, version=1))
        return inc.id


def test_a_callback_recorded_on_a_phone_changes_the_distribution_on_another_board(new_page, live_server,
                                                                                 due_callbacks):
    url = f"{live_server.url}/incidents/{due_callbacks}"
    leader, phone = new_page("leader"), new_page("service", phone=True)
    for page in (leader, phone):
        page.goto(url)
        page.wait_for_selector("#live-state.on")
        page.wait_for_selector("#callbacks .cb-item")
    before = int(leader.inner_text("#cb-dist-satisfied"))
    due = int(leader.inner_text("#cb-count-due"))

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    form = phone.locator("#callbacks .cb-form").first
    pill = form.locator("label.cb-pill:has(input[value=satisfied])")
    box = pill.bounding_box()
    assert box and box["height"] >= 44, f"satisfaction choice is {box} on a phone"
    assert form.locator("button.cb-submit").bounding_box()["height"] >= 44
    pill.tap()
    form.locator("label.cb-pill:has(input[value=phone])").tap()
    form.locator("textarea[name=note]").fill("已电话回访，租户表示满意 <script>x</script>")
    form.locator("button.cb-submit").tap()

    leader.wait_for_function(f"() => document.getElementById('cb-dist-satisfied').textContent.trim() === '{before + 1}'")
    leader.wait_for_function(f"() => document.getElementById('cb-count-due').textContent.trim() === '{due - 1}'")
    assert "满意" in leader.inner_text("#cb-distribution")
    assert "<script>x</script>" in leader.locator("#callbacks .cb-finished").text_content()  # shown as text
    phone.wait_for_function(f"() => document.getElementById('cb-dist-satisfied').textContent.trim() === '{before + 1}'")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
