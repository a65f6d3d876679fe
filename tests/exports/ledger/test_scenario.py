"""Acceptance: a compound of 30 households with 补偿 agreements. 28 payments with an uploaded proof,
one 收条 signed on the pad, one waived with a reason; the reconciliation is exact (Decimal); the gate
refuses the close until the last payment is settled, then passes."""
from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from exports.agreements import service as agreements
from exports.ledger import receipt
from exports.signing import service as sealing
from incident.attachments import read
from incident.closing import service as closing
from incident.closing.status import change_status
from incident.crowd.demands import service as demands
from incident.errors import Conflict
from incident.ledger import queries
from incident.ledger import service as ledger
from incident.ledger.models import LedgerEntry
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.factories import call_everyone_back
from tests.exports.conftest import STROKES, add_claimant, proof_of
from tests.factories import file_archive, give_seat, make_user

ORG = "锦绣物业管理有限公司"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# Amounts that a float would get wrong when summed: 15 × 1333.33 + 15 × 866.67 = 33,000.00 exactly.
AMOUNTS = {"1号楼": "1333.33", "2号楼": "866.67"}
# Where signing asks for the signer's "I have read and agree" tick (issue 11), the claimant gave it.


@pytest.fixture
def compound(session, world):  # type: ignore[no-untyped-def]
    """30 households in two buildings, each with an accepted 补偿 item (amount per building)."""
    inc, leader, cs = world["inc"], world["leader"].actor, world["cs"].actor
    biz = make_user(session, "staff")
    give_seat(session, inc, biz, "business")
    session.delete(world["claimant"])  # the fixture's own claimant has no demand here
    people = []
    for n in range(30):
        seg = "1号楼" if n < 15 else "2号楼"
        people.append(add_claimant(session, inc, ("𠮷" if n == 7 else "") + f"业主{n + 1:02d}", segment=seg,
                                   unit=f"{seg}{n + 1:02d}室"))
    for seg, amount in AMOUNTS.items():
        t = demands.create_template(session, actor=cs, incident_id=inc.id, data={
            "type": "compensation", "remedy": "电梯停运补偿", "amount": amount, "owner": "财务部",
            "deadline": "2026-12-10", "segment": seg})
        demands.offer_template(session, actor=cs, incident_id=inc.id, template_id=t.id, data={"amount": amount})
    for it in demands_items(session, inc.id):
        demands.decide(session, actor=cs, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    session.commit()
    return world | {"biz": biz, "people": people}


def demands_items(session, incident_id):  # type: ignore[no-untyped-def]
    from incident.crowd.demands.models import DemandItem
    return list(session.scalars(select(DemandItem).where(DemandItem.incident_id == incident_id)
                                .order_by(DemandItem.id)))


def seal_all(session, world, sealer):  # type: ignore[no-untyped-def]
    cs, legal = world["cs"].actor, world["legal"].actor
    for c in world["people"]:
        ag = agreements.draft(session, actor=cs, incident_id=world["inc"].id, data={"claimant_id": c.id},
                              org_name=ORG)
        agreements.submit(session, actor=cs, agreement_id=ag.id, expected_version=ag.version)
        agreements.approve(session, actor=legal, agreement_id=ag.id, expected_version=ag.version)
        agreements.sign(session, agreed=True, actor=cs, agreement_id=ag.id, signature=STROKES | {"name": c.name},
                        expected_version=ag.version)
        session.commit()
        sealing.seal(session, actor=legal, agreement_id=ag.id, sealer=sealer, public_url="http://localhost",
                     proof=proof_of(session, world["legal"]))
        session.commit()


def gate_keys(session, inc):  # type: ignore[no-untyped-def]
    from incident.closing.status import blocking
    return [i.key for i in blocking(session, inc, "closed")]


def test_thirty_households_paid_one_receipt_one_waived_then_the_gate_passes(session, compound, sealer, tmp_path):
    w = compound
    inc, biz, leader = w["inc"], w["biz"].actor, w["leader"].actor
    obs = queries.obligations(session, inc.id)
    assert len(obs) == 30 and {o.kind for o in obs} == {"compensation"}
    assert {o.stage for o in obs} == {"accepted"}
    seal_all(session, w, sealer)
    session.expire_all()
    assert {o.stage for o in queries.obligations(session, inc.id)} == {"sealed"}

    obs = queries.obligations(session, inc.id)
    for n, o in enumerate(obs[:28]):
        ledger.record_payment(session, actor=biz, incident_id=inc.id, item_id=o.item_id,
                              data={"amount": f"{o.agreed:.2f}", "paid_on": "2026-11-26", "method": "bank_transfer",
                                    "reference": f"=cmd|' /C calc'!A{n}"},
                              proof=(f"回单{n}.png", "image/png", PNG))
    session.commit()
    # the receipt: the claimant signs on the pad, the PDF holds the amount in capitals
    signed = obs[28]
    entry = receipt.record_with_receipt(session, actor=biz, incident_id=inc.id, item_id=signed.item_id,
                                        data={"amount": f"{signed.agreed:.2f}", "method": "cash"},
                                        signature=STROKES, org_name=ORG)
    session.commit()
    assert entry.proof_kind == "receipt" and entry.signature["name"] == signed.claimant_name
    _, pdf = read(session, entry.proof_attachment_id, inc.id)
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert receipt.capitals(signed.agreed) in text and f"{signed.agreed:,.2f}" in text
    assert signed.claimant_name in text and "收条" in text

    # not yet: one payment is still owed, and no seat signed off
    call_everyone_back(session, inc, leader)  # a group case is called back (issue 13)
    for seat, who in (("customer_service", w["cs"]), ("business", w["biz"]), ("legal", w["legal"])):
        closing.sign_off(session, actor=who.actor, incident_id=inc.id, seat=seat)
    file_archive(session, w["leader"], inc)
    session.commit()
    assert gate_keys(session, inc) == ["demands.items", "ledger.payments"]
    with pytest.raises(Conflict) as refused:
        change_status(session, actor=leader, incident_id=inc.id, status="closed")
    assert refused.value.field == "gate"
    assert [i["key"] for i in refused.value.details["open_items"]] == ["demands.items", "ledger.payments"]
    session.rollback()

    last = obs[29]
    with pytest.raises(Exception):
        ledger.waive(session, actor=biz, incident_id=inc.id, item_id=last.item_id, reason="业主自愿放弃")
    session.rollback()
    ledger.waive(session, actor=leader, incident_id=inc.id, item_id=last.item_id, reason="业主自愿放弃补偿")
    session.commit()

    rec = queries.reconcile(queries.obligations(session, inc.id))
    total = rec["incident"]["compensation"]
    assert total["agreed"] == Decimal("33000.00")
    assert total["paid"] == Decimal("33000.00") - last.agreed
    assert total["waived"] == last.agreed and total["outstanding"] == Decimal("0.00")
    assert rec["segments"]["1号楼"]["compensation"]["agreed"] == Decimal("19999.95")
    assert rec["segments"]["2号楼"]["compensation"]["agreed"] == Decimal("13000.05")
    assert rec["incident"]["indemnity"]["agreed"] == Decimal("0.00")
    assert gate_keys(session, inc) == []
    change_status(session, actor=leader, incident_id=inc.id, status="closed")
    session.commit()
    assert inc.status == "closed"
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == inc.id))]
    assert types.count("ledger.payment_recorded") == 29 and types.count("ledger.waived") == 1
    assert types[-2:] == ["archive.recorded", "status.changed"]
    assert len(session.scalars(select(LedgerEntry).where(LedgerEntry.incident_id == inc.id)).all()) == 30
    assert verify_chain(session, inc.id).ok
