"""What the command board shows about a group: seats, vacancies, the clock, figures, consents."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.attachments import Attachment
from incident.enums import CORE_SEATS, Seat
from incident.models import Incident
from incident.taskgroup.formation import formation_status, vacant_core_seats
from incident.taskgroup.holders import names_for, seat_dict, user_names
from incident.taskgroup.models import Recording, RecordingConsent
from incident.taskgroup.queries import active_seats, group_version, seat_history

# The seats the board always lists, held or not; custom auxiliary seats appear once assigned.
STANDARD_SEATS = [s for s in Seat if s is not Seat.AUXILIARY]

OpenItemCounter = Callable[[Session, Incident], int]
_open_items: dict[str, OpenItemCounter] = {}


def register_open_items(name: str, counter: OpenItemCounter) -> None:
    """Let a feature add to the board's "open items" figure (e.g. demands without an owner)."""
    _open_items[name] = counter


def open_items(session: Session, inc: Incident) -> dict[str, int]:
    """Open items by kind, from every registered counter."""
    return {name: int(fn(session, inc)) for name, fn in sorted(_open_items.items())}


register_open_items("vacant_core_seats", lambda s, inc: len(vacant_core_seats(s, inc.id)))
register_open_items("readback_unconfirmed", lambda s, inc: 0 if inc.readback_confirmed_at else 1)


def consents_and_recordings(session: Session, incident_id: int) -> dict[str, list[dict[str, Any]]]:
    consents = list(session.scalars(select(RecordingConsent).where(
        RecordingConsent.incident_id == incident_id).order_by(RecordingConsent.id)))
    recs = list(session.execute(select(Recording, Attachment).join(
        Attachment, Attachment.id == Recording.attachment_id).where(
        Recording.incident_id == incident_id).order_by(Recording.id)))
    names = user_names(session, [c.recorded_by_id for c in consents] + [r.recorded_by_id for r, _ in recs])
    return {
        "consents": [{"id": c.id, "consented_by": c.consented_by, "method": c.method,
                      "recorder": c.recorder_name, "recorded_by": names.get(c.recorded_by_id or -1, ""),
                      "at": c.at.isoformat(), "note": c.note} for c in consents],
        "recordings": [{"id": r.id, "kind": r.kind, "caption": r.caption, "consent_id": r.consent_id,
                        "at": r.at.isoformat(), "recorded_by": names.get(r.recorded_by_id or -1, ""),
                        "file": a.to_dict()} for r, a in recs],
    }


def with_standing(session: Session, seats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each user holder's organisation role, qualifications and whether the account is active."""
    from incident.accounts.models import User
    ids = {s["holder"]["user_id"] for s in seats if s["holder"]["user_id"] is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    for s in seats:
        u = users.get(s["holder"]["user_id"])
        if u is not None:
            s["holder"] |= {"role": str(u.role), "qualifications": sorted(u.qualifications), "active": u.active}
    return seats


def group_snapshot(session: Session, inc: Incident, now: datetime, *, history: bool = False) -> dict[str, Any]:
    """The whole task group as JSON: held seats, vacant standard seats, formation and figures."""
    seats = active_seats(session, inc.id)
    held = {(a.seat, a.label) for a in seats}
    names = names_for(session, seats)
    items = open_items(session, inc)
    out: dict[str, Any] = {
        "incident_id": inc.id,
        "version": group_version(session, inc.id),
        "seats": with_standing(session, [seat_dict(a, names) for a in seats]),
        "vacant": [s.value for s in STANDARD_SEATS if (s.value, "") not in held],
        "core_seats": [s.value for s in CORE_SEATS],
        "formation": formation_status(inc, now),
        "figures": {"headcount": inc.headcount, "grade": inc.grade, "open_items": sum(items.values()),
                    "open_items_by_kind": items},
    } | consents_and_recordings(session, inc.id)
    if history:
        rows = seat_history(session, inc.id)
        hnames = names_for(session, rows)
        out["history"] = [seat_dict(a, hnames) for a in rows]
    return out
