"""The crowd follows its agreements: sealing settles the claimant (or each claimant a representative
signed for), voiding reverts it, in the same transaction and on the timeline; the board counts it."""
from __future__ import annotations

from sqlalchemy import select

from exports.agreements import service
from exports.signing import batch_runner, batches
from exports.signing import service as sealing
from incident.crowd.claimants.models import Claimant
from incident.crowd.representatives import service as representatives
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.exports.conftest import ITEMS, STROKES, add_claimant, proof_of

ORG = "锦绣物业管理有限公司"


def _signed(session, world, **data):  # type: ignore[no-untyped-def]
    cs, legal = world["cs"].actor, world["legal"].actor
    ag = service.draft(session, actor=cs, incident_id=world["inc"].id, data={"items": ITEMS} | data, org_name=ORG)
    service.submit(session, actor=cs, agreement_id=ag.id, expected_version=ag.version)
    service.approve(session, actor=legal, agreement_id=ag.id, expected_version=ag.version)
    service.sign(session, agreed=True, actor=cs, agreement_id=ag.id, signature=STROKES, expected_version=ag.version)
    session.commit()
    return ag


def _seal(session, world, sealer, ag):  # type: ignore[no-untyped-def]
    out = sealing.seal(session, actor=world["legal"].actor, agreement_id=ag.id, sealer=sealer,
                       public_url="http://localhost", proof=proof_of(session, world["legal"]))
    session.commit()
    return out


def _status(session, *claimants) -> list[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [session.get(Claimant, c.id).status for c in claimants]


def _last(session, inc, type_: str) -> Event:  # type: ignore[no-untyped-def]
    return session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == type_)
                           .order_by(Event.seq.desc())).first()


def test_sealing_settles_and_voiding_reverts_on_the_timeline(session, world, sealer, api_as):
    inc, claimant = world["inc"], world["claimant"]
    other = add_claimant(session, inc, "𠮷野", unit="3号楼1单元602")
    session.commit()
    ag = _signed(session, world, claimant_id=claimant.id)
    assert _status(session, claimant, other) == ["active", "active"]
    _seal(session, world, sealer, ag)
    assert _status(session, claimant, other) == ["settled", "active"]
    ev = _last(session, inc, "agreement.sealed")
    assert ev.payload["settled"] == [claimant.id]
    assert ev.payload["headcount"]["to"] == 1
    session.refresh(inc)
    assert inc.headcount == 1  # the registry's active count
    board = api_as(world["leader"]).get(f"/api/v1/incidents/{inc.id}/crowd").get_json()
    assert board["counts"]["settled"] == 1 and board["counts"]["active"] == 1
    session.rollback()  # this test's own reads began before the login above committed
    service.void(session, actor=world["legal"].actor, agreement_id=ag.id, reason="签错了人")
    session.commit()
    assert _status(session, claimant, other) == ["active", "active"]
    ev = _last(session, inc, "agreement.voided")
    assert ev.payload["unsettled"] == [claimant.id] and ev.payload["headcount"] == {"from": 1, "to": 2}
    board = api_as(world["leader"]).get(f"/api/v1/incidents/{inc.id}/crowd").get_json()
    assert board["counts"]["settled"] == 0 and board["counts"]["active"] == 2
    assert verify_chain(session, inc.id).ok


def test_voiding_before_sealing_leaves_the_crowd_alone(session, world):
    ag = _signed(session, world, claimant_id=world["claimant"].id)
    service.void(session, actor=world["legal"].actor, agreement_id=ag.id, reason="重新谈")
    session.commit()
    assert _status(session, world["claimant"]) == ["active"]
    assert "unsettled" not in _last(session, world["inc"], "agreement.voided").payload


def test_a_representatives_agreement_settles_everyone_it_was_signed_for(session, world, sealer):
    inc, leader = world["inc"], world["leader"].actor
    others = [add_claimant(session, inc, n, unit=f"3-2-{k}01") for k, n in enumerate(("李雷", "韩梅梅"))]
    rep = representatives.elect(session, actor=leader, incident_id=inc.id, claimant_id=world["claimant"].id,
                                mandate="sign_on_behalf", claimant_ids=[o.id for o in others], reason="业主推选")
    representatives.attach_mandate(session, actor=leader, incident_id=inc.id, representative_id=rep.id,
                                   filename="mandate.jpg", content_type="image/jpeg", data=b"\xff\xd8scan")
    session.commit()
    ag = _signed(session, world, representative_id=rep.id)
    _seal(session, world, sealer, ag)
    # the two signed for are settled; the representative's own claim is not in these terms
    assert _status(session, *others, world["claimant"]) == ["settled", "settled", "active"]
    assert _last(session, inc, "agreement.sealed").payload["settled"] == sorted(o.id for o in others)


def test_voiding_one_of_two_sealed_agreements_keeps_the_claimant_settled(session, world, sealer):
    first = _signed(session, world, claimant_id=world["claimant"].id)
    second = _signed(session, world, claimant_id=world["claimant"].id)  # a corrected re-issue
    _seal(session, world, sealer, first)
    _seal(session, world, sealer, second)
    service.void(session, actor=world["legal"].actor, agreement_id=first.id, reason="以新协议为准")
    session.commit()
    assert _status(session, world["claimant"]) == ["settled"]
    assert _last(session, world["inc"], "agreement.voided").payload["unsettled"] == []


def test_a_seal_batch_settles_too(session, session_factory, world, seal_settings):
    inc, legal = world["inc"], world["legal"].actor
    people = [add_claimant(session, inc, f"业主{k}", segment="5号楼", unit=f"5-1-{k}01") for k in range(3)]
    session.commit()
    for c in people:
        _signed(session, world, claimant_id=c.id)
    b = batches.start(session, actor=legal, incident_id=inc.id, kind="seal", segment="5号楼",
                      proof=proof_of(session, world["legal"]))
    session.commit()
    done = batch_runner.run(session_factory, b.id, legal, seal_settings, processes=1)
    assert (done.status, done.done, done.failed) == ("done", 3, 0)
    assert _status(session, *people) == ["settled"] * 3
    sealed = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == "agreement.sealed")).all()
    assert sorted(i for e in sealed for i in e.payload["settled"]) == sorted(c.id for c in people)
    assert all(e.payload["batch_id"] == b.id for e in sealed)
