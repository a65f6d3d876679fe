"""Validate who is put on a seat (a user, or an outside person on an auxiliary seat) and describe holders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import privacy
from incident.accounts.models import User
from incident.crowd.claimants import numbers
from incident.enums import CORE_SEATS, Seat
from incident.errors import ValidationError
from incident.taskgroup.models import SeatAssignment

MAX_LABEL = 120
MAX_NAME = 120


@dataclass(frozen=True)
class HolderIn:
    """A validated holder: either a user id or an outside person's name and normalised phone."""

    user_id: int | None = None
    name: str = ""
    phone: str = ""

    @property
    def outside(self) -> bool:
        return self.user_id is None


def parse_seat(seat: Any, label: Any = "") -> tuple[Seat, str]:
    """The seat and, for a custom auxiliary seat, its label."""
    try:
        s = Seat(seat)
    except ValueError:
        raise ValidationError("seat must be one of: " + ", ".join(x.value for x in Seat),
                              field="seat") from None
    if label is None:
        label = ""
    if not isinstance(label, str):
        raise ValidationError("label must be text", field="label")
    label = " ".join(label.split())
    if s is Seat.AUXILIARY:
        if not label or len(label) > MAX_LABEL:
            raise ValidationError(f"a custom auxiliary seat needs a name of 1-{MAX_LABEL} characters",
                                  field="label")
    elif label:
        raise ValidationError("only a custom auxiliary seat takes a label", field="label")
    return s, label


def parse_holder(session: Session, data: Mapping[str, Any], seat: Seat) -> HolderIn:
    """Exactly one of user_id, or outside_name + outside_phone (auxiliary seats only)."""
    user_id = data.get("user_id")
    name = data.get("outside_name")
    if user_id not in (None, "") and name not in (None, ""):
        raise ValidationError("give either user_id or an outside person, not both", field="user_id")
    if user_id not in (None, ""):
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise ValidationError("user_id must be a user's id", field="user_id")
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise ValidationError("no such active user", field="user_id")
        return HolderIn(user_id=user.id)
    if name in (None, ""):
        raise ValidationError("choose a user (user_id) or an outside person (outside_name)",
                              field="user_id")
    if seat in CORE_SEATS:
        raise ValidationError("an outside person can only hold an auxiliary seat", field="outside_name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise ValidationError(f"outside_name must be 1-{MAX_NAME} characters", field="outside_name")
    phone = data.get("outside_phone")
    if not isinstance(phone, str) or not phone.strip():
        raise ValidationError("an outside person's phone is required", field="outside_phone")
    return HolderIn(name=" ".join(name.split()), phone=numbers.phone(phone, "outside_phone"))


def same_holder(row: SeatAssignment, holder: HolderIn) -> bool:
    if holder.user_id is not None:
        return row.user_id == holder.user_id
    return row.user_id is None and row.outside_name == holder.name and \
        row.outside_phone_masked == privacy.mask_phone(holder.phone)


def fill(row: SeatAssignment, holder: HolderIn) -> None:
    """Copy a holder onto a new tenure; an outside phone is stored encrypted and masked only."""
    row.user_id = holder.user_id
    row.outside_name = holder.name
    row.outside_phone_cipher = privacy.cipher().encrypt(holder.phone) if holder.phone else ""
    row.outside_phone_masked = privacy.mask_phone(holder.phone) if holder.phone else ""


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given users, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


def holder_dict(row: SeatAssignment, names: Mapping[int, str]) -> dict[str, Any]:
    """Who holds (held) a tenure, safe to publish: phones masked."""
    if row.user_id is not None:
        return {"user_id": row.user_id, "name": names.get(row.user_id, ""), "outside": False,
                "phone": None}
    return {"user_id": None, "name": row.outside_name, "outside": True, "phone": row.outside_phone_masked}


def seat_dict(row: SeatAssignment, names: Mapping[int, str]) -> dict[str, Any]:
    """One tenure as JSON: seat, holder, and the handoff facts."""
    return {
        "assignment_id": row.id, "seat": row.seat, "label": row.label,
        "core": row.seat in {s.value for s in CORE_SEATS},
        "holder": holder_dict(row, names),
        "assumed_at": row.assumed_at.isoformat(),
        "assumed_by": {"user_id": row.assumed_by_id, "name": names.get(row.assumed_by_id or -1, "")},
        "released_at": row.released_at.isoformat() if row.released_at else None,
        "released_by": None if row.released_at is None else {
            "user_id": row.released_by_id, "name": names.get(row.released_by_id or -1, "")},
        "predecessor_id": row.predecessor_id,
    }


def names_for(session: Session, rows: Iterable[SeatAssignment]) -> dict[int, str]:
    rows = list(rows)
    ids: list[int | None] = []
    for r in rows:
        ids += [r.user_id, r.assumed_by_id, r.released_by_id]
    return user_names(session, ids)
