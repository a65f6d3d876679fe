"""Notifications where the team is (issue 12), in Chromium on a phone: the navigation's unread badge, and
an inbox entry that opens the exact deadline on the incident page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident.accounts.models import User
from incident.db import unit_of_work
from incident.models import Incident
from playbooks.models import ChecklistItem
from playbooks.notify import inbox
from playbooks.notify import messages as M

pytestmark = pytest.mark.browser


def test_unread_badge_and_a_link_to_the_exact_deadline(live_server, live_sessions, new_page):
    with unit_of_work(live_sessions) as s:
        leader = s.scalar(select(User).where(User.username == "leader"))
        inc = s.scalars(select(Incident).order_by(Incident.id)).first()
        item = s.scalars(select(ChecklistItem).where(ChecklistItem.incident_id == inc.id,
                                                     ChecklistItem.due_at.is_not(None),
                                                     ChecklistItem.status == "pending")
                         .order_by(ChecklistItem.due_at)).first()
        inbox.mark_all_read(s, user_id=leader.id)
        inbox.notify(s, [leader.id], incident=inc, kind="overdue", message=M.OVERDUE,
                     params={"step": {"zh_CN": "首次联系投诉人", "en": "First contact"}, "anchor": f"deadlines-{item.id}"})
        inc_id, item_id = inc.id, item.id
    page = new_page("leader", phone=True)
    page.goto(f"{live_server.url}/inbox")
    badge = page.locator("#nav-unread")
    assert badge.is_visible() and badge.inner_text() == "1"
    link = page.locator("#notifications .notification.unread a").first
    assert link.get_attribute("href") == f"/incidents/{inc_id}#deadlines-{item_id}"
    assert "首次联系投诉人" in link.inner_text()
    link.click()
    page.wait_for_url(f"**/incidents/{inc_id}#deadlines-{item_id}")
    target = page.locator(f"#deadlines-{item_id}")
    assert target.count() == 1
    page.wait_for_function("(id) => { const r = document.getElementById(id).getBoundingClientRect();"
                           " return r.top >= -1 && r.top < window.innerHeight / 2; }", arg=f"deadlines-{item_id}")
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
