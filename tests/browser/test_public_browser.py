"""Issue 15 on a phone without a session: the poster's page shows the stage, a public update appears
live when staff publish it; register; staff confirm; the claimant's code shows their items; after the
second factor their sealed agreement downloads and verifies."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
STROKES = {"width": 300, "height": 120, "strokes": [[{"x": 10, "y": 60}, {"x": 40, "y": 20}, {"x": 80, "y": 90}]]}


def _incident_id(live_sessions) -> int:  # type: ignore[no-untyped-def]
    from incident.models import Incident
    s = live_sessions()
    try:
        return s.scalars(select(Incident.id).order_by(Incident.id)).first()
    finally:
        s.close()


def _items_and_sealed_agreement(live_server, live_sessions, name: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """For the confirmed self-registered claimant: a demand item and a sealed agreement (through the services)."""
    from exports.agreements import service
    from exports.signing import service as sealing
    from incident import clock
    from incident.accounts.models import User
    from incident.accounts.sessions import confirm_secret
    from incident.crowd.claimants.models import Claimant
    from incident.crowd.demands import service as demands
    from incident.db import begin_write
    from incident.settings import load_settings
    from incident.taskgroup.models import SeatAssignment
    from incident.taskgroup.queries import seats_of
    from incident import attachments
    settings = load_settings(live_server.instance)
    attachments.configure(settings.instance / "attachments")  # the sealed PDF goes where the server reads it
    s = live_sessions()
    begin_write(s)
    users = {u.username: u for u in s.scalars(select(User))}
    c = s.scalars(select(Claimant).where(Claimant.name == name)).one()
    assert c.status == "active"
    for uname, seat in (("legal", "legal"), ("service", "customer_service")):
        if seat not in seats_of(s, c.incident_id, users[uname].id):
            s.add(SeatAssignment(incident_id=c.incident_id, seat=seat, user_id=users[uname].id,
                                 assumed_at=clock.now(), assumed_by_id=users[uname].id, label=f"public-{uname}"))
    s.flush()
    demands.create_template(s, actor=users["leader"].actor, incident_id=c.incident_id, data={
        "type": "refund", "remedy": "退还多收的物业费", "amount": "300", "owner": "财务部", "segment": c.segment})
    ag = service.draft(s, actor=users["service"].actor, incident_id=c.incident_id, org_name="锦绣物业", data={
        "claimant_id": c.id, "items": [{"description": "多收物业费", "remedy": "退还", "amount": "300",
                                        "payment_kind": "compensation"}]})
    service.submit(s, actor=users["service"].actor, agreement_id=ag.id, expected_version=ag.version)
    service.approve(s, actor=users["legal"].actor, agreement_id=ag.id, expected_version=ag.version)
    service.sign(s, agreed=True, actor=users["service"].actor, agreement_id=ag.id, expected_version=ag.version,
                 signature=STROKES | {"name": c.name})
    sealing.seal(s, actor=users["legal"].actor, agreement_id=ag.id, sealer=sealing.sealer_for(settings),
                 public_url=live_server.url, expected_version=ag.version,
                 proof=confirm_secret(s, user=users["legal"], session_id=None, password="concord-demo"))
    s.commit()
    cid, ref = c.id, ag.ref
    s.close()
    return cid, ref


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    """Run fn outside Playwright's event loop (pyHanko calls asyncio.run, which refuses to nest)."""
    import threading
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args)
        except BaseException as err:  # re-raised in the test's thread
            out["error"] = err
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["value"]


def _no_overflow(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_phone_without_session_follows_registers_and_downloads(chromium, new_page, live_server, live_sessions,
                                                              tmp_path):
    incident_id = _incident_id(live_sessions)
    staff = new_page("leader")
    staff.goto(f"{live_server.url}/incidents/{incident_id}")
    staff.click("#pub-issue-incident")
    staff.wait_for_selector("#pub-issued:not([hidden])")
    code = staff.locator("#pub-issued-code").inner_text().strip()
    assert len(code) == 19

    ctx = chromium.new_context(locale="zh-CN", **PHONE)  # no login: a complainant's phone
    phone = ctx.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(f"{live_server.url}/p/poster?code={code}")
    assert phone.locator("#poster-code").inner_text().strip() == code
    assert phone.evaluate("document.querySelector('img.qr').naturalWidth") > 0
    phone.goto(f"{live_server.url}/p?code={code}")  # where the poster's QR leads
    assert phone.locator("#stage-name").inner_text().strip()
    assert phone.locator(".stages li").count() == 6
    _no_overflow(phone)
    phone.wait_for_function("() => document.getElementById('progress').dataset.live === '1'")

    staff.fill("#pub-update-text", "今晚 8 点在物业中心通报处理进展")
    staff.click("#pub-preview")
    staff.wait_for_selector("#pub-preview-box:not([hidden])")
    assert staff.locator("#pub-preview-text").inner_text() == "今晚 8 点在物业中心通报处理进展"
    staff.click("#pub-publish")
    phone.wait_for_function("() => document.getElementById('updates').textContent.includes('今晚 8 点在物业中心')")

    phone.click("#register-link")
    phone.fill("#reg-name", "钱𠮷")
    phone.fill("#reg-unit", "７栋２单元５０１")
    phone.fill("#reg-phone", "13912345678")
    phone.fill("#reg-demand", "多收了三个月物业费，要求退还")
    phone.check("#reg-consent")
    _no_overflow(phone)
    phone.click("#reg-submit")
    phone.wait_for_selector("#registered")

    staff.goto(f"{live_server.url}/incidents/{incident_id}")
    box = staff.locator("#pub-pending-list li", has_text="钱𠮷")
    box.locator("input[type=checkbox]").check()
    staff.click("#pub-confirm")
    staff.wait_for_function("() => { const l = document.getElementById('pub-pending-list');"
                            " return !!l && !l.textContent.includes('钱𠮷'); }")

    claimant_id, ref = _in_thread(_items_and_sealed_agreement, live_server, live_sessions, "钱𠮷")
    staff.fill("#pub-claimant-id", str(claimant_id))
    staff.click("#pub-issue-claimant")
    staff.wait_for_function("() => { const t = document.getElementById('pub-issued-code').textContent.trim();"
                            " return t.length === 19 && t !== '" + code + "'; }")
    mine = staff.locator("#pub-issued-code").inner_text().strip()

    phone.goto(f"{live_server.url}/p?code={mine}")
    assert "钱*" in phone.locator("#mine h2").inner_text() and "𠮷" not in phone.content()
    assert phone.locator("#items li").count() >= 1
    assert ref in phone.locator("#agreement-status").inner_text()
    _no_overflow(phone)
    phone.fill("#last4", "5678")
    with phone.expect_download() as dl:
        phone.click("#download")
    path = tmp_path / f"{ref}.pdf"
    dl.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):  # the agreement prints the progress address and the QR's verify address
        flat = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
        assert f"{live_server.url}/p" in flat and ref in flat
        target = re.search(re.escape(live_server.url) + r"/verify\?ref=[A-Z0-9-]+", flat).group(0)
        phone.goto(target)  # where scanning the QR code leads: works without a login
        assert "/login" not in phone.url
        assert phone.locator("#verify-record").get_attribute("data-status") == "sealed"
        assert ref in phone.locator("#verify-record").inner_text()
        _no_overflow(phone)

    phone.goto(f"{live_server.url}/verify")  # the sealed agreement's QR target, still no login
    phone.set_input_files("#verify-file", str(path))
    phone.click("#verify-submit")
    assert phone.locator("#verdict").get_attribute("data-verdict") == "intact"
    assert ref in phone.locator("#verdict").inner_text()
    ctx.close()
