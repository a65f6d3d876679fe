"""On a phone: upload an owner list, map its columns in the preview (three address columns into one unit),
confirm, and see the rows on the crowd board."""
from __future__ import annotations

import random

import pytest

from tests.browser.test_crowd_browser import _demo_incident

pytestmark = pytest.mark.browser


def test_map_columns_combine_the_address_and_confirm_on_a_phone(new_page, live_server, live_sessions):
    incident_id = _demo_incident(live_sessions)
    tag = random.randrange(100, 999)
    phones = ["176" + f"{random.randrange(10**8):08d}" for _ in range(3)]
    csv = ("姓名,楼,门,室,手机,备注\n"
           f"业主甲{tag},{tag},1,1201,{phones[0]},<b>车位</b>\n"
           f"业主乙{tag},{tag},1,1202,{phones[1]},\n"
           ",,,,,\n"
           f"业主丙{tag},{tag},2,301,12345,\n")
    errors: list[str] = []
    page = new_page("leader", phone=True)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    page.wait_for_selector("#live-state.on")
    page.locator("#crowd-import-box summary").tap()
    page.set_input_files("#crowd-import input[name=file]",
                         files=[{"name": "业主名册.csv", "mimeType": "text/csv", "buffer": csv.encode("gb18030")}])
    page.locator("#import-upload").tap()
    page.wait_for_selector("#import-map:not([hidden])")
    # no column is called like a unit: the page asks for one, nothing is stored yet
    assert page.locator('#import-fields select[data-field="unit"]').first.input_value() == ""
    unit = page.locator('#import-fields fieldset[data-field="unit"]')
    unit.locator("select").nth(0).select_option("楼")
    unit.locator("button[data-add]").tap()
    unit.locator("select").nth(1).select_option("门")
    unit.locator("button[data-add]").tap()
    unit.locator("select").nth(2).select_option("室")
    page.wait_for_function(f"() => document.querySelector('#import-preview tbody').textContent.includes('{tag}-1-1201')")
    preview = page.locator("#import-preview tbody").inner_text()
    assert f"{tag}-1-1202" in preview and "<b>车位</b>" in preview  # markup shown as text
    assert page.locator("#import-preview tbody tr.bad").count() == 1  # 12345 is no phone
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # no sideways scrolling on the phone
    box = unit.locator("select").nth(2).bounding_box()
    assert box is not None and box["height"] >= 44
    page.locator("#import-confirm-button").tap()
    page.wait_for_selector("#crowd-import-report .import-done")
    report = page.locator("#crowd-import-report").inner_text()
    assert "2" in report and "5" in report  # row 5 refused, the blank row 4 listed as skipped
    row = page.locator("#crowd-table tbody tr", has_text=f"业主甲{tag}")
    row.wait_for(timeout=10_000)
    text = row.inner_text()
    assert f"{tag}-1-1201" in text and "<b>车位</b>" in text and phones[0] not in text
    assert page.locator("#crowd-import-report a[href$='report.xlsx']").count() == 1
    assert errors == []
