"""A claimant added on a phone-sized viewport appears on a second browser's crowd board without reload."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from concord.cli.demo import DEMO_INTAKE
from incident import clock
from incident.accounts.models import User
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from incident.taskgroup.queries import seats_of

pytestmark = pytest.mark.browser


def _demo_incident(live_sessions) -> int:
    """The demo incident's id; makes sure 'service' holds a seat on it (the board's second viewer)."""
    with live_sessions() as s:
        inc = s.scalar(select(Incident).where(Incident.title == DEMO_INTAKE["title"]))
        service = s.scalar(select(User).where(User.username == "service"))
        if not seats_of(s, inc.id, service.id):
            s.add(SeatAssignment(incident_id=inc.id, seat="customer_service", user_id=service.id,
                                 assumed_at=clock.now(), assumed_by_id=service.id))
            s.commit()
        return inc.id


def test_claimant_added_on_a_phone_appears_on_another_board(new_page, live_server, live_sessions):
    incident_id = _demo_incident(live_sessions)
    url = f"{live_server.url}/incidents/{incident_id}"
    errors: list[str] = []
    board = new_page("service")
    board.on("pageerror", lambda e: errors.append(str(e)))
    board.goto(url)
    board.wait_for_selector("#crowd-table tbody tr")
    board.wait_for_selector("#live-state.on")
    before = board.locator("#crowd-table tbody tr").count()

    phone = new_page("leader", phone=True)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(url)
    phone.wait_for_selector("#live-state.on")
    form = phone.locator("#crowd-add")
    form.scroll_into_view_if_needed()
    box = form.bounding_box()
    assert box is not None and box["width"] <= 390  # fits the phone screen, no sideways scrolling
    name = "测试䶮" + str(random.randrange(100, 999))
    number = "177" + f"{random.randrange(10**8):08d}"
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=unit]").fill(f"3-3-{random.randrange(1000, 9999)}")
    form.locator("input[name=phone]").fill(number)
    form.locator("input[name=segment]").fill("锦绣花园3号楼")
    form.locator("button[type=submit]").tap()

    row = board.locator("#crowd-table tbody tr", has_text=name)
    row.wait_for(timeout=10_000)
    text = row.inner_text()
    assert number[:3] + "****" + number[-4:] in text and number not in text
    assert board.locator("#crowd-table tbody tr").count() == before + 1
    assert name in board.locator("#timeline").inner_text()  # the timeline event arrived live too
    # the phone's own form was cleared for the next household
    assert phone.locator("#crowd-add input[name=name]").input_value() == ""
    assert errors == []
