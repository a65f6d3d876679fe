"""The admin-editable lexicon stored in the database, seeded with the defaults."""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from incident.db import Base
from incident.errors import Conflict, NotFound, ValidationError
from incident.triage.defaults import DEFAULT_TERMS
from incident.triage.lexicon import Term, normalize

CATEGORIES = ("regulator", "complaint", "media", "police", "legal", "protest", "camera", "extreme",
              "safety", "other")


class RiskKeyword(Base):
    __tablename__ = "risk_keywords"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "term": self.term, "category": self.category, "weight": self.weight,
                "active": self.active}


def seed_defaults(session: Session) -> int:
    """Insert default terms not present yet; returns how many were added."""
    have = set(session.scalars(select(RiskKeyword.term)))
    added = 0
    for t in DEFAULT_TERMS:
        if t.term not in have:
            session.add(RiskKeyword(term=t.term, category=t.category, weight=t.weight, active=True))
            added += 1
    session.flush()
    return added


def load_terms(session: Session) -> list[Term]:
    """The active lexicon; the built-in defaults when nothing is stored yet."""
    rows = session.scalars(select(RiskKeyword).where(RiskKeyword.active.is_(True))).all()
    if not rows and not session.scalar(select(RiskKeyword.id).limit(1)):
        return list(DEFAULT_TERMS)
    return [Term(r.term, r.category, r.weight) for r in rows]


def list_keywords(session: Session) -> list[RiskKeyword]:
    return list(session.scalars(select(RiskKeyword).order_by(RiskKeyword.category, RiskKeyword.term)))


def add_keyword(session: Session, *, term: str, category: str, weight: int = 1) -> RiskKeyword:
    """Add a term to the lexicon."""
    if not isinstance(term, str):
        raise ValidationError("term must be text", field="term")
    term = term.strip()
    if not term or len(term) > 64:
        raise ValidationError("term must be 1-64 characters", field="term")
    if not normalize(term).strip():
        raise ValidationError("term has no matchable characters", field="term")
    if category not in CATEGORIES:
        raise ValidationError("%(field)s must be one of: %(allowed)s", field="category",
                              allowed=", ".join(CATEGORIES))
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 3:
        raise ValidationError("weight must be 1, 2 or 3", field="weight")
    if session.scalar(select(RiskKeyword).where(RiskKeyword.term == term)):
        raise Conflict("term already in the lexicon", field="term")
    row = RiskKeyword(term=term, category=category, weight=weight, active=True)
    session.add(row)
    session.flush()
    return row


def set_active(session: Session, keyword_id: int, active: bool) -> RiskKeyword:
    """Switch a term on or off (kept for the record rather than deleted)."""
    row = session.get(RiskKeyword, keyword_id)
    if row is None:
        raise NotFound("no such keyword", field="id")
    row.active = active
    return row
