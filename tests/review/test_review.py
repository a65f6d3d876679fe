"""The review of a period against an independent computation over the same rows (plain Python,
its own percentile code), and a hand-made handful whose figures are written out by hand."""
from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from incident import privacy
from incident.closing.models import ArchiveRecord, ImprovementAction, ProblemType
from incident.errors import Forbidden, ValidationError
from incident.models import Incident, IncidentContact
from incident.review import history, period
from incident.review.service import review
from incident.review.targets import Targets
from incident.timeline.models import Event
from incident.timeline import verify_chain
from tests.factories import close_incident, make_incident, make_user

END = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)   # 12:00 on 1 December, Beijing time
NOV = period.month(2026, 11)


def nearest(values: list[int], p: float) -> int | None:
    """Independent nearest-rank percentile: the smallest value with at least p of the values at or below."""
    if not values:
        return None
    s = sorted(values)
    for v in s:
        if sum(1 for x in s if x <= v) >= p * len(s):
            return v
    return s[-1]


def expected(session, start, end):  # type: ignore[no-untyped-def]
    """The figures recomputed from the raw tables: incidents, archive records, events."""
    names = {t.id: t for t in session.scalars(select(ProblemType))}
    recs = [(r, session.get(Incident, r.incident_id)) for r in session.scalars(select(ArchiveRecord))
            if r.closed_at is not None and start <= r.closed_at < end]
    groups: Counter = Counter()
    for r, _inc in recs:
        t = names.get(r.problem_type_id)
        groups[(names[t.parent_id].name if t and t.parent_id else t.name if t else None)] += 1
    minutes = {k: [r.snapshot["handling"]["moments"][k]["minutes"] for r, _ in recs
                   if r.snapshot["handling"]["moments"].get(k, {}).get("minutes") is not None]
               for k in ("first_contact", "formation", "written_reply", "resolution")}
    happy = answered = 0
    for r, _ in recs:
        d = (r.snapshot.get("satisfaction") or {}).get("distribution") or {}
        happy += d.get("very_satisfied", 0) + d.get("satisfied", 0)
        answered += sum(d.values())
    paid = Decimal(0)
    for r, _ in recs:
        paid += sum(Decimal(v) for v in r.snapshot["paid"].values())
    ids = {r.incident_id for r, _ in recs}
    overdue = Counter(e.payload["step"] for e in session.scalars(select(Event).where(
        Event.type == "playbook.step_overdue")) if e.incident_id in ids)
    return {"total": len(recs), "groups": groups, "minutes": minutes, "happy": happy, "answered": answered,
            "paid": paid, "grades": Counter(inc.grade for _, inc in recs),
            "places": Counter(inc.place for _, inc in recs), "overdue": overdue}


@pytest.fixture
def manager(session):  # type: ignore[no-untyped-def]
    return make_user(session, "manager")


def test_review_matches_an_independent_computation(session, manager) -> None:  # type: ignore[no-untyped-def]
    added = history.generate(session, count=400, end=END, seed=7)
    assert added > 300
    got = review(session, actor=manager.actor, period=NOV, now=END)
    want = expected(session, NOV.start, NOV.end)
    assert got["total"] == want["total"] > 30
    assert got["demo"] == got["total"]
    assert {g["group"]: g["count"] for g in got["problem_types"]} == dict(want["groups"])
    counts = [g["count"] for g in got["problem_types"]]
    assert counts == sorted(counts, reverse=True)
    assert got["problem_types"][-1]["cumulative"] == 1.0
    first = got["problem_types"][0]
    assert first["share"] == round(first["count"] / want["total"], 4)
    for moment, values in want["minutes"].items():
        h = got["handling"][moment]
        assert (h["count"], h["median"], h["p90"]) == (len(values), nearest(values, 0.5), nearest(values, 0.9))
        target = Targets().minutes[moment]
        assert h["within_target"] == sum(1 for v in values if v <= target)
    s = got["satisfaction"]
    assert (s["satisfied"], s["answered"]) == (want["happy"], want["answered"])
    assert s["share"] == round(want["happy"] / want["answered"], 4) and s["target"] == 0.85
    assert [t["month"] for t in s["trend"]] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert s["trend"][-1]["answered"] == want["answered"]
    assert Decimal(got["paid"]["total"]) == want["paid"]
    assert {g["name"]: g["count"] for g in got["grades"]} == dict(want["grades"])
    assert {p["name"]: p["count"] for p in got["places"]} == dict(want["places"])
    assert {o["step"]: o["count"] for o in got["overdue_steps"]} == dict(want["overdue"])
    # the generated cases are real chains: each verifies
    inc = session.scalar(select(Incident).where(Incident.ref.like("演示-%")))
    assert verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash).ok


def _case(session, ref, place, type_name, opened, close_after_h, *, minutes, dist=None, paid="0.00",  # type: ignore[no-untyped-def]
          phone=None):
    t = session.scalar(select(ProblemType).where(ProblemType.name == type_name))
    inc = Incident(ref=ref, title=ref, status="closed", opened_at=opened, closed_at=opened + timedelta(hours=close_after_h),
                   core_demand="x", headcount=10, scope_text="x", channel="phone", circumstances=[],
                   complaint_object="service", place=place, grade="C", grade_floor="F", scope="group", triage={},
                   first_contact_due_at=opened, response_due_at=opened, formation_due_at=opened, version=1)
    session.add(inc)
    session.flush()
    snap = {"handling": {"moments": {k: {"minutes": v} for k, v in minutes.items()}},
            "satisfaction": {"answered": sum(dist.values()), "distribution": dist} if dist else None,
            "paid": {"compensation": paid, "indemnity": "0.00", "other": "0.00"}}
    session.add(ArchiveRecord(incident_id=inc.id, round=1, problem_type_id=t.id, root_cause="", snapshot=snap,
                              updated_at=inc.closed_at, closed_at=inc.closed_at))
    if phone:
        cp = privacy.cipher()
        session.add(IncidentContact(incident_id=inc.id, name="业主", phone_cipher=cp.encrypt(phone),
                                    phone_index=cp.index(phone), phone_masked=privacy.mask_phone(phone)))
    session.flush()
    return inc


def test_a_handful_worked_out_by_hand(session, manager) -> None:  # type: ignore[no-untyped-def]
    history._types(session)  # the default taxonomy
    d = lambda day, h=10: datetime(2026, 11, day, h, tzinfo=timezone.utc)  # noqa: E731
    _case(session, "T-1", "锦绣花园", "停车费争议", d(2), 30, minutes={"first_contact": 10, "resolution": 600},
          dist={"satisfied": 3, "dissatisfied": 1}, paid="100.00", phone="13900001111")
    _case(session, "T-2", "锦绣花园", "停车费争议", d(20), 30, minutes={"first_contact": 20, "resolution": 900},
          dist={"very_satisfied": 1}, phone="13900001111")
    _case(session, "T-3", "翠湖苑", "电梯故障", d(5), 30, minutes={"first_contact": 30}, paid="250.50")
    _case(session, "T-4", "锦绣花园", "物业费争议", d(8), 30, minutes={"first_contact": 40},
          dist={"neutral": 2}, phone="13900002222")
    _case(session, "T-0", "锦绣花园", "停车费争议", datetime(2026, 10, 1, tzinfo=timezone.utc), 30,
          minutes={"first_contact": 5})  # October: outside, too early to make T-1 a repeat (30 days)
    inc = session.scalar(select(Incident).where(Incident.ref == "T-4"))
    session.add(ImprovementAction(incident_id=inc.id, title="公示收费标准", owner="物业", status="open",
                                  due_at=d(25)))
    session.flush()
    got = review(session, actor=manager.actor, period=NOV, now=END)
    assert got["total"] == 4
    parking = got["problem_types"][0]
    assert (parking["group"], parking["count"], parking["share"], parking["cumulative"]) == ("停车/收费", 3, 0.75, 0.75)
    assert parking["types"] == [{"name": "停车费争议", "count": 2}, {"name": "物业费争议", "count": 1}]
    fc = got["handling"]["first_contact"]
    assert (fc["median"], fc["p90"], fc["within_target"], fc["count"]) == (20, 40, 1, 4)
    assert got["handling"]["resolution"]["missing"] == 2
    s = got["satisfaction"]
    assert (s["satisfied"], s["answered"], s["share"], s["meets"]) == (4, 7, round(4 / 7, 4), False)
    assert got["paid"] == {"compensation": "350.50", "indemnity": "0.00", "other": "0.00", "total": "350.50"}
    rep = got["repeats"]
    assert rep["place_type"] == [{"place": "锦绣花园", "type": "停车费争议", "group": "停车/收费", "repeats": 1,
                                  "refs": ["T-1", "T-2"]}]  # T-0 is 32 days before T-1
    assert rep["phones"] == [{"masked": privacy.mask_phone("13900001111"), "incidents": 2, "refs": ["T-1", "T-2"]}]
    assert got["improvements"]["open"] == got["improvements"]["overdue"] == 1
    only = review(session, actor=manager.actor, period=NOV, now=END, place="翠湖苑")
    assert only["total"] == 1 and only["paid"]["total"] == "250.50"
    group_id = session.scalar(select(ProblemType.id).where(ProblemType.name == "停车/收费"))
    assert review(session, actor=manager.actor, period=NOV, now=END, type_id=group_id)["total"] == 3


def test_a_case_closed_through_the_gate_is_counted(session, manager) -> None:  # type: ignore[no-untyped-def]
    inc = make_incident(session, manager, place="锦绣花园")
    close_incident(session, inc)
    from incident import clock
    now = clock.now()
    p = period.Period(clock.local(now).date(), clock.local(now).date())
    got = review(session, actor=manager.actor, period=p)
    assert got["total"] == 1 and got["demo"] == 0
    assert got["places"] == [{"name": "锦绣花园", "count": 1}]
    assert got["problem_types"][0]["group"] is not None


def test_staff_may_not_and_periods_are_checked(session) -> None:  # type: ignore[no-untyped-def]
    staff = make_user(session, "staff")
    with pytest.raises(Forbidden):
        review(session, actor=staff.actor, period=NOV)
    assert period.parse("2026-02").last.day == 28
    assert period.parse(now=END).key() == "2026-11"
    for args, field in ((("2026-13",), "month"), ((None, "2026-11-05", None), "to"),
                        ((None, "2026-11-05", "2026-11-01"), "to"), ((None, "x", "2026-11-01"), "from")):
        with pytest.raises(ValidationError) as e:
            period.parse(*args)
        assert e.value.field == field


def test_review_pdf_reads_back_in_chinese_with_its_figures_and_charts(session, manager, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from exports.reports.review import review_pdf
    history.generate(session, count=300, end=END, seed=3)
    data = review(session, actor=manager.actor, period=NOV, now=END)
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(review_pdf(data, locale="zh_CN"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    top = data["problem_types"][0]
    assert "期间回顾" in text and "2026-11" in text and "演示数据" in text
    assert f"结案{data['total']}件" in text.replace(" ", "") or f"{data['total']}" in text
    assert top["group"] in text and f"{round(100 * top['share'])}%" in text
    assert f"{100 * data['satisfaction']['share']:.0f}%" in text and "85%" in text
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "2", "-png", str(pdf), str(tmp_path / "p")], check=True)
    from PIL import Image
    pages = sorted(tmp_path.glob("p-*.png"))
    assert pages
    colours = set()
    for page in pages:
        img = Image.open(page).convert("RGB")
        colours |= {c for _n, c in img.getcolors(maxcolors=1 << 20)}
    assert (0x2f, 0x6f, 0xb5) in colours or any(abs(r - 0x2f) < 8 and abs(g - 0x6f) < 8 and abs(b - 0xb5) < 8
                                               for r, g, b in colours)  # the Pareto's blue bars are drawn
    en = review_pdf(data, locale="en")
    assert en[:4] == b"%PDF"


def test_the_demo_history_is_marked_and_loaded_once(session) -> None:  # type: ignore[no-untyped-def]
    added = history.load_demo_history(session)
    assert 120 < added <= 160 and history.load_demo_history(session) == 0
    demo = list(session.scalars(select(Incident).where(Incident.ref.like("演示-%"))))
    assert len(demo) == added and all(i.title.startswith("【演示数据】") and i.status == "closed" for i in demo)
    months = {period.month(i.closed_at.year, i.closed_at.month).key() for i in demo}
    assert len(months) >= 6  # about six months of history, up to now
