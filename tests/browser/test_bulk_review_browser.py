"""Legal's review screen in Chromium on a phone (issue 11): each document's terms and diff, approve
selected, return one with a comment, approve all the rest; progress and one outcome per row."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from exports.agreements.models import Agreement
from incident.accounts.models import User
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from tests.factories import intake_data

pytestmark = pytest.mark.browser
ITEMS = [{"description": "电梯维修", "remedy": "三日内彻底修好", "deadline": "2026-11-28"},
         {"description": "当月电梯费", "remedy": "减免当月电梯费", "amount": "120", "payment_kind": "compensation"}]
NAMES = ["张𠮷", "<script>alert(1)</script>", "李䶮", "王五", "=1+1"]
SHOTS = Path(os.environ.get("CONCORD_SCREENSHOTS", "/tmp/concord-screenshots"))


def _in_review(live_sessions) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """A fresh incident with five agreements drafted by customer service and sent to legal review."""
    from exports.agreements import service as agreements
    from incident import service
    from incident.taskgroup.service import assign_seat
    from tests.exports.conftest import add_claimant
    with unit_of_work(live_sessions) as s:
        users = {u.username: u for u in s.scalars(select(User))}
        inc = service.open_incident(s, actor=users["leader"].actor,
                                    intake=parse_intake(intake_data(title="批量审核（浏览器测试）")))
        assign_seat(s, actor=users["leader"].actor, incident_id=inc.id, seat="customer_service",
                    holder={"user_id": users["service"].id})
        assign_seat(s, actor=users["leader"].actor, incident_id=inc.id, seat="legal",
                    holder={"user_id": users["legal"].id})
        ids = []
        for k, name in enumerate(NAMES):
            c = add_claimant(s, inc, name, segment="Ｄ栋", unit=f"Ｄ栋-{k + 1}01")
            ag = agreements.draft(s, actor=users["service"].actor, incident_id=inc.id,
                                  data={"claimant_id": c.id, "items": ITEMS}, org_name="锦绣物业")
            agreements.submit(s, actor=users["service"].actor, agreement_id=ag.id, expected_version=ag.version)
            ids.append(ag.id)
        return inc.id, ids


def _statuses(live_sessions, ids):  # type: ignore[no-untyped-def]
    with live_sessions() as s:
        return [s.get(Agreement, i).status for i in ids]


def test_legal_reviews_a_batch_on_a_phone(new_page, live_server, live_sessions):
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident_id, ids = _in_review(live_sessions)
    page = new_page("legal", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}/agreements/review")
    rows = page.locator("#bulk-rows li[data-id]")
    assert rows.count() == 5
    assert "<script>alert(1)</script>" in rows.nth(1).inner_text()  # shown as text, never run
    assert "张𠮷" in rows.nth(0).inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    rows.nth(0).locator("summary").click()
    terms = rows.nth(0).locator(".bulk-terms").inner_text()
    assert "电梯维修" in terms and "减免当月电梯费" in terms and "与模板（第 1 版）相比" in terms
    box = page.locator("#bulk-rows li[data-id] label.check").first.bounding_box()
    assert box and box["height"] >= 44
    page.screenshot(path=str(SHOTS / "bulk-review-zh.png"), full_page=True)

    # Approve selected: the first two.
    rows.nth(0).locator(".bulk-pick").check()
    rows.nth(1).locator(".bulk-pick").check()
    page.click("#bulk-approve")
    page.wait_for_function("() => document.querySelectorAll('#bulk-rows li[data-outcome=approved]').length === 2")
    assert "2 / 2" in page.locator("#bulk-progress").inner_text()
    assert rows.nth(0).locator(".outcome").inner_text() == "已批准"
    assert rows.nth(0).locator(".bulk-pick").is_disabled()

    # Return one without a comment: refused on the page; with a comment: returned.
    rows.nth(2).locator(".bulk-pick").check()
    page.click("#bulk-return")
    assert "请写明" in page.locator("#bulk-error").inner_text()
    page.fill("#bulk-comments", "金额需复核：李䶮 <b>加粗</b>")
    page.click("#bulk-return")
    page.wait_for_function("() => document.querySelectorAll('#bulk-rows li[data-outcome=returned]').length === 1")
    assert rows.nth(2).locator(".outcome").inner_text() == "已退回（附意见）"

    # Approve all still in review: the last two.
    page.click("#bulk-approve-all")
    page.wait_for_function("() => document.querySelectorAll('#bulk-rows li[data-outcome=approved]').length === 4")
    assert "2 / 2" in page.locator("#bulk-progress").inner_text()
    assert page.locator("#bulk-error").is_hidden()
    page.screenshot(path=str(SHOTS / "bulk-review-done-zh.png"), full_page=True)
    assert _statuses(live_sessions, ids) == ["approved", "approved", "returned", "approved", "approved"]
    with live_sessions() as s:
        assert s.get(Agreement, ids[2]).review_comments == "金额需复核：李䶮 <b>加粗</b>"

    # On reload the statuses are the stored ones; nothing is left to select.
    page.reload()
    assert page.locator(".bulk-pick:enabled").count() == 0


def test_customer_service_sees_no_review_buttons(new_page, live_server, live_sessions):
    incident_id, _ids = _in_review(live_sessions)
    page = new_page("service", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}/agreements/review")
    assert page.locator("#bulk-rows li[data-id]").count() == 5
    assert page.locator("#bulk-approve-all").count() == 0 and page.locator(".bulk-pick").count() == 0
