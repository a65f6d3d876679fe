"""The admin-editable lexicon stored in the database, seeded with the defaults."""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Boolean, Integer, String, case, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from incident.access import memo
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
    _invalidate()
    return added


def _signature(session: Session) -> tuple[Any, ...]:
    """One cheap row that changes whenever the lexicon does (a term added, switched on or off,
    reweighted): how many terms, the highest id, and power sums of the active ids (two different
    sets of active terms agree on count and the first three power sums only when at least four
    terms were switched at once between two reads — and an edit in this process clears the cache)."""
    on = RiskKeyword.active.is_(True)
    return tuple(session.execute(select(
        func.count(RiskKeyword.id), func.max(RiskKeyword.id), func.sum(case((on, 1), else_=0)),
        func.sum(case((on, RiskKeyword.id), else_=0)),
        func.sum(case((on, RiskKeyword.id * RiskKeyword.id), else_=0)),
        func.sum(case((on, RiskKeyword.id * RiskKeyword.id * RiskKeyword.id), else_=0)),
        func.sum(case((on, RiskKeyword.id * RiskKeyword.weight), else_=0)))).one())


_cache: dict[str, Any] = {"signature": None, "terms": ()}
_cache_lock = threading.Lock()


def _read_terms(session: Session) -> tuple[Term, ...]:
    sig = (str(session.get_bind().url), *_signature(session))  # one cache per database
    with _cache_lock:
        if _cache["signature"] == sig:
            return _cache["terms"]  # type: ignore[no-any-return]
    rows = session.scalars(select(RiskKeyword).where(RiskKeyword.active.is_(True))).all()
    terms = tuple(DEFAULT_TERMS) if not sig[1] else tuple(Term(r.term, r.category, r.weight) for r in rows)
    if not (session.new or session.dirty or session.deleted):  # only what every transaction can see
        with _cache_lock:
            _cache["signature"], _cache["terms"] = sig, terms
    return terms


def _invalidate() -> None:
    """An edit in this process: the next read re-reads the terms, whatever the signature says."""
    with _cache_lock:
        _cache["signature"], _cache["terms"] = None, ()


def load_terms(session: Session) -> list[Term]:
    """The active lexicon; the built-in defaults when nothing is stored yet.

    Kept in memory between requests: each transaction asks one signature row (count, highest id,
    sums over the active terms) and re-reads the terms only when it differs, so an admin's edit —
    in this process or another — is used by the very next transaction that sees it committed.
    """
    return list(memo.remember(session, "lexicon", lambda: _read_terms(session)))


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
    _invalidate()
    return row


def set_active(session: Session, keyword_id: int, active: bool) -> RiskKeyword:
    """Switch a term on or off (kept for the record rather than deleted)."""
    row = session.get(RiskKeyword, keyword_id)
    if row is None:
        raise NotFound("no such keyword", field="id")
    row.active = active
    _invalidate()
    return row
