"""Drafting from the crowd: accepted demand items (补偿 / 赔偿 kept apart) and representatives' mandates."""
from __future__ import annotations

import pytest

from exports.agreements import service
from incident import clock
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem
from incident.crowd.representatives import service as representatives
from incident.errors import ValidationError
from tests.exports.conftest import T0, add_claimant

ORG = "锦绣物业管理有限公司"


def _accept_all(session, world, **template):  # type: ignore[no-untyped-def]
    inc, leader = world["inc"], world["leader"].actor
    t = demands.create_template(session, actor=leader, incident_id=inc.id,
                                data={"owner": "工程部", "deadline": "2026-12-01T10:00:00+08:00"} | template)
    demands.offer_template(session, actor=leader, incident_id=inc.id, template_id=t.id, data={})
    for it in session.query(DemandItem).filter_by(template_id=t.id):
        demands.decide(session, actor=leader, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    return t


def test_draft_from_accepted_items_keeps_compensation_apart(session, world):
    with clock.frozen(T0):
        _accept_all(session, world, type="repair", remedy="三日内修好电梯")
        _accept_all(session, world, type="compensation", remedy="当月电梯费补偿", amount="120")
        ag = service.draft(session, actor=world["cs"].actor, incident_id=world["inc"].id,
                           data={"claimant_id": world["claimant"].id}, org_name=ORG)
    items = ag.terms["items"]
    assert [(i["payment_kind"], i["amount"]) for i in items] == [("none", ""), ("compensation", "120.00")]
    assert items[0]["remedy"] == "三日内修好电梯" and items[0]["deadline"] == "2026-12-01"


def test_no_accepted_items_means_items_must_be_listed(session, world):
    with pytest.raises(ValidationError) as err:
        service.draft(session, actor=world["cs"].actor, incident_id=world["inc"].id,
                      data={"claimant_id": world["claimant"].id}, org_name=ORG)
    assert err.value.field == "items"


def test_representative_signs_for_the_claimants_their_mandate_covers(session, world):
    inc, leader = world["inc"], world["leader"].actor
    with clock.frozen(T0):
        others = [add_claimant(session, inc, n, segment="3号楼", unit=f"3-1-{k}") for k, n in
                  enumerate(("李雷", "韩梅梅"))]
        rep = representatives.elect(session, actor=leader, incident_id=inc.id, claimant_id=world["claimant"].id,
                                    mandate="sign_on_behalf", claimant_ids=[o.id for o in others],
                                    reason="业主推选")
        items = [{"description": "电梯维修", "remedy": "三日内修好"}]
        with pytest.raises(ValidationError) as err:  # no signed mandate on file yet
            service.draft(session, actor=world["cs"].actor, incident_id=inc.id,
                          data={"representative_id": rep.id, "items": items}, org_name=ORG)
        assert err.value.field == "representative_id"
        representatives.attach_mandate(session, actor=leader, incident_id=inc.id, representative_id=rep.id,
                                       filename="mandate.jpg", content_type="image/jpeg", data=b"\xff\xd8scan")
        ag = service.draft(session, actor=world["cs"].actor, incident_id=inc.id,
                           data={"representative_id": rep.id, "items": items}, org_name=ORG)
    assert ag.terms["signer"]["name"] == "王喆"
    assert [p["name"] for p in ag.terms["represented"]] == ["李雷", "韩梅梅"]
    with pytest.raises(ValidationError) as err:
        service.draft(session, actor=world["cs"].actor, incident_id=inc.id,
                      data={"representative_id": rep.id, "items": items, "claimant_ids": [world["claimant"].id]},
                      org_name=ORG)
    assert err.value.field == "claimant_ids"
