"""Demo crowd: 86 households of 锦绣花园 3/4/5号楼 (one import event), three representatives,
a verification sample and the split demand (repair + 补偿 under a ceiling)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.crowd.claimants import importer
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands import ceilings
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem, DemandTemplate
from incident.crowd.households import households
from incident.crowd.representatives import service as representatives
from incident.crowd.samples import service as samples
from incident.enums import Seat
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from incident.taskgroup.queries import seats_of

HOUSEHOLDS = 86
# The intake's two representatives (刘先生 of building 3, 周女士 of building 5) are households too.
KNOWN = {"锦绣花园3号楼": ("刘建国", "13812345678"), "锦绣花园5号楼": ("周秀英", "13998765432")}


def demo_csv() -> bytes:
    rows = list(households(HOUSEHOLDS, buildings=(3, 4, 5), seed=86))
    for segment, (name, phone) in KNOWN.items():
        first = next(r for r in rows if r["segment"] == segment)
        first["name"], first["phone"] = name, phone
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["姓名", "房号", "手机", "身份证", "楼栋"])
    for r in rows:
        w.writerow([r["name"], r["unit"], r["phone"], r["id_number"], r["segment"]])
    return out.getvalue().encode("utf-8")


def load_demo_crowd(session: Session, inc: Incident, users: dict[str, Any]) -> None:
    """DEMO_HOOK: import the households, then record one representative per building."""
    actor = users["leader"].actor
    if session.scalar(select(Claimant.id).where(Claimant.incident_id == inc.id).limit(1)) is not None:
        return
    importer.import_claimants(session, actor=actor, incident_id=inc.id, filename="锦绣花园3-5号楼业主名册.csv",
                              data=demo_csv(), mode="all_or_nothing")
    by_segment: dict[str, Claimant] = {}
    for c in session.scalars(select(Claimant).where(Claimant.incident_id == inc.id).order_by(Claimant.id)):
        by_segment.setdefault(c.segment, c)
    for c in session.scalars(select(Claimant).where(Claimant.incident_id == inc.id,
                                                    Claimant.name.in_([n for n, _ in KNOWN.values()]))):
        by_segment[c.segment] = c
    mandates = {"锦绣花园3号楼": "sign_on_behalf", "锦绣花园4号楼": "negotiate_only",
                "锦绣花园5号楼": "negotiate_only"}
    for segment, mandate in mandates.items():
        rep = by_segment[segment]
        representatives.elect(session, actor=actor, incident_id=inc.id, claimant_id=rep.id, mandate=mandate,
                              segments=[segment], reason=f"{segment}业主现场推选")


def _ensure_seat(session: Session, inc: Incident, user: Any, seat: Seat, by: Any) -> None:
    # The task-group hook seats people through its service; this only fills a gap if it did not run.
    if seat.value not in seats_of(session, inc.id, user.id):
        session.add(SeatAssignment(incident_id=inc.id, seat=seat.value, user_id=user.id,
                                   assumed_at=clock.now(), assumed_by_id=by.id))
        session.flush()


def load_demo_demands(session: Session, inc: Incident, users: dict[str, Any]) -> None:
    """DEMO_HOOK (after the crowd hook): a stratified sample and two demand items; skips without claimants."""
    if session.scalar(select(Claimant.id).where(Claimant.incident_id == inc.id).limit(1)) is None:
        return
    if session.scalar(select(DemandTemplate.id).where(DemandTemplate.incident_id == inc.id).limit(1)):
        return
    leader, legal, engineer = users["leader"], users["legal"], users["engineer"]
    _ensure_seat(session, inc, legal, Seat.LEGAL, leader)
    _ensure_seat(session, inc, engineer, Seat.BUSINESS, leader)

    d = samples.draw(session, actor=leader.actor, incident_id=inc.id,
                     claim="本月电梯故障六次，有老人被困", k=5, stratified=True)
    notes = ["维保记录显示本月三次停梯", "业主提供被困时的报警录音", "物业监控确认电梯停运"]
    for m, note in zip(d.members, notes):
        samples.record_outcome(session, actor=engineer.actor, incident_id=inc.id, draw_id=d.id,
                               member_id=m.id, outcome="confirmed", note=note)

    deadline = (clock.now() + timedelta(days=3)).isoformat()
    repair = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "repair", "remedy": "彻底检修3-5号楼电梯并出具第三方检测报告", "owner": "工程部 张强",
        "deadline": deadline})
    demands.offer_template(session, actor=leader.actor, incident_id=inc.id, template_id=repair.id, data={})

    ceilings.set_ceiling(session, actor=legal.actor, incident_id=inc.id, demand_type="compensation",
                         amount="120.00", note="补偿不超过两个月电梯费，不承认过错")
    fee = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "compensation", "remedy": "减免一个月电梯费", "amount": "60.00", "owner": "客服部 李敏",
        "deadline": (clock.now() + timedelta(days=30)).isoformat()})
    demands.offer_template(session, actor=leader.actor, incident_id=inc.id, template_id=fee.id, data={})
    first = session.scalars(select(DemandItem).where(DemandItem.template_id == fee.id)
                            .order_by(DemandItem.id).limit(2)).all()
    for it in first:
        demands.decide(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                       data={"version": it.version, "decision": "accepted", "note": "业主当场同意"})
