"""Log in: check the password, with a throttle that a stranger cannot turn against the owner.

Three counters, each an exponential backoff — no wait before `free` failures, then 1 s, 2 s, 4 s …
up to `cap` — forgotten after QUIET without a failure:
- per account (`user:<name>`): slows guessing one account's password from anywhere;
- per client address (`addr:<ip>`): slows one address guessing many accounts;
- per trusted device (`dev:<id>`): slows a stolen device cookie.

A correct password from a known-good client is not held back by failures that others caused:
- with a valid device cookie of this user (set by the web layer at every successful login) only the
  device's own counter applies;
- from an address this user logged in from successfully in the last TRUST, the account counter is
  skipped (the address counter still applies, so a stranger behind the same address is slowed too).

Unknown and disabled users cost the same argon2 verification as a real one (a dummy hash), so the
answer time does not tell whether a user name exists. The client address must be the real one:
behind a proxy, only when the proxy is trusted (CONCORD_TRUSTED_PROXIES, realtime/app.py).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Mapping

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incident import clock
from incident.accounts.models import KnownAddress, LoginSession, LoginThrottle, User
from incident.accounts.service import _hasher, open_session
from incident.errors import Throttled, Unauthenticated


@dataclass(frozen=True)
class Policy:
    """Exponential backoff: the lock after the n-th failure in a row."""

    free: int  # failures allowed before any wait
    cap: timedelta

    def lock_for(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        return min(self.cap, timedelta(seconds=2 ** min(failures - self.free, 20)))


ACCOUNT = Policy(free=5, cap=timedelta(minutes=15))
ADDRESS = Policy(free=20, cap=timedelta(minutes=15))  # an office behind one NAT shares it
DEVICE = Policy(free=5, cap=timedelta(minutes=15))
QUIET = timedelta(hours=1)
TRUST = timedelta(days=30)
KEEP_ADDRESSES = 20  # known addresses per user


class Trust(StrEnum):
    DEVICE = "device"
    ADDRESS = "address"
    NONE = "none"


class LoginFailed(Unauthenticated):
    """Wrong user name or password. `user_id` and `reason` are for the security log only: they are
    attributes, not details, so they never reach the client."""

    def __init__(self, *, user_id: int | None, reason: str) -> None:
        super().__init__("wrong username or password", field="password")
        self.user_id, self.reason = user_id, reason


class LoginThrottled(Throttled):
    def __init__(self, *, wait: int, user_id: int | None, key: str) -> None:
        super().__init__("too many failed logins; try again in %(retry_after)s s", retry_after=wait)
        self.user_id, self.key = user_id, key


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """An argon2 hash of a random secret, verified instead of a missing or disabled user's hash."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verify(user: User | None, password: str) -> bool:
    try:
        ok = _hasher.verify(user.password_hash if user is not None else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.active


def _keys(name: str, address: str, device_id: str | None) -> dict[str, tuple[str, Policy]]:
    keys = {"account": (f"user:{name.lower()[:150]}", ACCOUNT)}
    if address:
        keys["address"] = (f"addr:{address[:64]}", ADDRESS)
    if device_id:
        keys["device"] = (f"dev:{device_id[:64]}", DEVICE)
    return keys


def trust_of(session: Session, user: User | None, address: str, device_id: str | None,
             now: datetime) -> Trust:
    """How far this client is known to be the user's own (device_id: this user's, from the cookie)."""
    if user is None or not user.active:
        return Trust.NONE
    if device_id:
        return Trust.DEVICE
    if address:
        known = session.get(KnownAddress, (user.id, address[:64]))
        if known is not None and now - known.last_success_at <= TRUST:
            return Trust.ADDRESS
    return Trust.NONE


def judged_by(keys: dict[str, tuple[str, Policy]], trust: Trust) -> list[tuple[str, Policy]]:
    """The counters that may hold this attempt back."""
    if trust is Trust.DEVICE:
        return [keys["device"]]
    wanted = ("address",) if trust is Trust.ADDRESS else ("account", "address")
    return [keys[k] for k in wanted if k in keys]


def check(session: Session, judged: list[tuple[str, Policy]], now: datetime, user_id: int | None) -> None:
    """Raise LoginThrottled while any of the counters is locked."""
    for key, _policy in judged:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = int((row.locked_until - now).total_seconds()) + 1
            raise LoginThrottled(wait=wait, user_id=user_id, key=key.split(":", 1)[0])


def _row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The counter row, locked for update; created (race-safe) when missing."""
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, failures=0, window_start=now)
            session.add(row)
        return row
    except IntegrityError:  # another worker created it in between
        found = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert found is not None
        return found


def note_failure(session: Session, keys: list[tuple[str, Policy]], now: datetime) -> None:
    """Count one failure on each counter and set its next lock."""
    for key, policy in keys:
        row = _row(session, key, now)
        if row.last_failure_at is None or now - row.last_failure_at > QUIET:
            row.failures, row.window_start = 0, now
        row.failures += 1
        row.last_failure_at = now
        lock = policy.lock_for(row.failures)
        row.locked_until = now + lock if lock else None


def note_success(session: Session, user: User, address: str, cleared: list[tuple[str, Policy]],
                 now: datetime) -> None:
    """Forget the counters the attempt was judged by, and remember the address as known-good.

    The address counter is never cleared by a success: an attacker with an account of their own
    could otherwise reset it between guesses.
    """
    for key, _policy in cleared:
        if not key.startswith("addr:") and (row := session.get(LoginThrottle, key)) is not None:
            session.delete(row)
    if not address:
        return
    known = session.get(KnownAddress, (user.id, address[:64]))
    if known is None:
        try:
            with session.begin_nested():
                session.add(KnownAddress(user_id=user.id, address=address[:64], last_success_at=now))
        except IntegrityError:
            pass  # the same user logged in from there concurrently
    else:
        known.last_success_at = now
    keep = select(KnownAddress.address).where(KnownAddress.user_id == user.id) \
        .order_by(KnownAddress.last_success_at.desc()).limit(KEEP_ADDRESSES)
    session.execute(delete(KnownAddress).where(
        KnownAddress.user_id == user.id,
        (KnownAddress.last_success_at < now - TRUST) | KnownAddress.address.not_in(keep.scalar_subquery())))


def login(session: Session, *, username: str, password: str, client: str = "",
          devices: Mapping[int, str] | None = None) -> LoginSession:
    """Check credentials and open a fresh login session.

    `devices` maps user ids to the device ids of a device cookie whose signature the caller
    verified. Raises LoginThrottled or LoginFailed; failures count towards the backoff, so the
    caller commits after either.
    """
    if not isinstance(username, str) or not isinstance(password, str):
        raise LoginFailed(user_id=None, reason="malformed")
    name, now = username.strip(), clock.now()
    user = session.scalar(select(User).where(User.username == name)) if name else None
    device_id = (devices or {}).get(user.id) if user is not None else None
    keys = _keys(name, client, device_id)
    judged = judged_by(keys, trust_of(session, user, client, device_id, now))
    check(session, judged, now, user.id if user is not None else None)
    if not _verify(user, password):
        note_failure(session, list(keys.values()), now)
        reason = "unknown_user" if user is None else ("disabled" if not user.active else "wrong_password")
        raise LoginFailed(user_id=user.id if user is not None else None, reason=reason)
    assert user is not None
    note_success(session, user, client, judged, now)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return open_session(session, user)
