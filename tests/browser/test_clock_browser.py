"""A phone set to another time zone still sees every time in the installation's display zone, and
live events in the user's language from the one event renderer."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from incident import clock
from incident.models import Incident
from tests.browser.conftest import DEMO_PASSWORD, PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_times_in_the_display_zone_and_live_words(chromium, live_server, live_sessions, locale):
    with live_sessions() as s:
        inc_id = s.scalars(select(Incident.id).order_by(Incident.id)).first()
    ctx = chromium.new_context(locale=locale, timezone_id="America/New_York", **PHONE)
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", "leader")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server.url}/lang/{'en' if locale.startswith('en') else 'zh_CN'}?next=/incidents/{inc_id}")
        page.wait_for_selector("#live-state.on")
        assert page.evaluate("new Date().getTimezoneOffset()") in (240, 300)  # the device is in New York
        page.fill("#note-text", "业主代表要求今晚答复")
        page.click("#note-form button[type=submit]")
        fresh = page.locator("#timeline li.event.fresh").first
        fresh.wait_for()
        iso = fresh.locator("time").get_attribute("datetime")
        assert fresh.locator("time").inner_text() == clock.show(datetime.fromisoformat(iso))  # Beijing, not New York
        assert fresh.locator(".what").inner_text() == ("note added" if locale.startswith("en") else "新增记录")
        assert fresh.locator(".detail").inner_text() == "业主代表要求今晚答复"
        assert fresh.locator(".actor").inner_text() .startswith("王建国")  # the demo leader (display name)
        countdown = page.locator("#deadlines .countdown[data-due]").first
        text = countdown.inner_text()
        assert re.search(r"还剩|已超时|left|overdue by", text), text
        assert "UTC" not in page.inner_text("body")
    finally:
        ctx.close()
