"""A person on a phone logs in, opens an incident through the zh-CN form, and sees grade and timeline."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_open_incident_through_the_chinese_form(new_page, live_server):
    page = new_page("service", phone=True)
    page.goto(live_server.url + "/incidents/new")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill("input[name=contact_name] >> nth=0", "孙女士")
    page.fill("input[name=contact_phone] >> nth=0", "139 1234 5678")
    page.fill("textarea[name=core_demand]", "停车费从每月300元涨到500元，商户要求恢复原价，否则去12345投诉并拉横幅")
    page.fill("input[name=headcount]", "24")
    page.fill("input[name=scope_text]", "购物中心B1层全体商户，24家")
    page.check("input[name=channel][value=on_site]")
    page.select_option("select[name=complaint_object]", "service")
    page.select_option("select[name=emotion]", "angry")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#grade")
    grade = page.locator("#grade").inner_text().strip()
    assert grade in {"C", "B", "A"}, grade
    first = page.locator("#timeline li.event").last
    assert first.get_attribute("data-seq") == "1"
    assert "12345" in page.locator("#triage").inner_text()
