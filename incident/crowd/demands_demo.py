"""Demo: a verification sample of the demo crowd and the split demand (repair + 补偿 under a ceiling)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.crowd import ceilings, demands, samples
from incident.crowd.demand_models import DemandTemplate, DemandItem
from incident.crowd.models import Claimant
from incident.enums import Seat
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from incident.taskgroup.queries import seats_of


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
