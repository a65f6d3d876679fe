"""The gate's conditions one by one: a demand item closed with a reason counts as done; a draft agreement
blocks until it is voided; sign-offs belong to the seat's holder; resolve is gated like close."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exports.agreements import service as agreements
from incident.closing import service as closing
from incident.closing.status import blocking, change_status
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem
from incident.errors import Conflict, ValidationError
from tests.exports.conftest import ITEMS
from tests.factories import call_everyone_back

ORG = "锦绣物业管理有限公司"


def keys(session, inc, status="resolved"):  # type: ignore[no-untyped-def]
    return {i.key for i in blocking(session, inc, status)}


def test_closed_items_voided_agreements_and_sign_offs(session, world):
    inc, cs, legal, leader = world["inc"], world["cs"].actor, world["legal"].actor, world["leader"].actor
    t = demands.create_template(session, actor=cs, incident_id=inc.id, data={
        "type": "repair", "remedy": "修好电梯", "owner": "工程部"})
    it = session.scalar(select(DemandItem).where(DemandItem.template_id == t.id))
    ag = agreements.draft(session, actor=cs, incident_id=inc.id, data={"items": ITEMS, "claimant_id": world["claimant"].id},
                          org_name=ORG)
    session.commit()
    assert {"demands.items", "agreements.sealed", "signoff.legal"} <= keys(session, inc)
    with pytest.raises(Conflict) as refused:
        change_status(session, actor=leader, incident_id=inc.id, status="resolved")
    assert refused.value.field == "gate"
    session.rollback()
    with pytest.raises(ValidationError):
        closing.close_item(session, actor=cs, incident_id=inc.id, item_id=it.id, reason="  ")
    closing.close_item(session, actor=cs, incident_id=inc.id, item_id=it.id, reason="业主已自行维修 =cmd")
    with pytest.raises(Conflict):
        closing.close_item(session, actor=cs, incident_id=inc.id, item_id=it.id, reason="再关一次")
    agreements.void(session, actor=legal, agreement_id=ag.id, reason="重新谈")
    with pytest.raises(Conflict):  # the customer-service holder cannot sign for legal
        closing.sign_off(session, actor=cs, incident_id=inc.id, seat="legal")
    closing.sign_off(session, actor=legal, incident_id=inc.id, seat="legal")
    closing.sign_off(session, actor=cs, incident_id=inc.id, seat="customer_service")
    assert "callbacks.scheduled" in keys(session, inc)  # a group case is called back (issue 13)
    call_everyone_back(session, inc, cs)
    session.commit()
    assert keys(session, inc) == {"signoff.business"}  # nobody holds the business seat: only an override
    assert keys(session, inc, "closed") == {"signoff.business", "archive.record"}
    change_status(session, actor=leader, incident_id=inc.id, status="resolved", override_reason="业务席空缺，经理确认")
    session.commit()
    assert inc.status == "resolved"
