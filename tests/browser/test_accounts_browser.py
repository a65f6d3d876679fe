"""Accounts in Chromium on a 390 px phone: the admin creates legal staff, who changes the temporary
password, enrols TOTP from the QR page and logs in with the code as a second step."""
from __future__ import annotations

import os
from pathlib import Path

import pyotp
import pytest

from tests.live import ADMIN_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CONCORD_SCREENSHOTS", "/tmp/concord-shots"))


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _code(secret: str, ahead: int = 0) -> str:
    import time
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


def test_admin_page_then_totp_login_on_a_phone(new_page, chromium, live_server):
    admin = new_page("admin", ADMIN_PASSWORD, phone=True)
    admin.goto(live_server.url + "/admin/users")
    _fits(admin)
    assert admin.locator("[data-username=legal] .tg-qual, [data-username=legal] .qual").count() == 1
    admin.click("#new-user summary")
    admin.fill("#new-user input[name=username]", "sunjx")
    admin.fill("#new-user input[name=display_name]", "孙𠮷祥 <script>x</script>")
    admin.check("#new-user input[name=is_legal]")
    admin.click("#new-user button[type=submit]")
    temp = admin.locator("#temp-password").inner_text().strip()
    assert len(temp) == 14
    assert "孙𠮷祥 <script>x</script>" in admin.locator("#admin-done").inner_text()
    _fits(admin)
    _shot(admin, "admin-users-zh")

    ctx = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True, device_scale_factor=2)
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", "sunjx")
        page.fill("input[name=password]", temp)
        page.click("button[type=submit]")
        page.wait_for_url("**/account")
        assert page.locator("#must-change").is_visible()
        page.goto(live_server.url + "/")  # anything else sends back to the account page
        page.wait_for_url("**/account")
        page.fill("input[name=current_password]", temp)
        page.fill("input[name=new_password]", "woaini1314")
        page.click("#password-card button[type=submit]")
        assert "常见" in page.locator("#account-error").inner_text()
        page.fill("input[name=current_password]", temp)
        page.fill("input[name=new_password]", "锦绣花园三号楼电梯维修")
        page.click("#password-card button[type=submit]")
        assert page.locator("#account-done").is_visible()
        page.click("#totp-start")
        assert page.locator("#totp-qr svg").is_visible()
        _fits(page)
        _shot(page, "totp-enrol-zh")
        secret = page.locator("#totp-secret").inner_text().strip()
        page.fill("#totp-card input[name=code]", _code(secret))
        page.click("#totp-card button[type=submit]")
        assert "双重验证已开启" in page.locator("#account-done").inner_text()
        assert page.locator("#sessions-card .session.current").count() == 1
        page.click("header form button")  # log out
        page.wait_for_url("**/login*")

        page.fill("input[name=username]", "sunjx")
        page.fill("input[name=password]", "锦绣花园三号楼电梯维修")
        page.click("button[type=submit]")
        page.wait_for_url("**/login/code*")
        page.fill("input[name=code]", "000000")
        page.click("button[type=submit]")
        assert "验证码错误" in page.locator(".error").inner_text()
        _fits(page)
        _shot(page, "login-code-zh")
        page.fill("input[name=code]", _code(secret, 1))
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        assert page.locator("#nav-account").is_visible()
        page.goto(live_server.url + "/lang/en?next=/account")
        assert "Two-factor authentication" in page.locator("#totp-card h2").inner_text()
        _fits(page)
        _shot(page, "account-en")
    finally:
        ctx.close()
