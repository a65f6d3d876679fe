"""Segment batches: generate drafts for every claimant, seal every signed one on two processes, cancel."""
from __future__ import annotations

from sqlalchemy import select

from exports.agreements import service
from exports.agreements.models import Agreement
from exports.signing import batch_runner
from exports.signing import batches as batch
from incident import clock
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.exports.conftest import ITEMS, STROKES, T0, add_claimant, proof_of


def test_generate_then_seal_a_segment_then_cancel(session, session_factory, world, seal_settings):
    inc, cs, legal = world["inc"], world["cs"].actor, world["legal"].actor
    with clock.frozen(T0):
        for n in range(5):
            add_claimant(session, inc, f"业主{n}", segment="5号楼", unit=f"5-1-{n}01")
        add_claimant(session, inc, "别的楼", segment="4号楼")
        b = batch.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="5号楼",
                        data={"items": ITEMS})
        session.commit()
    done = batch_runner.run(session_factory, b.id, cs, seal_settings)
    assert (done.status, done.total, done.done, done.failed) == ("done", 5, 5, 0)
    session.expire_all()
    ags = session.scalars(select(Agreement).where(Agreement.segment == "5号楼")).all()
    assert len(ags) == 5 and {a.status for a in ags} == {"in_review"}
    for a in ags[:4]:  # the fifth stays unsigned: not part of the seal batch
        service.approve(session, actor=legal, agreement_id=a.id, expected_version=a.version)
        service.sign(session, agreed=True, actor=cs, agreement_id=a.id, signature=STROKES, expected_version=a.version)
    b2 = batch.start(session, actor=legal, incident_id=inc.id, kind="seal", segment="5号楼",
                     proof=proof_of(session, world["legal"]))
    session.commit()
    done = batch_runner.run(session_factory, b2.id, legal, seal_settings, processes=2)
    assert (done.status, done.total, done.done, done.failed) == ("done", 4, 4, 0), done.error
    session.expire_all()
    sealed = session.scalars(select(Agreement).where(Agreement.status == "sealed")).all()
    assert len(sealed) == 4 and all(a.pdf_sha256 and a.head_hash_at_seal for a in sealed)
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == inc.id).order_by(Event.seq))]
    assert types.count("agreement.sealed") == 4 and types.count("agreement.batch_progress") >= 1
    assert types[-1] == "agreement.batch_finished"
    assert verify_chain(session, inc.id).ok
    # A generate batch over a segment where everyone has an agreement finds nothing to do; cancel first.
    b3 = batch.start(session, actor=cs, incident_id=inc.id, kind="generate", segment="4号楼",
                     data={"items": ITEMS})
    session.commit()
    batch.cancel(session, actor=cs, batch_id=b3.id)
    session.commit()
    done = batch_runner.run(session_factory, b3.id, cs, seal_settings)
    assert done.status == "cancelled" and done.done == 0


def test_bad_batch_requests(session, world):
    import pytest

    from incident.errors import ValidationError
    for kind, segment, field in (("shred", "", "kind"), ("seal", 3, "segment")):
        with pytest.raises(ValidationError) as err:
            batch.start(session, actor=world["legal"].actor, incident_id=world["inc"].id, kind=kind,
                        segment=segment)
        assert err.value.field == field
