"""The board on a phone (issue 12): the first screen commands, every section is one tap away, the page
fits 390 px and no tap target is under 44 px — as leader and as legal, in both locales."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from concord.cli.demo import DEMO_INTAKE
from incident import clock
from incident.db import begin_write
from incident.models import Incident
from playbooks.models import ChecklistItem

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / ".screens"
OVERDUE = 6
SECTIONS = ["overview", "taskgroup", "deadlines", "crowd", "samples", "demands", "agreements", "timeline", "intake"]

# Every visible button, link, input, select, textarea and summary, with its size (CSS pixels).
TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]'))
  .filter(el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[hidden]'); })
  .map(el => { const r = el.getBoundingClientRect(), l = el.closest('label');
    const box = (el.type === 'checkbox' || el.type === 'radio') && l ? l.getBoundingClientRect() : r;
    return { what: el.tagName + '#' + (el.id || '') + '.' + (el.className || '') + ' ' +
             (el.textContent || el.name || '').trim().slice(0, 30), w: box.width, h: box.height }; })
  .filter(t => t.h < 44 || t.w < 44)"""


def _six_overdue(live_sessions) -> int:  # type: ignore[no-untyped-def]
    """The demo incident with six of its deadlines behind (the issue's morning)."""
    s = live_sessions()
    begin_write(s)
    inc = s.scalar(select(Incident).where(Incident.title == DEMO_INTAKE["title"]))
    now = clock.now()
    items = list(s.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.status == "pending").order_by(ChecklistItem.id)))
    behind = [i for i in items if i.due_at is not None and i.due_at <= now]
    for i, it in enumerate([i for i in items if i not in behind][:max(0, OVERDUE - len(behind))]):
        it.due_at = now - timedelta(minutes=5 + i)
        it.remind_at = None
        it.fired_at = now  # already acted on: the scheduler leaves it alone, the board counts it
    s.commit()
    inc_id = inc.id
    s.close()
    return inc_id


def _overdue_now(live_sessions, incident_id: int) -> int:  # type: ignore[no-untyped-def]
    with live_sessions() as s:
        now = clock.now()
        return sum(1 for it in s.scalars(select(ChecklistItem).where(
            ChecklistItem.incident_id == incident_id, ChecklistItem.status == "pending"))
            if it.due_at is not None and it.due_at <= now)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("username", ["leader", "legal"])
def test_first_screen_commands_and_every_section_is_one_tap_away(new_page, live_server, live_sessions,
                                                                 username, locale):
    incident_id = _six_overdue(live_sessions)
    page = new_page(username, phone=True, locale=locale)
    page.goto(f"{live_server.url}/lang/{'zh_CN' if locale == 'zh-CN' else 'en'}?next=/incidents/{incident_id}")
    page.wait_for_function("() => document.querySelector('#live-state.on')")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"board-{username}-{locale}.png"))
    # The first screen: overdue count (red) and the next deadline, counting down.
    overdue = page.locator("#strip-overdue")
    assert overdue.is_visible() and overdue.bounding_box()["y"] + overdue.bounding_box()["height"] <= 844
    assert int(overdue.locator(".strip-v").inner_text()) == _overdue_now(live_sessions, incident_id) >= OVERDUE
    assert "is-overdue" in (overdue.get_attribute("class") or "")
    color = page.evaluate("() => getComputedStyle(document.querySelector('#strip-overdue .strip-v')).color")
    assert color == "rgb(198, 40, 40)"  # var(--red)
    nxt = page.locator("#strip-next [data-countdown]")
    assert nxt.is_visible()
    first = nxt.inner_text()
    page.wait_for_function("t => document.querySelector('#strip-next [data-countdown]').textContent !== t", arg=first)
    # Each section in one tap from the sticky navigation, which stays on screen.
    for name in SECTIONS:
        link = page.locator(f'#board-nav a[data-section="{name}"]')
        link.scroll_into_view_if_needed()
        link.tap()
        anchor = link.get_attribute("href")[1:]
        page.wait_for_function(  # just below the sticky band (or at the page's end)
            "id => { const r = document.getElementById(id).getBoundingClientRect(), d = document.documentElement;"
            " const end = window.scrollY + window.innerHeight >= d.scrollHeight - 2;"
            " return r.top >= 100 && (r.top < window.innerHeight / 2 || (end && r.top < window.innerHeight)); }",
            arg=anchor)
        assert page.locator("#board-nav").bounding_box()["y"] >= 0
        assert page.evaluate("() => document.getElementById('board-nav').getBoundingClientRect().top") < 200
    page.screenshot(path=str(SHOTS / f"board-{username}-{locale}-intake.png"))
    # The timeline with its note box from anywhere: the floating button.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("#to-timeline").tap()
    page.wait_for_function("() => { const r = document.getElementById('timeline-card').getBoundingClientRect();"
                           " return r.top >= 0 && r.top < window.innerHeight / 2; }")
    # Phone fit: no sideways scroll, no tap target under 44 px.
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
    small = page.evaluate(TARGETS)
    assert small == []


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_incident_queue_fits_a_phone_and_shows_overdue_counts(new_page, live_server, live_sessions, locale):
    incident_id = _six_overdue(live_sessions)
    page = new_page("leader", phone=True, locale=locale)
    page.goto(f"{live_server.url}/lang/{'zh_CN' if locale == 'zh-CN' else 'en'}?next=/")
    row = page.locator(f'#queue li[data-incident-id="{incident_id}"]')
    assert row.locator(".q-overdue").is_visible()
    page.screenshot(path=str(SHOTS / f"queue-leader-{locale}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
    assert page.evaluate(TARGETS) == []
    page.fill("#queue-filters input[name=q]", "不存在的事件𠮷")
    page.locator("#queue-filters button[type=submit]").tap()
    page.wait_for_selector("#queue-empty")


def test_a_refused_note_says_why_in_the_readers_language_next_to_the_box(new_page, live_server, live_sessions):
    incident_id = _six_overdue(live_sessions)
    page = new_page("leader", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    page.wait_for_function("() => document.querySelector('#live-state.on')")
    assert not page.locator("#note-error").is_visible()  # an empty error box takes no room
    page.locator("#to-timeline").tap()
    page.fill("#note-text", "   ")  # blank: the server refuses it
    page.locator("#note-form button[type=submit]").tap()
    page.wait_for_selector("#note-error:not([hidden])")
    text = page.locator("#note-error").inner_text()
    assert text and not any(w in text for w in ("text", "must", "None")), text  # message_local, in Chinese


def test_on_a_desktop_the_navigation_is_a_side_column(new_page, live_server, live_sessions):
    incident_id = _six_overdue(live_sessions)
    page = new_page("leader")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    nav, body = page.locator("#board-nav").bounding_box(), page.locator(".board-body").bounding_box()
    assert nav["x"] + nav["width"] <= body["x"] and nav["height"] > nav["width"]  # a column beside the sections
    page.locator('#board-nav a[data-section="agreements"]').click()
    page.wait_for_function("() => { const r = document.getElementById('agreements').getBoundingClientRect();"
                           " return r.top >= 0 && r.top < innerHeight / 2; }")
    assert page.locator("#board-nav").is_visible() and page.locator("#strip").is_visible()  # both stay on screen
    assert not page.locator("#to-timeline").is_visible()  # the side column is one click away already
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "board-desktop.png"))


def test_the_strip_follows_the_incident_live(new_page, live_server, live_sessions):
    incident_id = _six_overdue(live_sessions)
    page = new_page("leader", phone=True)
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    page.wait_for_function("() => document.querySelector('#live-state.on')")
    shown = int(page.locator("#strip-overdue .strip-v").inner_text())
    with live_sessions() as s:  # one more deadline falls behind (as the clock would make it)
        begin_write(s)
        now = clock.now()
        it = s.scalars(select(ChecklistItem).where(
            ChecklistItem.incident_id == incident_id, ChecklistItem.status == "pending",
            ChecklistItem.due_at > now).order_by(ChecklistItem.due_at)).first()
        it.due_at, it.fired_at = now - timedelta(minutes=1), now
        s.commit()
    page.locator("#to-timeline").tap()
    page.fill("#note-text", "现场：业主代表到场 𠮷")  # any event re-renders the strip
    page.locator("#note-form button[type=submit]").tap()
    page.wait_for_function("n => +document.querySelector('#strip-overdue .strip-v').textContent === n", arg=shown + 1)
