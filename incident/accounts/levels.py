"""Manager levels on the grade ladder (AUTHORITY in incident/triage/grading.py): which managers are asked
to lead an incident of a grade — a C-grade case a department manager, a B-grade one a general manager."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.accounts.models import Role, User
from incident.errors import ValidationError
from incident.labels import LABELS
from incident.triage.grading import AUTHORITY

# The whole ladder, lowest first (agent … director); managers stand on its upper rungs.
LADDER: tuple[str, ...] = tuple(AUTHORITY[g]["handler"] for g in "FEDCBA")
LEVELS: tuple[str, ...] = ("team_lead", "department_manager", "general_manager", "director")
LABELS["manager_level"] = {"team_lead": "team lead / supervisor", "department_manager": "department manager",
                           "general_manager": "general manager", "director": "director"}
LABELS["field"]["manager_level"] = "manager level"


def check(value: Any, role: str) -> str | None:
    """A manager level as given by the admin ("" or None: no level); only managers carry one."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in LEVELS:
        raise ValidationError("%(field)s: choose a level of the grade ladder", field="manager_level")
    if role != Role.MANAGER.value:
        raise ValidationError("only a manager carries a manager level", field="manager_level")
    return value


def for_grade(grade: str) -> str:
    """The handler level a grade asks for (F: agent … A: director)."""
    return str(AUTHORITY[grade]["handler"])


def managers_for(session: Session, grade: str) -> tuple[list[int], str, str | None, str]:
    """The active managers to ask to lead at *grade*: (ids, wanted level, level asked, how).

    how = "level" (managers of that level), "higher" (none there: the nearest higher level that has
    someone), "all" (no manager carries a fitting level: every active manager), "none" (no manager)."""
    wanted = for_grade(grade)
    rows = list(session.execute(select(User.id, User.manager_level).where(
        User.role == Role.MANAGER.value, User.active.is_(True)).order_by(User.id)))
    by_level: dict[str, list[int]] = {}
    for uid, level in rows:
        by_level.setdefault(level or "", []).append(uid)
    if by_level.get(wanted):
        return by_level[wanted], wanted, wanted, "level"
    for level in LADDER[LADDER.index(wanted) + 1:]:
        if by_level.get(level):
            return by_level[level], wanted, level, "higher"
    ids = [uid for uid, _level in rows]
    return ids, wanted, None, "all" if ids else "none"
