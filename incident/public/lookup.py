"""The public side's way in: a typed code → its row (or one uniform refusal), the second factor."""
from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import clock, privacy
from incident.errors import NotFound
from incident.public import codes
from incident.public.models import CodeKind, PublicCode

# One refusal for unknown, mistyped and revoked codes alike: an answer must not tell them apart.
UNKNOWN = "unknown or withdrawn code: check it, or ask the staff on site for a new one"


def resolve(session: Session, code: Any, kinds: tuple[str, ...] = (CodeKind.INCIDENT.value,
                                                                   CodeKind.CLAIMANT.value)) -> PublicCode:
    """The live code row for *code*, or NotFound (field "code")."""
    d = codes.digest(code)
    row = session.scalars(select(PublicCode).where(PublicCode.code_hash == d)).first() if d else None
    if row is None or not codes.same(row.code_hash, code) or row.revoked_at is not None or row.kind not in kinds:
        raise NotFound(UNKNOWN, field="code")
    from incident.models import Incident
    if session.get(Incident, row.incident_id) is None:
        raise NotFound(UNKNOWN, field="code")
    return row


def touch(session: Session, code_id: int) -> None:
    """Record that the page of a code was opened (its own short write; see realtime.public)."""
    session.execute(update(PublicCode).where(PublicCode.id == code_id).values(
        last_opened_at=clock.now(), opens=PublicCode.opens + 1))


def second_factor(session: Session, row: PublicCode, last4: Any) -> bool:
    """Do *last4* match the last four digits of the claimant's phone? (constant-time)"""
    if row.kind != CodeKind.CLAIMANT.value or row.claimant_id is None or not isinstance(last4, str):
        return False
    import unicodedata
    typed = unicodedata.normalize("NFKC", last4).strip()
    from incident.crowd.claimants.models import Claimant
    c = session.get(Claimant, row.claimant_id)
    if c is None or not c.phone_cipher or len(typed) != 4:
        return False
    digits = "".join(ch for ch in privacy.cipher().decrypt(c.phone_cipher) if ch.isdigit())
    return hmac.compare_digest(typed.encode("utf-8"), digits[-4:].encode("ascii"))
