"""What the admin does with accounts: create, edit, qualify, disable, enable, reset, policy.

Every change writes an AccountEvent (who, when, what). Changes that must end a user's sessions
return the public ids of the sessions ended, for the web layer to disconnect their sockets. An
admin cannot disable, demote or qualify themselves: another admin must (four eyes on power).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.accounts import levels, passwords, sessions, totp
from incident.accounts import service as accounts
from incident.accounts.models import AccountEvent, AccountPolicy, Role, User
from incident.errors import Conflict, Forbidden, NotFound, ValidationError


@dataclass
class Outcome:
    """The user after the change, a temporary password to hand over once, the sessions ended."""

    user: User
    temporary_password: str | None = None
    ended: list[str] = field(default_factory=list)


def _event(session: Session, actor: Actor, user: User, action: str, **detail: Any) -> None:
    session.add(AccountEvent(at=clock.now(), user_id=user.id, actor_id=actor.user_id, actor_name=actor.name,
                             action=action, detail=detail))


def _user(session: Session, user_id: Any) -> User:
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None:
        raise NotFound("no such user", field="user_id")
    return user


def _not_self(actor: Actor, user: User, what: str) -> None:
    if actor.user_id == user.id:
        raise Forbidden(what, field="user_id")


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("%(field)s must be true or false", field=name)
    return value


def policy(session: Session) -> AccountPolicy:
    """The organisation's account rules (the defaults until the admin first saves them; no write)."""
    return session.get(AccountPolicy, 1) or AccountPolicy(id=1, require_totp_for_legal=False,
                                                          updated_by_name="")


def users(session: Session, *, actor: Actor) -> list[User]:
    """Every account, enabled ones first."""
    require(session, actor, Action.USER_MANAGE)
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))


def create(session: Session, *, actor: Actor, data: Mapping[str, Any]) -> Outcome:
    """Add a user; without a password one is generated, to be changed at the first login."""
    require(session, actor, Action.USER_MANAGE)
    is_legal = _flag(data.get("is_legal", False), "is_legal")
    if is_legal:
        require(session, actor, Action.QUALIFICATION_SET)
    level = levels.check(data.get("manager_level"), data.get("role") or "staff")
    given = data.get("password")
    temp = None if given not in (None, "") else passwords.temporary()
    user = accounts.create_user(session, username=data.get("username"), password=given or temp,
                                display_name=data.get("display_name") or None, role=data.get("role") or "staff",
                                locale=data.get("locale") or "zh_CN", is_legal=is_legal,
                                must_change_password=temp is not None or bool(data.get("must_change_password")))
    user.manager_level = level
    _event(session, actor, user, "created", role=str(user.role), is_legal=is_legal,
           **({"manager_level": user.manager_level} if user.manager_level else {}))
    return Outcome(user, temporary_password=temp)


def update(session: Session, *, actor: Actor, user_id: Any, data: Mapping[str, Any]) -> Outcome:
    """Change display name, locale, role, manager level or the legal qualification."""
    require(session, actor, Action.USER_MANAGE)
    user = _user(session, user_id)
    changes: dict[str, Any] = {}
    if "display_name" in data:
        name = data["display_name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
            raise ValidationError("display_name must be 1-120 characters", field="display_name")
        changes["display_name"] = " ".join(name.split())
    if "locale" in data:
        if data["locale"] not in ("zh_CN", "en"):
            raise ValidationError("locale must be zh_CN or en", field="locale")
        changes["locale"] = data["locale"]
    if "role" in data and data["role"] != str(user.role):
        try:
            role = Role(data["role"])
        except ValueError:
            raise ValidationError("role must be admin, manager or staff", field="role") from None
        _not_self(actor, user, "you cannot change your own role; another admin must")
        if user.role == Role.ADMIN and _admins(session) <= 1:
            raise Conflict("this is the only admin; make someone else admin first", field="role")
        changes["role"] = role
    if "is_legal" in data and _flag(data["is_legal"], "is_legal") != user.is_legal:
        require(session, actor, Action.QUALIFICATION_SET)
        _not_self(actor, user, "you cannot grant or remove your own legal qualification; another admin must")
        changes["is_legal"] = data["is_legal"]
    role = str(changes.get("role", user.role))
    if "manager_level" in data:
        level = levels.check(data["manager_level"], role)
        if level != user.manager_level:
            changes["manager_level"] = level
    if role != Role.MANAGER.value and user.manager_level:
        changes["manager_level"] = None  # no longer a manager: no rung on the ladder either
    for key, value in changes.items():
        setattr(user, key, value)
    if changes:
        _event(session, actor, user, "updated", **{k: str(v) if k == "role" else v for k, v in changes.items()})
    session.flush()
    return Outcome(user)


def _admins(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN.value,
                                                                User.active.is_(True))) or 0)


def disable(session: Session, *, actor: Actor, user_id: Any) -> Outcome:
    """Disable an account: no login, every session ended now (sockets too, by the caller)."""
    require(session, actor, Action.USER_DISABLE)
    user = _user(session, user_id)
    _not_self(actor, user, "you cannot disable your own account")
    if not user.active:
        return Outcome(user, ended=sessions.end_all(session, user.id, "disabled"))
    user.active, user.disabled_at = False, clock.now()
    _event(session, actor, user, "disabled")
    return Outcome(user, ended=sessions.end_all(session, user.id, "disabled"))


def enable(session: Session, *, actor: Actor, user_id: Any) -> Outcome:
    """Re-enable a disabled account (its old sessions stay ended)."""
    require(session, actor, Action.USER_DISABLE)
    user = _user(session, user_id)
    if not user.active:
        user.active, user.disabled_at = True, None
        _event(session, actor, user, "enabled")
    return Outcome(user)


def reset_password(session: Session, *, actor: Actor, user_id: Any) -> Outcome:
    """A temporary password (shown once) that must be changed at the next login; sessions ended."""
    require(session, actor, Action.PASSWORD_RESET)
    user = _user(session, user_id)
    temp = passwords.temporary()
    user.password_hash, user.must_change_password = passwords.hash_password(temp), True
    user.password_changed_at = clock.now()
    _event(session, actor, user, "password_reset")
    return Outcome(user, temporary_password=temp, ended=sessions.end_all(session, user.id, "password_reset"))


def reset_totp(session: Session, *, actor: Actor, user_id: Any) -> Outcome:
    """Turn a user's two-factor off (lost phone); they enrol again at the next login if required."""
    require(session, actor, Action.PASSWORD_RESET)
    user = _user(session, user_id)
    if not user.totp_cipher and not user.totp_pending_cipher:
        return Outcome(user)
    totp.turn_off(user)
    _event(session, actor, user, "totp_reset")
    return Outcome(user, ended=sessions.end_all(session, user.id, "totp_reset"))


def set_policy(session: Session, *, actor: Actor, require_totp_for_legal: Any) -> AccountPolicy:
    """Require (or not) two-factor authentication of legal staff."""
    require(session, actor, Action.ACCOUNT_POLICY_SET)
    row = session.get(AccountPolicy, 1)
    if row is None:
        row = AccountPolicy(id=1, updated_by_name="")
        session.add(row)
    row.require_totp_for_legal = _flag(require_totp_for_legal, "require_totp_for_legal")
    row.updated_at, row.updated_by_name = clock.now(), actor.name
    return row


def history(session: Session, *, actor: Actor, user_id: int | None = None, limit: int = 50) -> list[AccountEvent]:
    """The latest account changes (of one user, or of all)."""
    require(session, actor, Action.USER_MANAGE)
    stmt = select(AccountEvent).order_by(AccountEvent.id.desc()).limit(limit)
    if user_id is not None:
        stmt = stmt.where(AccountEvent.user_id == user_id)
    return list(session.scalars(stmt))


def restriction(session: Session, user: User) -> str | None:
    """What the user must do before anything else: "password_change", "totp_enrolment", or None."""
    if user.must_change_password:
        return "password_change"
    if user.is_legal and not user.has_totp and policy(session).require_totp_for_legal:
        return "totp_enrolment"
    return None
