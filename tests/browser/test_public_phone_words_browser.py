"""A complainant's phone at 390 px, zh-CN then English through the language switch (helper i15h): the
poster's code stays on one line (wrapped at a hyphen it read as two codes), the registration form has a
way back, and its touch targets are finger-sized."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def _incident_id(live_sessions) -> int:  # type: ignore[no-untyped-def]
    from incident.models import Incident
    s = live_sessions()
    try:
        return s.scalars(select(Incident.id).order_by(Incident.id)).first()
    finally:
        s.close()


def test_poster_code_on_one_line_and_the_form_has_a_way_back(chromium, new_page, live_server, live_sessions):
    incident_id = _incident_id(live_sessions)
    staff = new_page("leader")
    staff.goto(f"{live_server.url}/incidents/{incident_id}")
    staff.click("#pub-issue-incident")
    staff.wait_for_selector("#pub-issued:not([hidden])")
    code = staff.locator("#pub-issued-code").inner_text().strip()

    ctx = chromium.new_context(locale="zh-CN", **PHONE)  # no login
    phone = ctx.new_page()
    phone.set_default_timeout(10_000)
    for lang in ("zh", "en"):
        phone.goto(f"{live_server.url}/p/poster?code={code}")
        if lang == "en":
            phone.click("#nav-language")
            phone.wait_for_selector("html[lang=en]")
        box = phone.locator("#poster-code")
        line = phone.evaluate("parseFloat(getComputedStyle(document.getElementById('poster-code')).lineHeight)"
                              " || parseFloat(getComputedStyle(document.getElementById('poster-code')).fontSize) * 1.6")
        assert box.bounding_box()["height"] < 1.5 * line, lang
        assert box.inner_text().strip() == code
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        phone.goto(f"{live_server.url}/p/register?code={code}")
        back = phone.locator("#back-to-progress")
        assert back.bounding_box()["height"] >= 44
        for sel in ("#reg-submit", "#reg-name", "label.check"):
            assert phone.locator(sel).bounding_box()["height"] >= 44, sel
        back.click()
        phone.wait_for_selector("#progress")
        assert phone.locator("#stage-name").inner_text().strip()
    ctx.close()
