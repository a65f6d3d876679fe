"""The ledger on a phone: the leader records a payment with a bank-receipt photo, then a 收条 signed on the
pad; a second browser (legal) sees the paid total and the stages change without reloading; the
section fits 390 px."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident.models import Incident

pytestmark = pytest.mark.browser
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PAID = "#ledger-totals tr[data-kind=compensation] td.paid"


def test_payment_and_signed_receipt_on_a_phone_reach_the_other_browser(new_page, live_server, live_sessions):
    with live_sessions() as s:
        inc_id = s.scalars(select(Incident).order_by(Incident.id)).first().id
    url = f"{live_server.url}/incidents/{inc_id}"
    phone, legal = new_page("leader", phone=True), new_page("legal")
    phone.goto(url)
    legal.goto(url)
    for page in (phone, legal):
        page.wait_for_function("() => window.Concord && window.Concord.socket.connected")
    before = legal.locator(PAID).inner_text()
    assert phone.evaluate("() => { const s = document.getElementById('ledger');"
                          " return s.scrollWidth <= s.clientWidth + 1 && s.getBoundingClientRect().right <= 391; }")

    first = phone.locator("#ledger li.ledger-item:has(form.ledger-pay)").first
    first.locator("summary", has_text="登记付款").click()
    form = first.locator("form.ledger-pay")
    form.locator("select[name=method]").select_option("bank_transfer")
    form.locator("input[name=reference]").fill("HX-20261201-𠮷")
    form.locator("input[name=file]").set_input_files({"name": "回单.png", "mimeType": "image/png", "buffer": PNG})
    box = form.locator("button[type=submit]").bounding_box()
    assert box and box["height"] >= 44
    form.locator("button[type=submit]").click()
    legal.wait_for_function(f"(b) => document.querySelector('{PAID}').textContent !== b", arg=before)
    after_first = legal.locator(PAID).inner_text()

    nxt = phone.locator("#ledger li.ledger-item:has(form.ledger-pay)").first
    nxt.wait_for()
    nxt.locator("summary", has_text="登记付款").click()
    form = nxt.locator("form.ledger-pay")
    form.locator("select[name=method]").select_option("cash")
    form.locator("[data-receipt]").click()
    canvas = form.locator("canvas.sign-pad")
    phone.wait_for_function("() => !!window.SignaturePad")
    canvas.scroll_into_view_if_needed()
    b = canvas.bounding_box()
    phone.mouse.move(b["x"] + 20, b["y"] + 40)
    phone.mouse.down()
    for i in range(1, 12):
        phone.mouse.move(b["x"] + 20 + i * 18, b["y"] + 40 + (i % 3) * 25)
    phone.mouse.up()
    form.locator("[data-pad-submit]").click()
    legal.wait_for_function(f"(b) => document.querySelector('{PAID}').textContent !== b", arg=after_first)
    legal.locator("#ledger a", has_text="手写签名的收条").first.wait_for()
    assert "已支付" in legal.locator("#ledger-stages").inner_text()
