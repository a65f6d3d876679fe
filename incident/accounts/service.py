"""Create users, open and close login sessions (logging in itself: incident/accounts/throttle.py)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import clock
from incident.accounts import passwords, sessions
from incident.accounts.models import LoginSession, Role, User
from incident.errors import Conflict, NotFound, ValidationError

_hasher = PasswordHasher()
SESSION_IDLE = sessions.DEFAULT_IDLE
MIN_PASSWORD = passwords.MIN_LENGTH


def create_user(session: Session, *, username: str, password: str, display_name: str | None = None,
                role: str = "staff", locale: str = "zh_CN", is_legal: bool = False,
                must_change_password: bool = False) -> User:
    """Add a user with an argon2-hashed password (the password rules of incident.accounts.passwords)."""
    for name, value in (("username", username), ("password", password), ("display_name", display_name),
                        ("role", role), ("locale", locale)):
        if value is not None and not isinstance(value, str):
            raise ValidationError("%(field)s must be text", field=name)
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValidationError("username must be 1-64 characters without spaces", field="username")
    if not isinstance(is_legal, bool):
        raise ValidationError("is_legal must be true or false", field="is_legal")
    passwords.check(password, username=username, display_name=display_name or "")
    try:
        role_v = Role(role)
    except ValueError:
        raise ValidationError("role must be admin, manager or staff", field="role") from None
    if locale not in ("zh_CN", "en"):
        raise ValidationError("locale must be zh_CN or en", field="locale")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict("username already taken", field="username")
    user = User(username=username, display_name=(display_name or username).strip()[:120],
                password_hash=_hasher.hash(password), role=role_v, locale=locale,
                created_at=clock.now(), active=True, is_legal=is_legal,
                must_change_password=must_change_password, password_changed_at=clock.now())
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", field="user_id")
    return user


def open_session(session: Session, user: User) -> LoginSession:
    """Open a fresh server-side login session for a user whose credentials were checked
    (incident/accounts/throttle.py `login`)."""
    now = clock.now()
    ls = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now)
    session.add(ls)
    session.flush()
    return ls


def resolve_session(session: Session, session_id: str | None) -> User | None:
    """The active user behind a login-session id, or None when absent, revoked, idle too long, past
    its absolute lifetime, waiting for its second factor, or the user is disabled (sessions.usable)."""
    return resolve(session, session_id)[0]


def resolve(session: Session, session_id: str | None) -> tuple[User | None, bool]:
    """resolve_session and needs_touch from one read of the login session's row."""
    if not session_id:
        return None, False
    ls = session.get(LoginSession, session_id)
    now = clock.now()
    user = session.get(User, ls.user_id) if ls is not None else None
    if not sessions.usable(ls, user, now) or user is None:
        return None, False
    assert ls is not None
    # a read: the caller refreshes last_seen_at with touch_session (see realtime/auth.py)
    return user, now - ls.last_seen_at > REFRESH_EVERY


REFRESH_EVERY = timedelta(minutes=1)


def touch_session(session: Session, session_id: str) -> bool:
    """Move a login session's last_seen_at to now, at most once per REFRESH_EVERY; True if moved.

    One conditional UPDATE (no read first), so concurrent requests of one login session write once.
    """
    now = clock.now()
    res = session.execute(update(LoginSession).where(
        LoginSession.id == session_id, LoginSession.revoked_at.is_(None),
        LoginSession.last_seen_at < now - REFRESH_EVERY).values(last_seen_at=now)
        .execution_options(synchronize_session=False))
    return res.rowcount == 1


def needs_touch(session: Session, session_id: str | None) -> bool:
    """Whether touch_session would move last_seen_at (read from the already loaded row)."""
    ls = session.get(LoginSession, session_id) if session_id else None
    return ls is not None and clock.now() - ls.last_seen_at > REFRESH_EVERY


def logout(session: Session, session_id: str | None) -> None:
    """Revoke a login session."""
    if session_id and (ls := session.get(LoginSession, session_id)) and ls.revoked_at is None:
        ls.revoked_at = clock.now()
