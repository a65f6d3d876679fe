"""The board's read models (issue 12): the strip on top of an incident and the incident queue."""
from __future__ import annotations

from incident import clock
from playbooks.board.queue import Filters, queue
from playbooks.board.strip import strip
from playbooks.notify import inbox
from tests.factories import give_seat, make_incident, make_user
from tests.playbooks.conftest import fresh, item

def test_the_strip_counts_overdue_deadlines_and_names_the_next_one(session, crew, frozen):
    inc, leader, cs = crew["incident"], crew["leader"], crew["cs"]
    first = item(session, inc.id, "first_contact")
    s = strip(session, inc, cs.id, clock.now())
    assert s["overdue"] == 0 and s["next"]["id"] == first.id  # first contact is the soonest deadline
    assert s["formation"]["state"] == "forming"
    assert s["my_seats"] == ["customer_service"] and s["my_steps"]["open"] >= 1
    frozen.advance(hours=2)
    s = strip(session, inc, cs.id, clock.now())
    assert s["overdue"] >= 2  # first contact and the formation clock are now behind
    assert s["formation"]["state"] == "missed"
    assert s["my_steps"]["overdue"] >= 1
    assert s["next"]["overdue"] is True  # the soonest breach is the longest overdue
    outsider = strip(session, inc, crew["outsider"].id, clock.now())
    assert outsider["my_seats"] == [] and outsider["my_steps"]["open"] == 0

def test_the_strip_shows_the_crowd_and_my_unread_notifications(session, crew):
    inc, cs, leader = crew["incident"], crew["cs"], crew["leader"]
    other = make_incident(session, leader, title="另一件")
    inbox.notify(session, [cs.id], incident=inc, kind="reminder", message="快到期 𠮷", params={})
    inbox.notify(session, [cs.id], incident=other, kind="reminder", message="<script>x</script>", params={})
    fresh(session)
    s = strip(session, inc, cs.id, clock.now())
    assert s["unread"] == {"here": 1, "all": 2}
    assert s["crowd"] == {"claimants": 0, "settled": 0, "representatives": 0}
    assert strip(session, inc, None, clock.now())["unread"] == {"here": 0, "all": 0}

def test_the_queue_puts_the_soonest_breach_first_and_filters(session, crew, frozen):
    leader, cs = crew["leader"], crew["cs"]
    quiet = make_incident(session, leader, headcount=1, title="单户报修 =cmd|")   # formation clock only
    urgent = make_incident(session, leader, safety_issue=True, title="电梯困人 𠮷")  # 30-minute deadlines
    crowd_inc = crew["incident"]
    give_seat(session, urgent, cs, "customer_service")
    fresh(session)
    frozen.advance(minutes=40)
    rows = queue(session, [quiet, urgent, crowd_inc], cs.id, clock.now())
    ids = [r["incident"].id for r in rows]
    assert rows[0]["overdue"] >= 1
    dues = [r["next_due"] for r in rows if r["next_due"] is not None]
    assert dues == sorted(dues)  # soonest breach first
    assert set(ids) == {quiet.id, urgent.id, crowd_inc.id}
    mine = queue(session, [quiet, urgent, crowd_inc], cs.id, clock.now(), Filters(mine=True))
    assert {r["incident"].id for r in mine} == {urgent.id, crowd_inc.id}
    assert all(r["my_seats"] == ["customer_service"] for r in mine)
    found = queue(session, [quiet, urgent, crowd_inc], cs.id, clock.now(), Filters(q="𠮷"))
    assert [r["incident"].id for r in found] == [urgent.id]
    by_grade = queue(session, [quiet, urgent, crowd_inc], cs.id, clock.now(), Filters(grade=urgent.grade))
    assert urgent.id in {r["incident"].id for r in by_grade}
    assert all(r["incident"].grade == urgent.grade for r in by_grade)
    assert queue(session, [quiet], cs.id, clock.now(), Filters(status="closed")) == []

def test_filters_from_a_query_ignore_what_cannot_match():
    f = Filters.parse({"mine": "1", "grade": "b", "status": "bogus", "q": "  物业  "})
    assert f == Filters(mine=True, grade="B", status="", q="物业")
    assert Filters.parse({"grade": "Z", "q": "x" * 500}).q == "x" * 100
