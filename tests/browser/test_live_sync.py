"""Two members on one incident board: live updates without reload, and a cut socket catches up exactly once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incident.accounts.models import User
from tests.factories import seat_demo_service

pytestmark = pytest.mark.browser


def seqs(page) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(s) for s in page.eval_on_selector_all("#timeline li.event", "els => els.map(e => e.dataset.seq)")]


def add_note(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#note-text", text)
    page.click("#note-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('note-text').value === ''")


@pytest.fixture
def service_user_id(live_sessions) -> int:  # type: ignore[no-untyped-def]
    with live_sessions() as s:
        return s.scalar(select(User.id).where(User.username == "service"))


@pytest.fixture
def demo_incident(live_sessions) -> int:  # type: ignore[no-untyped-def]
    """The demo incident, with the demo 'service' user on the customer-service seat."""
    with live_sessions() as s:
        inc = seat_demo_service(s)
        s.commit()
        return inc.id


def test_two_members_stay_in_sync_and_a_cut_socket_catches_up_once(new_page, live_server, demo_incident,
                                                                   service_user_id):
    url = f"{live_server.url}/incidents/{demo_incident}"
    leader, service = new_page("leader"), new_page("service", phone=True)
    leader.goto(url)
    service.goto(url)
    for page in (leader, service):
        page.wait_for_selector("#live-state.on")
    # presence: each sees the other on the board
    leader.wait_for_selector("#presence li:has-text('李敏（客服）')")
    service.wait_for_selector("#presence li:has-text('王建国（组长）')")
    seat = f"[data-user-id='{service_user_id}']"  # the seat holder in the task-group section
    leader.wait_for_selector(f"{seat}.online", state="attached")

    start = service.evaluate("window.Concord.lastSeq()")
    add_note(leader, "工程部已派两名维修工到3号楼")
    service.wait_for_selector(f"#timeline li[data-seq='{start + 1}']:has-text('工程部已派两名维修工')")
    assert service.evaluate("window.Concord.lastSeq()") == start + 1

    # cut the second page's socket; three events are committed meanwhile
    service.evaluate("window.Concord.socket.disconnect()")
    service.wait_for_selector("#live-state.off")
    leader.wait_for_selector("#presence li:has-text('李敏（客服）')", state="detached")
    assert leader.locator(f"{seat}.online").count() == 0 and leader.locator(seat).count() >= 1
    for n in range(3):
        add_note(leader, f"断线期间的进展 {n}")
    leader.wait_for_function(f"() => window.Concord.lastSeq() === {start + 4}")
    assert service.evaluate("window.Concord.lastSeq()") == start + 1  # really missed them

    service.evaluate("window.Concord.socket.connect()")
    service.wait_for_function(f"() => window.Concord.lastSeq() === {start + 4}")
    add_note(leader, "恢复后的新消息")
    service.wait_for_function(f"() => window.Concord.lastSeq() === {start + 5}")

    shown = seqs(service)
    assert len(shown) == len(set(shown)), f"an event was applied twice: {shown}"
    assert sorted(shown) == list(range(min(shown), max(shown) + 1)), f"gap: {shown}"
    assert set(range(start + 1, start + 6)) <= set(shown)
    texts = service.locator("#timeline").inner_text()
    assert all(texts.count(f"断线期间的进展 {n}") == 1 for n in range(3))
    assert seqs(leader) == shown  # both boards show the same timeline


def test_the_board_resyncs_when_the_tab_wakes_up(new_page, live_server, live_sessions, demo_incident):
    """Events committed while the socket was down arrive on `visibilitychange`, without reload."""
    url = f"{live_server.url}/incidents/{demo_incident}"
    page = new_page("service")
    page.goto(url)
    page.wait_for_selector("#live-state.on")
    page.evaluate("window.Concord.socket.disconnect()")
    start = page.evaluate("window.Concord.lastSeq()")
    writer = new_page("leader")
    writer.goto(url)
    add_note(writer, "手机锁屏期间的消息")
    writer.wait_for_function(f"() => window.Concord.lastSeq() === {start + 1}")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function(f"() => window.Concord.lastSeq() === {start + 1}")
    assert page.locator(f"#timeline li[data-seq='{start + 1}']").count() == 1
    page.wait_for_selector("#live-state.on")  # and the socket is back


def test_a_gap_in_pushed_events_is_filled_over_http(new_page, live_server, demo_incident):
    """An event that arrives before its predecessor waits; the missing one is fetched, both applied once."""
    url = f"{live_server.url}/incidents/{demo_incident}"
    page, writer = new_page("service"), new_page("leader")
    page.goto(url)
    page.wait_for_selector("#live-state.on")
    page.evaluate("window.Concord.socket.disconnect()")  # the page stays offline throughout
    start = page.evaluate("window.Concord.lastSeq()")
    writer.goto(url)
    add_note(writer, "第一条")
    add_note(writer, "第二条")
    writer.wait_for_function(f"() => window.Concord.lastSeq() === {start + 2}")
    # deliver only the second event, as a push whose predecessor was lost
    page.evaluate("""async (after) => {
        const r = await window.Concord.api('GET', `/api/v1/incidents/${window.Concord.incidentId}/events?after=${after}`);
        window.Concord.socket.listeners('timeline').forEach(fn => fn(r.events[0]));
    }""", start + 1)
    page.wait_for_function(f"() => window.Concord.lastSeq() === {start + 2}")
    assert page.evaluate("window.Concord.socket.connected") is False
    shown = seqs(page)
    assert shown.count(start + 1) == 1 and shown.count(start + 2) == 1
    assert shown.index(start + 2) < shown.index(start + 1)  # newest first, in order
