"""The task-group section of the incident page (the command board): data for its template."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.accounts.models import User
from incident.enums import Seat
from incident.models import Incident
from incident.taskgroup.board import STANDARD_SEATS, group_snapshot
from realtime.sections import Section, register_section


def _rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per standard seat (held or vacant), then the custom auxiliary seats."""
    held = {(s["seat"], s["label"]): s for s in snapshot["seats"]}
    rows = [{"seat": s.value, "label": "", "a": held.get((s.value, ""))} for s in STANDARD_SEATS]
    rows += [{"seat": s["seat"], "label": s["label"], "a": s} for s in snapshot["seats"]
             if s["seat"] == Seat.AUXILIARY.value]
    for r in rows:
        r["since"] = datetime.fromisoformat(r["a"]["assumed_at"]) if r["a"] else None
    return rows


def provider(session: Session, actor: Actor, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    """Template variables: the group snapshot, seat rows, who may do what, users to pick from."""
    snap = group_snapshot(session, inc, clock.now())
    users: list[dict[str, Any]] = []
    if can.get("taskgroup.change"):
        # -- accounts (issue 10): legal staff marked, so the legal seat is given to one of them
        users = [{"id": uid, "name": name, "legal": bool(legal)} for uid, name, legal in session.execute(
            select(User.id, User.display_name, User.is_legal).where(User.active.is_(True))
            .order_by(User.display_name))]
    return {"inc": inc, "group": snap, "rows": _rows(snap), "can": can, "users": users,
            "seats": [s.value for s in Seat], "has_consent": bool(snap["consents"]),
            "times": {x["at"]: datetime.fromisoformat(x["at"]) for x in snap["consents"] + snap["recordings"]}}


register_section(Section(name="taskgroup", template="sections/taskgroup.html", provider=provider, order=10,
                         script="taskgroup.js"))
