"""Login sessions: when one is usable, the second login step, re-entering a secret, ending sessions.

A session is usable while it is not revoked, has finished its login steps, was seen within the
idle timeout, is younger than the absolute lifetime (default 7 days, whatever the activity), and
its user is active. Ending sessions returns their *public ids* (a hash of the secret cookie id):
the web layer uses them to disconnect every socket of those sessions, in every server process.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.accounts import passwords, totp
from incident.accounts.models import LoginSession, User
from incident.errors import Forbidden, Unauthenticated, ValidationError

DEFAULT_IDLE = timedelta(hours=12)
DEFAULT_LIFETIME = timedelta(days=7)
SECOND_STEP_WINDOW = timedelta(minutes=10)  # time to type the TOTP code after the password
PROOF_WINDOW = timedelta(minutes=5)         # how long a re-entered secret counts as fresh
MAX_FAILURES = 5                            # wrong codes / re-entered passwords per session
ACTIVE, AWAITING_CODE = "active", "totp"
_config: dict[str, timedelta] = {"idle": DEFAULT_IDLE, "lifetime": DEFAULT_LIFETIME}


class ReauthRequired(Forbidden):
    """The action needs the password (or TOTP code) re-entered, and it was missing or wrong."""

    code = "reauth_required"


def configure(*, idle: timedelta | None = None, lifetime: timedelta | None = None) -> None:
    """Set the idle timeout and the absolute lifetime (from the instance settings)."""
    if idle is not None:
        _config["idle"] = idle
    if lifetime is not None:
        _config["lifetime"] = lifetime


def lifetime() -> timedelta:
    return _config["lifetime"]


def public_id(session_id: str) -> str:
    """A non-secret name for a session (rooms, lists, "end this session"): never the cookie value."""
    return hashlib.sha256(f"concord-session:{session_id}".encode()).hexdigest()[:32]


def usable(ls: LoginSession | None, user: User | None, now: datetime) -> bool:
    """Whether a login session may act for its user right now."""
    return (ls is not None and user is not None and user.active and ls.revoked_at is None
            and (ls.stage or ACTIVE) == ACTIVE and now - ls.last_seen_at <= _config["idle"]
            and now - ls.created_at <= _config["lifetime"])


def after_login(session: Session, ls: LoginSession, *, user_agent: str = "", address: str = "") -> bool:
    """Record the device of a fresh login; True when it must still give its TOTP code."""
    ls.user_agent, ls.address = (user_agent or "")[:300], (address or "")[:64]
    user = session.get(User, ls.user_id)
    if user is not None and user.has_totp:
        ls.stage = AWAITING_CODE
    session.flush()
    return ls.stage == AWAITING_CODE


def awaiting_code(session: Session, session_id: str | None) -> tuple[LoginSession, User] | None:
    """The login that gave its password and now waits for the TOTP code, if still in time."""
    ls = session.get(LoginSession, session_id) if session_id else None
    if ls is None or ls.stage != AWAITING_CODE or ls.revoked_at is not None:
        return None
    user = session.get(User, ls.user_id)
    if user is None or not user.active or clock.now() - ls.created_at > SECOND_STEP_WINDOW:
        return None
    return ls, user


def complete_login(session: Session, *, session_id: str | None, code: Any) -> LoginSession:
    """Second login step: a right TOTP code turns the waiting login into a fresh, usable session
    (new id). Wrong codes count; the fifth ends the attempt. The caller commits in every case."""
    found = awaiting_code(session, session_id)
    if found is None:
        raise Unauthenticated("the login has expired; enter your password again", field="code")
    ls, user = found
    now = clock.now()
    if not totp.verify(user, code):
        ls.failures += 1
        if ls.failures >= MAX_FAILURES:
            _revoke([ls], "wrong_codes", now)
            raise Unauthenticated("too many wrong codes; enter your password again", field="code")
        raise Unauthenticated("wrong code; enter the 6 digits your authenticator app shows now", field="code")
    _revoke([ls], "second_step_done", now)
    fresh = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                         user_agent=ls.user_agent, address=ls.address, stage=ACTIVE, failures=0,
                         revoked_reason="")
    session.add(fresh)
    session.flush()
    return fresh


@dataclass(frozen=True)
class Proof:
    """Evidence that a user re-entered their secret just now (needed to seal an agreement)."""

    user_id: int
    at: datetime

    def fresh_for(self, user_id: int | None) -> bool:
        return user_id is not None and self.user_id == user_id and clock.now() - self.at <= PROOF_WINDOW


def confirm_secret(session: Session, *, user: User, session_id: str | None, password: Any = None,
                   code: Any = None, password_only: bool = False) -> Proof:
    """Check a re-entered secret: the TOTP code for users who have two-factor, else (or when
    *password_only*, as for a password change) the password.

    Wrong secrets count on the login session; the fifth ends it (a stolen cookie cannot be used to
    guess the password). The caller commits whatever the outcome."""
    ls = session.get(LoginSession, session_id) if session_id else None
    by_code = user.has_totp and not password_only
    field = "code" if by_code else ("current_password" if password_only else "password")
    given = code if by_code else password
    if given in (None, ""):
        raise ReauthRequired("confirm with your authenticator code" if by_code
                             else "confirm with your password", field=field)
    ok = totp.verify(user, given) if by_code else passwords.verify(user.password_hash, given)
    now = clock.now()
    if not ok:
        if ls is not None:
            ls.failures += 1
            if ls.failures >= MAX_FAILURES:
                _revoke([ls], "wrong_confirmations", now)
                raise Unauthenticated("too many wrong confirmations; you have been logged out", field=field,
                                      session_ended=public_id(ls.id))
        raise ReauthRequired("wrong code" if by_code else "wrong password", field=field)
    if ls is not None:
        ls.failures = 0
    return Proof(user_id=user.id, at=now)


def _revoke(rows: list[LoginSession], reason: str, now: datetime) -> list[str]:
    ended = []
    for ls in rows:
        if ls.revoked_at is None:
            ls.revoked_at, ls.revoked_reason = now, reason[:32]
            ended.append(public_id(ls.id))
    return ended


def end(session: Session, session_id: str | None, reason: str = "logout") -> list[str]:
    """End one session by its cookie id (logout)."""
    ls = session.get(LoginSession, session_id) if session_id else None
    return _revoke([ls], reason, clock.now()) if ls is not None else []


def end_all(session: Session, user_id: int, reason: str, *, keep: str | None = None) -> list[str]:
    """End every open session of a user, except *keep* (the caller's own, when it stays)."""
    rows = session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                      LoginSession.revoked_at.is_(None)))
    return _revoke([r for r in rows if r.id != keep], reason, clock.now())


def end_mine(session: Session, *, user_id: int, public: Any) -> list[str]:
    """End one of my own sessions, named by its public id ("end this session")."""
    if not isinstance(public, str):
        raise ValidationError("session_id must be text", field="session_id")
    rows = session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                      LoginSession.revoked_at.is_(None)))
    for r in rows:
        if public_id(r.id) == public:
            return _revoke([r], "ended_by_user", clock.now())
    from incident.errors import NotFound
    raise NotFound("no such open session of yours", field="session_id")


def open_sessions(session: Session, *, user_id: int, current: str | None) -> list[dict[str, Any]]:
    """My usable sessions, newest activity first: device, address, started, last seen."""
    from incident.accounts.devices import describe
    now = clock.now()
    user = session.get(User, user_id)
    rows = session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                      LoginSession.revoked_at.is_(None))
                           .order_by(LoginSession.last_seen_at.desc()))
    return [{"id": public_id(r.id), "device": describe(r.user_agent), "address": r.address,
             "created_at": r.created_at, "last_seen_at": r.last_seen_at,
             "expires_at": r.created_at + _config["lifetime"], "current": r.id == current}
            for r in rows if usable(r, user, now)]
