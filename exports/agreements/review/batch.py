"""Legal reviews a batch in one screen (issue 11): every document's terms and diff, then approve all,
approve a selection, or return a selection with one comment.

Each agreement goes through `service.approve` / `service.return_for_changes` in its own savepoint:
one timeline event per state change, the four-eyes rule and the optimistic version as for one
agreement, and a document that cannot move fails alone with its reason. The caller commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import service
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.models import Agreement, AgreementBatch, AgreementBatchItem
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.errors import DomainError, NotFound, ValidationError

MAX_DOCUMENTS = 200
DECISIONS = {"approve": "approved", "return": "returned"}


@dataclass
class Row:
    agreement_id: int
    ref: str
    signer: str
    outcome: str                    # approved | returned | failed
    status: str = ""
    error: DomainError | None = None


def _batch(session: Session, incident_id: int, batch_id: Any) -> AgreementBatch:
    b = session.get(AgreementBatch, batch_id) if isinstance(batch_id, int) and not isinstance(batch_id, bool) \
        else None
    if b is None or b.incident_id != incident_id:
        raise NotFound("no such batch", field="batch_id")
    return b


def documents(session: Session, *, actor: Actor, incident_id: int, batch_id: Any = None,
              segment: str | None = None) -> tuple[AgreementBatch | None, list[Agreement]]:
    """The agreements under review: those a batch drafted (any status), or all in legal review."""
    inc = incidents.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    q = select(Agreement).where(Agreement.incident_id == inc.id)
    b = None
    if batch_id is not None:
        b = _batch(session, inc.id, batch_id)
        q = q.where(Agreement.id.in_(select(AgreementBatchItem.agreement_id).where(
            AgreementBatchItem.batch_id == b.id, AgreementBatchItem.agreement_id.is_not(None))))
    else:
        q = q.where(Agreement.status == S.IN_REVIEW.value)
    if segment:
        q = q.where(Agreement.segment == segment)
    return b, list(session.scalars(q.order_by(Agreement.id).limit(MAX_DOCUMENTS)))


def review_rows(session: Session, *, actor: Actor, agreements: list[Agreement]) -> list[dict[str, Any]]:
    """What the screen shows per document: its terms, its diff against the template and the last version."""
    return [{"agreement": ag, "terms": ag.terms, "review": service.review(session, actor=actor, agreement_id=ag.id)}
            for ag in agreements]


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_DOCUMENTS or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw):
        raise ValidationError("agreement_ids must be a list of 1 to %(max)s agreement ids",
                              field="agreement_ids", max=MAX_DOCUMENTS)
    return list(dict.fromkeys(raw))


def decide_many(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any]) -> list[Row]:
    """Approve or return many agreements: a selection (agreement_ids) or all in review of a batch."""
    inc = incidents.load_for(session, actor, incident_id, Action.AGREEMENT_REVIEW)
    decision = data.get("decision")
    if decision not in DECISIONS:
        raise ValidationError("decision must be approve or return", field="decision")
    comments = data.get("comments")
    if decision == "return" and (not isinstance(comments, str) or not comments.strip()):
        raise ValidationError("say what must change", field="comments")
    versions = {} if data.get("versions") is None else data.get("versions")
    if not isinstance(versions, dict):
        raise ValidationError("versions must map agreement ids to versions", field="versions")
    if data.get("agreement_ids") is not None:
        ids = _ids(data.get("agreement_ids"))
    elif data.get("batch_id") is not None:
        _b, docs = documents(session, actor=actor, incident_id=inc.id, batch_id=data.get("batch_id"))
        ids = [a.id for a in docs if a.status == S.IN_REVIEW.value]
        if not ids:
            raise ValidationError("no agreement of this batch is in legal review", field="batch_id")
    else:
        raise ValidationError("give agreement_ids (a selection) or a batch_id (all in review)",
                              field="agreement_ids")
    out: list[Row] = []
    for aid in ids:
        ag = session.get(Agreement, aid)
        if ag is None or ag.incident_id != inc.id:
            out.append(Row(aid, "", "", "failed", error=NotFound("no such agreement", field="agreement_ids")))
            continue
        row = Row(aid, ag.ref, str((ag.terms.get("signer") or {}).get("name", "")), DECISIONS[decision])
        expected = versions.get(str(aid), versions.get(aid, ag.version))
        try:
            with session.begin_nested():
                if decision == "approve":
                    service.approve(session, actor=actor, agreement_id=aid, expected_version=expected)
                else:
                    service.return_for_changes(session, actor=actor, agreement_id=aid, comments=comments,
                                               expected_version=expected)
        except DomainError as err:
            row.outcome, row.error = "failed", err
        row.status = ag.status
        out.append(row)
    return out
