"""The opinion watch in Chromium: customer service on a 390 px phone records a snapshot with a photo
(the camera input); the leader's board in a second browser shows the new row with its growth
without a reload, and the summary to forward."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from incident import clock
from incident.db import unit_of_work
from incident.opinion.models import OpinionSnapshot, OpinionSource
from tests.factories import seat_demo_service

pytestmark = pytest.mark.browser


def _png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (60, 100), (230, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def watched(live_sessions) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The demo incident watching a negative post with two snapshots (210, 340), 'service' on customer service."""
    with unit_of_work(live_sessions) as s:
        inc = seat_demo_service(s)
        now = clock.now()
        src = OpinionSource(incident_id=inc.id, platform="xiaohongshu", url="https://www.xiaohongshu.com/explore/1",
                            title="一楼专柜卖过期面霜", first_seen_at=now - timedelta(hours=1), negative=True,
                            reply_due_at=now + timedelta(hours=7), alerts=[], reply_text="", reply_url="",
                            replied_by_name="", created_by_name="组长", created_at=now)
        s.add(src)
        s.flush()
        for minutes, n in ((60, 210), (30, 340)):
            s.add(OpinionSnapshot(source_id=src.id, incident_id=inc.id, taken_at=now - timedelta(minutes=minutes),
                                  reposts=n, note="", recorded_by_name="客服", created_at=now))
        return inc.id, src.id


def test_a_snapshot_from_a_phone_appears_on_another_board(new_page, live_server, watched, tmp_path):
    incident_id, source_id = watched
    url = f"{live_server.url}/incidents/{incident_id}"
    leader, phone = new_page("leader"), new_page("service", phone=True)
    for page in (leader, phone):
        page.set_default_timeout(60_000)  # a shared 2-core machine: the board page can take a while
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#live-state.on")
        page.wait_for_selector(f"#opinion-{source_id}")
    rows = f"#opinion-{source_id} tbody tr[data-snapshot-id]"
    assert leader.locator(rows).count() == 2
    assert "+130" in leader.inner_text(f"#opinion-{source_id} .op-table")

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    form = phone.locator(f"#opinion-{source_id} form.op-snap")
    assert form.locator("input[name=screenshot]").get_attribute("capture") == "environment"
    assert form.locator("button").bounding_box()["height"] >= 44
    form.locator("input[name=reposts]").fill("520")
    photo = tmp_path / "shot.png"
    photo.write_bytes(_png())
    form.locator("input[name=screenshot]").set_input_files(str(photo))
    phone.locator("#opinion").scroll_into_view_if_needed()
    form.locator("button").tap()

    leader.wait_for_function(f"() => document.querySelectorAll('{rows}').length === 3")
    table = leader.inner_text(f"#opinion-{source_id} .op-table")
    assert "520" in table and "+180" in table and "照片" in table
    phone.wait_for_function(f"() => document.querySelectorAll('{rows}').length === 3")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    summary = leader.locator("#op-summary-text").input_value()
    assert "转发 520（+180）" in summary and "小红书" in summary
    phone.locator("#opinion").screenshot(path=str(tmp_path / "opinion-phone.png"))
