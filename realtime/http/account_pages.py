"""Account pages: the login's second step, my account (password, two-factor, sessions), the admin's
user list; and the gate that sends a user who must change their password or enrol two-factor there
first. Forms post back to the page (no script needed); errors are shown in the user's language.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from incident.access.permissions import Action, allowed
from incident.accounts import admin, levels, selfservice, sessions, totp
from incident.errors import DomainError, Forbidden
from realtime import auth
from realtime.api.accounts import (
    _commit_failure_count,
    _issuer,
    current_session_id,
    finish,
)
from realtime.auth import actor, current_user, start_session
from realtime.dbsession import db
from realtime.security.redirects import safe_next
from realtime.sessions import control as session_control

bp = Blueprint("account", __name__)

# What a user who must first change their password / enrol two-factor may still reach.
OPEN_WHILE_RESTRICTED = {
    "account.account", "account.change_password", "account.totp_start", "account.totp_confirm",
    "account.login_code", "pages.logout", "pages.login", "pages.set_language", "static", "vendor.asset",
    "health.healthz", "api.me", "accounts_api.change_my_password", "accounts_api.start_my_totp",
    "accounts_api.confirm_my_totp",
}


def _safe_next(target: str | None) -> str:
    """Through the one redirect check (realtime/security/redirects.py)."""
    return safe_next(target, url_for("pages.index"))


# -- second login step -----------------------------------------------------------------------------

@bp.route("/login/code", methods=["GET", "POST"])
def login_code():  # type: ignore[no-untyped-def]
    """After the password: the 6-digit code of the user's authenticator app."""
    waiting = sessions.awaiting_code(db(), session.get("sid"))
    if waiting is None:
        return redirect(url_for("pages.login"))
    error, status = None, 200
    if request.method == "POST":
        try:
            fresh = sessions.complete_login(db(), session_id=session.get("sid"), code=request.form.get("code"))
            db().commit()
            lang = session.get("lang")
            start_session(fresh.id)
            if lang:
                session["lang"] = lang
            return redirect(_safe_next(request.args.get("next")))
        except DomainError as err:
            db().commit()  # the wrong code counts
            error, status = err, 401
            if sessions.awaiting_code(db(), session.get("sid")) is None:
                return render_template("account/login_code.html", error=error, expired=True), 401
    return render_template("account/login_code.html", error=error, expired=False), status


# -- my account ------------------------------------------------------------------------------------

def _account_page(error: DomainError | None = None, done: str = "", enrol: dict[str, str] | None = None,
                  status: int = 200):  # type: ignore[no-untyped-def]
    user = current_user()
    assert user is not None
    pending = totp.pending_secret(user) if enrol is None and user.totp_pending_cipher else None
    if pending:
        uri = totp.provisioning_uri(user, pending, issuer=_issuer())
        enrol = {"secret": pending, "qr": totp.qr_svg(uri)}
    return render_template("account/account.html", user=user, error=error, done=done, enrol=enrol,
                           restriction=admin.restriction(db(), user),
                           policy=admin.policy(db()), sessions=sessions.open_sessions(
                               db(), user_id=user.id, current=current_session_id())), status


def _run(fn: Callable[[], Any], done: str, reason: str = "") -> Any:
    """Run a self-service change; on success commit, end sockets, show the page with a message."""
    try:
        ended = fn() or []
    except DomainError as err:
        _commit_failure_count(err)
        return _account_page(error=err, status=400 if not isinstance(err, Forbidden) else 403)
    finish(ended, reason)
    if current_user_still_in():
        return _account_page(done=done)
    return redirect(url_for("pages.login"))


def current_user_still_in() -> bool:
    from flask import g
    g.pop("user", None)  # re-resolve: a wrong-confirmation limit may just have ended this session
    return current_user() is not None


@bp.get("/account")
def account():  # type: ignore[no-untyped-def]
    return _account_page()


@bp.post("/account/password")
def change_password():  # type: ignore[no-untyped-def]
    f = request.form
    return _run(lambda: selfservice.change_password(
        db(), user=current_user(), session_id=current_session_id(), current=f.get("current_password", ""),
        new=f.get("new_password", "")), "password_changed", "password_changed")


@bp.post("/account/sessions/end")
def end_session():  # type: ignore[no-untyped-def]
    user = current_user()
    return _run(lambda: sessions.end_mine(db(), user_id=user.id, public=request.form.get("session_id", "")),
                "session_ended", "ended_by_user")


@bp.post("/account/sessions/end-others")
def end_others():  # type: ignore[no-untyped-def]
    user = current_user()
    return _run(lambda: sessions.end_all(db(), user.id, "other_sessions", keep=current_session_id()),
                "others_ended", "other_sessions")


@bp.post("/account/totp/start")
def totp_start():  # type: ignore[no-untyped-def]
    user = current_user()
    try:
        secret = selfservice.start_totp(db(), user=user)
    except DomainError as err:
        db().rollback()
        return _account_page(error=err, status=409)
    db().commit()
    return _account_page(enrol={"secret": secret, "qr": totp.qr_svg(
        totp.provisioning_uri(user, secret, issuer=_issuer()))})


@bp.post("/account/totp/confirm")
def totp_confirm():  # type: ignore[no-untyped-def]
    return _run(lambda: selfservice.confirm_totp(db(), user=current_user(), code=request.form.get("code"),
                                                 session_id=current_session_id()), "totp_enabled", "totp_enabled")


@bp.post("/account/totp/disable")
def totp_disable():  # type: ignore[no-untyped-def]
    return _run(lambda: selfservice.stop_totp(db(), user=current_user(), code=request.form.get("code"),
                                              session_id=current_session_id()), "totp_disabled")


# -- the admin's user list -------------------------------------------------------------------------

def _admin_page(error: DomainError | None = None, shown: dict[str, Any] | None = None,
                status: int = 200):  # type: ignore[no-untyped-def]
    a = actor()
    everyone = admin.users(db(), actor=a)
    return render_template("account/admin_users.html", users=everyone, error=error,
                           names={u.id: u.display_name for u in everyone},
                           shown=shown, policy=admin.policy(db()), me=a, levels=levels.LEVELS,
                           history=admin.history(db(), actor=a, limit=30),
                           can_qualify=allowed(Action.QUALIFICATION_SET, a.role, set(), a.qualifications)), status


@bp.get("/admin/users")
def admin_users():  # type: ignore[no-untyped-def]
    return _admin_page()


def _admin_run(fn: Callable[[], admin.Outcome], reason: str, what: str) -> Any:
    try:
        out = fn()
    except DomainError as err:
        db().rollback()
        return _admin_page(error=err, status=403 if isinstance(err, Forbidden) else 400)
    finish(out.ended, reason)
    return _admin_page(shown={"what": what, "user": out.user, "temporary_password": out.temporary_password,
                              "ended": len(out.ended)})


@bp.post("/admin/users")
def admin_create():  # type: ignore[no-untyped-def]
    f = request.form
    data = {"username": f.get("username", ""), "display_name": f.get("display_name", ""),
            "role": f.get("role", "staff"), "locale": f.get("locale", "zh_CN"),
            "is_legal": f.get("is_legal") == "on", "password": f.get("password", ""),
            "manager_level": f.get("manager_level", "")}
    return _admin_run(lambda: admin.create(db(), actor=actor(), data=data), "", "created")


@bp.post("/admin/users/<int:user_id>")
def admin_update(user_id: int):  # type: ignore[no-untyped-def]
    f = request.form
    data: dict[str, Any] = {"display_name": f.get("display_name", ""), "role": f.get("role", ""),
                            "locale": f.get("locale", "zh_CN"), "manager_level": f.get("manager_level", "")}
    if f.get("qualify") == "1":
        data["is_legal"] = f.get("is_legal") == "on"
    result = _admin_run(lambda: admin.update(db(), actor=actor(), user_id=user_id, data=data), "", "updated")
    session_control.recheck_access(current_app._get_current_object(), user_id)  # type: ignore[attr-defined]
    return result


@bp.post("/admin/users/<int:user_id>/<op>")
def admin_op(user_id: int, op: str):  # type: ignore[no-untyped-def]
    ops = {"disable": (admin.disable, "disabled"), "enable": (admin.enable, ""),
           "reset-password": (admin.reset_password, "password_reset"), "reset-totp": (admin.reset_totp, "totp_reset")}
    if op not in ops:
        from werkzeug.exceptions import NotFound
        raise NotFound()
    fn, reason = ops[op]
    return _admin_run(lambda: fn(db(), actor=actor(), user_id=user_id), reason, op)


@bp.post("/admin/account-policy")
def admin_policy():  # type: ignore[no-untyped-def]
    try:
        admin.set_policy(db(), actor=actor(), require_totp_for_legal=request.form.get("require_totp_for_legal") == "on")
        db().commit()
    except DomainError as err:
        db().rollback()
        return _admin_page(error=err, status=403)
    return _admin_page(shown={"what": "policy"})


# -- the gate --------------------------------------------------------------------------------------

def _gate():  # type: ignore[no-untyped-def]
    """A user who must change a temporary password or enrol two-factor does that first."""
    if request.endpoint is None or request.endpoint in auth.PUBLIC_ENDPOINTS:
        return None
    if request.endpoint in OPEN_WHILE_RESTRICTED:
        return None
    user = current_user()
    if user is None:
        return None
    what = admin.restriction(db(), user)
    if what is None:
        return None
    if request.path.startswith("/api/"):
        raise Forbidden("change your temporary password first" if what == "password_change" else
                        "legal staff must turn on two-factor authentication first", field=None, restriction=what)
    return redirect(url_for("account.account"))


def register(app: Flask) -> None:
    """The pages, and the gate (after the login gate, before the permission table)."""
    auth.PUBLIC_ENDPOINTS.add("account.login_code")  # the second step has no full session yet
    app.register_blueprint(bp)
    app.before_request(_gate)
