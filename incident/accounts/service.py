"""Create users, check passwords, open and close login sessions, throttle failures."""
from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import clock
from incident.accounts.models import LoginSession, LoginThrottle, Role, User
from incident.errors import Conflict, NotFound, Throttled, Unauthenticated, ValidationError

_hasher = PasswordHasher()
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(hours=12)
MIN_PASSWORD = 8


def create_user(session: Session, *, username: str, password: str, display_name: str | None = None,
                role: str = "staff", locale: str = "zh_CN") -> User:
    """Add a user with an argon2-hashed password."""
    for name, value in (("username", username), ("password", password), ("display_name", display_name),
                        ("role", role), ("locale", locale)):
        if value is not None and not isinstance(value, str):
            raise ValidationError("%(field)s must be text", field=name)
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValidationError("username must be 1-64 characters without spaces", field="username")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("%(field)s must have at least %(min)s characters", field="password",
                              min=MIN_PASSWORD)
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
                created_at=clock.now(), active=True)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", field="user_id")
    return user


def _check_throttle(session: Session, keys: list[str]) -> None:
    now = clock.now()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            wait = int((row.locked_until - now).total_seconds()) + 1
            raise Throttled(f"too many failed logins; try again in {wait} s", retry_after=wait)


def _note_failure(session: Session, keys: list[str]) -> None:
    now = clock.now()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None or now - row.window_start > WINDOW:
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                session.add(row)
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCKOUT


def login(session: Session, *, username: str, password: str, client: str = "") -> LoginSession:
    """Check credentials and open a fresh login session; failures count towards a lockout."""
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthenticated("wrong username or password", field="password")
    keys = [f"user:{(username or '').strip().lower()}"] + ([f"addr:{client}"] if client else [])
    _check_throttle(session, keys)
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    ok = False
    if user is not None and user.active:
        try:
            ok = _hasher.verify(user.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok:
        _note_failure(session, keys)
        raise Unauthenticated("wrong username or password", field="password")
    for key in keys[:1]:
        row = session.get(LoginThrottle, key)
        if row:
            session.delete(row)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    now = clock.now()
    ls = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now)
    session.add(ls)
    session.flush()
    return ls


def resolve_session(session: Session, session_id: str | None) -> User | None:
    """The active user behind a login-session id, or None when absent, revoked or idle too long."""
    if not session_id:
        return None
    ls = session.get(LoginSession, session_id)
    now = clock.now()
    if ls is None or ls.revoked_at is not None or now - ls.last_seen_at > SESSION_IDLE:
        return None
    user = session.get(User, ls.user_id)
    if user is None or not user.active:
        return None
    return user  # a read: the caller refreshes last_seen_at with touch_session (see realtime/auth.py)


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
