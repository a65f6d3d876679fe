"""The board's pages (issue 12): the strip and each section have their own route; the list is a queue."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from incident import clock
from incident.db import begin_write
from playbooks.models import ChecklistItem
from tests.factories import make_incident, make_user


def _world(session):  # type: ignore[no-untyped-def]
    leader, outsider = make_user(session, "manager"), make_user(session, "staff")
    inc = make_incident(session, leader, title="电梯 <script>alert(1)</script> 𠮷", headcount=30)
    session.commit()  # the opener holds the leader seat
    return leader, outsider, inc


def _overdue(session, inc, n: int) -> None:  # type: ignore[no-untyped-def]
    session.rollback()
    begin_write(session)
    items = list(session.scalars(select(ChecklistItem).where(ChecklistItem.incident_id == inc.id,
                                                             ChecklistItem.status == "pending")))[:n]
    for it in items:
        it.due_at, it.fired_at = clock.now() - timedelta(minutes=3), clock.now()
    session.commit()
    assert len(items) == n


def test_the_strip_and_every_section_load_on_their_own(api_as, session):
    leader, outsider, inc = _world(session)
    _overdue(session, inc, 2)
    me = api_as(leader)
    strip = me.client.get(f"/incidents/{inc.id}/board/strip").get_data(as_text=True)
    assert re.search(r'id="strip-overdue" data-count="2"', strip)
    assert "is-overdue" in strip and 'id="strip-next"' in strip
    page = me.client.get(f"/incidents/{inc.id}").get_data(as_text=True)
    names = re.findall(r'<a href="#[^"]+" data-section="([a-z_]+)" data-refresh="([^"]+)"', page)
    core = ["overview", "taskgroup", "deadlines", "crowd", "samples", "demands", "agreements", "timeline", "intake"]
    assert [n for n, _ in names if n in core] == core  # the sections, in its order (others between)
    assert {"ledger", "closing", "callbacks", "replies"} <= {n for n, _ in names}
    for name, url in names:
        r = me.client.get(url)
        assert r.status_code == 200, name
        body = r.get_data(as_text=True)
        assert "<html" not in body, name  # a fragment, not a page
        assert "<script>alert(1)</script>" not in body
    r = me.client.get(f"/incidents/{inc.id}/board/nothing")
    assert r.status_code == 404
    stranger = api_as(outsider)
    assert stranger.client.get(f"/incidents/{inc.id}/board/strip").status_code in (403, 404)
    assert stranger.client.get(f"/incidents/{inc.id}/board/timeline").status_code in (403, 404)


def test_the_list_is_a_queue_with_overdue_counts_and_filters(api_as, session):
    leader, _outsider, inc = _world(session)
    other = make_incident(session, make_user(session, "manager"), title="单户报修 =cmd|", headcount=1)
    session.commit()
    _overdue(session, inc, 3)
    me = api_as(leader)
    body = me.client.get("/").get_data(as_text=True)
    rows = re.findall(r'<li class="card grade-[A-F][^"]*" data-incident-id="(\d+)"', body)
    assert rows[0] == str(inc.id) and str(other.id) in rows  # the overdue one first
    assert "3 项超时" in body or "3 overdue" in body
    mine = me.client.get("/?mine=1").get_data(as_text=True)
    assert re.findall(r'data-incident-id="(\d+)"', mine) == [str(inc.id)]  # a seat only there
    found = me.client.get("/?q=%3Dcmd").get_data(as_text=True)
    assert re.findall(r'data-incident-id="(\d+)"', found) == [str(other.id)]
    assert 'id="queue-empty"' in me.client.get("/?status=closed").get_data(as_text=True)
    assert me.client.get("/?grade=Z&status=%F0%A0%AE%B7&q=" + "x" * 5000).status_code == 200
    assert me.client.get("/?grade=%00").status_code == 400  # control characters stop at the door
