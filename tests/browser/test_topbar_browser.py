"""The top bar on a 390 px phone, in both languages: the language link and log-out are whole and
tappable (they were clipped to "Englis" behind the sideways-scrolling links), the page does not
scroll sideways, and every link is whole without scrolling the bar (回顾 and 我的账号 were hidden
behind the language link)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.live import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

WHOLE = """(sel) => { const el = document.querySelector(sel); if (!el) return 'missing';
  const r = el.getBoundingClientRect();
  if (r.left < 0 || r.right > window.innerWidth || r.width < 24) return 'outside: ' + r.left + '..' + r.right;
  for (const x of [r.left + 2, r.left + r.width / 2, r.right - 2]) {
    const hit = document.elementFromPoint(x, r.top + r.height / 2);
    if (!hit || !(hit === el || el.contains(hit))) return 'covered at ' + x;
  }
  return el.scrollWidth <= el.clientWidth + 1 ? 'ok' : 'text clipped'; }"""


@pytest.mark.parametrize("user,password", [("leader", "concord-demo"), ("admin", ADMIN_PASSWORD)])
def test_language_and_logout_are_whole_on_a_phone_in_both_languages(new_page, live_server, user, password):
    page = new_page(user, password, phone=True)
    for label, other in (("English", "中文"), ("中文", "English")):
        for path in ("/", "/inbox"):
            page.goto(live_server.url + path)
            assert page.locator("#nav-language").inner_text().strip() == label
            assert page.evaluate(WHOLE, "#nav-language") == "ok", (path, label)
            assert page.evaluate(WHOLE, "#nav-logout") == "ok", (path, label)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the links have a row of their own: a leader's are all seen without scrolling it; an
        # admin's longer list still reaches every link by scrolling the row sideways
        for link in ("#nav-inbox", "#nav-review", "#nav-account"):
            if page.locator(link).count():
                if user == "admin":
                    page.locator(link).scroll_into_view_if_needed()
                assert page.evaluate(WHOLE, link) == "ok", (link, label)
        page.click("#nav-language")
        page.wait_for_function("(t) => document.getElementById('nav-language').textContent.trim() === t", arg=other)


def test_the_public_pages_language_link_is_whole(chromium, live_server):
    ctx = chromium.new_context(locale="zh-CN", **PHONE)  # no session
    page = ctx.new_page()
    page.goto(live_server.url + "/p")
    assert page.evaluate(WHOLE, "#nav-language") == "ok"
    page.click("#nav-language")
    page.wait_for_function("() => document.getElementById('nav-language').textContent.trim() === '中文'")
    assert page.evaluate(WHOLE, "#nav-language") == "ok"
    ctx.close()
