"""Accounts over HTTP: the admin's user management, and everyone's own password, two-factor, sessions.

Every change that ends sessions commits first, then disconnects the sockets of those sessions in
every server process (realtime.session_control).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, session

from incident.accounts import admin, selfservice, sessions, totp
from incident.accounts.levels import LEVELS
from incident.accounts.models import AccountPolicy, User
from incident.db import begin_write
from incident.errors import DomainError, ValidationError
from realtime.auth import actor, current_user
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import BOOL, INT, STR, TIME, array, null, obj, register, register_body
from realtime.sessions import control as session_control

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


def current_session_id() -> str | None:
    return session.get("sid")


def finish(ended: list[str], reason: str) -> None:
    """Commit, then end the sockets of the sessions the change ended."""
    db().commit()
    session_control.sessions_ended(current_app._get_current_object(), ended, reason)  # type: ignore[attr-defined]


def confirm(data: dict[str, Any]) -> sessions.Proof:
    """A fresh proof from the password / code in the body (committed whatever the outcome)."""
    user = current_user()
    assert user is not None
    try:
        proof = sessions.confirm_secret(db(), user=user, session_id=current_session_id(),
                                        password=data.get("password"), code=data.get("code"))
    except DomainError as err:
        _commit_failure_count(err)
        raise
    db().commit()
    begin_write(db())  # the rest of the request (the seal itself) is a writer again (one writer at a time)
    return proof


def user_dict(u: User, with_admin: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": u.id, "username": u.username, "display_name": u.display_name,
                           "role": str(u.role), "locale": u.locale, "is_legal": u.is_legal,
                           "qualifications": sorted(u.qualifications), "active": u.active,
                           "totp": u.has_totp, "manager_level": u.manager_level}
    if with_admin:
        out |= {"must_change_password": u.must_change_password,
                "created_at": u.created_at.isoformat(),
                "disabled_at": u.disabled_at.isoformat() if u.disabled_at else None,
                "password_changed_at": u.password_changed_at.isoformat() if u.password_changed_at else None}
    return out


def policy_dict(p: AccountPolicy) -> dict[str, Any]:
    return {"require_totp_for_legal": bool(p.require_totp_for_legal),
            "updated_at": p.updated_at.isoformat() if p.updated_at else None, "updated_by": p.updated_by_name}


def _outcome(out: admin.Outcome, reason: str, status: int = 200):  # type: ignore[no-untyped-def]
    finish(out.ended, reason)
    body = {"user": user_dict(out.user, True), "sessions_ended": len(out.ended)}
    if out.temporary_password:
        body["temporary_password"] = out.temporary_password
    return jsonify(body), status


# -- the admin ------------------------------------------------------------------------------------

@bp.get("/admin/users")
def list_accounts():  # type: ignore[no-untyped-def]
    """Every account with role, legal qualification, state and two-factor."""
    return jsonify({"users": [user_dict(u, True) for u in admin.users(db(), actor=actor())],
                    "policy": policy_dict(admin.policy(db()))})


@bp.post("/admin/users")
def create_account():  # type: ignore[no-untyped-def]
    """Create a user; without a password a temporary one is returned once (changed at first login)."""
    return _outcome(admin.create(db(), actor=actor(), data=json_body()), "", 201)


@bp.patch("/admin/users/<int:user_id>")
def update_account(user_id: int):  # type: ignore[no-untyped-def]
    """Change display name, locale, role, manager level, or the legal qualification."""
    data = json_body()
    out = admin.update(db(), actor=actor(), user_id=user_id, data=data)
    db().commit()
    if "role" in data or "is_legal" in data:  # lowered powers: rooms they may no longer view
        session_control.recheck_access(current_app._get_current_object(), out.user.id)  # type: ignore[attr-defined]
    return jsonify({"user": user_dict(out.user, True)})


@bp.post("/admin/users/<int:user_id>/disable")
def disable_account(user_id: int):  # type: ignore[no-untyped-def]
    """Disable: no more logins, every session and socket of the user ended now."""
    return _outcome(admin.disable(db(), actor=actor(), user_id=user_id), "disabled")


@bp.post("/admin/users/<int:user_id>/enable")
def enable_account(user_id: int):  # type: ignore[no-untyped-def]
    """Re-enable a disabled user."""
    return _outcome(admin.enable(db(), actor=actor(), user_id=user_id), "")


@bp.post("/admin/users/<int:user_id>/reset-password")
def reset_password(user_id: int):  # type: ignore[no-untyped-def]
    """A temporary password, returned once, that must be changed at the next login; sessions ended."""
    return _outcome(admin.reset_password(db(), actor=actor(), user_id=user_id), "password_reset")


@bp.post("/admin/users/<int:user_id>/reset-totp")
def reset_totp(user_id: int):  # type: ignore[no-untyped-def]
    """Turn a user's two-factor off (lost phone); sessions ended."""
    return _outcome(admin.reset_totp(db(), actor=actor(), user_id=user_id), "totp_reset")


@bp.get("/admin/account-policy")
def get_policy():  # type: ignore[no-untyped-def]
    """The organisation's account rules."""
    return jsonify(policy_dict(admin.policy(db())))


@bp.put("/admin/account-policy")
def put_policy():  # type: ignore[no-untyped-def]
    """Require two-factor authentication of legal staff (or not)."""
    data = json_body()
    row = admin.set_policy(db(), actor=actor(), require_totp_for_legal=data.get("require_totp_for_legal"))
    db().commit()
    return jsonify(policy_dict(row))


# -- my own account -------------------------------------------------------------------------------

def _me() -> User:
    user = current_user()
    assert user is not None  # the login gate guarantees it
    return user


def session_rows() -> list[dict[str, Any]]:
    return sessions.open_sessions(db(), user_id=_me().id, current=current_session_id())


@bp.get("/me/sessions")
def my_sessions():  # type: ignore[no-untyped-def]
    """My open sessions: device, address, started, last seen, which one is this."""
    return jsonify({"sessions": [{**r, "created_at": r["created_at"].isoformat(),
                                  "last_seen_at": r["last_seen_at"].isoformat(),
                                  "expires_at": r["expires_at"].isoformat()} for r in session_rows()]})


@bp.post("/me/sessions/<string:session_id>/end")
def end_my_session(session_id: str):  # type: ignore[no-untyped-def]
    """End one of my sessions (its sockets are disconnected at once)."""
    ended = sessions.end_mine(db(), user_id=_me().id, public=session_id)
    finish(ended, "ended_by_user")
    return jsonify({"sessions_ended": len(ended)})


@bp.post("/me/sessions/end-others")
def end_other_sessions():  # type: ignore[no-untyped-def]
    """Log out my other sessions (every device but this one)."""
    ended = sessions.end_all(db(), _me().id, "other_sessions", keep=current_session_id())
    finish(ended, "other_sessions")
    return jsonify({"sessions_ended": len(ended)})


@bp.post("/me/password")
def change_my_password():  # type: ignore[no-untyped-def]
    """Change my password (current one re-entered); my other sessions end."""
    data = json_body()
    new = data.get("new_password")
    if not isinstance(new, str) or not new:
        raise ValidationError("enter the new password", field="new_password")
    user = _me()
    try:
        ended = selfservice.change_password(db(), user=user, session_id=current_session_id(),
                                            current=data.get("current_password"), new=new)
    except DomainError as err:
        _commit_failure_count(err)
        raise
    finish(ended, "password_changed")
    return jsonify({"user": user_dict(user), "sessions_ended": len(ended)})


def _commit_failure_count(err: DomainError) -> None:
    """A wrong re-entered secret is counted (and may end the session); other refusals change nothing."""
    from incident.accounts.sessions import ReauthRequired
    from incident.errors import Unauthenticated
    if isinstance(err, (ReauthRequired, Unauthenticated)):
        db().commit()
        if err.details.get("session_ended"):
            session_control.sessions_ended(current_app._get_current_object(),  # type: ignore[attr-defined]
                                           [err.details["session_ended"]], "wrong_confirmations")
    else:
        db().rollback()


@bp.post("/me/totp")
def start_my_totp():  # type: ignore[no-untyped-def]
    """Start two-factor enrolment: a new secret, its otpauth:// URI and a QR code (SVG)."""
    user = _me()
    secret = selfservice.start_totp(db(), user=user)
    db().commit()
    uri = totp.provisioning_uri(user, secret, issuer=_issuer())
    return jsonify({"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)})


def _issuer() -> str:
    return f"Concord {current_app.extensions['concord.settings'].org_name}"[:60]


@bp.post("/me/totp/confirm")
def confirm_my_totp():  # type: ignore[no-untyped-def]
    """Turn two-factor on with the first code the app shows; my other sessions end."""
    data = json_body()
    ended = selfservice.confirm_totp(db(), user=_me(), code=data.get("code"), session_id=current_session_id())
    finish(ended, "totp_enabled")
    return jsonify({"user": user_dict(_me()), "sessions_ended": len(ended)})


@bp.post("/me/totp/disable")
def disable_my_totp():  # type: ignore[no-untyped-def]
    """Turn my two-factor off (a current code re-entered), unless legal staff must keep it."""
    data = json_body()
    try:
        selfservice.stop_totp(db(), user=_me(), code=data.get("code"), session_id=current_session_id())
    except DomainError as err:
        _commit_failure_count(err)
        raise
    db().commit()
    return jsonify({"user": user_dict(_me())})


_ACCOUNT = {"username": {"type": "string", "maxLength": 64}, "display_name": {"type": "string", "maxLength": 120},
            "role": {"enum": ["admin", "manager", "staff"]}, "locale": {"enum": ["zh_CN", "en"]},
            "is_legal": {"type": "boolean", "description": "legal staff: may hold the legal seat, approve, seal"},
            "manager_level": {"enum": [*LEVELS, "", None], "description": "a manager's rung on the grade ladder: "
                              "asked to lead a second round of that grade (C: department_manager, B: general_manager)"}}
register_body("accounts_api.create_account", {"type": "object", "required": ["username"], "properties": _ACCOUNT | {
    "password": {"type": "string", "description": "optional: without one a temporary password is returned"}}})
register_body("accounts_api.update_account", {"type": "object", "properties": {
    k: v for k, v in _ACCOUNT.items() if k != "username"}})
register_body("accounts_api.put_policy", {"type": "object", "required": ["require_totp_for_legal"],
                                          "properties": {"require_totp_for_legal": {"type": "boolean"}}})
register_body("accounts_api.change_my_password", {"type": "object", "required": ["current_password", "new_password"],
                                                  "properties": {"current_password": {"type": "string"},
                                                                 "new_password": {"type": "string", "minLength": 10}}})
for _ep in ("confirm_my_totp", "disable_my_totp"):
    register_body(f"accounts_api.{_ep}", {"type": "object", "required": ["code"],
                                          "properties": {"code": {"type": "string", "pattern": "^[0-9 ]{6,7}$"}}})

# Responses (the error statuses are derived from the route; see realtime/openapi.py _errors).
_USER = obj({"must_change_password": BOOL, "created_at": TIME, "disabled_at": null(TIME),
             "password_changed_at": null(TIME)},
            id=INT, username=STR, display_name=STR, role={"enum": ["admin", "manager", "staff"]},
            locale=STR, is_legal=BOOL, qualifications=array(STR), active=BOOL, totp=BOOL,
            manager_level={"enum": [*LEVELS, None]})
_OUTCOME = obj({"temporary_password": STR | {"description": "shown once; the user must change it"}},
               user=_USER, sessions_ended=INT)
_POLICY = obj(require_totp_for_legal=BOOL, updated_at=null(TIME), updated_by=STR)
_ENDED = obj(sessions_ended=INT)
register("accounts_api.list_accounts", responses={200: obj({"policy": _POLICY}, users=array(_USER))})
register("accounts_api.create_account", responses={201: _OUTCOME})
register("accounts_api.update_account", responses={200: obj(user=_USER)})
for _ep in ("disable_account", "enable_account", "reset_password", "reset_totp"):
    register(f"accounts_api.{_ep}", body={"type": "object", "properties": {}}, responses={200: _OUTCOME})
register("accounts_api.get_policy", responses={200: _POLICY})
register("accounts_api.put_policy", responses={200: _POLICY})
register("accounts_api.my_sessions", responses={200: obj(sessions=array(obj(
    id=STR, device=STR, address=STR, created_at=TIME, last_seen_at=TIME, expires_at=TIME, current=BOOL)))})
register("accounts_api.end_my_session", body={"type": "object", "properties": {}}, responses={200: _ENDED})
register("accounts_api.end_other_sessions", body={"type": "object", "properties": {}}, responses={200: _ENDED})
# a wrong current password / code is a 403 (reauth_required), like a refused seal
register("accounts_api.change_my_password", responses={200: obj(user=_USER, sessions_ended=INT), 403: None})
register("accounts_api.start_my_totp", body={"type": "object", "properties": {}},
         responses={200: obj(secret=STR, otpauth_uri=STR, qr_svg=STR)})
register("accounts_api.confirm_my_totp", responses={200: obj(user=_USER, sessions_ended=INT), 403: None})
register("accounts_api.disable_my_totp", responses={200: obj(user=_USER), 403: None})
