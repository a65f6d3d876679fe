"""User, login session and failed-login counters."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.access.actor import Actor
from incident.db import Base, UTCDateTime


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # -- accounts (issue 10): the legal qualification, password and two-factor state
    is_legal: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_cipher: Mapped[str] = mapped_column(Text, default="")          # the enabled secret, encrypted
    totp_pending_cipher: Mapped[str] = mapped_column(Text, default="")  # an enrolment not yet confirmed
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)     # a code works once
    # -- callbacks (issue 13): a manager's rung on the grade ladder (incident/accounts/levels.py)
    manager_level: Mapped[str | None] = mapped_column(String(24), nullable=True)

    @property
    def qualifications(self) -> frozenset[str]:
        return frozenset({"legal"}) if self.is_legal else frozenset()

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_cipher)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, name=self.display_name, role=str(self.role),
                     qualifications=self.qualifications)


class LoginSession(Base):
    """A server-side session: the cookie carries only its random id, renewed at every login."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # -- accounts (issue 10): device and address for "my sessions", the login stage, secret checks
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    stage: Mapped[str] = mapped_column(String(16), default="active")  # "totp": waits for the code
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong codes / re-entered passwords
    revoked_reason: Mapped[str] = mapped_column(String(32), default="")


class LoginThrottle(Base):
    """Failed attempts per key (username or client address), kept in the database for all workers."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # -- login throttling (issue 10): failures decay after a quiet period since the last one
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# -- login throttling (issue 10)
class KnownAddress(Base):
    """A client address a user logged in from successfully: a correct password from there is not
    held back by failures that strangers caused on the account (incident/accounts/throttle.py)."""

    __tablename__ = "login_known_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime())


# -- accounts (issue 10)
class AccountPolicy(Base):
    """Organisation-wide account rules the admin sets (one row, id 1)."""

    __tablename__ = "account_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    require_totp_for_legal: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_by_name: Mapped[str] = mapped_column(String(120), default="")


class AccountEvent(Base):
    """What an admin (or the user) changed on an account: the audit trail of accounts."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
