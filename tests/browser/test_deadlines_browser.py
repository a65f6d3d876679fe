"""Deadlines section in Chromium: live countdowns, overdue in red, ticking a step refreshes the checklist."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from incident import clock
from incident.db import unit_of_work
from incident.models import Incident
from playbooks.models import ChecklistItem

pytestmark = pytest.mark.browser


def test_countdowns_overdue_red_and_tick(live_server, live_sessions, new_page):
    with unit_of_work(live_sessions) as s:
        inc_id = s.scalars(select(Incident.id).order_by(Incident.id)).first()
        items = dict(s.execute(select(ChecklistItem.step, ChecklistItem.id).where(
            ChecklistItem.incident_id == inc_id, ChecklistItem.playbook == "property_mass")).all())
        s.execute(update(ChecklistItem).where(ChecklistItem.id == items["first_contact"])
                  .values(due_at=clock.now() - timedelta(minutes=3), status="pending", fired_at=clock.now()))
        s.execute(update(ChecklistItem).where(ChecklistItem.id == items["readback"])
                  .values(due_at=clock.now() + timedelta(minutes=10), status="pending"))
    page = new_page("service")
    page.goto(f"{live_server.url}/incidents/{inc_id}")
    overdue = page.locator(f'#deadlines .deadline[data-item-id="{items["first_contact"]}"]')
    assert "overdue" in overdue.get_attribute("class")
    assert overdue.locator(".countdown").evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    assert overdue.locator(".fired").count() == 1  # its overdue actions were taken
    soon = page.locator(f'#deadlines .deadline[data-item-id="{items["readback"]}"] .countdown')
    first = soon.inner_text()
    page.wait_for_function("([sel, t]) => document.querySelector(sel).textContent !== t",
                           arg=[f'#deadlines .deadline[data-item-id="{items["readback"]}"] .countdown', first])
    assert first.startswith(("还剩 9分钟", "还剩 10分钟")), first  # the one clock's countdown words
    assert "已超时" in overdue.locator(".countdown").inner_text()

    form = page.locator(f'#deadlines form.tick-form[data-item-id="{items["first_contact"]}"]')
    form.locator("input[name=note]").fill("已电话联系业主代表")
    form.locator("button[type=submit]").click()
    done = page.locator(f'#deadlines .step.done[data-item-id="{items["first_contact"]}"]')
    done.wait_for()  # the section refreshed itself from the playbook.step_done event
    assert "已电话联系业主代表" in done.inner_text()
    assert page.locator(f'#deadlines .deadline[data-item-id="{items["first_contact"]}"]').count() == 0
