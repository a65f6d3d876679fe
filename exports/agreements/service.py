"""Agreement use cases: draft, edit terms, submit, approve / return, sign, void.

Approval binds the exact terms (their canonical hash). Any change of terms after approval sends
the agreement back to draft, drops the approval and any signature. Sealing lives in seal.py.
Every transition writes exactly one timeline event in the caller's transaction.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.agreements import settlement, sources, templates
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.handwriting import parse_strokes
from exports.agreements.models import Agreement, AgreementRevision
from exports.agreements.terms import (
    LOCALES,
    Terms,
    apply_changes,
    diff,
    from_dict,
    parse_items,
    terms_hash,
)
from exports.agreements.terms import _text as text_field
from incident import clock, timeline
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.errors import Conflict, Forbidden, NotFound, ValidationError


def get(session: Session, agreement_id: Any, *, lock: bool = False) -> Agreement:
    ok = isinstance(agreement_id, int) and not isinstance(agreement_id, bool)
    row = session.get(Agreement, agreement_id, with_for_update=lock or None) if ok else None
    if row is None:
        raise NotFound("no such agreement", field="agreement_id")
    return row


def load_for(session: Session, actor: Actor, agreement_id: Any, action: Action) -> tuple[Agreement, Any]:
    """The agreement and its (locked) incident, after the permission check."""
    ag = get(session, agreement_id)
    inc = incidents.load_for(session, actor, ag.incident_id, action)
    return get(session, agreement_id, lock=True), inc


def _check_version(ag: Agreement, expected: Any) -> None:
    if expected is not None and expected != ag.version:
        raise Conflict("the agreement was changed by someone else; reload and try again",
                       field="version", current_version=ag.version)


def _event(session: Session, inc: Any, ag: Agreement, type_: str, actor: Actor, **extra: Any) -> None:
    timeline.record(session, inc, type_, actor, {"agreement_id": ag.id, "ref": ag.ref,
                                                 "status": ag.status, "version": ag.version} | extra)


def _revision(session: Session, ag: Agreement, actor: Actor) -> None:
    session.add(AgreementRevision(agreement_id=ag.id, version=ag.version, terms=ag.terms,
                                  terms_hash=ag.terms_hash, at=clock.now(), by_name=actor.name,
                                  by_id=actor.user_id))


def _four_eyes(session: Session, ag: Agreement, actor: Actor) -> None:
    """Whoever drafted the agreement or last changed its terms may not approve them."""
    if actor.user_id is None:
        return
    revs = list(session.scalars(select(AgreementRevision).where(AgreementRevision.agreement_id == ag.id)
                                .order_by(AgreementRevision.version)))
    authors = {r.by_id for r in revs[:1] + revs[-1:]}
    if actor.user_id in authors:
        raise Forbidden("four eyes: you drafted or last changed these terms, so someone else from "
                        "legal must approve them", field="version", rule="four_eyes")


def _next_ref(session: Session, inc: Any) -> str:
    n = session.scalar(select(func.count(Agreement.id)).where(Agreement.incident_id == inc.id)) or 0
    return f"{inc.ref}-A{n + 1:03d}"


def draft(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any],
          org_name: str) -> Agreement:
    """Draft an agreement for a claimant, or for a representative on behalf of the claimants their
    mandate lets them sign for; items are the accepted demand items unless given explicitly."""
    inc = incidents.load_for(session, actor, incident_id, Action.AGREEMENT_DRAFT)
    locale = data.get("locale") or "zh_CN"
    if locale not in LOCALES:
        raise ValidationError(f"locale must be one of {', '.join(LOCALES)}", field="locale")
    represented: tuple = ()
    rep_id = data.get("representative_id")
    if rep_id is not None:
        from incident.crowd.representatives import service as representatives
        rep = representatives.get(session, inc.id, rep_id)
        signer_row = sources.claimant(session, inc.id, rep.claimant_id, "representative_id")
        covered = representatives.mandate_covers(session, rep.id)
        if not covered:
            raise ValidationError("this representative has no signed mandate to sign for others",
                                  field="representative_id")
        wanted = data.get("claimant_ids") or covered
        if not isinstance(wanted, list) or not set(wanted) <= set(covered):
            raise ValidationError("some claimants are not covered by the representative's mandate",
                                  field="claimant_ids")
        rows = [sources.claimant(session, inc.id, cid, "claimant_ids") for cid in sorted(set(wanted))]
        represented = tuple(sources.party_of(r) for r in rows)
        claimant_ids = [r.id for r in rows]
    else:
        signer_row = sources.claimant(session, inc.id, data.get("claimant_id"))
        claimant_ids = [signer_row.id]
    if "items" in data:
        items = parse_items(data["items"])
    else:
        items = tuple(sources.accepted_items(session, inc.id, claimant_ids, locale))
        if not items:
            raise ValidationError("no accepted demand items for these claimants; list items explicitly",
                                  field="items")
    tpl = templates.current(session, locale)
    from exports.agreements.clauses import DEFAULT_FACTS
    from incident.i18n import Translator
    facts = data.get("facts")
    if facts is None:
        own = sources.demand_in_own_words(session, inc.id, signer_row.id) if not represented else ""
        facts = Translator(locale)(DEFAULT_FACTS, ref=inc.ref, demand=own or inc.core_demand)
    terms = Terms(locale=locale, organisation=org_name, incident_ref=inc.ref,
                  signer=sources.party_of(signer_row), represented=represented,
                  facts=text_field(facts, "facts", 4000), items=items, clauses=dict(tpl.clauses),
                  template_id=tpl.id, template_version=tpl.version)
    terms = apply_changes(terms, {k: data[k] for k in ("clauses", "id_display") if k in data})
    now = clock.now()
    ag = Agreement(ref=_next_ref(session, inc), incident_id=inc.id, template_id=tpl.id,
                   segment=signer_row.segment, status=S.DRAFT.value, version=1, terms=terms.to_dict(),
                   terms_hash=terms_hash(terms), created_at=now, updated_at=now)
    session.add(ag)
    session.flush()
    _revision(session, ag, actor)
    _event(session, inc, ag, "agreement.drafted", actor, summary=ag.ref, signer=terms.signer.name,
           represented=len(represented), items=len(items), terms_hash=ag.terms_hash)
    return ag


def update_terms(session: Session, *, actor: Actor, agreement_id: Any, data: dict[str, Any],
                 expected_version: Any) -> Agreement:
    """Change terms; after review started, the agreement returns to draft and loses its approval."""
    ag, inc = load_for(session, actor, agreement_id, Action.AGREEMENT_DRAFT)
    if ag.status in (S.SEALED.value, S.VOID.value):
        raise Conflict(f"a {ag.status} agreement cannot be changed", field="status")
    _check_version(ag, expected_version)
    if "id_display" in data:
        require(session, actor, Action.AGREEMENT_REVIEW, inc.id)  # legal decides how IDs are shown
    old = from_dict(ag.terms)
    new = apply_changes(old, data)
    changes = diff(old.to_dict(), new.to_dict())
    if not changes:
        return ag
    before = ag.status
    ag.terms, ag.terms_hash = new.to_dict(), terms_hash(new)
    ag.version += 1
    ag.updated_at = clock.now()
    dropped = ag.approved_hash is not None or ag.signature is not None
    ag.status = S.DRAFT.value if before != S.RETURNED.value else before
    ag.approved_hash, ag.approved_at, ag.approved_by_name = None, None, ""
    ag.signature, ag.signed_hash = None, None
    _revision(session, ag, actor)
    _event(session, inc, ag, "agreement.terms_changed", actor, summary=ag.ref,
           changed=[c["path"] for c in changes], **{"from": before, "to": ag.status},
           approval_dropped=dropped, terms_hash=ag.terms_hash)
    return ag


def _transition(session: Session, actor: Actor, agreement_id: Any, action: Action, expected: Any,
                allowed_from: tuple[S, ...]) -> tuple[Agreement, Any]:
    ag, inc = load_for(session, actor, agreement_id, action)
    _check_version(ag, expected)
    if ag.status not in {s.value for s in allowed_from}:
        raise Conflict(f"not possible while the agreement is {ag.status}", field="status",
                       status=ag.status)
    return ag, inc


def submit(session: Session, *, actor: Actor, agreement_id: Any, expected_version: Any) -> Agreement:
    """Send a draft (or a returned agreement) to legal review."""
    ag, inc = _transition(session, actor, agreement_id, Action.AGREEMENT_DRAFT, expected_version,
                          (S.DRAFT, S.RETURNED))
    before, ag.status = ag.status, S.IN_REVIEW.value
    _event(session, inc, ag, "agreement.submitted", actor, **{"from": before, "to": ag.status})
    return ag


def approve(session: Session, *, actor: Actor, agreement_id: Any, expected_version: Any) -> Agreement:
    """Legal approves the exact terms under review: their hash is what may be signed and sealed."""
    ag, inc = _transition(session, actor, agreement_id, Action.AGREEMENT_REVIEW, expected_version,
                          (S.IN_REVIEW,))
    _four_eyes(session, ag, actor)
    ag.status, ag.approved_hash = S.APPROVED.value, ag.terms_hash
    ag.approved_at, ag.approved_by_name, ag.review_comments = clock.now(), actor.name, ""
    _event(session, inc, ag, "agreement.approved", actor, **{"from": "in_review", "to": ag.status},
           approved_hash=ag.approved_hash)
    return ag


def return_for_changes(session: Session, *, actor: Actor, agreement_id: Any, comments: Any,
                       expected_version: Any) -> Agreement:
    """Legal returns the agreement with comments."""
    if not isinstance(comments, str) or not comments.strip():
        raise ValidationError("say what must change", field="comments")
    if len(comments) > 4000:
        raise ValidationError("comments are longer than 4000 characters", field="comments")
    ag, inc = _transition(session, actor, agreement_id, Action.AGREEMENT_REVIEW, expected_version,
                          (S.IN_REVIEW,))
    ag.status, ag.review_comments = S.RETURNED.value, comments.strip()
    _event(session, inc, ag, "agreement.returned", actor, **{"from": "in_review", "to": ag.status},
           text=ag.review_comments)
    return ag


def sign(session: Session, *, actor: Actor, agreement_id: Any, signature: Any,
         expected_version: Any, agreed: Any = False, device: str = "", address: str = "") -> Agreement:
    """Record the claimant's (or representative's) handwritten signature on the approved terms.

    The signer must have read the whole agreement and ticked "I have read and agree" (agreed=True);
    the device, the address and the staff member witnessing it (the actor) are kept with the strokes.
    """
    ag, inc = _transition(session, actor, agreement_id, Action.AGREEMENT_SIGN, expected_version,
                          (S.APPROVED,))
    if ag.terms_hash != ag.approved_hash:
        raise Conflict("the terms differ from the approved ones", field="terms")
    name = from_dict(ag.terms).signer.name
    sig = parse_strokes(signature, name=name, at=clock.now().isoformat(), device=str(device or ""),
                        address=str(address or ""), witness=actor.name, agreed=True)
    if agreed is not True:
        raise ValidationError("the signer must read the whole agreement and agree to it first", field="agreed")
    ag.signature, ag.signed_hash = sig.to_dict(), ag.terms_hash
    ag.status = S.SIGNED.value
    _event(session, inc, ag, "agreement.signed", actor, **{"from": "approved", "to": ag.status},
           signer=name, strokes=len(sig.strokes))
    return ag


def void(session: Session, *, actor: Actor, agreement_id: Any, reason: Any,
         expected_version: Any = None) -> Agreement:
    """Void an agreement at any point, with a reason (a sealed PDF then verifies as voided)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required to void an agreement", field="reason")
    ag, inc = _transition(session, actor, agreement_id, Action.AGREEMENT_REVIEW, expected_version,
                          tuple(s for s in S if s is not S.VOID))
    before = ag.status
    ag.status, ag.void_reason, ag.voided_at = S.VOID.value, reason.strip()[:2000], clock.now()
    crowd = settlement.unsettle(session, inc, ag, actor) if before == S.SEALED.value else None
    _event(session, inc, ag, "agreement.voided", actor, **{"from": before, "to": ag.status},
           text=ag.void_reason, **(crowd or {}))
    if crowd:
        settlement.regrade(session, inc, actor, crowd, "agreement.voided")
    return ag


def review(session: Session, *, actor: Actor, agreement_id: Any) -> dict[str, Any]:
    """What legal reviews: the diff against the template and against the previous version."""
    ag, _inc = load_for(session, actor, agreement_id, Action.INCIDENT_VIEW)
    tpl = templates.get(session, ag.template_id)
    prev = session.scalars(select(AgreementRevision).where(
        AgreementRevision.agreement_id == ag.id, AgreementRevision.version < ag.version)
        .order_by(AgreementRevision.version.desc()).limit(1)).first()
    return {"against_template": diff({"clauses": tpl.clauses}, {"clauses": ag.terms["clauses"]}),
            "template": {"id": tpl.id, "version": tpl.version},
            "against_previous": diff(prev.terms, ag.terms) if prev else [],
            "previous_version": prev.version if prev else None}


def listing(session: Session, *, actor: Actor, incident_id: int, status: str | None = None,
            segment: str | None = None) -> list[Agreement]:
    incidents.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    stmt = select(Agreement).where(Agreement.incident_id == incident_id)
    if status:
        stmt = stmt.where(Agreement.status == status)
    if segment is not None:
        stmt = stmt.where(Agreement.segment == segment)
    return list(session.scalars(stmt.order_by(Agreement.id)))


