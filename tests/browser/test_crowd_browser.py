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


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_representative_elected_signed_and_revoked_in_the_section(new_page, live_server, live_sessions):
    from incident.crowd.claimants.models import Claimant
    from incident.crowd.representatives.models import Representative
    incident_id = _demo_incident(live_sessions)
    with live_sessions() as s:
        reps = set(s.scalars(select(Representative.claimant_id).where(Representative.incident_id == incident_id)))
        pick = s.scalars(select(Claimant).where(Claimant.incident_id == incident_id, Claimant.status == "active",
                                                Claimant.segment == "锦绣花园4号楼")).all()
        pick = next(c for c in pick if c.id not in reps)
        masked = pick.phone_masked
    errors: list[str] = []
    page = new_page("leader")
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    page.wait_for_selector("#live-state.on")
    page.click("#crowd-elect-box summary")
    page.select_option("#crowd-elect select[name=claimant_id]", str(pick.id))
    page.select_option("#crowd-elect select[name=mandate]", "sign_on_behalf")
    page.check('#crowd-elect input[name=segments][value="锦绣花园4号楼"]')
    page.click("#crowd-elect button[type=submit]")
    card = page.locator(f'#crowd-reps .rep:has(> strong:text-is("{pick.name}"))').first
    card.wait_for()
    assert masked in card.inner_text()
    rep_id = card.get_attribute("data-rep-id")
    card.locator("input.rep-file").set_input_files({"name": "授权书.png", "mimeType": "image/png", "buffer": PNG})
    page.locator(f'.rep[data-rep-id="{rep_id}"] a[href$="/mandate"]').wait_for()
    # reveal asks for a reason; the clear number shows in the row, never in the timeline
    page.once("dialog", lambda d: d.accept("电话通知代表开会"))
    row = page.locator(f'#crowd-table tr[data-claimant-id="{pick.id}"]')
    row.locator('button[data-act="reveal"]').click()
    page.locator(f'#crowd-table tr[data-claimant-id="{pick.id}"] .phone.revealed').wait_for()
    clear = row.locator(".phone").inner_text()
    assert clear.isdigit() and clear[-4:] == masked[-4:]
    page.locator("#timeline li", has_text="电话通知代表开会").first.wait_for()
    assert clear not in page.locator("#timeline").inner_text()
    box = page.locator(f'.rep[data-rep-id="{rep_id}"]')
    box.locator("input.rep-reason").fill("业主撤回授权")
    box.locator('button[data-act="revoke"]').click()
    page.locator(f'.rep.rep-revoked[data-rep-id="{rep_id}"]').wait_for()
    assert errors == []
