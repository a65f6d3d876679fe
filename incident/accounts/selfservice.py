"""What every user does with their own account: change the password, two-factor on/off."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.accounts import passwords, sessions, totp
from incident.accounts.admin import _event, policy
from incident.accounts.models import User
from incident.errors import Conflict, ValidationError


def change_password(session: Session, *, user: User, session_id: str | None, current: Any,
                    new: Any) -> list[str]:
    """Replace my password (the current one re-entered); every other session of mine ends."""
    # counts like any re-entered secret: a stolen session cannot guess the password here
    sessions.confirm_secret(session, user=user, session_id=session_id, password=current, password_only=True)
    passwords.check(new, field="new_password", username=user.username, display_name=user.display_name)
    if passwords.verify(user.password_hash, new):
        raise ValidationError("the new password must differ from the current one", field="new_password")
    user.password_hash = passwords.hash_password(new)
    user.must_change_password, user.password_changed_at = False, clock.now()
    _event(session, _self(user), user, "password_changed")
    return sessions.end_all(session, user.id, "password_changed", keep=session_id)


def _self(user: User) -> Actor:
    return user.actor


def start_totp(session: Session, *, user: User) -> str:
    """A new secret for my authenticator app (shown as a QR code until confirmed)."""
    return totp.begin_enrolment(user)


def confirm_totp(session: Session, *, user: User, code: Any, session_id: str | None) -> list[str]:
    """Turn two-factor on with a first right code; my other sessions end (they logged in without it)."""
    totp.confirm_enrolment(user, code)
    _event(session, _self(user), user, "totp_enabled")
    return sessions.end_all(session, user.id, "totp_enabled", keep=session_id)


def stop_totp(session: Session, *, user: User, code: Any, session_id: str | None) -> None:
    """Turn my two-factor off (a current code re-entered), unless legal staff must keep it."""
    if not user.has_totp:
        raise Conflict("two-factor authentication is not on", field="code")
    if user.is_legal and policy(session).require_totp_for_legal:
        raise Conflict("legal staff must keep two-factor authentication on (organisation rule)", field="code")
    sessions.confirm_secret(session, user=user, session_id=session_id, code=code)
    totp.turn_off(user)
    _event(session, _self(user), user, "totp_disabled")
