"""Sign on the canvas in headless Chromium (touch and mouse strokes), seal, download, verify."""
from __future__ import annotations

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.browser

ITEMS = [{"description": "电梯维修", "remedy": "三日内彻底修好", "deadline": "2026-11-28"},
         {"description": "当月电梯费", "remedy": "减免当月电梯费", "amount": "120", "payment_kind": "compensation"}]


def _approved_agreement(live_sessions) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    from exports.agreements import service
    from incident import clock, privacy
    from incident.db import begin_write
    from incident.accounts.models import User
    from incident.crowd.claimants.models import Claimant
    from incident.models import Incident
    from incident.taskgroup.models import SeatAssignment
    from incident.taskgroup.queries import seats_of
    s = live_sessions()
    begin_write(s)  # a writer from the start: the live server writes too
    users = {u.username: u for u in s.scalars(select(User))}
    inc = s.scalars(select(Incident).order_by(Incident.id)).first()
    for name, seat in (("legal", "legal"), ("service", "customer_service")):
        if seat not in seats_of(s, inc.id, users[name].id):
            s.add(SeatAssignment(incident_id=inc.id, seat=seat, user_id=users[name].id, assumed_at=clock.now(),
                                 assumed_by_id=users[name].id, label=f"browser-{name}"))
    c = Claimant(incident_id=inc.id, name="王喆", unit="3号楼2单元701", unit_key="3-2-701", segment="3号楼",
                 id_cipher=privacy.cipher().encrypt("110101199003071234"), id_masked="110***********1234",
                 joined_at=clock.now())
    s.add(c)
    s.flush()
    ag = service.draft(s, actor=users["service"].actor, incident_id=inc.id,
                       data={"claimant_id": c.id, "items": ITEMS}, org_name="锦绣物业")
    service.submit(s, actor=users["service"].actor, agreement_id=ag.id, expected_version=1)
    service.approve(s, actor=users["legal"].actor, agreement_id=ag.id, expected_version=1)
    s.commit()
    s.close()
    return ag.id, ag.ref


def _touch_stroke(page, points) -> None:  # type: ignore[no-untyped-def]
    cdp = page.context.new_cdp_session(page)
    first, *rest = points
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
    for x, y in rest:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _read_and_agree(page) -> None:  # type: ignore[no-untyped-def]
    """-- board (issue 12): scroll the whole agreement to its end, then tick "I have read and agree"."""
    page.evaluate("() => { const r = document.getElementById('ag-read'); r.scrollTop = r.scrollHeight; }")
    page.wait_for_function("() => !document.getElementById('sign-agree').disabled")
    page.locator("#sign-agree").check()


def test_sign_on_canvas_seal_download_verify(new_page, live_server, live_sessions, tmp_path):
    agreement_id, ref = _approved_agreement(live_sessions)
    page = new_page("service", phone=True)
    page.goto(f"{live_server.url}/agreements/{agreement_id}")
    pad = page.locator("#sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x0, y0 = box["x"], box["y"]
    _touch_stroke(page, [(x0 + 20 + i * 12, y0 + 40 + (i % 4) * 25) for i in range(18)])
    page.mouse.move(x0 + 60, y0 + 150)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(x0 + 60 + i * 15, y0 + 150 - i * 6, steps=2)
    page.mouse.up()
    assert page.evaluate("document.getElementById('sign-pad') && true")
    _read_and_agree(page)
    page.click("#sign-submit")
    page.wait_for_function("() => document.getElementById('agreement').dataset.status === 'signed'")

    from exports.agreements.models import Agreement
    s = live_sessions()
    sig = s.get(Agreement, agreement_id).signature
    s.close()
    assert len(sig["strokes"]) >= 2 and sig["name"] == "王喆"

    legal = new_page("legal")
    legal.goto(f"{live_server.url}/agreements/{agreement_id}")
    legal.click("#ag-seal")  # issue 10: sealing needs the password re-entered
    legal.wait_for_selector("#ag-error:not([hidden])")
    assert "密码" in legal.locator("#ag-error").inner_text()
    legal.fill("#ag-seal-password", "concord-demo")
    legal.click("#ag-seal")
    legal.wait_for_selector("#ag-download")
    with legal.expect_download() as dl:
        legal.click("#ag-download")
    path = tmp_path / f"{ref}.pdf"
    dl.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    legal.goto(f"{live_server.url}/verify")
    legal.set_input_files("input[name=file]", str(path))
    legal.click("#verify button[type=submit]")
    verdict = legal.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "intact"
    assert ref in legal.locator("#verdict-agreement").inner_text()


# -- board (issue 12): every clause before the pad; read to the end and agree; strokes survive resizes
def test_the_signer_reads_every_clause_agrees_and_the_strokes_survive_resize_and_rotation(new_page, live_server,
                                                                                        live_sessions):
    import json
    from exports.agreements.models import Agreement
    agreement_id, _ref = _approved_agreement(live_sessions)
    with live_sessions() as s:
        clauses = s.get(Agreement, agreement_id).terms["clauses"]
    page = new_page("service", phone=True)
    page.goto(f"{live_server.url}/agreements/{agreement_id}")
    text = page.locator("#ag-read").inner_text()
    for key in ("non_admission", "performance", "withdrawal", "confidentiality", "dispute_resolution"):
        assert clauses[key][:20] in text, key  # every clause the PDF prints, on the page before the pad
    # Not read to the end yet: the box cannot be ticked and the pad cannot be submitted.
    assert page.locator("#sign-agree").is_disabled() and page.locator("#sign-submit").is_disabled()
    assert page.locator("#ag-read-hint").is_visible()
    pad = page.locator("#sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    _touch_stroke(page, [(box["x"] + 20 + i * 12, box["y"] + 40 + (i % 4) * 25) for i in range(18)])
    _touch_stroke(page, [(box["x"] + 60 + i * 10, box["y"] + 150 - i * 6) for i in range(12)])
    _touch_stroke(page, [(box["x"] + 200, box["y"] + 60), (box["x"] + 260, box["y"] + 120)])
    page.locator("#sign-undo").click()  # the last stroke goes
    drawn = page.evaluate("() => window.ConcordSignature.payload()")
    assert len(drawn["strokes"]) == 2
    ink = "() => { const c = document.getElementById('sign-pad'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;" \
          " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
    before = page.evaluate(ink)
    assert before > 0
    page.set_viewport_size({"width": 390, "height": 700})   # the address bar comes back: height only
    page.wait_for_function("() => !window.ConcordSignature.isEmpty()")
    assert page.evaluate(ink) > 0
    page.set_viewport_size({"width": 844, "height": 390})   # turned to landscape
    page.wait_for_function("n => { const c = document.getElementById('sign-pad'); return c.width > n; }", arg=box["width"] * 2)
    assert page.evaluate(ink) > 0 and not page.evaluate("() => window.ConcordSignature.isEmpty()")
    page.set_viewport_size({"width": 390, "height": 844})   # and back
    assert page.evaluate("() => window.ConcordSignature.payload()") == drawn
    page.screenshot(path="/tmp/i12-sign-after-rotation.png", full_page=True)
    page.locator("#sign-submit").evaluate("b => b.disabled = false")  # even forced, no agreement no signature
    page.locator("#sign-submit").click()
    page.wait_for_selector("#ag-error:not([hidden])")
    _read_and_agree(page)
    with page.expect_request(lambda r: r.url.endswith(f"/agreements/{agreement_id}/sign")) as req:
        page.locator("#sign-submit").click()  # (a synthetic tap right after CDP touch strokes is sometimes lost)
    body = json.loads(req.value.post_data)
    assert body["agreed"] is True and body["signature"] == drawn  # the same strokes, as drawn
    page.wait_for_function("() => document.getElementById('agreement').dataset.status === 'signed'")
    with live_sessions() as s:
        sig = s.get(Agreement, agreement_id).signature
    assert sig["strokes"] == drawn["strokes"] and sig["agreed"] is True
    assert "Mobile" in sig["device"] or "Chrome" in sig["device"]
    assert sig["address"] == "127.0.0.1" and sig["witness"]
