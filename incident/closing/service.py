"""Closing use cases: a core seat signs off, the archive record is filled in, improvement actions
are added and followed (also after the close), and the admin edits the problem-type taxonomy."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.closing.archive import problem_path, record_of
from incident.closing.conditions import SIGN_OFF_SEATS
from incident.closing.models import ArchiveRecord, ImprovementAction, ItemClosure, ProblemType, SignOff
from incident.closing.rounds import current_round
from incident.crowd.demands.fields import parse_deadline, parse_text
from incident.errors import Conflict, NotFound, ValidationError
from incident.taskgroup.queries import seats_of

IMPROVEMENT_STATUSES = ("open", "done", "dropped")


def _id(value: Any, fld: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise ValidationError("%(field)s must be a whole number", field=fld)
    return value


def sign_off(session: Session, *, actor: Actor, incident_id: int, seat: Any, note: Any = "") -> SignOff:
    """The holder of a core seat confirms their part of the case is done (for this round)."""
    inc = service.load_for(session, actor, incident_id, Action.CLOSE_SIGN_OFF)
    service.ensure_open(inc)
    if seat not in SIGN_OFF_SEATS:
        raise ValidationError("seat must be one of " + ", ".join(SIGN_OFF_SEATS), field="seat")
    if seat not in seats_of(session, inc.id, actor.user_id):
        raise Conflict("only the holder of that seat can sign off for it", field="seat")
    rnd = current_round(session, inc)
    if session.scalar(select(SignOff.id).where(SignOff.incident_id == inc.id, SignOff.round == rnd,
                                               SignOff.seat == seat)):
        raise Conflict("this seat has already signed off", field="seat")
    row = SignOff(incident_id=inc.id, round=rnd, seat=seat, user_id=actor.user_id, name=actor.name,
                  note=parse_text(note, "note", 1000), at=clock.now())
    session.add(row)
    session.flush()
    timeline.record(session, inc, "closing.signed_off", actor,
                    {"seat": seat, "name": actor.name, "note": row.note, "round": rnd})
    return row


def close_item(session: Session, *, actor: Actor, incident_id: int, item_id: Any, reason: Any) -> ItemClosure:
    """Close a demand item that will not be fulfilled, with the reason (for the gate, it is done).

    Money agreed on an item is settled in the ledger instead (paid, or waived with a reason)."""
    from incident.crowd.demands.models import DemandItem, ItemStatus
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_EDIT)
    service.ensure_open(inc)
    it = session.get(DemandItem, item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
    if it is None or it.incident_id != inc.id:
        raise NotFound("no such demand item", field="item_id")
    if it.status in (ItemStatus.FULFILLED.value, ItemStatus.CONFIRMED.value):
        raise Conflict("this demand item is already fulfilled", field="item_id")
    if session.scalar(select(ItemClosure.id).where(ItemClosure.item_id == it.id)):
        raise Conflict("this demand item is already closed", field="item_id")
    row = ItemClosure(incident_id=inc.id, item_id=it.id, reason=parse_text(reason, "reason", 1000, required=True),
                      by_id=actor.user_id, by_name=actor.name, at=clock.now())
    session.add(row)
    session.flush()
    timeline.record(session, inc, "closing.item_closed", actor, {
        "item_id": it.id, "claimant_id": it.claimant_id, "type": it.type, "status": it.status, "reason": row.reason})
    return row


def save_archive(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any]) -> ArchiveRecord:
    """Fill in the archive record of the current round: problem type and root cause."""
    inc = service.load_for(session, actor, incident_id, Action.ARCHIVE_EDIT)
    service.ensure_open(inc)
    rnd = current_round(session, inc)
    rec = record_of(session, inc.id, rnd)
    if rec is None:
        rec = ArchiveRecord(incident_id=inc.id, round=rnd, root_cause="", snapshot={}, updated_at=clock.now())
        session.add(rec)
    if "problem_type_id" in data:
        if data["problem_type_id"] in (None, ""):  # the form's "choose…" placeholder: nothing chosen
            raise ValidationError("choose a problem type", field="problem_type_id")
        type_id = _id(data["problem_type_id"], "problem_type_id")
        t = session.get(ProblemType, type_id)
        if t is None or not t.active or t.parent_id is None:
            raise ValidationError("choose an active problem type (not a group)", field="problem_type_id")
        rec.problem_type_id = type_id
    if "root_cause" in data:
        rec.root_cause = parse_text(data["root_cause"], "root_cause", 2000)
    rec.updated_at = clock.now()
    session.flush()
    timeline.record(session, inc, "archive.updated", actor, {
        "round": rnd, "problem_type": problem_path(session, rec.problem_type_id), "root_cause": rec.root_cause})
    return rec


def add_improvement(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any]) -> ImprovementAction:
    """Add an improvement action (title, owner, due date); it is followed as a deadline."""
    inc = service.load_for(session, actor, incident_id, Action.ARCHIVE_EDIT)
    service.ensure_open(inc)
    due = parse_deadline(data.get("due_on"), "due_on")
    if due is None:
        raise ValidationError("due_on is required", field="due_on")
    if due < clock.now():  # an action due in the past would be overdue the moment it is added
        raise ValidationError("the due date of an improvement action cannot be in the past", field="due_on")
    row = ImprovementAction(incident_id=inc.id, round=current_round(session, inc),
                            title=parse_text(data.get("title"), "title", 300, required=True),
                            owner=parse_text(data.get("owner"), "owner", 120, required=True), due_at=due,
                            status="open", note="")
    session.add(row)
    session.flush()
    timeline.record(session, inc, "archive.improvement_added", actor, {
        "action_id": row.id, "title": row.title, "owner": row.owner, "due_at": due.isoformat(), "status": "open"})
    return row


def update_improvement(session: Session, *, actor: Actor, incident_id: int, action_id: int,
                       data: dict[str, Any]) -> ImprovementAction:
    """Change an improvement action's status (done / dropped) or note; allowed after the close too."""
    inc = service.load_for(session, actor, incident_id, Action.IMPROVEMENT_UPDATE)
    row = session.get(ImprovementAction, action_id)
    if row is None or row.incident_id != inc.id:
        raise NotFound("no such improvement action", field="action_id")
    status = data.get("status", row.status)
    if status not in IMPROVEMENT_STATUSES:
        raise ValidationError("status must be one of " + ", ".join(IMPROVEMENT_STATUSES), field="status")
    if "note" in data:
        row.note = parse_text(data.get("note"), "note", 1000)
    before, row.status = row.status, status
    row.done_at = clock.now() if status != "open" else None
    session.flush()
    timeline.record(session, inc, "archive.improvement_updated", actor, {
        "action_id": row.id, "title": row.title, "owner": row.owner, "due_at": row.due_at.isoformat(),
        "from": before, "status": status, "note": row.note})
    return row


def problem_types(session: Session) -> list[ProblemType]:
    return list(session.scalars(select(ProblemType).order_by(ProblemType.parent_id.is_not(None),
                                                             ProblemType.position, ProblemType.id)))


def save_problem_type(session: Session, *, actor: Actor, data: dict[str, Any],
                      type_id: int | None = None) -> ProblemType:
    """Add (or rename, move, deactivate) a problem type; two levels: groups and types inside them."""
    require(session, actor, Action.PROBLEM_TYPE_EDIT)
    row = ProblemType(position=0, active=True) if type_id is None else session.get(ProblemType, type_id)
    if row is None:
        raise NotFound("no such problem type", field="type_id")
    if type_id is None or "name" in data:
        row.name = parse_text(data.get("name"), "name", 80, required=True)
    if "parent_id" in data or type_id is None:
        parent_id = data.get("parent_id")
        if parent_id is not None:
            parent = session.get(ProblemType, _id(parent_id, "parent_id"))
            if parent is None or parent.parent_id is not None or parent_id == type_id:
                raise ValidationError("the group must be a top-level problem type", field="parent_id")
        row.parent_id = parent_id
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationError("active must be true or false", field="active")
        row.active = data["active"]
    if "position" in data:
        row.position = _id(data["position"], "position") if data["position"] else 0
    clash = session.scalar(select(ProblemType.id).where(ProblemType.parent_id.is_(row.parent_id)
                                                        if row.parent_id is None else
                                                        ProblemType.parent_id == row.parent_id,
                                                        ProblemType.name == row.name))
    if clash and clash != row.id:
        raise Conflict("a problem type of that name already exists there", field="name")
    session.add(row)
    session.flush()
    return row
