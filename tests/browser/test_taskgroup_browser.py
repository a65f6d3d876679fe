"""The task-group section in Chromium: phone layout, live countdown, a seat change shown live elsewhere."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incident.accounts.models import User
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from incident import service
from incident.taskgroup.service import assign_seat
from tests.factories import intake_data

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_incident(live_sessions):  # type: ignore[no-untyped-def]
    """A new incident led by the demo leader, with the demo service user on customer service."""
    with unit_of_work(live_sessions) as s:  # a writer from the start: the live server writes too
        users = {u.username: u for u in s.scalars(select(User))}
        inc = service.open_incident(s, actor=users["leader"].actor,
                                    intake=parse_intake(intake_data(title="电梯故障（任务组浏览器测试）")))
        assign_seat(s, actor=users["leader"].actor, incident_id=inc.id, seat="customer_service",
                    holder={"user_id": users["service"].id})
        s.flush()
        out = inc.id, {k: (u.id, u.display_name) for k, u in users.items()}
    return out


def test_seat_change_appears_live_and_the_clock_counts_down(new_page, live_server, fresh_incident):
    incident_id, users = fresh_incident
    leader = new_page("leader", phone=True)
    member = new_page("service")
    for page in (leader, member):
        page.goto(f"{live_server.url}/incidents/{incident_id}")
        page.wait_for_selector("#live-state.on")
    clock = leader.locator("#tg-clock")
    first = clock.inner_text()
    assert re.search(r"还剩 \d+分钟 \d+秒", first), first  # the one clock's countdown words
    leader.wait_for_function("t => document.getElementById('tg-clock').textContent !== t", arg=first)

    # The leader seats the engineer on "business" from the phone form; the other page updates live.
    leader.click("#tg-assign-box summary")
    leader.select_option("#tg-assign-form select[name=seat]", "business")
    leader.select_option("#tg-assign-form select[name=user_id]", str(users["engineer"][0]))
    leader.click("#tg-assign-form button[type=submit]")
    business = member.locator('li.tg-seat[data-seat="business"] .tg-holder')
    business.filter(has_text=users["engineer"][1]).wait_for()
    assert business.get_attribute("data-user-id") == str(users["engineer"][0])

    # Legal completes the core: both boards switch from the countdown to "formed".
    leader.select_option("#tg-assign-form select[name=seat]", "legal")
    leader.select_option("#tg-assign-form select[name=user_id]", str(users["legal"][0]))
    leader.click("#tg-assign-form button[type=submit]")
    member.locator(".tg-clock-box.formed").wait_for()
    assert member.locator("#tg-clock").count() == 0
    # Presence survives the re-render: the leader (connected) is marked online, the engineer is not.
    member.locator('li.tg-seat[data-seat="leader"] .tg-holder.online').wait_for()
    assert member.locator('li.tg-seat[data-seat="business"] .tg-holder.online').count() == 0
    assert member.locator("#tg-assign-form").count() == 0  # customer service cannot change the group
    # Phone layout: nothing in the section is wider than the screen.
    width = leader.evaluate("document.getElementById('taskgroup').scrollWidth")
    assert width <= 390


def test_stale_handover_shows_the_conflict(new_page, live_server, fresh_incident, live_sessions):
    incident_id, users = fresh_incident
    page = new_page("leader")
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    page.wait_for_selector("#live-state.on")
    # Someone else hands customer service over behind this page's back (another process, no push).
    with unit_of_work(live_sessions) as s:
        from incident.taskgroup.queries import holder_of
        from incident.taskgroup.service import replace_seat
        row = holder_of(s, incident_id, "customer_service")
        leader = s.get(User, users["leader"][0])
        replace_seat(s, actor=leader.actor, incident_id=incident_id, assignment_id=row.id,
                     holder={"user_id": users["logistics"][0]})
    page.click("#tg-assign-box summary")
    page.select_option("#tg-assign-form select[name=seat]", "customer_service")
    page.select_option("#tg-assign-form select[name=user_id]", str(users["legal"][0]))
    page.click("#tg-assign-form button[type=submit]")
    page.locator("#tg-error:not([hidden])").wait_for()
    # The board re-fetched the current state: the seat shows who really holds it now.
    page.locator('li.tg-seat[data-seat="customer_service"] .tg-holder',
                 has_text=users["logistics"][1]).wait_for()
