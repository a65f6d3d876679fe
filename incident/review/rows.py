"""The rows a review reads: one per case closed in a time range (its latest closing round there),
with the incident's place, grade and reference and the archive record's frozen snapshot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.closing.models import ArchiveRecord, ImprovementAction, ProblemType
from incident.models import Incident

DEMO_PREFIX = "演示-"   # demo history (incident/review/history.py): shown as 演示数据 on the review


@dataclass(frozen=True)
class Case:
    incident_id: int
    ref: str
    place: str
    grade: str
    opened_at: datetime
    closed_at: datetime
    type_id: int | None
    snapshot: dict[str, Any]

    @property
    def demo(self) -> bool:
        return self.ref.startswith(DEMO_PREFIX)


@dataclass(frozen=True)
class Taxonomy:
    """Problem types by id: (name, id of its group); a group is its own group."""
    names: dict[int, tuple[str, int]]

    def group(self, type_id: int | None) -> str | None:
        return self.names[self.names[type_id][1]][0] if type_id in self.names else None

    def name(self, type_id: int | None) -> str | None:
        return self.names[type_id][0] if type_id in self.names else None

    def matches(self, type_id: int | None, wanted: int) -> bool:
        """The type itself, or any type inside the wanted group."""
        return type_id in self.names and (type_id == wanted or self.names[type_id][1] == wanted)


def taxonomy(session: Session) -> Taxonomy:
    rows = session.execute(select(ProblemType.id, ProblemType.name, ProblemType.parent_id)).all()
    return Taxonomy({i: (name, parent or i) for i, name, parent in rows})


def cases(session: Session, start: datetime, end: datetime, *, place: str | None = None,
          type_id: int | None = None, tax: Taxonomy | None = None) -> list[Case]:
    """Cases whose closing was frozen in [start, end), one per incident (its latest round there)."""
    stmt = (select(ArchiveRecord.incident_id, Incident.ref, Incident.place, Incident.grade, Incident.opened_at,
                   ArchiveRecord.closed_at, ArchiveRecord.problem_type_id, ArchiveRecord.snapshot)
            .join(Incident, Incident.id == ArchiveRecord.incident_id)
            .where(ArchiveRecord.closed_at >= start, ArchiveRecord.closed_at < end)
            .order_by(ArchiveRecord.closed_at, ArchiveRecord.id))
    if place:
        stmt = stmt.where(Incident.place == place)
    latest: dict[int, Case] = {}
    for r in session.execute(stmt):
        latest.pop(r[0], None)  # a later round replaces the earlier one, and takes its place in the order
        latest[r[0]] = Case(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6], r[7] or {})
    out = list(latest.values())  # in closing order
    if type_id is not None:
        tax = tax or taxonomy(session)
        out = [c for c in out if tax.matches(c.type_id, type_id)]
    return out


def improvements(session: Session, incident_ids: list[int]) -> list[tuple[ImprovementAction, str]]:
    """Improvement actions of these incidents with the incident's reference."""
    out: list[tuple[ImprovementAction, str]] = []
    for chunk in range(0, len(incident_ids), 500):
        ids = incident_ids[chunk:chunk + 500]
        out += [(a, ref) for a, ref in session.execute(
            select(ImprovementAction, Incident.ref).join(Incident, Incident.id == ImprovementAction.incident_id)
            .where(ImprovementAction.incident_id.in_(ids)).order_by(ImprovementAction.due_at))]
    return out


def places(session: Session) -> list[str]:
    """Every place a closed case was at (for the filter)."""
    return sorted(p for p in session.scalars(select(Incident.place).join(
        ArchiveRecord, ArchiveRecord.incident_id == Incident.id).where(ArchiveRecord.closed_at.is_not(None))
        .distinct()) if p)
