"""The agreements section in Chromium on a phone: an interrupted batch with its documents, resume it
and watch it finish live, abandon another; statuses and reasons in Chinese and in English."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from incident.accounts.models import User
from incident.db import unit_of_work
from incident.intake.schema import parse_intake
from tests.factories import intake_data

pytestmark = pytest.mark.browser
ITEMS = [{"description": "电梯维修", "remedy": "三日内彻底修好", "deadline": "2026-11-28"}]
SHOTS = Path(os.environ.get("CONCORD_SCREENSHOTS", "/tmp/concord-screenshots"))


def _dead_owner() -> str:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:deadbeef"


def _interrupted_batch(live_sessions, names: list[str], segment: str, drafted: int = 0) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A fresh incident whose generate batch over `segment` was cut off by a dead server process."""
    from exports.agreements import service as agreements
    from exports.signing import batches
    from incident import service
    from incident.taskgroup.service import assign_seat
    from tests.exports.conftest import add_claimant
    with unit_of_work(live_sessions) as s:  # a writer from the start: the live server writes too
        users = {u.username: u for u in s.scalars(select(User))}
        inc = service.open_incident(s, actor=users["leader"].actor,
                                    intake=parse_intake(intake_data(title="批量生成（浏览器测试）")))
        assign_seat(s, actor=users["leader"].actor, incident_id=inc.id, seat="customer_service",
                    holder={"user_id": users["service"].id})
        people = [add_claimant(s, inc, n, segment=segment, unit=f"{segment}-{k + 1}01") for k, n in enumerate(names)]
        b = batches.start(s, actor=users["service"].actor, incident_id=inc.id, kind="generate", segment=segment,
                          data={"items": ITEMS})
        for c in people[:drafted]:  # drafted by hand after the batch began: the batch must not draft again
            agreements.draft(s, actor=users["service"].actor, incident_id=inc.id,
                             data={"claimant_id": c.id, "items": ITEMS}, org_name="锦绣物业")
        b.owner = _dead_owner()
        out = inc.id, b.id
    assert batches.sweep(live_sessions) >= 1
    return out


def test_resume_an_interrupted_batch_on_a_phone(new_page, live_server, live_sessions):
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident_id, batch_id = _interrupted_batch(live_sessions, ["𠮷田", "<script>alert(1)</script>", "=1+1", "钱多多"],
                                               "Ｂ栋", drafted=1)
    page = new_page("service", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}#agreements")
    page.wait_for_selector("#live-state.on")
    box = page.locator("#ag-progress")
    assert page.locator("#ag-batch-box").get_attribute("open") is not None
    assert "已中断" in page.locator("#ag-progress-text").inner_text()
    assert page.locator("#ag-resume").is_visible() and page.locator("#ag-abandon").is_visible()
    assert not page.locator("#ag-cancel").is_visible()
    assert page.locator("#ag-batch-note").is_visible()
    rows = page.locator("#ag-batch-items tbody tr")
    assert rows.count() == 4 and "待处理" in rows.nth(0).inner_text()
    assert "<script>alert(1)</script>" in rows.nth(1).inner_text()  # shown as text, never run
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "batch-interrupted-zh.png"), full_page=False)
    page.click("#ag-resume")
    page.wait_for_function("() => document.getElementById('ag-progress').dataset.status === 'done'", timeout=60_000)
    text = page.locator("#ag-progress-text").inner_text()
    assert text.startswith("4/4") and "已完成" in text and "1 份失败" in text
    assert not page.locator("#ag-cancel").is_visible() and not page.locator("#ag-resume").is_visible()
    assert not page.locator("#ag-abandon").is_visible()
    page.wait_for_function("() => document.querySelectorAll('#ag-batch-items .item-failed').length === 1")
    failed = page.locator("#ag-batch-items .item-failed").inner_text()
    assert "失败" in failed and "已有协议" in failed and "𠮷田" in failed
    assert page.locator("#ag-batch-items .item-done").count() == 3
    assert page.locator("#ag-batch-items .item-done a").count() == 3  # each links to its agreement
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "batch-done-zh.png"), full_page=False)
    en = new_page("service", phone=True, locale="en-US")
    en.goto(f"{live_server.url}/lang/en")
    en.goto(f"{live_server.url}/incidents/{incident_id}#agreements")
    en.click("#ag-batch-box summary")  # a finished batch: its outcome one tap away
    text = en.locator("#ag-progress-text").inner_text()
    assert "done" in text and "1 failed" in text
    assert "already has an agreement" in en.locator("#ag-batch-items .item-failed").inner_text()
    en.locator("#ag-progress").scroll_into_view_if_needed()
    en.screenshot(path=str(SHOTS / "batch-done-en.png"), full_page=False)


def test_abandon_an_interrupted_batch(new_page, live_server, live_sessions):
    incident_id, batch_id = _interrupted_batch(live_sessions, ["孙悟空", "猪八戒"], "Ｃ栋")
    page = new_page("service", phone=True)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/incidents/{incident_id}#agreements")
    page.wait_for_selector("#live-state.on")
    page.click("#ag-abandon")
    page.wait_for_function("() => document.getElementById('ag-progress').dataset.status === 'abandoned'")
    assert "已放弃" in page.locator("#ag-progress-text").inner_text()
    assert not page.locator("#ag-resume").is_visible() and not page.locator("#ag-abandon").is_visible()
    # nothing the abandoned batch left blocks a new one on the same segment; from the page it drafts
    # from the accepted demand items, which these two have none of yet: each says so, in Chinese
    page.locator("#ag-batch select[name=segment]").select_option("Ｃ栋")
    page.click("#ag-batch button[value=generate]")
    page.wait_for_function("() => document.getElementById('ag-progress').dataset.status === 'done'", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('#ag-batch-items .item-failed').length === 2")
    assert "没有已接受的诉求事项" in page.locator("#ag-batch-items .item-failed").first.inner_text()
