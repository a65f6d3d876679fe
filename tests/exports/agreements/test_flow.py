"""Legal review state machine: transitions, approval bound to the terms, timeline events, refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exports.agreements import service
from exports.agreements.enums import AgreementStatus
from exports.signing import service as seal
from incident.errors import Conflict, Forbidden, NotFound, ValidationError
from incident.timeline import verify_chain
from incident.timeline.models import Event
from tests.exports.conftest import ITEMS, STROKES, proof_of
from tests.factories import make_user

ORG = "锦绣物业管理有限公司"


def drafted(session, world, **extra):  # type: ignore[no-untyped-def]
    ag = service.draft(session, actor=world["cs"].actor, incident_id=world["inc"].id,
                       data={"claimant_id": world["claimant"].id, "items": ITEMS} | extra, org_name=ORG)
    session.commit()
    return ag


def to_approved(session, world, ag):  # type: ignore[no-untyped-def]
    service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=ag.version)
    service.approve(session, actor=world["legal"].actor, agreement_id=ag.id, expected_version=ag.version)
    session.commit()
    return ag


def events(session, inc):  # type: ignore[no-untyped-def]
    return [e.type for e in session.scalars(select(Event).where(Event.incident_id == inc.id).order_by(Event.seq))]


def test_full_path_writes_one_event_per_transition(session, world, sealer):
    ag = drafted(session, world)
    assert ag.status == "draft" and ag.ref.endswith("-A001")
    to_approved(session, world, ag)
    assert ag.approved_hash == ag.terms_hash
    service.sign(session, actor=world["cs"].actor, agreement_id=ag.id, signature=STROKES,
                 expected_version=ag.version)
    seal.seal(session, actor=world["legal"].actor, agreement_id=ag.id, sealer=sealer, proof=proof_of(session, world["legal"]),
              public_url="http://localhost")
    session.commit()
    assert ag.status == AgreementStatus.SEALED and ag.pdf_sha256 and ag.content_sha256
    # Sealing settles the claimant; the registry's headcount falls, so a re-grade follows the seal.
    assert events(session, world["inc"])[-6:] == ["agreement.drafted", "agreement.submitted", "agreement.approved",
                                                  "agreement.signed", "agreement.sealed", "grade.changed"]
    last = session.scalars(select(Event).where(Event.incident_id == world["inc"].id,
                                               Event.type == "agreement.sealed")).one()
    assert last.payload["head_hash"] == ag.head_hash_at_seal
    assert "110101199003071234" not in str(last.payload)
    assert verify_chain(session, world["inc"].id).ok


def test_change_after_approval_drops_approval_and_cannot_be_sealed(session, world, sealer):
    ag = to_approved(session, world, drafted(session, world))
    service.sign(session, actor=world["cs"].actor, agreement_id=ag.id, signature=STROKES,
                 expected_version=ag.version)
    session.commit()
    changed = [dict(ITEMS[0]), dict(ITEMS[1], amount="999")]
    service.update_terms(session, actor=world["cs"].actor, agreement_id=ag.id, data={"items": changed},
                         expected_version=ag.version)
    session.commit()
    assert ag.status == "draft" and ag.approved_hash is None and ag.signature is None
    ev = session.scalars(select(Event).where(Event.incident_id == world["inc"].id)
                         .order_by(Event.seq.desc())).first()
    assert ev.type == "agreement.terms_changed" and ev.payload["approval_dropped"] is True
    assert ev.payload["changed"] == ["items[1].amount"]
    with pytest.raises(Conflict):
        seal.seal(session, actor=world["legal"].actor, agreement_id=ag.id, sealer=sealer, proof=proof_of(session, world["legal"]), public_url="")
    session.rollback()
    with pytest.raises(Conflict):
        service.sign(session, actor=world["cs"].actor, agreement_id=ag.id, signature=STROKES,
                     expected_version=ag.version)


def test_terms_tampered_in_the_database_cannot_be_sealed(session, world, sealer):
    ag = to_approved(session, world, drafted(session, world))
    service.sign(session, actor=world["cs"].actor, agreement_id=ag.id, signature=STROKES,
                 expected_version=ag.version)
    session.commit()
    terms = dict(ag.terms)
    terms["facts"] = "改过的事实"
    ag.terms = terms  # a write that bypasses the service: the hash column still says "approved"
    session.commit()
    with pytest.raises(Conflict, match="approved"):
        seal.seal(session, actor=world["legal"].actor, agreement_id=ag.id, sealer=sealer, proof=proof_of(session, world["legal"]), public_url="")


def test_return_with_comments_then_resubmit(session, world):
    ag = drafted(session, world)
    service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=1)
    with pytest.raises(ValidationError) as err:
        service.return_for_changes(session, actor=world["legal"].actor, agreement_id=ag.id, comments=" ",
                                   expected_version=1)
    assert err.value.field == "comments"
    service.return_for_changes(session, actor=world["legal"].actor, agreement_id=ag.id,
                               comments="补偿性质写清楚", expected_version=1)
    assert ag.status == "returned" and ag.review_comments == "补偿性质写清楚"
    service.update_terms(session, actor=world["cs"].actor, agreement_id=ag.id,
                         data={"facts": "新的事实"}, expected_version=1)
    assert ag.version == 2 and ag.status == "returned"
    service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=2)
    review = service.review(session, actor=world["legal"].actor, agreement_id=ag.id)
    assert review["against_previous"] == [{"path": "facts", "from": ag.terms["facts"] and
                                           review["against_previous"][0]["from"], "to": "新的事实"}]
    assert review["against_template"] == []


def test_diff_against_template_shows_edited_clause(session, world):
    ag = drafted(session, world, clauses={"confidentiality": "双方对本协议内容保密。"})
    review = service.review(session, actor=world["legal"].actor, agreement_id=ag.id)
    assert [d["path"] for d in review["against_template"]] == ["clauses.confidentiality"]


def test_only_legal_approves_and_seals(session, world, sealer):
    ag = drafted(session, world)
    service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=1)
    with pytest.raises(Forbidden):
        service.approve(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=1)
    session.rollback()
    with pytest.raises(Forbidden):
        service.draft(session, actor=make_user(session, "staff").actor, incident_id=world["inc"].id,
                      data={"claimant_id": world["claimant"].id, "items": ITEMS}, org_name=ORG)


def test_void_at_any_point_needs_a_reason(session, world):
    ag = drafted(session, world)
    with pytest.raises(ValidationError):
        service.void(session, actor=world["legal"].actor, agreement_id=ag.id, reason="")
    service.void(session, actor=world["legal"].actor, agreement_id=ag.id, reason="业主撤回")
    assert ag.status == "void"
    with pytest.raises(Conflict):
        service.void(session, actor=world["legal"].actor, agreement_id=ag.id, reason="again")


BAD_DRAFTS = [
    ({"items": []}, "items"),
    ({"items": [{"description": "x", "remedy": "y", "amount": "-1", "payment_kind": "compensation"}]},
     "items[0].amount"),
    ({"items": [{"description": "x", "remedy": "y", "amount": "10", "payment_kind": "gift"}]},
     "items[0].payment_kind"),
    ({"items": [{"description": "x", "remedy": "y", "payment_kind": "indemnity"}]}, "items[0].amount"),
    ({"items": [{"description": "x", "remedy": "y", "deadline": "tomorrow"}]}, "items[0].deadline"),
    ({"items": ITEMS, "locale": "fr"}, "locale"),
    ({"items": ITEMS, "clauses": {"bogus": "x"}}, "clauses.bogus"),
    ({"items": [{"description": "🦄野家", "remedy": "y"}]}, "items[0].description"),
    ({"items": ITEMS, "claimant_id": "1"}, "claimant_id"),
]


def test_bad_draft_input_names_the_field_and_stores_nothing(session, world):
    from exports.agreements.models import Agreement
    for data, field in BAD_DRAFTS:
        with pytest.raises((ValidationError, NotFound)) as err:
            service.draft(session, actor=world["cs"].actor, incident_id=world["inc"].id,
                          data={"claimant_id": world["claimant"].id} | data, org_name=ORG)
        assert err.value.field == field, data
        session.rollback()
    assert session.scalar(select(Agreement.id)) is None


def test_unknown_claimant_is_not_found(session, world):
    with pytest.raises(NotFound):
        service.draft(session, actor=world["cs"].actor, incident_id=world["inc"].id,
                      data={"claimant_id": 99999, "items": ITEMS}, org_name=ORG)


def test_stale_version_is_a_conflict(session, world):
    ag = drafted(session, world)
    with pytest.raises(Conflict) as err:
        service.submit(session, actor=world["cs"].actor, agreement_id=ag.id, expected_version=7)
    assert err.value.details["current_version"] == 1


def test_only_legal_chooses_full_id_display(session, world):
    ag = drafted(session, world)
    with pytest.raises(Forbidden):
        service.update_terms(session, actor=world["cs"].actor, agreement_id=ag.id,
                             data={"id_display": "full"}, expected_version=1)
    session.rollback()
    service.update_terms(session, actor=world["legal"].actor, agreement_id=ag.id,
                         data={"id_display": "full"}, expected_version=1)
    assert ag.terms["id_display"] == "full"
    assert "110101199003071234" not in str(ag.terms)
