"""Split demand: templates, overrides, the item lifecycle, the ceiling and indemnity approval."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incident.crowd.demands import ceilings
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandHistory, DemandItem, DemandTemplate
from incident.crowd.demands.queries import accepted_items_for_claimant, group_view
from incident.errors import Conflict, Forbidden, ValidationError
from incident.timeline.models import Event
from tests.crowd.helpers import add_claimants
from tests.factories import give_seat, make_incident, make_user


@pytest.fixture
def room(session):
    leader = make_user(session, "staff")
    legal = make_user(session, "staff", is_legal=True)
    inc = make_incident(session, leader, headcount=5)
    give_seat(session, inc, legal, "legal")
    people = add_claimants(session, inc, {"3号楼": 3, "4号楼": 2})
    session.commit()
    return leader, legal, inc, people


def _events(session, inc, type_):
    return session.scalar(select(func.count(Event.id)).where(Event.incident_id == inc.id, Event.type == type_))


def test_template_makes_one_item_per_claimant_of_the_segment(session, room):
    leader, _, inc, people = room
    t = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "repair", "remedy": "修好3号楼电梯", "owner": "工程部 张强", "deadline": "2026-11-28",
        "segment": "3号楼"})
    session.commit()
    items = session.scalars(select(DemandItem).where(DemandItem.template_id == t.id)).all()
    assert sorted(i.claimant_id for i in items) == [p.id for p in people[:3]]
    assert t.deadline.isoformat() == "2026-11-28T15:59:59+00:00"  # end of the day, China time
    assert _events(session, inc, "demand.template_created") == 1


def test_lifecycle_ladder_history_and_accepted_query(session, room):
    leader, legal, inc, people = room
    t = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "compensation", "remedy": "减免一个月电梯费", "amount": "120", "owner": "客服部"})
    ceilings.set_ceiling(session, actor=legal.actor, incident_id=inc.id, demand_type="compensation",
                         amount="200.00", note="法务核定")
    it = session.scalars(select(DemandItem).where(DemandItem.template_id == t.id)).first()
    demands.override_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                          data={"version": it.version, "amount": "150.50"})
    demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    demands.decide(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                   data={"version": it.version, "decision": "rejected", "note": "太少"})
    with pytest.raises(Conflict):  # rejected cannot be fulfilled
        demands.fulfil(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                       data={"version": it.version, "amount": "200", "remedy": "减免一个月电梯费并赠送保洁"})
    demands.decide(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                   data={"version": it.version, "decision": "accepted"})
    with pytest.raises(Conflict) as stale:
        demands.fulfil(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": 1})
    assert stale.value.field == "version"
    demands.fulfil(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    demands.confirm(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    session.commit()
    assert it.status == "confirmed" and [o.outcome for o in it.offers] == ["rejected", "accepted"]
    actions = session.scalars(select(DemandHistory.action).where(DemandHistory.item_id == it.id)
                              .order_by(DemandHistory.id)).all()
    assert actions == ["created", "overridden", "offered", "rejected", "offered", "accepted", "fulfilled", "confirmed"]
    [acc] = accepted_items_for_claimant(session, inc.id, it.claimant_id)
    assert acc.amount == Decimal("200.00") and acc.amount_text == "200.00" and acc.kind == "compensation"
    assert acc.remedy == "减免一个月电梯费并赠送保洁" and acc.owner == "客服部"
    other = [p for p in people if p.id != it.claimant_id][0]
    assert accepted_items_for_claimant(session, inc.id, other.id) == []
    view = group_view(session, inc.id)
    comp = view["by_type"]["compensation"]
    assert comp["items"] == 5 and comp["accepted"] == 1 and comp["accepted_total"] == "200.00"
    assert comp["ceiling"] == "200.00" and comp["offered_total"] == "200.00" and comp["max_offer"] == "200.00"
    assert view["by_status"]["confirmed"] == 1 and view["by_status"]["open"] == 4


def test_offer_above_the_ceiling_is_refused_naming_it(session, room):
    leader, legal, inc, _ = room
    t = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "compensation", "remedy": "减免电梯费", "amount": "300", "owner": "客服部"})
    ceilings.set_ceiling(session, actor=legal.actor, incident_id=inc.id, demand_type="*", amount="250")
    ceilings.set_ceiling(session, actor=legal.actor, incident_id=inc.id, demand_type="compensation", amount="100")
    session.commit()
    it = session.scalars(select(DemandItem).where(DemandItem.template_id == t.id)).first()
    with pytest.raises(ValidationError) as err:
        demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                           data={"version": it.version, "amount": "100.01"})
    assert err.value.field == "amount" and "¥100.00" in err.value.message and "compensation" in err.value.message
    session.rollback()
    with pytest.raises(ValidationError):  # the template's own amount is above it too: all or nothing
        demands.offer_template(session, actor=leader.actor, incident_id=inc.id, template_id=t.id, data={})
    session.rollback()
    assert session.scalar(select(func.count()).select_from(DemandItem).where(DemandItem.status != "open")) == 0
    demands.offer_template(session, actor=leader.actor, incident_id=inc.id, template_id=t.id, data={"amount": "100"})
    session.commit()
    assert _events(session, inc, "demand.offered") == 1


def test_only_legal_sets_ceilings_and_approves_indemnity(session, room):
    leader, legal, inc, _ = room
    with pytest.raises(Forbidden):
        ceilings.set_ceiling(session, actor=leader.actor, incident_id=inc.id, demand_type="*", amount="1")
    t = demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
        "type": "indemnity", "remedy": "赔偿被困老人医药费", "amount": "800", "owner": "法务部"})
    session.commit()
    it = session.scalars(select(DemandItem).where(DemandItem.template_id == t.id)).first()
    with pytest.raises(Conflict) as err:
        demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    assert err.value.field == "indemnity_approval"
    session.rollback()
    with pytest.raises(Forbidden):
        demands.approve(session, actor=leader.actor, incident_id=inc.id, item_ids=[it.id])
    session.rollback()
    demands.approve(session, actor=legal.actor, incident_id=inc.id, item_ids=[it.id], note="同意")
    demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    session.commit()
    assert it.status == "offered"
    # a changed amount voids the approval for that claimant
    other = session.scalars(select(DemandItem).where(DemandItem.template_id == t.id, DemandItem.id != it.id)).first()
    demands.approve_template(session, actor=legal.actor, incident_id=inc.id, template_id=t.id)
    demands.override_item(session, actor=leader.actor, incident_id=inc.id, item_id=other.id,
                          data={"version": other.version, "amount": "900"})
    assert other.indemnity_approved_at is None
    with pytest.raises(Conflict):
        demands.offer_item(session, actor=leader.actor, incident_id=inc.id, item_id=other.id,
                           data={"version": other.version})


def test_template_without_claimants_in_scope_is_refused(session, room):
    leader, _, inc, _ = room
    with pytest.raises(ValidationError) as err:
        demands.create_template(session, actor=leader.actor, incident_id=inc.id, data={
            "type": "apology", "remedy": "书面道歉", "owner": "总经理", "segment": "9号楼"})
    assert err.value.field == "segment"
    assert session.scalar(select(func.count(DemandTemplate.id))) == 0
