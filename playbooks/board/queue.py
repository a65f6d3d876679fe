"""The incident list as a queue: soonest breach first, with overdue counts, grade and my seats (no Flask)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.enums import IncidentStatus
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from playbooks.board.strip import pending_items

GRADES = ("A", "B", "C", "D", "E", "F")
STATUSES = tuple(s.value for s in IncidentStatus)


@dataclass(frozen=True)
class Filters:
    mine: bool = False
    grade: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def parse(cls, args: Any) -> "Filters":
        """From query arguments; unknown values are ignored (a filter that cannot match is no filter)."""
        grade = str(args.get("grade") or "").strip().upper()
        status = str(args.get("status") or "").strip()
        return cls(mine=str(args.get("mine") or "") in ("1", "on", "true"),
                   grade=grade if grade in GRADES else "", status=status if status in STATUSES else "",
                   q=str(args.get("q") or "").strip()[:100])


def _my_seats(session: Session, user_id: int | None, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if user_id is None or not ids:
        return out
    for inc_id, seat in session.execute(select(SeatAssignment.incident_id, SeatAssignment.seat).where(
            SeatAssignment.user_id == user_id, SeatAssignment.released_at.is_(None),
            SeatAssignment.incident_id.in_(ids))):
        out.setdefault(inc_id, []).append(seat)
    return out


def _matches(inc: Incident, f: Filters, seats: list[str]) -> bool:
    if f.mine and not seats:
        return False
    if f.grade and inc.grade != f.grade:
        return False
    if f.status and inc.status != f.status:
        return False
    if f.q:
        needle = f.q.casefold()
        if not any(needle in (v or "").casefold() for v in (inc.title, inc.ref, inc.scope_text, inc.core_demand)):
            return False
    return True


def queue(session: Session, incidents: list[Incident], user_id: int | None, now: datetime,
          f: Filters = Filters()) -> list[dict[str, Any]]:
    """Rows for the visible incidents: overdue ones first (longest overdue first), then by next deadline,
    then those without a deadline (newest first); closed incidents last."""
    ids = [i.id for i in incidents]
    seats = _my_seats(session, user_id, ids)
    due: dict[int, list[datetime]] = {}
    for item in pending_items(session, ids):
        if item.due_at is not None:
            due.setdefault(item.incident_id, []).append(item.due_at)
    rows = []
    for inc in incidents:
        mine = sorted(seats.get(inc.id, []))
        if not _matches(inc, f, mine):
            continue
        times = due.get(inc.id, [])
        rows.append({"incident": inc, "next_due": times[0] if times else None,
                     "overdue": sum(1 for t in times if t <= now), "my_seats": mine})
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r["incident"].status == IncidentStatus.CLOSED.value, r["next_due"] is None,
                             r["next_due"] or far, -r["incident"].opened_at.timestamp()))
    return rows
