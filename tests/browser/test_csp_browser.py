"""Every page in real Chromium with the Content-Security-Policy enforced: no violation, no console
error, and the pages still work (sockets connect, live sections refresh, the signature pad draws)."""
from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import select

from tests.browser.test_signing_browser import _approved_agreement
from tests.live import ADMIN_PASSWORD
from tests.realtime.clients import login as http_login

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


class Watched:
    """A page whose CSP violations, console errors and script errors are collected."""

    def __init__(self, page: Any) -> None:
        self.page, self.problems = page, []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e} {e.stack}"))

    def visit(self, url: str) -> Any:
        resp = self.page.goto(url)
        assert resp is not None and resp.ok, (url, resp and resp.status)
        csp = resp.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        self.page.wait_for_load_state("networkidle")
        return resp

    def clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        assert violations == [] and self.problems == [], (where, violations, self.problems)


def watched(new_page: Any, username: str, password: str = "concord-demo", **kw: Any) -> Watched:
    page = new_page(username, password, **kw)
    return Watched(page)


@pytest.fixture
def agreement(live_sessions) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return _approved_agreement(live_sessions)


def _incident_id(live_sessions) -> int:  # type: ignore[no-untyped-def]
    from incident.models import Incident
    with live_sessions() as s:
        return s.scalars(select(Incident.id).order_by(Incident.id)).first()


def test_the_policy_is_enforced_and_a_violation_would_be_seen(chromium, live_server):
    ctx = chromium.new_context()
    try:
        w = Watched(ctx.new_page())
        w.visit(live_server.url + "/login")
        w.clean("login")
        ran = w.page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.__ran = 1'; document.body.appendChild(s); return window.__ran || 0; }""")
        w.page.evaluate("() => { document.body.setAttribute('style', 'background:red'); }")
        w.page.wait_for_timeout(200)
        assert ran == 0
        assert any(v.startswith("script-src") for v in w.page.evaluate("window.__violations"))
        assert w.page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    finally:
        ctx.close()


def test_every_page_loads_clean_and_works_for_each_role(new_page, live_server, live_sessions, agreement):
    base = live_server.url
    agreement_id, _ref = agreement
    incident_id = _incident_id(live_sessions)

    leader = watched(new_page, "leader", phone=True)
    for path in ("/", "/incidents/new", "/inbox", "/verify", "/agreement-templates"):
        leader.visit(base + path)
        leader.clean(path)

    # The board with every section: the socket connects, and live sections refresh without reload.
    leader.visit(f"{base}/incidents/{incident_id}")
    page = leader.page
    page.wait_for_selector("#live-state.on")
    for section in ("taskgroup", "crowd", "demands", "samples", "deadlines", "agreements", "timeline-card"):
        assert page.locator(f"#{section}").count() == 1, section
    http = http_login(base, "leader", "concord-demo")
    start = page.evaluate("window.Concord.lastSeq()")
    r = http.post(f"{base}/api/v1/incidents/{incident_id}/notes", json={"text": "CSP 检查：工程部已到场"})
    assert r.status_code == 201, r.text
    page.wait_for_selector(f"#timeline li[data-seq='{start + 1}']:has-text('工程部已到场')")
    r = http.post(f"{base}/api/v1/incidents/{incident_id}/claimants",
                  json={"name": "吉𠮷祥", "unit": "4号楼3单元1101", "phone": "13700001111", "segment": "锦绣花园4号楼"})
    assert r.status_code == 201, r.text
    page.wait_for_selector("#crowd-table td:has-text('吉𠮷祥')")
    leader.clean("incident board")

    # The signing page: the pad draws under the policy.
    service = watched(new_page, "service", phone=True)
    service.visit(f"{base}/agreements/{agreement_id}")
    pad = service.page.locator("#sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    service.page.mouse.move(box["x"] + 30, box["y"] + 40)
    service.page.mouse.down()
    for i in range(15):
        service.page.mouse.move(box["x"] + 30 + i * 14, box["y"] + 40 + (i % 5) * 20, steps=2)
    service.page.mouse.up()
    inked = service.page.evaluate("""() => { const c = document.getElementById('sign-pad');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; } return false; }""")
    assert inked
    service.clean("signing page")

    legal = watched(new_page, "legal")
    legal.visit(f"{base}/agreements/{agreement_id}")
    legal.visit(f"{base}/agreement-templates")
    legal.clean("legal pages")

    admin = watched(new_page, "admin", ADMIN_PASSWORD, locale="en-US")
    for path in ("/admin/lexicon", "/admin/security", "/admin/security?kind=denied", "/"):
        admin.visit(base + path)
        admin.clean(path)
    assert admin.page.locator("#nav-security").count() == 1


def test_login_and_error_pages_are_clean(chromium, live_server):
    ctx = chromium.new_context(locale="zh-CN")
    try:
        w = Watched(ctx.new_page())
        w.visit(live_server.url + "/login?next=/incidents/1")
        w.page.fill("input[name=username]", "leader")
        w.page.fill("input[name=password]", "wrong-password")
        w.page.click("button[type=submit]")
        w.page.wait_for_selector(".error")
        # Chromium logs the 401 answer of the wrong password itself as a failed resource; nothing else.
        assert [p for p in w.problems if "status of 401" in p] and len(w.problems) == 1
        w.problems.clear()
        w.clean("login with an error")
        assert requests.get(live_server.url + "/login?next=%0d%0a", timeout=10).status_code == 400
    finally:
        ctx.close()
