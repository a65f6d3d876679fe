"""Segment actions (issue 11): one answer — accepted or rejected — for many items of a demand at once.

Scope: the items of one demand template for every claimant of a segment, or a selection of items.
Each item goes through `service.decide` in its own savepoint, so every state change is still one
timeline event and one history row, and an item that cannot move (not offered, changed meanwhile)
fails alone with its reason while the others go through. The caller commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands import service
from incident.crowd.demands.fields import parse_text
from incident.crowd.demands.models import DemandItem
from incident.errors import DomainError, NotFound, ValidationError

MAX_ITEMS = 500  # one call; the page sends a segment in chunks and shows the progress
DECISIONS = ("accepted", "rejected")


@dataclass
class Row:
    item_id: int
    claimant_id: int | None
    claimant_name: str
    segment: str
    outcome: str                    # accepted | rejected | failed
    error: DomainError | None = None


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError("item_ids must be a non-empty list of item ids", field="item_ids")
    if len(raw) > MAX_ITEMS:
        raise ValidationError("at most %(max)s items at once", field="item_ids", max=MAX_ITEMS)
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw):
        raise ValidationError("item_ids must be a non-empty list of item ids", field="item_ids")
    return list(dict.fromkeys(raw))


def _versions(raw: Any) -> dict[int, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError("versions must map item ids to versions", field="versions")
    try:
        return {int(k): v for k, v in raw.items()}
    except (TypeError, ValueError):
        raise ValidationError("versions must map item ids to versions", field="versions") from None


def scope(session: Session, incident_id: int, template_id: int, data: dict[str, Any]) -> list[tuple[DemandItem, Claimant]]:
    """The items a segment action is about: a selection (item_ids) or every item of a segment."""
    q = select(DemandItem, Claimant).join(Claimant, Claimant.id == DemandItem.claimant_id).where(
        DemandItem.incident_id == incident_id, DemandItem.template_id == template_id)
    if data.get("item_ids") is not None:
        q = q.where(DemandItem.id.in_(_ids(data.get("item_ids"))))
    elif "segment" in data:
        seg = data.get("segment")
        if not isinstance(seg, str) or len(seg) > 120:
            raise ValidationError("segment must be text", field="segment")
        q = q.where(Claimant.segment == seg.strip())
    else:
        raise ValidationError("give item_ids (a selection) or a segment", field="item_ids")
    rows = [(r[0], r[1]) for r in session.execute(q.order_by(DemandItem.id).limit(MAX_ITEMS + 1))]
    if len(rows) > MAX_ITEMS:
        raise ValidationError("at most %(max)s items at once", field="item_ids", max=MAX_ITEMS)
    return rows


def decide_many(session: Session, *, actor: Actor, incident_id: int, template_id: Any,
                data: dict[str, Any]) -> list[Row]:
    """Record the same answer for every item in scope; one outcome per item (failures included)."""
    inc = incidents.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    service.get_template(session, inc.id, template_id)
    decision = data.get("decision")
    if decision not in DECISIONS:
        raise ValidationError("decision must be accepted or rejected", field="decision")
    note = parse_text(data.get("note"), "note", 2000)
    versions = _versions(data.get("versions"))
    rows = scope(session, inc.id, template_id, data)
    wanted = data.get("item_ids")
    found = {it.id for it, _c in rows}
    out: list[Row] = []
    for it, c in rows:
        row = Row(it.id, c.id, c.name, c.segment, decision)
        try:
            with session.begin_nested():
                service.decide(session, actor=actor, incident_id=inc.id, item_id=it.id, data={
                    "decision": decision, "note": note, "version": versions.get(it.id, it.version)})
        except DomainError as err:
            row.outcome, row.error = "failed", err
        out.append(row)
    for missing in [i for i in (wanted or []) if i not in found]:
        out.append(Row(missing, None, "", "", "failed",
                       NotFound("no such demand item in this demand", field="item_ids")))
    return out
